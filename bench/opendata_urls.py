"""The platform's URLs plus /bench/ceiling.json?bytes=N for bench/opendata.py: a JSON body of N bytes
serialised in advance, i.e. what Django itself costs to answer with a body of that size."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from smartcity.urls import urlpatterns as platform_urlpatterns

_bodies: dict[int, bytes] = {}


def ceiling(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("bytes", "100")
    size = max(20, min(int(raw) if raw.isdigit() else 100, 50_000_000))
    if size not in _bodies:
        _bodies[size] = b'{"padding":"' + b"x" * (size - 14) + b'"}'
    return HttpResponse(_bodies[size], content_type="application/json")


urlpatterns = [path("bench/ceiling.json", ceiling), *platform_urlpatterns]
