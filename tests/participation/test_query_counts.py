"""Every page renders in a number of queries that does not grow with the rows it lists."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participation import services
from participation.demo import load_demo_data
from participation.models import Event, Organisation, Phase, Process

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(strategy_data: None) -> None:
    load_demo_data(io.StringIO())


def _n() -> int:
    _counter["n"] += 1
    return _counter["n"]


_counter = {"n": 0}


def more_processes(make_verified: Any) -> None:
    from strategy.models import Ambition, Project

    for _i in range(4):
        i = _n()
        process = Process.objects.create(slug=f"extra-{i}", title_en=f"Extra {i}", proposals_open=True)
        Phase.objects.create(process=process, title_en="Proposals", start=dt.date(2026, 1, 1),
                             end=dt.date(2027, 12, 31))
        process.ambitions.set(Ambition.objects.all()[:3])
        process.projects.set(Project.objects.all()[:5])


def more_events(make_verified: Any) -> None:
    for _i in range(4):
        i = _n()
        start = timezone.now() + dt.timedelta(days=i + 1)
        event = Event.objects.create(slug=f"ev-{i}", title_en=f"Event {i}", starts_at=start, ends_at=start,
                                     process=Process.objects.get(slug="strategy-co-design-2021"), capacity=1)
        services.register_for_event(make_verified(), event)
        services.register_for_event(make_verified(), event)


def more_organisations(make_verified: Any) -> None:
    for _i in range(4):
        i = _n()
        services.register_organisation(make_verified(), Organisation(slug=f"org-{i}", name=f"Organisation {i}",
                                                                     kind="ngo"), listed_publicly=True)


def more_comments(make_verified: Any) -> None:
    process = Process.objects.get(slug="strategy-co-design-2021")
    event = Event.objects.get(slug="co-design-e1")
    for target in (process, event):
        for i in range(3):
            parent = services.add_comment(make_verified(), target, f"Comment {i}")
            services.add_comment(make_verified(), target, f"Reply {i}", parent=parent)


def more_consultations(make_verified: Any) -> None:
    from tests.participation.conftest import build_consultation

    for _i in range(3):
        build_consultation(f"c-{_n()}")


def org_zero(make_verified: Any) -> None:
    services.register_organisation(make_verified(), Organisation(slug="org-0", name="Org zero", kind="ngo"),
                                   listed_publicly=True)
    more_organisations(make_verified)


CASES: list[tuple[str, Callable[[Any], None]]] = [
    ("/en/participation/", more_processes),
    ("/en/participation/", more_events),
    ("/en/participation/processes/", more_processes),
    ("/en/participation/consultations/", more_consultations),
    ("/en/participation/consultations/?state=open", more_consultations),
    ("/en/participation/processes/strategy-co-design-2021/", more_events),
    ("/en/participation/processes/strategy-co-design-2021/", more_comments),
    ("/en/participation/events/", more_events),
    ("/en/participation/events/co-design-e1/", more_comments),
    ("/en/participation/groups/", more_organisations),
    ("/en/resources/organisations/org-0/", org_zero),  # the organisation's one page, with its groups and proposals
]


@pytest.mark.parametrize(("url", "grow"), CASES)
def test_page_query_count_does_not_grow(client: Client, demo: None, make_verified: Any, url: str,
                                        grow: Callable[[Any], None], django_assert_num_queries: Any) -> None:
    grow(make_verified)  # at least one row of each kind, so that no query is skipped for lack of rows
    viewer = make_verified()
    client.force_login(viewer)
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    (more_organisations if url.endswith("org-0/") else grow)(make_verified)
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200
