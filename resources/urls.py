"""Pages of the resources room (language-prefixed: /ro/resurse/..., /en/resources/...)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.legacy_urls import english_paths_redirect
from resources import views

app_name = "resources"

urlpatterns = [
    path(_("resources/"), views.map_page, name="map"),
    path(_("resources/organisations/new/"), views.organisation_new, name="organisation_new"),
    path(_("resources/organisations/<slug:slug>/"), views.organisation_detail, name="organisation"),
    path(_("resources/organisations/<slug:slug>/edit/"), views.organisation_edit, name="organisation_edit"),
    path(_("resources/organisations/<slug:slug>/invite/"), views.organisation_invite, name="organisation_invite"),
    path(_("resources/organisations/<slug:slug>/services/"), views.organisation_service_add,
         name="organisation_service_add"),
    path(_("resources/organisations/<slug:slug>/services/<int:service_id>/remove/"),
         views.organisation_service_remove, name="organisation_service_remove"),
    path(_("resources/organisations/<slug:slug>/verify/"), views.organisation_verify, name="organisation_verify"),
    path(_("resources/invitations/<str:token>/"), views.accept_invitation, name="accept_invitation"),
    path(_("resources/spaces/<slug:slug>/"), views.space_detail, name="space"),
    path(_("resources/funding/"), views.funding_finder, name="funding_finder"),
    path(_("resources/funding/<slug:slug>/"), views.funding_detail, name="funding"),
    path(_("resources/initiatives/new/"), views.initiative_new, name="initiative_new"),
    path(_("resources/initiatives/<slug:slug>/"), views.initiative_detail, name="initiative"),
    path(_("resources/initiatives/<slug:slug>/follow/"), views.initiative_follow, name="initiative_follow"),
    path(_("resources/initiatives/<slug:slug>/moderate/"), views.initiative_moderate, name="initiative_moderate"),
    # The English addresses under /ro/ that served these pages before: 301 to the translated ones.
    english_paths_redirect("resources/"),
]
