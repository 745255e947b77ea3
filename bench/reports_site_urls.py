"""The platform's URLs plus /bench/ping.json, a JSON endpoint doing no work (the ceiling)."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from smartcity.urls import urlpatterns as platform_urlpatterns


def ping(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/ping.json", ping), *platform_urlpatterns]
