"""Fixtures of the participation room: verified and unverified accounts, a consultation with every
question type, answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone, translation

from accounts.roles import Role


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    """Rate-limit counters (e.g. anonymous answers per address) live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Build URLs and messages in English (pages are checked in both languages by the browser tests)."""
    with translation.override("en"):
        yield


@pytest.fixture
def make_verified(make_user: Any) -> Any:
    from allauth.account.models import EmailAddress

    def make(*roles: Role, email: str | None = None, display_name: str = "") -> Any:
        user = make_user(*roles, email=email)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        if display_name:
            user.display_name = display_name
            user.save(update_fields=["display_name"])
        return user

    return make


@pytest.fixture
def verified(make_verified: Any) -> Any:
    return make_verified()


@pytest.fixture
def unverified(make_user: Any) -> Any:
    return make_user()


@pytest.fixture
def staff(make_user: Any) -> Any:
    return make_user(Role.DEPARTMENT_STAFF)


@pytest.fixture
def moderator(make_user: Any) -> Any:
    return make_user(Role.MODERATOR)


def build_consultation(slug: str = "mobility-2026", *, audience: str = "verified", results: str = "always",
                       opens: dt.datetime | None = None, closes: dt.datetime | None = None) -> Any:
    from participation.models import Consultation, Option, Question

    now = timezone.now()
    consultation = Consultation.objects.create(
        slug=slug, title_en="Mobility in Timișoara", title_ro="Mobilitatea în Timișoara",
        opens_at=opens or now - dt.timedelta(days=1), closes_at=closes or now + dt.timedelta(days=10),
        audience=audience, results_visibility=results, published=True)

    def question(order: int, kind: str, text: str, **extra: Any) -> Question:
        return Question.objects.create(consultation=consultation, order=order, kind=kind, text_en=text,
                                       text_ro=text, **extra)

    def options(q: Question, texts: list[str], role: str = "choice") -> list[Option]:
        return [Option.objects.create(question=q, text_en=t, text_ro=t, order=i, role=role)
                for i, t in enumerate(texts)]

    single = question(1, "single", "How do you usually travel?", required=True)
    single_opts = options(single, ["Car", "Tram or bus", "Bike", "On foot"])
    multiple = question(2, "multiple", "What would make you use the tram more?", max_choices=2)
    options(multiple, ["More frequent", "Cleaner", "Cheaper", "Safer stops"])
    question(3, "scale", "How satisfied are you with cycle lanes?", scale_min=1, scale_max=5,
                     scale_min_label_en="not at all", scale_max_label_en="very")
    ranking = question(4, "ranking", "Rank these priorities")
    options(ranking, ["Parking", "Public transport", "Cycling"])
    matrix = question(5, "matrix", "Rate each service")
    options(matrix, ["Bad", "OK", "Good"])
    options(matrix, ["Trams", "Buses"], role="row")
    question(6, "number", "How many minutes is your commute?", number_min=0, number_max=300)
    question(7, "short_text", "Your neighbourhood's biggest problem, in a few words")
    long = question(8, "long_text", "Why do you drive?")
    long.condition_question = single
    long.save()
    long.condition_options.set([single_opts[0]])
    return consultation


@pytest.fixture
def consultation(strategy_data: None) -> Any:
    return build_consultation()


def q(consultation: Any, order: int) -> Any:
    return consultation.questions.get(order=order)


def opt(question: Any, text: str) -> Any:
    return question.options.get(text_en=text)


def full_post(consultation: Any, *, travel: str = "Car", action: str = "submit", **overrides: Any) -> dict[str, Any]:
    """A valid form submission answering every question."""
    single, multiple, scale, ranking, matrix, number, short, long = (q(consultation, i) for i in range(1, 9))
    data: dict[str, Any] = {
        f"q{single.pk}": str(opt(single, travel).pk),
        f"q{multiple.pk}": [str(opt(multiple, "Cleaner").pk), str(opt(multiple, "Cheaper").pk)],
        f"q{scale.pk}": "4",
        f"q{ranking.pk}_o{opt(ranking, 'Public transport').pk}": "1",
        f"q{ranking.pk}_o{opt(ranking, 'Cycling').pk}": "2",
        f"q{ranking.pk}_o{opt(ranking, 'Parking').pk}": "3",
        f"q{matrix.pk}_r{matrix.options.get(text_en='Trams').pk}": str(opt(matrix, "Good").pk),
        f"q{matrix.pk}_r{matrix.options.get(text_en='Buses').pk}": str(opt(matrix, "OK").pk),
        f"q{number.pk}": "25",
        f"q{short.pk}": "Not enough parking",
        f"q{long.pk}": "No tram line near my home",
        "age_group": "25-34", "actor_type": "citizen", "neighbourhood": "",
        "action": action,
    }
    data.update(overrides)
    return data
