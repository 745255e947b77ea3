"""/<lang>/accounts/me/…: a person's own data (included by smartcity/urls.py)."""

from django.urls import path

from accounts import privacy_views

urlpatterns = [
    path("data/", privacy_views.my_data, name="my_data"),
    path("data.json", privacy_views.my_data_json, name="my_data_json"),
    path("consents/", privacy_views.my_consents, name="my_consents"),
    path("delete/", privacy_views.delete_account, name="delete_account"),
]
