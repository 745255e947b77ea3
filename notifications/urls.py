from django.urls import path
from django.utils.translation import gettext_lazy as _

from notifications import alerts, endpoint_views, staff_views, views

app_name = "notifications"

urlpatterns = [
    path(_("notifications/"), views.preferences, name="preferences"),
    path(_("notifications/confirm/<str:token>/"), views.confirm, name="confirm"),
    # E-mail alerts without an account (notifications/alerts.py).
    path(_("notifications/alerts/"), alerts.alerts, name="alerts"),
    path(_("notifications/alerts/manage/<str:token>/"), alerts.manage, name="manage_alerts"),
    path("notifications/push/", views.push_subscription, name="push_subscription"),
    path(_("notifications/log/"), staff_views.delivery_log, name="delivery_log"),
    # SMS numbers and webhooks (notifications/endpoint_views.py): POST only, back to the page.
    path("notifications/endpoints/sms/", endpoint_views.add_phone, name="endpoint_add_phone"),
    path("notifications/endpoints/webhook/", endpoint_views.add_webhook, name="endpoint_add_webhook"),
    path("notifications/endpoints/<int:endpoint_id>/verify/", endpoint_views.verify_phone, name="endpoint_verify"),
    path("notifications/endpoints/<int:endpoint_id>/enable/", endpoint_views.reenable, name="endpoint_enable"),
    path("notifications/endpoints/<int:endpoint_id>/remove/", endpoint_views.remove, name="endpoint_remove"),
]
