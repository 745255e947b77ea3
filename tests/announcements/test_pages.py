"""Public pages in Romanian and English, the staff pages (permissions, form errors naming the field),
the home panel; query counts that do not grow with the number of announcements."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from announcements.models import Announcement
from tests.announcements.conftest import PARVAN

pytestmark = pytest.mark.django_db


def page_url(name: str, *args: object, lang: str = "ro") -> str:
    """A page's address in a language (/ro/anunturi/..., /en/announcements/...)."""
    with translation.override(lang):
        return reverse(f"announcements:{name}", args=args)


@pytest.fixture
def demo(neighbourhoods: None) -> None:
    from announcements.demo import load_demo_data

    load_demo_data(StringIO())


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_public_pages_read_in_each_language(client: Any, demo: None, lang: str) -> None:
    closure = Announcement.objects.current(timezone.now()).get(category="street_closure")
    pages = {
        page_url("index", lang=lang): "Bulevardul Vasile Pârvan",
        page_url("index", lang=lang) + "?when=planned": "Circumvalațiunii",
        page_url("index", lang=lang) + "?when=past&category=heating_outage": "Dâmbovița",
        page_url("detail", closure.pk, lang=lang): "Bulevardul Vasile Pârvan",
        page_url("detail", closure.thread_id, lang=lang): "Bulevardul Vasile Pârvan",
        page_url("neighbourhood", "circumvalatiunii", lang=lang) + "?when=planned": "Circumvalațiunii",
    }
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url
    page = client.get(page_url("detail", closure.pk, lang=lang)).content.decode()
    assert ("Istoric" if lang == "ro" else "History") in page
    assert ("Închidere de stradă" if lang == "ro" else "Street closure") in page
    assert client.get(page_url("neighbourhood", "atlantis", lang=lang)).status_code == 404
    assert client.get(page_url("detail", 999999, lang=lang)).status_code == 404


def test_old_english_addresses_redirect_permanently(client: Any, demo: None) -> None:
    """/ro/announcements/... served the pages before their paths were translated; bookmarks and feeds
    keep working (core/legacy_urls.py), the query string carried over."""
    closure = Announcement.objects.current(timezone.now()).get(category="street_closure")
    assert page_url("index") == "/ro/anunturi/" and page_url("index", lang="en") == "/en/announcements/"
    for old, new in ((f"/ro/announcements/{closure.pk}/", page_url("detail", closure.pk)),
                     ("/ro/announcements/?when=planned", page_url("index") + "?when=planned"),
                     ("/ro/announcements/neighbourhoods/centru/", page_url("neighbourhood", "centru"))):
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == new, old
    assert client.get("/ro/announcements/nowhere/").status_code == 404
    assert client.get("/en/announcements/nowhere/").status_code == 404


def test_hostile_filters_are_ignored(client: Any, demo: None) -> None:
    for query in ("?when=<script>", "?category=%00", "?when=past&category=" + "x" * 5000):
        response = client.get(page_url("index") + query)
        assert response.status_code in (200, 400)
        assert b"<script>" not in response.content


def test_list_queries_do_not_grow(client: Any, neighbourhoods: None, staff: Any) -> None:
    from announcements import services
    from tests.announcements.conftest import draft

    services.publish(staff, draft())
    client.get(page_url("index"))
    with CaptureQueriesContext(connection) as one:
        client.get(page_url("index"))
    for _ in range(5):
        services.publish(staff, draft())
    with CaptureQueriesContext(connection) as six:
        assert client.get(page_url("index")).status_code == 200
    assert len(six) == len(one)


def test_home_panel_shows_current_disruptions(client: Any, demo: None) -> None:
    page = client.get("/ro/").content.decode()
    assert "Bulevardul Vasile Pârvan" in page


def test_staff_pages_need_the_permission(client: Any, neighbourhoods: None, make_user: Any, staff: Any) -> None:
    from accounts.roles import Role

    assert client.get(page_url("create")).status_code in (302, 403)
    client.force_login(make_user(Role.CITIZEN))
    assert client.get(page_url("create")).status_code == 403
    assert client.post(page_url("create"), {}).status_code == 403
    client.force_login(make_user(Role.STRATEGY_EDITOR))
    assert client.get(page_url("create")).status_code == 403
    client.force_login(staff)
    assert client.get(page_url("create")).status_code == 200
    client.force_login(make_user(Role.ADMINISTRATOR))
    assert client.get(page_url("create")).status_code == 200
    client.force_login(make_user(Role.ANNOUNCEMENTS_EDITOR))  # not a department's staff
    assert client.get(page_url("create")).status_code == 200


