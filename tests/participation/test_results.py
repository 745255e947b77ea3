"""Results: counts and shares per question, breakdowns that never show small groups, hidden results,
aggregated and anonymised CSV exports, constant query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from participation import results, services
from participation.models import Consultation
from tests.participation.conftest import build_consultation, full_post, q

pytestmark = pytest.mark.django_db


def answer(consultation: Consultation, user: Any, **overrides: Any) -> None:
    from django.http import QueryDict

    from participation import answering

    data = QueryDict(mutable=True)
    for key, value in full_post(consultation, **overrides).items():
        if isinstance(value, list):
            data.setlist(key, value)
        else:
            data[key] = value
    prepared = services.questions_for(consultation)
    raw = answering.raw_from_post(prepared, data)
    response = services.start_response(user, consultation)
    profile = {k: data.get(k, "") for k in services.PROFILE_FIELDS}
    errors = services.save_response(user, response, raw, profile, submit=data["action"] == "submit")
    assert not errors, errors


@pytest.fixture
def answered(consultation: Consultation, make_verified: Any) -> Consultation:
    # 6 drivers aged 25-34, 2 cyclists aged 65+ (a group too small to show), 1 draft that must not count.
    for i in range(6):
        answer(consultation, make_verified(email=f"driver{i}@example.org"))
    for i in range(2):
        answer(consultation, make_verified(email=f"cyclist{i}@example.org"), travel="Bike", age_group="65+",
               **{f"q{q(consultation, 7).pk}": f"Call me at 0722 123 456 or cyclist{i}@example.org"})
    answer(consultation, make_verified(email="draft@example.org"), action="save", travel="On foot")
    return consultation


def test_counts_and_shares_per_question(answered: Consultation) -> None:
    total, per_question = results.compute(answered)
    assert total == 8
    single = per_question[0]
    assert single.respondents == 8
    shares = {b.label: (b.count, round(b.share, 3)) for b in single.bars}
    assert shares == {"Car": (6, 0.75), "Tram or bus": (0, 0.0), "Bike": (2, 0.25), "On foot": (0, 0.0)}
    multiple = per_question[1]
    assert {b.label: b.count for b in multiple.bars}["Cleaner"] == 8 and "more than 100%" in multiple.note
    scale = per_question[2]
    assert [b.count for b in scale.bars] == [0, 0, 0, 8, 0] and scale.bars[0].label == "1 – not at all"
    assert scale.stats["mean"] == 4
    ranking = per_question[3]
    assert ranking.ranking[0]["label"] == "Public transport" and ranking.ranking[0]["first"] == 8
    matrix = dict(per_question[4].matrix)
    assert {b.label: b.count for b in matrix["Trams"]} == {"Bad": 0, "OK": 0, "Good": 8}
    assert per_question[5].stats["median"] == 25
    assert [(b.label, b.count) for b in per_question[5].bars] == [("25", 8)]  # distribution of numbers
    assert per_question[7].respondents == 6  # only drivers saw "Why do you drive?"


def test_number_histogram_uses_intervals_for_many_values() -> None:
    from decimal import Decimal

    bars = results._histogram([(Decimal(v), 1) for v in range(0, 100, 5)], 20)
    assert len(bars) == 8 and sum(b.count for b in bars) == 20 and bars[0].label.startswith("0 –")


def test_breakdown_hides_groups_smaller_than_five(answered: Consultation) -> None:
    _total, per_question = results.compute(answered, breakdown="age_group")
    groups = {g.label: g for g in per_question[0].groups}
    assert groups["25–34"].respondents == 6 and not groups["25–34"].suppressed
    assert {b.label: b.count for b in groups["25–34"].bars}["Car"] == 6
    assert groups["65 or older"].suppressed and groups["65 or older"].bars == []


def test_results_page_shows_chart_and_table(client: Client, answered: Consultation) -> None:
    body = client.get(f"/en/participation/consultations/{answered.slug}/results/?breakdown=age_group").content.decode()
    assert 'class="bar-chart"' in body and "<table>" in body
    assert "75.0%" in body
    assert "fewer than 5 respondents, not shown" in body
    romanian = client.get(f"/ro/participare/consultari/{answered.slug}/rezultate/").content.decode()
    assert "75,0%" in romanian and 'style="width: 75.0' in romanian  # text in the page's language, drawing not
    assert "@example.org" not in body


def test_results_hidden_until_close(client: Client, strategy_data: None, make_verified: Any, staff: Any) -> None:
    consultation = build_consultation("hidden", results="after_close")
    answer(consultation, make_verified())
    base = f"/en/participation/consultations/{consultation.slug}"
    assert client.get(f"{base}/results/").status_code == 403
    assert client.get(f"{base}/results.csv").status_code == 403
    assert client.get(f"/api/v1/participation/consultations/{consultation.slug}/results").status_code == 403
    client.force_login(staff)
    assert client.get(f"{base}/results/").status_code == 200  # staff follow the consultation
    client.logout()
    Consultation.objects.filter(pk=consultation.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(f"{base}/results/").status_code == 200


def test_results_csv_has_aggregates_only(client: Client, answered: Consultation) -> None:
    response = client.get(f"/en/participation/consultations/{answered.slug}/results.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    car = next(r for r in rows if r["item"] == "Car")
    assert car["count"] == "6" and car["share_percent"] == "75.0" and car["submitted_responses"] == "8"
    assert "@" not in response.content.decode()


def test_anonymised_responses_csv_is_staff_only_and_has_no_personal_data(client: Client, answered: Consultation,
                                                                         citizen: Any, staff: Any) -> None:
    url = f"/en/participation/consultations/{answered.slug}/responses.csv"
    assert client.get(url).status_code == 403
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    client.force_login(staff)
    body = client.get(url).content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 1 + 8
    assert "@example.org" not in body and "0722 123 456" not in body
    assert "[email]" in body and "[phone]" in body
    header = rows[0]
    assert header[:4] == ["row", "age_group", "neighbourhood", "respondent_type"]
    assert any("Rank these priorities" in h for h in header)
    ranking_column = next(i for i, h in enumerate(header) if "Rank these priorities" in h)
    assert rows[1][ranking_column] == "Public transport > Cycling > Parking"


def test_neighbourhood_shown_in_export_only_for_groups_of_five(answered: Consultation, make_verified: Any) -> None:
    from core.models import Neighbourhood

    neighbourhood = Neighbourhood.objects.create(slug="fabric", name="Fabric", geometry={}, min_lon=0, min_lat=0,
                                                 max_lon=0, max_lat=0)
    answer(answered, make_verified(), neighbourhood=neighbourhood.slug)
    out = io.StringIO()
    results.write_responses_csv(out, answered, seed=1)
    assert "Fabric" not in out.getvalue() and "fewer than 5" in out.getvalue()


def test_results_page_query_count_is_constant(client: Client, answered: Consultation, make_verified: Any,
                                              django_assert_num_queries: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/en/participation/consultations/{answered.slug}/results/?breakdown=actor_type"
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for i in range(5):
        answer(answered, make_verified(email=f"more{i}@example.org"), travel="Tram or bus")
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


def test_results_api(client: Client, answered: Consultation) -> None:
    data = client.get(f"/api/v1/participation/consultations/{answered.slug}/results").json()
    assert data["submitted_responses"] == 8
    first = data["questions"][0]
    assert {a["label"]: a["count"] for a in first["answers"]}["Car"] == 6
    assert "@" not in str(data)
