"""The host and port put in links in e-mails: django.contrib.sites' current Site.

`SITE_DOMAIN` (environment) wins; `manage.py serve` otherwise writes the address it serves, so
`PORT=9000 make serve` sends links to port 9000. `migrate` applies SITE_DOMAIN when it is set
(core.apps connects apply_configured_domain to post_migrate), so a changed setting takes effect on the
next deployment; without it, the domain edited in the back office (Sites) is kept.
"""

from __future__ import annotations

import os
from typing import Any


def configured_domain() -> str:
    return os.environ.get("SITE_DOMAIN", "").strip()


def set_domain(domain: str) -> None:
    from django.conf import settings
    from django.contrib.sites.models import Site

    Site.objects.update_or_create(pk=settings.SITE_ID, defaults={"domain": domain})
    Site.objects.clear_cache()


def apply_configured_domain(sender: Any = None, **kwargs: Any) -> None:
    """post_migrate handler: write SITE_DOMAIN into the Site when the environment sets it."""
    domain = configured_domain()
    if domain and kwargs.get("using", "default") == "default":
        set_domain(domain)
