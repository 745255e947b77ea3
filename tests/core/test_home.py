"""The home page: panels registered by the rooms (core.home), what each says with and without data,
and a query count that does not grow with the data of any room."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import home
from tests.reports.conftest import fresh_rate_limits, make_report, no_response_cache, reference  # noqa: F401

pytestmark = pytest.mark.django_db


def test_registry_orders_panels_and_leaves_out_empty_ones(rf: Any) -> None:
    saved = dict(home._panels)
    try:
        home._panels.clear()
        home.register_home_panel("b", 20, lambda request: home.PanelContent("b.html"))
        home.register_home_panel("a", 10, lambda request: home.PanelContent("a.html", {"x": 1}))
        home.register_home_panel("quiet", 5, lambda request: None)
        home.register_home_panel("b", 30, lambda request: home.PanelContent("b2.html"))  # same key replaces
        panels = home.active_panels(rf.get("/"))
        assert [(p.key, p.template) for p in panels] == [("a", "a.html"), ("b", "b2.html")]
        assert panels[0].context == {"x": 1}
        home.unregister_home_panel("a")
        assert [p.key for p in home.registered_panels()] == ["quiet", "b"]
    finally:
        home._panels.clear()
        home._panels.update(saved)


def test_every_room_registers_its_panels() -> None:
    keys = [panel.key for panel in home.registered_panels()]
    assert keys == ["consultations", "announcements", "budgeting", "reports", "air", "events", "strategy-progress"]


def test_home_without_any_room_data_says_so(client: Client, strategy_data: None) -> None:
    body = client.get("/en/").content.decode()
    assert "No consultation is open right now" in body
    assert "No edition is running now" in body
    assert "No fixed problem to show yet" in body
    assert "No air-quality station is connected yet" in body
    assert "No event is planned yet" in body
    # Strategy progress is honest: nothing recorded is not "0 %".
    assert "no status has been recorded for any of them yet" in body
    assert "0%" not in body and "0 %" not in body
    for number in range(1, 8):
        assert f"/en/ambitions/{number}/" in body


def _grow(start: int, stop: int, new_report: Any) -> None:
    """Data in every room: consultations, opinion maps, events, editions, fixed reports, stations."""
    from budgeting.models import Edition, Phase
    from environment.models import Sensor, Station
    from participation.models import Consultation, Conversation, Event
    from reports import services
    from reports.models import Status

    now = timezone.now()
    for i in range(start, stop):
        Consultation.objects.create(slug=f"c{i}", title_en=f"Consultation {i}", title_ro=f"Consultare {i}",
                                    opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=i + 1),
                                    published=True)
        Conversation.objects.create(slug=f"m{i}", title_en=f"Map {i}", opens_at=now - dt.timedelta(days=1),
                                    closes_at=now + dt.timedelta(days=i + 1), published=True)
        Event.objects.create(slug=f"e{i}", title_en=f"Event {i}", starts_at=now + dt.timedelta(days=i + 1),
                             ends_at=now + dt.timedelta(days=i + 1, hours=2), location=f"Hall {i}")
        Edition.objects.create(slug=f"pb{i}", title=f"Budget {i}", phase=Phase.VOTING if i % 2 else Phase.RESULTS,
                               voting_start=now - dt.timedelta(days=2), voting_end=now + dt.timedelta(days=9))
        report = new_report(title=f"Pothole {i}", lat=45.75 + i / 10000)
        services.change_status("tests", report, Status.FIXED, "Fixed.")
        station = Station.objects.create(slug=f"s{i}", name=f"Station {i}", latitude=45.75, longitude=21.22)
        Sensor.objects.create(sensor_id=f"sensor-{i}", station=station, quantities=["pm2_5", "pm10"],
                              last_reading_at=now - dt.timedelta(minutes=5))


@pytest.mark.parametrize("language", ["en", "ro"])
def test_home_query_count_does_not_grow_with_data(client: Client, strategy_data: None, make_report: Any,  # noqa: F811
                                                  language: str, django_assert_num_queries: Any) -> None:
    _grow(0, 1, make_report)
    url = f"/{language}/"
    client.get(url)  # warm caches (content types, sites)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    _grow(1, 12, make_report)
    with django_assert_num_queries(len(before.captured_queries)):
        response = client.get(url)
    body = response.content.decode()
    assert "Consultation 1" in body or "Consultare 1" in body
    assert "Pothole 11" in body and "Event 1" in body and "Budget" in body


def test_home_panels_show_what_is_happening(client: Client, strategy_data: None,
                                            make_report: Any) -> None:  # noqa: F811
    _grow(0, 5, make_report)
    body = client.get("/en/").content.decode()
    assert "Vote now" in body and "/en/budgeting/pb" in body and "Voting closes on" in body
    assert "Latest results" in body
    assert "All open consultations" in body  # five open, three shown
    assert "5 problems fixed in the last 30 days" in body
    assert "Hall 0" in body
