"""Language-free paths: the one-click unsubscribe link (RFC 8058) and the service worker at the root scope."""

from django.urls import path

from notifications import views

urlpatterns = [
    path("notifications/unsubscribe/<str:token>", views.unsubscribe, name="notifications_unsubscribe"),
    path("sw.js", views.service_worker, name="notifications_service_worker"),
    path("notifications/vapid-public-key", views.vapid_public_key, name="notifications_vapid_public_key"),
]