def _form(**changes: Any) -> dict[str, Any]:
    now = timezone.localtime()
    values = {"category": "street_closure", "severity": "warning", "title_ro": "Stradă închisă",
              "title_en": "Street closed", "body_ro": "Închis.", "body_en": "Closed.",
              "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
              "ends_at": (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
              "direction": "BOTH_DIRECTIONS", "geometry": json.dumps(PARVAN)}
    values.update(changes)
    return values


def test_staff_publish_update_and_cancel_through_the_pages(client: Any, neighbourhoods: None, staff: Any) -> None:
    client.force_login(staff)
    response = client.post(page_url("create"), _form())
    assert response.status_code == 302
    first = Announcement.objects.get()
    assert response["Location"] == page_url("detail", first.pk)
    response = client.post(page_url("update", first.pk), _form(title_en="Street still closed"))
    assert response.status_code == 302
    second = Announcement.objects.get(is_latest=True)
    assert second.title_en == "Street still closed" and second.thread_id == first.pk
    response = client.post(page_url("cancel", first.pk), {"reason_ro": "Gata.", "reason_en": ""})
    assert response.status_code == 400 and "reason_en" in response.context["form"].errors
    response = client.post(page_url("cancel", first.pk), {"reason_ro": "Gata.", "reason_en": "Done."})
    assert response.status_code == 302
    assert Announcement.objects.get(is_latest=True).message_type == "cancel"
    assert client.get(page_url("update", first.pk)).status_code == 404


@pytest.mark.parametrize(("changes", "field"), [
    ({"geometry": "{\"type\": \"Point\", \"coordinates\": [200, 95]}"}, "geometry"),
    ({"geometry": "<svg onload=alert(1)>"}, "geometry"),
    ({"geometry": ""}, "geometry"),
    ({"title_ro": ""}, "title_ro"),
    ({"category": "nope"}, "category"),
    ({"starts_at": "yesterday"}, "starts_at"),
    ({"ends_at": "2000-01-01T00:00"}, "ends_at"),
])
def test_bad_form_input_is_a_400_naming_the_field(client: Any, neighbourhoods: None, staff: Any,
                                                  changes: dict[str, Any], field: str) -> None:
    client.force_login(staff)
    response = client.post(page_url("create"), _form(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Announcement.objects.exists()


def test_read_api(client: Any, demo: None) -> None:
    data = client.get("/api/v1/announcements?when=planned").json()
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 3
    assert {f["properties"]["phase"] for f in data["features"]} == {"planned"}
    closure = Announcement.objects.current(timezone.now()).get(category="street_closure")
    one = client.get(f"/api/v1/announcements/{closure.pk}").json()
    assert one["properties"]["thread_messages"] == [closure.thread_id, closure.pk]
    assert "author" not in one["properties"]
    response = client.get("/api/v1/announcements?category=unicorns")
    assert response.status_code == 400 and response.json()["field"] == "category"
    assert client.get("/api/v1/announcements?when=someday").status_code in (400, 422)
    assert client.get("/api/v1/announcements?limit=0").status_code == 400
    assert client.get("/api/v1/announcements/999999").status_code == 404


def test_back_office_lists_announcements_read_only(client: Any, demo: None, staff: Any, make_user: Any) -> None:
    from accounts.roles import Role

    client.force_login(staff)
    response = client.get("/ro/admin/announcements/announcement/")
    assert response.status_code == 200 and "Vasile Pârvan" in response.content.decode()
    closure = Announcement.objects.filter(category="street_closure").first()
    assert closure is not None
    assert client.get(f"/ro/admin/announcements/announcement/{closure.pk}/change/").status_code == 200
    assert client.get("/ro/admin/announcements/announcement/add/").status_code == 403
    response = client.post(f"/ro/admin/announcements/announcement/{closure.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403 and Announcement.objects.filter(pk=closure.pk).exists()
    # Other staff see the list (announcements are public) but cannot publish from the staff pages.
    client.force_login(make_user(Role.STRATEGY_EDITOR))
    assert client.get(page_url("create")).status_code == 403
