"""Submission, photos, supports, comments, moderation and the technical review (services)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from budgeting import services
from budgeting.models import Edition, Phase, Photo, Project, ProjectStatus, Support
from core.images import PhotoError, clean_photo
from core.models import AuditEntry
from tests.budgeting.conftest import jpeg_with_gps, make_edition

pytestmark = pytest.mark.django_db


def idea(**overrides: Any) -> services.ProjectInput:
    values: dict[str, Any] = {"title": "Bănci noi în parc", "description": "Zece bănci noi în parcul din cartier.",
                              "cost_estimate": Decimal("25000")}
    values.update(overrides)
    return services.ProjectInput(**values)


def test_verified_citizen_submits_and_edits_before_review(submission_edition: Edition, citizen: Any) -> None:
    project = services.submit_project(citizen, submission_edition, idea())
    assert project.number == 1 and project.author == citizen and project.status == ProjectStatus.SUBMITTED
    assert project.pool.slug == "city"
    services.update_project(citizen, project, idea(title="Bănci și coșuri în parc"))
    project.refresh_from_db()
    assert project.title == "Bănci și coșuri în parc"
    assert AuditEntry.objects.filter(action="budgeting.project.updated", target_id=str(project.pk)).exists()


def test_unverified_account_cannot_submit(submission_edition: Edition, unverified: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.submit_project(unverified, submission_edition, idea())


def test_someone_else_cannot_edit_a_project(submission_edition: Edition, citizen: Any, make_user: Any) -> None:
    from accounts.roles import Role

    project = services.submit_project(citizen, submission_edition, idea())
    with pytest.raises(PermissionDenied):
        services.update_project(make_user(Role.CITIZEN), project, idea(title="Hijacked title"))


def test_submission_closed_outside_its_phase(db: Any, citizen: Any) -> None:
    edition = make_edition(phase=Phase.REVIEW)
    with pytest.raises(ValidationError) as error:
        services.submit_project(citizen, edition, idea())
    assert "edition" in error.value.message_dict


def test_location_outside_timisoara_or_half_given_is_refused(submission_edition: Edition, citizen: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.submit_project(citizen, submission_edition, idea(latitude=44.43, longitude=26.10))  # Bucharest
    assert set(error.value.message_dict) == {"latitude", "longitude"}
    with pytest.raises(ValidationError) as error:
        services.submit_project(citizen, submission_edition, idea(latitude=45.75))
    assert "latitude" in error.value.message_dict
    assert not Project.objects.exists()


def test_photo_is_decoded_resized_and_stripped_of_exif(submission_edition: Edition, citizen: Any) -> None:
    original = jpeg_with_gps()
    assert b"Secret Phone" in original
    project = services.submit_project(citizen, submission_edition, idea(), [(original, "Parcul azi")])
    photo = Photo.objects.get(project=project)
    stored = photo.image.read()
    assert b"Secret Phone" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert max(image.size) == 1600
        assert not image.getexif()
    assert (photo.width, photo.height) == (1600, 1200)


@pytest.mark.parametrize(("content", "code"), [
    (b"", "empty"),
    (b"GIF89a" + b"\x00" * 100, "undecodable"),  # GIF is accepted by core.images, but this one is broken
    (b"<?php system($_GET['c']); ?>", "not_image"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "undecodable"),  # a JPEG header and nothing else
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 9 * 1024 * 1024, "too_large"),
])
def test_bad_uploads_are_refused_by_content(content: bytes, code: str) -> None:
    with pytest.raises(PhotoError) as error:
        clean_photo(content)
    assert error.value.code == code


def test_photo_needs_a_description_and_bad_photo_writes_nothing(submission_edition: Edition, citizen: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.submit_project(citizen, submission_edition, idea(), [(jpeg_with_gps((100, 80)), "  ")])
    assert "photo_1_alt" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.submit_project(citizen, submission_edition, idea(), [(b"not an image", "Parcul")])
    assert "photo_1" in error.value.message_dict
    assert not Project.objects.exists() and not Photo.objects.exists()


def test_at_most_five_photos(submission_edition: Edition, citizen: Any) -> None:
    project = services.submit_project(citizen, submission_edition, idea())
    for number in range(services.MAX_PHOTOS):
        services.add_photo(citizen, project, jpeg_with_gps((60, 40)), f"Photo {number}")
    with pytest.raises(ValidationError) as error:
        services.add_photo(citizen, project, jpeg_with_gps((60, 40)), "One too many")
    assert "photo" in error.value.message_dict


def test_support_toggles_once_per_person(submission_edition: Edition, citizen: Any, unverified: Any) -> None:
    project = services.submit_project(citizen, submission_edition, idea())
    assert services.toggle_support(citizen, project) is True
    assert Support.objects.filter(project=project).count() == 1
    assert services.toggle_support(citizen, project) is False
    assert not Support.objects.exists()
    with pytest.raises(PermissionDenied):
        services.toggle_support(unverified, project)


def test_comments_validated_and_moderated(submission_edition: Edition, citizen: Any, moderator: Any) -> None:
    project = services.submit_project(citizen, submission_edition, idea())
    for bad in ("", "   ", "x" * 2001):
        with pytest.raises(ValidationError) as error:
            services.add_comment(citizen, project, bad)
        assert "text" in error.value.message_dict
    comment = services.add_comment(citizen, project, "Foarte bună idee!")
    with pytest.raises(PermissionDenied):
        services.moderate(citizen, comment, hidden=True)
    services.moderate(moderator, comment, hidden=True, reason="spam")
    comment.refresh_from_db()
    assert comment.hidden


def test_review_needs_staff_and_a_public_reason_to_reject(db: Any, citizen: Any, reviewer: Any) -> None:
    edition = make_edition(phase=Phase.SUBMISSION, costs=(300, 2000))
    first, too_big = edition.projects.order_by("number")
    services.set_phase("tests", edition, Phase.REVIEW)
    with pytest.raises(PermissionDenied):
        services.review_project(citizen, first, feasible=True)
    with pytest.raises(ValidationError) as error:
        services.review_project(reviewer, first, feasible=False)
    assert "rejection_reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.review_project(reviewer, too_big, feasible=True)  # 2000 > the budget of 1000
    assert "corrected_cost" in error.value.message_dict
    services.review_project(reviewer, first, feasible=True, corrected_cost=Decimal("350"))
    services.review_project(reviewer, too_big, feasible=False, rejection_reason="Terenul nu aparține Primăriei.")
    first.refresh_from_db()
    too_big.refresh_from_db()
    assert (first.status, first.cost) == (ProjectStatus.FEASIBLE, Decimal("350"))
    assert too_big.status == ProjectStatus.REJECTED and too_big.rejection_reason


def test_voting_cannot_start_before_every_project_is_reviewed(db: Any, admin_user: Any) -> None:
    edition = make_edition(phase=Phase.SUBMISSION, costs=(100, 200))
    with pytest.raises(ValidationError):
        services.set_phase(admin_user, edition, Phase.VOTING)  # skipping the review
    services.set_phase(admin_user, edition, Phase.REVIEW)
    with pytest.raises(ValidationError) as error:
        services.set_phase(admin_user, edition, Phase.VOTING)
    assert "phase" in error.value.message_dict
    for project in edition.projects.all():
        services.review_project(admin_user, project, feasible=True)
    services.set_phase(admin_user, edition, Phase.VOTING)
    with pytest.raises(ValidationError):  # back to review: phases move forward only
        services.set_phase(admin_user, edition, Phase.REVIEW)


def test_review_sends_the_author_an_email(db: Any, citizen: Any, reviewer: Any, mailoutbox: Any,
                                          django_capture_on_commit_callbacks: Any) -> None:
    edition = make_edition(phase=Phase.SUBMISSION, costs=())
    project = services.submit_project(citizen, edition, idea())
    services.set_phase("tests", edition, Phase.REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_project(reviewer, project, feasible=False, rejection_reason="Nu este pe domeniul public.")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [citizen.email]
    assert "Nu este pe domeniul public." in mailoutbox[0].body
    from notifications.models import TransactionalMessage  # through the platform's one e-mail transport

    assert TransactionalMessage.objects.get(kind="budgeting.review_outcome").status == "sent"


def test_only_department_staff_or_administrators_manage(voting_edition: Edition, citizen: Any,
                                                        reviewer: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.generate_codes(citizen, voting_edition, 10)
    with pytest.raises(PermissionDenied):
        services.generate_codes(reviewer, voting_edition, 10)
    with pytest.raises(PermissionDenied):
        services.close_voting(reviewer, voting_edition)
