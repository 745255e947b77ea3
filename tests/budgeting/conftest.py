"""Fixtures of the budgeting room: users per role, editions in each phase, real Pabulib files."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from accounts.roles import Role
from accounts.verification import verify_in_person
from budgeting import services
from budgeting.models import BallotType, Edition, Eligibility, Phase, Project, Rule
from tests.budgeting.make_golden import pabulib_path


def pabulib_file(name: str) -> Path:
    """A plain (uncompressed) Pabulib file of tests/data/pabulib; missing, it fails the test (never skips)."""
    path = pabulib_path(name)
    assert path.suffix == ".pb", f"{path.name} is stored compressed: read it with read_pabulib_text"
    return path


@pytest.fixture
def admin_user(make_user: Any) -> Any:
    return make_user(Role.ADMINISTRATOR)


@pytest.fixture
def reviewer(make_user: Any) -> Any:
    return make_user(Role.DEPARTMENT_STAFF)


@pytest.fixture
def moderator(make_user: Any) -> Any:
    return make_user(Role.MODERATOR)


@pytest.fixture
def unverified(make_user: Any) -> Any:
    """An account whose email address was never confirmed and with no role."""
    return make_user()


@pytest.fixture
def make_resident(make_user: Any, admin_user: Any) -> Any:
    """A citizen verified in person as a resident at a city office (accounts.verification; may vote)."""

    def make(neighbourhood: Any = None, document: str | None = None) -> Any:
        user = make_user(Role.CITIZEN)
        # Staff check the identity document at the office (accounts.verification): a verified resident.
        verify_in_person(admin_user, user, document=document or f"TM{100000 + user.pk}", birth_date="1980-01-01",
                         neighbourhood=neighbourhood)
        return user

    return make


@pytest.fixture
def resident(make_resident: Any) -> Any:
    return make_resident()


def make_edition(*, phase: str = Phase.VOTING, budget: int = 1000, costs: tuple[int, ...] = (400, 300, 300, 500),
                 ballot_type: str = BallotType.APPROVAL, rule: str = Rule.GREEDY, slug: str = "test-edition",
                 **fields: Any) -> Edition:
    """An edition brought to `phase` through the services, with feasible projects of these costs."""
    now = timezone.now()
    fields.setdefault("eligibility", Eligibility.ACCOUNTS_AND_CODES)
    edition = services.create_edition("tests", slug=slug, title=f"Edition {slug}", budget=Decimal(budget),
                                      ballot_type=ballot_type, rule=rule,
                                      submission_start=now - dt.timedelta(days=1), **fields)
    if phase == Phase.DRAFT:
        return edition
    services.set_phase("tests", edition, Phase.SUBMISSION)
    for position, cost in enumerate(costs, start=1):
        services.submit_project("tests", edition, services.ProjectInput(
            title=f"Project number {position}", description="A description long enough for the form.",
            cost_estimate=Decimal(cost)))
    if phase == Phase.SUBMISSION:
        return edition
    services.set_phase("tests", edition, Phase.REVIEW)
    for project in edition.projects.all():
        services.review_project("tests", project, feasible=True)
    if phase == Phase.REVIEW:
        return edition
    services.set_phase("tests", edition, Phase.VOTING)
    Edition.objects.filter(pk=edition.pk).update(voting_start=now - dt.timedelta(hours=1),
                                                 voting_end=now + dt.timedelta(days=7))
    edition.refresh_from_db()
    return edition


@pytest.fixture
def voting_edition(db: Any) -> Edition:
    return make_edition()


@pytest.fixture
def submission_edition(db: Any) -> Edition:
    return make_edition(phase=Phase.SUBMISSION, costs=())


def finish(edition: Edition, actor: Any = "tests") -> Edition:
    services.close_voting(actor, edition)
    services.count_votes(actor, edition)
    services.publish_results(actor, edition)
    edition.refresh_from_db()
    return edition


def numbers(edition: Edition) -> dict[str, int]:
    """Project title → number."""
    return dict(Project.objects.filter(edition=edition).values_list("title", "number"))


def jpeg_with_gps(size: tuple[int, int] = (2400, 1800)) -> bytes:
    """A JPEG carrying EXIF with a GPS position and a camera model (what phones write)."""
    image = Image.new("RGB", size, (30, 120, 60))
    exif = Image.Exif()
    exif[0x0110] = "Secret Phone 12"  # Model
    exif[0x8825] = {1: "N", 2: (45.0, 45.0, 13.0), 3: "E", 4: (21.0, 13.0, 32.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


__all__ = ["finish", "jpeg_with_gps", "make_edition", "numbers", "pabulib_file"]
