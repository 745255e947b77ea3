"""Language-free paths: the Open311 GeoReport v2 server, the map's data, photos."""

from django.urls import path, re_path

from reports import views
from reports.open311 import views as open311

FMT = r"(?P<fmt>[A-Za-z0-9]{1,10})"

urlpatterns = [
    re_path(rf"^open311/v2/discovery\.{FMT}$", open311.discovery, name="open311_discovery"),
    re_path(rf"^open311/v2/services\.{FMT}$", open311.service_list, name="open311_services"),
    re_path(rf"^open311/v2/services/(?P<code>[-a-zA-Z0-9_]{{1,60}})\.{FMT}$", open311.service_definition,
            name="open311_service"),
    re_path(rf"^open311/v2/requests\.{FMT}$", open311.requests_endpoint, name="open311_requests"),
    re_path(rf"^open311/v2/requests/(?P<request_id>[^/.]{{1,40}})\.{FMT}$", open311.get_request,
            name="open311_request"),
    re_path(rf"^open311/v2/tokens/(?P<token>[^/]*)\.{FMT}$", open311.get_token, name="open311_token"),
    path("reports/map.json", views.map_data, name="reports_map_data"),
    path("reports/photos/<int:photo_id>.jpg", views.photo, name="reports_photo"),
    path("reports/photos/<int:photo_id>-thumb.jpg", views.photo, {"thumbnail": True},
         name="reports_photo_thumbnail"),
]
