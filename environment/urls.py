"""Pages of the environment room (language-prefixed: /ro/air/..., /en/air/...)."""

from django.urls import path

from environment import views

app_name = "environment"

urlpatterns = [
    path("air/", views.index, name="index"),
    path("air/city/", views.city, name="city"),
    path("air/sensors/<str:sensor_id>/", views.sensor_detail, name="sensor"),
    path("air/alerts/", views.alerts, name="alerts"),
]
