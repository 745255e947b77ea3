"""The citizen's notifications page (filled in below)."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def preferences_page(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/preferences.html", {})
