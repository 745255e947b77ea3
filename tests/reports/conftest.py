"""Fixtures of the reports room: Timișoara's neighbourhoods and the reference categories,
departments with staff, a moderator, an Open311 key, and small valid/hostile photos."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from PIL import Image

from accounts.roles import Role

NEIGHBOURHOODS = settings.BASE_DIR / "data" / "timisoara" / "neighbourhoods-osm.geojson"
CENTRU = (45.7537, 21.2257)  # Piața Victoriei, inside "Centru"


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    """Rate-limit counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def no_response_cache(monkeypatch: Any) -> None:
    """Query-count tests measure the database path: they switch the response cache off. Every other
    test runs with it on, as production does (REPORTS_RESPONSE_CACHE defaults to on)."""
    from reports import respcache

    monkeypatch.setattr(respcache, "ENABLED", False)


@pytest.fixture
def reference(db: Any) -> dict[str, Any]:
    """Neighbourhoods, departments, categories with questions, response templates."""
    from core.geo import load_neighbourhoods
    from reports.demo import load_reference_data

    load_neighbourhoods(NEIGHBOURHOODS, actor="tests")
    return load_reference_data()


@pytest.fixture
def roads_staff(make_user: Any, reference: dict[str, Any]) -> Any:
    from reports.models import Department

    user = make_user(Role.DEPARTMENT_STAFF, email="roads@example.org")
    Department.objects.get(slug="drumuri").members.add(user)
    return user


@pytest.fixture
def lighting_staff(make_user: Any, reference: dict[str, Any]) -> Any:
    from reports.models import Department

    user = make_user(Role.DEPARTMENT_STAFF, email="lights@example.org")
    Department.objects.get(slug="iluminat").members.add(user)
    return user


@pytest.fixture
def moderator(make_user: Any, reference: dict[str, Any]) -> Any:
    return make_user(Role.MODERATOR, email="moderator@example.org")


@pytest.fixture
def administrator(make_user: Any) -> Any:
    return make_user(Role.ADMINISTRATOR, email="admin@example.org")


@pytest.fixture
def open311_key(db: Any) -> str:
    from reports.services import create_open311_key

    _record, key = create_open311_key("tests", "Test app")
    return key


def jpeg_bytes(size: tuple[int, int] = (64, 48), *, gps: bool = False, colour: str = "orange") -> bytes:
    image = Image.new("RGB", size, colour)
    output = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x0110] = "SecretPhone 12"  # Model
        gps_ifd = {1: "N", 2: (45.0, 45.0, 13.0), 3: "E", 4: (21.0, 13.0, 32.0)}
        exif[0x8825] = gps_ifd
        image.save(output, format="JPEG", exif=exif.tobytes())
    else:
        image.save(output, format="JPEG")
    return output.getvalue()


@pytest.fixture
def make_report(reference: dict[str, Any]) -> Callable[..., Any]:
    from reports import services
    from reports.models import Channel

    counter = {"n": 0}

    def make(category: str = "potholes", *, lat: float = CENTRU[0], lon: float = CENTRU[1], actor: Any = "tests",
             email: str = "citizen@example.org", channel: str = Channel.OPEN311, **extra: Any) -> Any:
        counter["n"] += 1
        answers = extra.pop("answers", None)
        if answers is None:
            answers = {"size": "large"} if category == "potholes" else {}
            if category == "street-lighting":
                answers = {"pattern": "off"}
        data = services.NewReport(category=reference[category], title=extra.pop("title", f"Problem {counter['n']}"),
                                  description=extra.pop("description", "Something is broken here."), lat=lat,
                                  lon=lon, answers=answers, email=email, channel=channel, **extra)
        return services.submit_report(actor, data)

    return make
