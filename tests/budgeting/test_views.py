"""Pages per role (anonymous, citizen, resident, department staff, administrator, moderator), form errors
named field by field, hostile form input, and query counts that do not grow with the number of rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from budgeting import services
from budgeting.models import Ballot, Edition, Phase, Project, ProjectStatus, VoteRecord
from tests.budgeting.conftest import finish, jpeg_with_gps, make_edition

pytestmark = pytest.mark.django_db


def url(name: str, edition: Edition, lang: str = "en", **kwargs: Any) -> str:
    from django.utils import translation

    with translation.override(lang):
        return reverse(f"budgeting:{name}", kwargs={"slug": edition.slug, **kwargs})


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Public pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_public_pages_render_for_anonymous_visitors(voting_edition: Edition, lang: str) -> None:
    client = Client()
    from django.utils import translation

    with translation.override(lang):
        assert client.get(reverse("budgeting:index")).status_code == 200
    for name in ("edition", "projects"):
        assert client.get(url(name, voting_edition, lang)).status_code == 200
    assert client.get(url("project", voting_edition, lang, number=1)).status_code == 200
    assert client.get(url("results", voting_edition, lang)).status_code == 404  # not published yet
    assert client.get(url("vote", voting_edition, lang)).status_code == 200  # explains how to vote


def test_draft_editions_are_hidden_from_the_public(db: Any, admin_user: Any) -> None:
    edition = make_edition(phase=Phase.DRAFT, slug="draft")
    assert Client().get(url("edition", edition)).status_code == 404
    assert logged_in(admin_user).get(url("edition", edition)).status_code == 200


def test_authors_stay_anonymous_unless_they_sign(submission_edition: Edition, citizen: Any) -> None:
    citizen.display_name = "Ana Popescu"
    citizen.save()
    project = services.submit_project(citizen, submission_edition, services.ProjectInput(
        title="Un parc nou", description="Descriere suficient de lungă.", cost_estimate=Decimal(1000)))
    services.add_comment(citizen, project, "Comentariu semnat", signed=True)
    services.add_comment(citizen, project, "Comentariu nesemnat")
    page = Client().get(url("project", submission_edition, number=project.number)).content.decode()
    assert citizen.email not in page
    assert page.count("Ana Popescu") == 1  # only the signed comment
    api = Client().get(f"/api/v1/budgeting/editions/{submission_edition.slug}/projects").content.decode()
    assert citizen.email not in api and "Ana Popescu" not in api


def test_project_list_query_count_does_not_grow(submission_edition: Edition, citizen: Any,
                                                django_assert_max_num_queries: Any) -> None:
    client = Client()
    page = url("projects", submission_edition)

    def add(count: int) -> None:
        for _n in range(count):
            project = services.submit_project(citizen, submission_edition, services.ProjectInput(
                title="Proiect cu fotografie", description="Descriere suficient de lungă.",
                cost_estimate=Decimal(500), latitude=45.75, longitude=21.22), [(jpeg_with_gps((40, 30)), "Foto")])
            services.toggle_support(citizen, project)

    add(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(page).status_code == 200
    add(8)
    with CaptureQueriesContext(connection) as large:
        assert client.get(page).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize("name", ["edition", "results"])
def test_finished_pages_query_count_does_not_grow(db: Any, name: str, django_assert_num_queries: Any) -> None:
    counts = []
    for slug, costs in (("small", (100, 200)), ("large", (100, 200, 300, 100, 50, 60, 70, 80))):
        edition = make_edition(slug=slug, costs=costs)
        codes = services.generate_codes("tests", edition, 3)
        for code in codes:
            services.cast_code_ballot(edition, code, {1: 1, 2: 1})
        finish(edition)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert Client().get(url(name, edition)).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


# --- Proposing --------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_and_unverified_is_refused(submission_edition: Edition,
                                                                unverified: Any) -> None:
    response = Client().get(url("propose", submission_edition))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert logged_in(unverified).get(url("propose", submission_edition)).status_code == 403


def test_propose_form_names_each_bad_field(submission_edition: Edition, citizen: Any) -> None:
    client = logged_in(citizen)
    response = client.post(url("propose", submission_edition), {
        "title": "x", "description": "short", "cost_estimate": "-5", "latitude": "91", "longitude": "abc",
        "neighbourhood": "atlantis"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"title", "description", "cost_estimate", "latitude", "longitude", "neighbourhood"} <= set(errors)
    assert not Project.objects.exists()


def test_propose_with_a_photo_and_a_location(submission_edition: Edition, citizen: Any) -> None:
    client = logged_in(citizen)
    photo = SimpleUploadedFile("IMG_0001.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = client.post(url("propose", submission_edition), {
        "title": "Cișmea în Parcul Rozelor", "description": "O cișmea cu apă potabilă lângă locul de joacă.",
        "cost_estimate": "18000", "latitude": "45.7489", "longitude": "21.2305", "photo_1": photo,
        "photo_1_alt": "Locul de joacă din parc"})
    assert response.status_code == 302
    project = Project.objects.get()
    assert project.photos.count() == 1 and project.latitude == pytest.approx(45.7489)


def test_a_renamed_executable_is_refused_as_photo(submission_edition: Edition, citizen: Any) -> None:
    client = logged_in(citizen)
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 500, content_type="image/jpeg")
    response = client.post(url("propose", submission_edition), {
        "title": "Proiect valid", "description": "O descriere suficient de lungă.", "cost_estimate": "1000",
        "photo_1": fake, "photo_1_alt": "poză"})
    assert response.status_code == 400
    assert "photo_1" in response.context["form"].errors
    assert not Project.objects.exists()


def test_support_and_comment_need_sign_in_and_post(submission_edition: Edition, citizen: Any) -> None:
    project = services.submit_project(citizen, submission_edition, services.ProjectInput(
        title="Un proiect", description="Descriere suficient de lungă.", cost_estimate=Decimal(1000)))
    support_url = url("support", submission_edition, number=project.number)
    assert Client().post(support_url).status_code == 302  # to sign in
    client = logged_in(citizen)
    assert client.get(support_url).status_code == 405
    assert client.post(support_url).status_code == 303
    assert project.supports.count() == 1
    comment_url = url("comment", submission_edition, number=project.number)
    response = client.post(comment_url, {"text": ""})
    assert response.status_code == 400 and "text" in response.context["form"].errors
    assert client.post(comment_url, {"text": "Bună idee"}).status_code == 303


# --- Staff --------------------------------------------------------------------------------------


def test_review_pages_are_for_department_staff_and_administrators(db: Any, citizen: Any, reviewer: Any,
                                                                  admin_user: Any, moderator: Any) -> None:
    edition = make_edition(phase=Phase.REVIEW)
    for user, status in ((citizen, 403), (moderator, 403), (reviewer, 200), (admin_user, 200)):
        assert logged_in(user).get(url("review_list", edition)).status_code == status
    assert Client().get(url("review_list", edition)).status_code == 302


def test_review_form_requires_a_reason_to_reject(db: Any, reviewer: Any) -> None:
    edition = make_edition(phase=Phase.REVIEW)
    client = logged_in(reviewer)
    review_url = url("review", edition, number=1)
    response = client.post(review_url, {"feasible": "no", "rejection_reason": ""})
    assert response.status_code == 400 and "rejection_reason" in response.context["form"].errors
    response = client.post(review_url, {"feasible": "maybe"})
    assert response.status_code == 400 and "feasible" in response.context["form"].errors
    response = client.post(review_url, {"feasible": "no", "rejection_reason": "Terenul este privat."})
    assert response.status_code == 302
    assert Project.objects.get(edition=edition, number=1).status == ProjectStatus.REJECTED


def test_manage_page_only_for_administrators(voting_edition: Edition, reviewer: Any, admin_user: Any) -> None:
    assert logged_in(reviewer).get(url("manage", voting_edition)).status_code == 403
    client = logged_in(admin_user)
    assert client.get(url("manage", voting_edition)).status_code == 200
    response = client.post(url("manage", voting_edition), {"action": "codes", "count": "3", "batch": "Ghișeu"})
    assert response.status_code == 200
    assert response.content.decode().count('class="code"') == 3
    response = client.post(url("manage", voting_edition), {"action": "codes", "count": "0"})
    assert response.status_code == 400 and "count" in response.context["codes_form"].errors
    assert client.post(url("manage", voting_edition), {"action": "close"}).status_code == 302
    assert client.post(url("manage", voting_edition), {"action": "count"}).status_code == 302
    response = client.post(url("manage", voting_edition), {"action": "publish"})
    assert response.status_code == 302
    voting_edition.refresh_from_db()
    assert voting_edition.phase == Phase.RESULTS
    assert Client().get(url("results", voting_edition)).status_code == 200


def test_the_old_residence_declaration_pages_are_gone(citizen: Any) -> None:
    """Residence is verified by accounts (eID, register or in person); budgeting no longer asks for it."""
    client = logged_in(citizen)
    assert client.get("/en/budgeting/residence/").status_code == 404
    assert client.get("/en/budgeting/residences/").status_code == 404
    index = client.get(reverse("budgeting:index")).content.decode()
    assert "/budgeting/residence/" not in index


# --- Voting through the pages ------------------------------------------------------------------


def test_resident_votes_through_the_form_and_sees_the_ballot_again(voting_edition: Edition,
                                                                   resident: Any) -> None:
    client = logged_in(resident)
    assert client.get(url("vote", voting_edition)).status_code == 200
    response = client.post(url("vote", voting_edition), {"project_1": "1", "project_3": "1"})
    assert response.status_code == 200 and Ballot.objects.count() == 1
    page = client.get(url("vote", voting_edition)).content.decode()
    assert 'id="project_1" name="project_1" value="1" data-cost="400.00" checked' in page
    # Numbers read by the page's script are not localised (Romanian would write 400,00).
    assert 'data-cost="400.00"' in client.get(url("vote", voting_edition, "ro")).content.decode()


def test_hostile_ballot_form_input_is_refused_by_field(db: Any, resident: Any) -> None:
    from budgeting.models import BallotType

    edition = make_edition(ballot_type=BallotType.CUMULATIVE, max_total_points=10)
    client = logged_in(resident)
    response = client.post(url("vote", edition), {"project_1": "abc", "project_999": "3", "project_x": "1"})
    assert response.status_code == 400
    errors = response.context["field_errors"]
    assert {"project_1", "project_999", "project_x"} <= set(errors)
    response = client.post(url("vote", edition), {"project_1": "8", "project_2": "8"})
    assert response.status_code == 400 and response.context["general_errors"]
    assert not Ballot.objects.exists()


def test_citizen_without_confirmed_residence_is_told_why(voting_edition: Edition, citizen: Any) -> None:
    response = logged_in(citizen).post(url("vote", voting_edition), {"project_1": "1"})
    assert response.status_code == 403
    assert not VoteRecord.objects.exists()


def test_code_voting_through_the_pages_and_replay(voting_edition: Edition, admin_user: Any) -> None:
    [code] = services.generate_codes(admin_user, voting_edition, 1)
    client = Client()
    response = client.post(url("vote_code", voting_edition), {"code": "WRONG-CODE"})
    assert response.status_code == 400 and "code" in response.context["code_form"].errors
    response = client.post(url("vote_code", voting_edition), {"code": code})
    assert response.status_code == 200 and "project_1" in response.content.decode()
    response = client.post(url("vote_code", voting_edition), {"code": code, "cast": "1", "project_2": "1"})
    assert response.status_code == 200 and Ballot.objects.count() == 1
    response = client.post(url("vote_code", voting_edition), {"code": code, "cast": "1", "project_2": "1"})
    assert response.status_code == 400 and Ballot.objects.count() == 1


def test_guessing_codes_is_throttled(voting_edition: Edition) -> None:
    from django.core.cache import cache

    cache.clear()
    client = Client()
    for _n in range(20):
        client.post(url("vote_code", voting_edition), {"code": "AAAA-AAAA-AAAA-AAAA"})
    assert client.post(url("vote_code", voting_edition), {"code": "AAAA-AAAA-AAAA-AAAA"}).status_code == 429
    cache.clear()


def test_paper_ballots_page_for_staff_only(voting_edition: Edition, admin_user: Any, reviewer: Any,
                                           resident: Any) -> None:
    [code] = services.generate_codes(admin_user, voting_edition, 1)
    assert logged_in(resident).get(url("paper", voting_edition)).status_code == 403
    staff = logged_in(reviewer)
    response = staff.post(url("paper", voting_edition), {"code": code, "cast": "1", "project_4": "1"})
    assert response.status_code == 302
    assert Ballot.objects.get().channel == Ballot.Channel.PAPER


def test_ballot_after_close_is_refused(voting_edition: Edition, resident: Any, admin_user: Any) -> None:
    services.close_voting(admin_user, voting_edition)
    response = logged_in(resident).post(url("vote", voting_edition), {"project_1": "1"})
    assert response.status_code == 403 and not Ballot.objects.exists()


def test_index_and_project_page_query_counts_do_not_grow(submission_edition: Edition, citizen: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    project = services.submit_project(citizen, submission_edition, services.ProjectInput(
        title="Un proiect", description="Descriere suficient de lungă.", cost_estimate=Decimal(1000)))
    pages = ["/en/budgeting/", url("project", submission_edition, number=project.number)]

    def counts() -> list[int]:
        found = []
        for page in pages:
            with CaptureQueriesContext(connection) as queries:
                assert Client().get(page).status_code == 200
            found.append(len(queries.captured_queries))
        return found

    services.add_comment(citizen, project, "Primul comentariu", signed=True)
    before = counts()
    for number in range(6):
        services.add_comment(citizen, project, f"Comentariul {number}")
        if number < 4:
            services.add_photo(citizen, project, jpeg_with_gps((40, 30)), "Foto")
        make_edition(slug=f"more-{number}", phase=Phase.SUBMISSION, costs=(10,))
    assert counts() == before
