from django.urls import path

from resources import views

app_name = "resources"

urlpatterns = [
    path("resources/", views.map_page, name="map"),
    path("resources/organisations/new/", views.organisation_new, name="organisation_new"),
    path("resources/organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("resources/organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("resources/organisations/<slug:slug>/invite/", views.organisation_invite, name="organisation_invite"),
    path("resources/organisations/<slug:slug>/verify/", views.organisation_verify, name="organisation_verify"),
    path("resources/invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("resources/spaces/<slug:slug>/", views.space_detail, name="space"),
    path("resources/funding/", views.funding_finder, name="funding_finder"),
    path("resources/funding/<slug:slug>/", views.funding_detail, name="funding"),
    path("resources/initiatives/new/", views.initiative_new, name="initiative_new"),
    path("resources/initiatives/<slug:slug>/", views.initiative_detail, name="initiative"),
    path("resources/initiatives/<slug:slug>/follow/", views.initiative_follow, name="initiative_follow"),
    path("resources/initiatives/<slug:slug>/moderate/", views.initiative_moderate, name="initiative_moderate"),
]
