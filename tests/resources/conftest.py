"""Fixtures of the resources room: verified accounts, organisations placed on the map."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def make_verified(make_user: Any) -> Any:
    from allauth.account.models import EmailAddress

    def make(*roles: Any, email: str | None = None) -> Any:
        user = make_user(*roles, email=email)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user

    return make


@pytest.fixture
def place_organisation(db: Any) -> Any:
    """An organisation with a location at given coordinates, indexed for the map (no geocoder needed)."""
    from resources import index
    from resources.models import Location, Organisation

    def make(name: str, *, lat: float = 45.7537, lon: float = 21.2257, kind: str = "ngo", verified: bool = False,
             description: str = "", **fields: Any) -> Organisation:
        from django.utils.text import slugify

        organisation = Organisation.objects.create(slug=slugify(name)[:80], name=name, kind=kind,
                                                   verified=verified, description=description, **fields)
        Location.objects.create(organisation=organisation, address="Piața Victoriei 1", latitude=lat, longitude=lon)
        index.refresh(organisation)
        return organisation

    return make
