"""Pages of the environment room (language-prefixed: /ro/aer/..., /en/air/...)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.legacy_urls import english_paths_redirect
from environment import views

app_name = "environment"

urlpatterns = [
    path(_("air/"), views.index, name="index"),
    path(_("air/city/"), views.city, name="city"),
    path(_("air/sensors/<str:sensor_id>/"), views.sensor_detail, name="sensor"),
    path(_("air/alerts/"), views.alerts, name="alerts"),
    # The English addresses under /ro/ that served these pages before (bookmarks, CAP alerts' links):
    # 301 to the translated ones.
    english_paths_redirect("air/"),
]
