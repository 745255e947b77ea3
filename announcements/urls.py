from django.urls import path

from announcements import views

app_name = "announcements"

urlpatterns = [
    path("announcements/", views.index, name="index"),
    path("announcements/new/", views.create, name="create"),
    path("announcements/<int:pk>/", views.detail, name="detail"),
    path("announcements/<int:pk>/update/", views.update, name="update"),
    path("announcements/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("announcements/neighbourhoods/<slug:slug>/", views.neighbourhood, name="neighbourhood"),
]
