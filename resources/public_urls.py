"""Language-free paths: the map's data, the downloads and the Open Referral (HSDS 3.0) API."""

from django.urls import path

from resources import downloads

urlpatterns = [
    path("resources/map.json", downloads.map_data, name="resources_map_data"),
    path("resources/resources.csv", downloads.items_csv, name="resources_csv"),
    path("resources/resources.geojson", downloads.items_geojson, name="resources_geojson"),
]
