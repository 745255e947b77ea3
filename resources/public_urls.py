"""Language-free paths: the map's data, the downloads and the Open Referral (HSDS 3.0) API."""

from django.urls import path

from resources import downloads, hsds

urlpatterns = [
    path("resources/map.json", downloads.map_data, name="resources_map_data"),
    path("resources/resources.csv", downloads.items_csv, name="resources_csv"),
    path("resources/resources.geojson", downloads.items_geojson, name="resources_geojson"),
    path("hsds/", hsds.root, name="hsds_root"),
    path("hsds/organizations", hsds.organizations, name="hsds_organizations"),
    path("hsds/organizations/<str:hsds>", hsds.organization, name="hsds_organization"),
    path("hsds/services", hsds.services_list, name="hsds_services"),
    path("hsds/services/<str:hsds>", hsds.service, name="hsds_service"),
    path("hsds/locations", hsds.locations, name="hsds_locations"),
    path("hsds/locations/<str:hsds>", hsds.location, name="hsds_location"),
    path("hsds/service_at_locations", hsds.service_at_locations, name="hsds_service_at_locations"),
    path("hsds/service_at_locations/<str:hsds>", hsds.service_at_location, name="hsds_service_at_location"),
    path("hsds/taxonomies", hsds.taxonomies, name="hsds_taxonomies"),
    path("hsds/taxonomies/<str:hsds>", hsds.taxonomy, name="hsds_taxonomy"),
    path("hsds/taxonomy_terms", hsds.taxonomy_terms, name="hsds_taxonomy_terms"),
    path("hsds/taxonomy_terms/<str:hsds>", hsds.taxonomy_term, name="hsds_taxonomy_term"),
]
