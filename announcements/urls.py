"""Pages of the announcements room (language-prefixed: /ro/anunturi/..., /en/announcements/...)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from announcements import views
from core.legacy_urls import english_paths_redirect

app_name = "announcements"

urlpatterns = [
    path(_("announcements/"), views.index, name="index"),
    path(_("announcements/new/"), views.create, name="create"),
    path(_("announcements/<int:pk>/"), views.detail, name="detail"),
    path(_("announcements/<int:pk>/update/"), views.update, name="update"),
    path(_("announcements/<int:pk>/cancel/"), views.cancel, name="cancel"),
    path(_("announcements/neighbourhoods/<slug:slug>/"), views.neighbourhood, name="neighbourhood"),
    # The English addresses under /ro/ that served these pages before (bookmarks, feeds, notification
    # links built from Announcement.language_free_url): 301 to the translated ones.
    english_paths_redirect("announcements/"),
]
