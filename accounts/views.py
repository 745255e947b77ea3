"""Pages of accounts: a person's verification levels, the residents-register check."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def my_verification(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def register_check(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
