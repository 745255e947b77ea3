"""Every distribution of every dataset downloads with its declared media type, and none carries personal data:
no e-mail address, no name of a private person, no exact position of a reporter."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from opendata import registry
from tests.opendata.conftest import media_type

pytestmark = pytest.mark.django_db
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def private_strings() -> set[str]:
    """What must never be published: people's e-mails and names, reporters' contacts and exact positions,
    the contact of a citizen's air-quality station."""
    from accounts.models import User
    from environment.models import Station
    from reports.models import Report

    found: set[str] = set()
    for email, display_name, first, last in User.objects.values_list("email", "display_name", "first_name",
                                                                     "last_name"):
        found |= {email, display_name, f"{first} {last}".strip()}
    for name, email, phone, lat, lon in Report.objects.values_list("reporter_name", "reporter_email",
                                                                   "reporter_phone", "lat", "lon"):
        found |= {name, email, phone}
        # The exact position as stored (7 decimals) must not appear; 4-decimal rounding (~10 m) may.
        if len(repr(lat).split(".")[-1]) > 4:
            found.add(repr(lat))
        if len(repr(lon).split(".")[-1]) > 4:
            found.add(repr(lon))
    found |= set(Station.objects.exclude(owner_contact="").values_list("owner_contact", flat=True))
    return {text for text in found if text and len(text) >= 5}


def test_every_distribution_downloads_with_its_media_type_and_no_personal_data(demo_everywhere: None) -> None:
    datasets = registry.all_datasets()
    assert {d.room for d in datasets} >= {"strategy", "reports", "budgeting", "environment", "participation",
                                          "core"}
    forbidden = private_strings()
    assert any("@" in text for text in forbidden)  # the sweep has something to look for
    client = Client()
    checked = 0
    for dataset in datasets:
        keys = [d.key for d in dataset.distributions]
        assert len(keys) == len(set(keys)), dataset.name
        for distribution in dataset.distributions:
            assert distribution.url.startswith("/") and not distribution.url.startswith(("/ro/", "/en/"))
            response = client.get(distribution.url)
            assert response.status_code == 200, (dataset.name, distribution.url, response.status_code)
            assert media_type(response) == distribution.media_type.split(";")[0], distribution.url
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode("utf-8")
            assert text.strip(), distribution.url
            assert not EMAIL.search(text), (distribution.url, EMAIL.search(text))
            leaked = [secret for secret in forbidden if secret in text]
            assert not leaked, (distribution.url, leaked[:3])
            checked += 1
    assert checked >= 20


def test_the_datasets_cover_what_each_room_has(demo_everywhere: None) -> None:
    names = {d.name for d in registry.all_datasets()}
    assert {"strategy-ambitions-objectives", "strategy-projects", "strategy-kpis", "strategy-monitoring-report",
            "problem-reports", "air-quality-aggregates", "air-quality-sensors", "participation-events",
            "participation-consultation-results", "participation-working-groups", "neighbourhoods"} <= names
    assert any(name.startswith("budgeting-") for name in names)
    reports = registry.get_dataset("problem-reports")
    assert reports is not None and reports.contains_demo
    assert {s.endpoint_url for s in reports.services} >= {"/open311/v2/"}
    air = registry.get_dataset("air-quality-aggregates")
    assert air is not None and air.hvd_category == "c_dd313021" and air.distributions
    assert registry.get_dataset("neighbourhoods").licence == "ODC_BL"  # type: ignore[union-attr]


def test_report_positions_are_rounded_in_the_csv(demo_everywhere: None) -> None:
    from reports.models import Report

    report = Report.objects.filter(is_public=True).order_by("id").first()
    assert report is not None
    lines = Client().get("/data/reports/problem-reports.csv").content.decode().splitlines()
    header = lines[0].split(",")
    row = next(line.split(",") for line in lines[1:] if line.startswith(f"{report.pk},"))
    assert float(row[header.index("lat")]) == round(report.lat, 4)
    assert "reporter" not in lines[0] and "description" not in header and "address" not in header


def test_the_sweep_catches_a_leak(demo_everywhere: None) -> None:
    """A hidden (unconfirmed) report with contact details stays out; confirming would publish only its title."""
    from reports.models import Report

    hidden = Report.objects.filter(is_public=True).first()
    assert hidden is not None
    Report.objects.filter(pk=hidden.pk).update(is_public=False)
    text = Client().get("/data/reports/problem-reports.csv").content.decode()
    assert f"\r\n{hidden.pk}," not in text


@pytest.mark.parametrize("path", ["/data/strategy/monitoring-report/1900.csv", "/data/strategy/nothing.csv",
                                  "/data/environment/air-quality-daily/abc.csv", "/data/nowhere/x.csv",
                                  "/data/budgeting/results/no-such-edition.csv"])
def test_unknown_tables_and_parts_are_404(path: str, strategy_data: None) -> None:
    assert Client().get(path).status_code == 404


def test_a_table_answers_with_a_bounded_number_of_queries(demo_everywhere: None,
                                                          django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(8):
        assert Client().get("/data/strategy/projects.csv").status_code == 200
    with django_assert_max_num_queries(8):
        assert Client().get("/data/reports/problem-reports.csv").status_code == 200
