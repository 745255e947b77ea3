"""Answering consultations: every question type, field-by-field errors, conditions, drafts, edits
until the close, who may answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from participation.models import Answer, Consultation, Response
from tests.participation.conftest import build_consultation, full_post, opt, q

pytestmark = pytest.mark.django_db


def chosen(question: Any) -> str:
    """The text of the option chosen for a single-choice question (one response stored)."""
    return str(Answer.objects.filter(question=question).values_list("option__text", flat=True).get())


def url(consultation: Consultation) -> str:
    return f"/en/participation/consultations/{consultation.slug}/"


def test_verified_account_answers_every_question_type(client: Client, consultation: Consultation,
                                                      verified: Any) -> None:
    client.force_login(verified)
    page = client.get(url(consultation))
    assert page.status_code == 200
    assert b"How do you usually travel?" in page.content
    response = client.post(url(consultation), full_post(consultation))
    assert response.status_code == 302, response.content.decode()[:3000]
    stored = Response.objects.get(consultation=consultation, respondent=verified)
    assert stored.status == Response.Status.SUBMITTED and stored.submitted_at is not None
    assert stored.age_group == "25-34" and stored.actor_type == "citizen"
    by_question: dict[int, list[Any]] = {}
    for answer in stored.answers.select_related("question", "option", "row"):
        by_question.setdefault(answer.question.order, []).append(answer)
    assert by_question[1][0].option.text == "Car"
    assert sorted(a.option.text for a in by_question[2]) == ["Cheaper", "Cleaner"]
    assert by_question[3][0].number == 4
    assert [a.option.text for a in sorted(by_question[4], key=lambda a: a.rank)] == [
        "Public transport", "Cycling", "Parking"]
    assert {(a.row.text, a.option.text) for a in by_question[5]} == {("Trams", "Good"), ("Buses", "OK")}
    assert by_question[6][0].number == 25
    assert by_question[7][0].text == "Not enough parking"
    assert by_question[8][0].text == "No tram line near my home"  # shown: the respondent drives


def test_errors_are_named_per_field_and_nothing_is_written(client: Client, consultation: Consultation,
                                                           verified: Any) -> None:
    client.force_login(verified)
    single, multiple, scale, ranking, matrix, number, short, _long = (q(consultation, i) for i in range(1, 9))
    overrides: dict[str, Any] = {
        f"q{single.pk}": "",  # required
        f"q{multiple.pk}": [str(o.pk) for o in multiple.options.all()[:3]],  # more than 2
        f"q{scale.pk}": "9",
        f"q{ranking.pk}_o{opt(ranking, 'Cycling').pk}": "1",  # two options at position 1
        f"q{matrix.pk}_r{matrix.options.get(text_en='Trams').pk}": "999999",
        f"q{number.pk}": "twenty",
        f"q{short.pk}": "x" * 301,
        "age_group": "ancient",
        "neighbourhood": "atlantis",
    }
    bad = full_post(consultation, **overrides)
    response = client.post(url(consultation), bad)
    assert response.status_code == 400
    body = response.content.decode()
    for expected in ("This question is required.", "Choose at most 2 options.", "Choose a value from 1 to 5.",
                     "Give each ranked option a different position", "Choose one column in each row.",
                     "Enter a number.", "Write at most 300 characters", "Choose an age group from the list.",
                     "Choose a neighbourhood from the list."):
        assert expected in body, expected
    assert f'id="q{scale.pk}-error"' in body and 'aria-invalid="true"' in body
    assert not Answer.objects.filter(response__consultation=consultation).exists()
    # What was typed is shown again.
    assert "twenty" in body


def test_number_limits_and_decimal_comma(client: Client, consultation: Consultation, verified: Any) -> None:
    client.force_login(verified)
    number = q(consultation, 6)
    assert client.post(url(consultation), full_post(consultation, **{f"q{number.pk}": "301"})).status_code == 400
    assert client.post(url(consultation), full_post(consultation, **{f"q{number.pk}": "12,5"})).status_code == 302
    assert Answer.objects.get(question=number).number == pytest.approx(12.5)


def test_conditional_question_is_ignored_when_it_does_not_apply(client: Client, consultation: Consultation,
                                                                 verified: Any) -> None:
    client.force_login(verified)
    response = client.post(url(consultation), full_post(consultation, travel="Bike"))
    assert response.status_code == 302
    assert not Answer.objects.filter(question=q(consultation, 8)).exists()
    page = client.get(url(consultation)).content.decode()
    assert f'data-condition="q{q(consultation, 1).pk}"' in page


def test_conditional_required_only_when_shown(client: Client, consultation: Consultation, verified: Any) -> None:
    long = q(consultation, 8)
    long.required = True
    long.save()
    client.force_login(verified)
    post = full_post(consultation, travel="Bike", **{f"q{long.pk}": ""})
    assert client.post(url(consultation), post).status_code == 302
    post = full_post(consultation, travel="Car", **{f"q{long.pk}": ""})
    assert client.post(url(consultation), post).status_code == 400


def test_draft_is_saved_without_required_answers_and_resumed(client: Client, consultation: Consultation,
                                                              verified: Any) -> None:
    client.force_login(verified)
    number = q(consultation, 6)
    single = q(consultation, 1)
    response = client.post(url(consultation), {f"q{number.pk}": "40", "action": "save"})
    assert response.status_code == 302
    stored = Response.objects.get(respondent=verified)
    assert stored.status == Response.Status.DRAFT
    page = client.get(url(consultation)).content.decode()
    assert "You have a saved draft" in page and 'value="40"' in page
    # Bad input is still refused in a draft.
    assert client.post(url(consultation), {f"q{number.pk}": "many", "action": "save"}).status_code == 400
    assert client.post(url(consultation), full_post(consultation)).status_code == 302
    stored.refresh_from_db()
    assert stored.status == Response.Status.SUBMITTED
    assert chosen(single) == "Car"


def test_answers_can_be_edited_until_the_close_then_not(client: Client, consultation: Consultation,
                                                        verified: Any) -> None:
    client.force_login(verified)
    client.post(url(consultation), full_post(consultation))
    client.post(url(consultation), full_post(consultation, travel="On foot"))
    assert Response.objects.filter(respondent=verified).count() == 1
    assert chosen(q(consultation, 1)) == "On foot"
    Consultation.objects.filter(pk=consultation.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    assert client.post(url(consultation), full_post(consultation, travel="Car")).status_code == 403
    assert chosen(q(consultation, 1)) == "On foot"


def test_only_verified_accounts_answer_a_verified_consultation(client: Client, consultation: Consultation,
                                                               unverified: Any) -> None:
    assert client.post(url(consultation), full_post(consultation)).status_code == 403
    client.force_login(unverified)
    assert client.post(url(consultation), full_post(consultation)).status_code == 403
    page = client.get(url(consultation)).content.decode()
    assert "Only verified accounts may answer" in page
    assert not Response.objects.exists()


def test_one_response_per_account_is_enforced_by_the_database(consultation: Consultation, verified: Any) -> None:
    Response.objects.create(consultation=consultation, respondent=verified)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(consultation=consultation, respondent=verified)


def test_anyone_consultation_anonymous_draft_resumes_with_the_cookie(client: Client, strategy_data: None) -> None:
    consultation = build_consultation("open-to-all", audience="anyone")
    number = q(consultation, 6)
    response = client.post(url(consultation), {f"q{number.pk}": "15", "action": "save"})
    assert response.status_code == 302
    cookie = response.cookies[f"pc_resume_{consultation.pk}"]
    assert cookie["httponly"]
    stored = Response.objects.get(consultation=consultation)
    assert stored.respondent is None and stored.status == Response.Status.DRAFT
    assert 'value="15"' in client.get(url(consultation)).content.decode()
    assert client.post(url(consultation), full_post(consultation)).status_code == 302
    assert Response.objects.filter(consultation=consultation).count() == 1
    stored.refresh_from_db()
    assert stored.status == Response.Status.SUBMITTED
    # Another browser starts its own response; a forged cookie does not reach someone else's.
    other = Client()
    other.cookies[f"pc_resume_{consultation.pk}"] = "not-a-uuid"
    assert other.post(url(consultation), full_post(consultation)).status_code == 302
    assert Response.objects.filter(consultation=consultation).count() == 2


def test_not_open_consultation_refuses_answers(client: Client, strategy_data: None, verified: Any) -> None:
    later = build_consultation("later", opens=timezone.now() + dt.timedelta(days=2),
                               closes=timezone.now() + dt.timedelta(days=9))
    client.force_login(verified)
    assert client.post(url(later), full_post(later)).status_code == 403
    assert b"Not open yet" in client.get(url(later)).content


def test_unpublished_consultation_is_not_found_for_the_public(client: Client, consultation: Consultation,
                                                              staff: Any) -> None:
    Consultation.objects.filter(pk=consultation.pk).update(published=False)
    assert client.get(url(consultation)).status_code == 404
    client.force_login(staff)
    assert client.get(url(consultation)).status_code == 200


def test_consultation_page_query_count_is_constant(client: Client, consultation: Consultation, verified: Any,
                                                   django_assert_num_queries: Any, make_verified: Any) -> None:
    from participation.models import Option, Question

    client.force_login(verified)
    client.post(url(consultation), full_post(consultation))
    client.get(url(consultation))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(url(consultation))
    extra = Question.objects.create(consultation=consultation, order=9, kind="single", text_en="Extra")
    for i in range(5):
        Option.objects.create(question=extra, text_en=f"Option {i}", order=i)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url(consultation))


def test_audit_trail_names_the_anonymous_respondent_without_content(client: Client, strategy_data: None) -> None:
    from core.models import AuditEntry

    consultation = build_consultation("audited", audience="anyone")
    client.post(url(consultation), full_post(consultation))
    entry = AuditEntry.objects.filter(action="participation.response.submitted").get()
    assert entry.actor_label == "anonymous" and entry.actor is None
    assert "Not enough parking" not in str(entry.changes)
