from django.urls import path
from django.utils.translation import gettext_lazy as _

from notifications import views

app_name = "notifications"

urlpatterns = [
    path(_("notifications/"), views.preferences, name="preferences"),
    path(_("notifications/confirm/<str:token>/"), views.confirm, name="confirm"),
]
