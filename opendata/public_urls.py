"""Language-free paths: the DCAT-AP endpoints of ckanext-dcat, Data Packages and the rooms' CSV tables."""

from django.urls import include, path, re_path

from opendata import algorithms, neighbourhoods, views_data

app_name = "opendata_data"

urlpatterns = [
    path("", include("opendata.ckan.urls")),  # the CKAN Action API: /api/3/action/<action>
    re_path(r"^catalog\.(?P<suffix>ttl|rdf|jsonld)$", views_data.catalog, name="catalog"),
    re_path(r"^dataset/(?P<name>[a-z0-9_-]{2,100})\.(?P<suffix>ttl|rdf|jsonld)$", views_data.dataset_rdf,
            name="dataset_rdf"),
    re_path(r"^dataset/(?P<name>[a-z0-9_-]{2,100})/datapackage\.json$", views_data.dataset_package,
            name="datapackage"),
    path("data/core/neighbourhoods.geojson", neighbourhoods.geojson, name="neighbourhoods_geojson"),
    path("data/opendata/algorithms.json", algorithms.register_json, name="algorithms_json"),
    path("data/<slug:room>/<slug:key>.csv", views_data.table_csv, name="table"),
    path("data/<slug:room>/<slug:key>/<slug:part>.csv", views_data.table_csv, name="table_part"),
]
