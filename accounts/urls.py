"""Language-prefixed pages of accounts (mounted under /<lang>/accounts/ before allauth's own)."""

from django.urls import path

from accounts import oidc, views

urlpatterns = [
    # allauth's own callback address for openid_connect, answered by our adapter (signature always checked,
    # nonce checked) so that no path reaches allauth's unchecked one.
    path("oidc/<str:provider_id>/login/callback/", oidc.callback),
    path("verification/", views.my_verification, name="accounts_verification"),
    path("verification/register/", views.register_check, name="accounts_register_check"),
]
urlpatterns.append(path("verification/in-person/", views.in_person, name="accounts_in_person"))
urlpatterns.append(path("verification/register-upload/", views.register_upload, name="accounts_register_upload"))
