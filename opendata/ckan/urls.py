"""CKAN Action API v3 paths (language-free), included from opendata/public_urls.py."""

from django.urls import re_path

from opendata.ckan import views

app_name = "ckan"

urlpatterns = [
    re_path(r"^api/(?P<version>3)/action/(?P<name>[A-Za-z0-9_]{1,100})/?$", views.action, name="action"),
    re_path(r"^api/action/(?P<name>[A-Za-z0-9_]{1,100})/?$", views.action, name="action_unversioned"),
]
