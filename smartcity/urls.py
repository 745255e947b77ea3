"""URLs. Pages carry the language (/ro/..., /en/...); the API, feeds and standard-protocol paths
(/api/v1/..., /open311/v2/...) carry none."""

from __future__ import annotations

import importlib

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _

from accounts.oidc import callback as oidc_callback
from accounts.staff_mfa import admin_login
from core.identity import brand_css
from core.outage import healthz
from smartcity.api import api

admin.site.site_header = _("Timișoara Smart City — back office")
admin.site.site_title = _("Timișoara Smart City")


# A database outage answers 503 with Retry-After instead of a bare 500 (core/outage.py).
handler500 = "core.outage.server_error"

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    # The city's colours and font as CSS custom properties, generated from settings (core/identity.py).
    path("brand.css", brand_css, name="brand_css"),
    # The address a city registers with its OpenID Connect provider: the same in every language.
    path("oidc/<str:provider_id>/callback/", oidc_callback, name="oidc_callback"),
]

page_patterns: list[URLPattern | URLResolver] = [
    # One sign-in page for citizens and staff: the back office's login is allauth's (accounts/staff_mfa.py).
    path("admin/login/", admin_login, name="admin_login_redirect"),
    path("admin/", admin.site.urls),
    # A person's own data: export, deletion, consents (accounts/privacy_urls.py).
    path("accounts/me/", include("accounts.privacy_urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
]

# Rooms: `<room>/urls.py` holds language-prefixed pages, `<room>/public_urls.py` language-free paths.
for room in settings.OPTIONAL_ROOMS:
    if room not in settings.INSTALLED_APPS:
        continue
    for module_name, target in (("public_urls", urlpatterns), ("urls", page_patterns)):
        try:
            importlib.import_module(f"{room}.{module_name}")
        except ModuleNotFoundError as error:
            if error.name != f"{room}.{module_name}":
                raise
            continue
        target.append(path("", include(f"{room}.{module_name}")))

page_patterns.append(path("", include("strategy.urls")))
urlpatterns += i18n_patterns(*page_patterns, prefix_default_language=True)
