"""The co-design history as past processes, the participation behind each project, the API and
permissions per role."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client

from accounts.roles import Role
from participation import selectors
from participation.demo import load_demo_data
from participation.models import Event, Process, WorkingGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(strategy_data: None) -> None:
    load_demo_data(io.StringIO())


def test_co_design_history_is_loaded_as_past_processes(demo: None) -> None:
    from strategy.models import CoDesignActivity

    umbrella = Process.objects.get(slug="strategy-co-design-2021")
    titles = umbrella.phases.values_list("title_en", flat=True)
    assert [t.split(":")[0] for t in titles] == ["Diagnosis", "Proposals", "Validation"]
    assert selectors.process_state(umbrella) == "past"
    c1 = Process.objects.get(co_design_activity__code="C1")
    assert c1.respondents == 305 and c1.objectives.exists()
    assert Process.objects.filter(co_design_activity__isnull=False).count() == CoDesignActivity.objects.filter(
        kind__in=["consultation", "survey"]).count()
    assert Event.objects.filter(co_design_activity__code="E1", process=umbrella).exists()
    assert WorkingGroup.objects.filter(kind="action_group").count() == 7
    before = (Process.objects.count(), Event.objects.count())
    load_demo_data(io.StringIO())
    assert (Process.objects.count(), Event.objects.count()) == before


def test_project_page_include_shows_the_participation_behind_it(demo: None, client: Client,
                                                                 django_assert_num_queries: Any) -> None:
    from strategy.models import Project

    project = Project.objects.get(code="A1.O1.P3")
    with django_assert_num_queries(5):
        participation = selectors.for_project(project)
    assert participation
    titles = [p.title for p in participation.processes]  # the test runs in English
    assert any("Second consultation" in t for t in titles)
    assert any("Co-design" in t for t in titles)
    WorkingGroup.objects.create(slug="ngo-registry", kind="project", name_en="NGO Registry group", project=project)
    html = render_to_string("participation/_project_participation.html",
                            {"participation": selectors.for_project(project)})
    assert "Participation behind this project" in html and "NGO Registry group" in html
    assert "/participation/processes/co-design-c2/" in html


def test_project_without_participation_says_so(strategy_data: None) -> None:
    from strategy.models import Project

    participation = selectors.for_project(Project.objects.first())
    assert not participation
    assert "No participatory process is linked" in render_to_string(
        "participation/_project_participation.html", {"participation": participation})


def test_public_pages_answer_and_show_no_emails(demo: None, client: Client, verified: Any) -> None:
    for url in ("/en/participation/", "/ro/participare/", "/en/participation/processes/",
                "/en/participation/processes/?state=past", "/en/participation/processes/strategy-co-design-2021/",
                "/en/participation/processes/co-design-c1/", "/en/participation/proposals/",
                "/en/participation/events/?when=past", "/en/participation/events/co-design-e1/",
                "/en/participation/groups/", "/en/participation/groups/action-group-1/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert verified.email not in response.content.decode()
    assert client.get("/en/participation/processes/nope/").status_code == 404
    assert "Participation" in client.get("/en/").content.decode()  # header link


def test_api_lists(demo: None, client: Client) -> None:
    processes = client.get("/api/v1/participation/processes").json()
    assert processes["count"] >= 5
    umbrella = next(p for p in processes["items"] if p["slug"] == "strategy-co-design-2021")
    assert umbrella["state"] == "past" and len(umbrella["phases"]) == 3 and umbrella["ambitions"] == list(range(1, 8))
    assert client.get("/api/v1/participation/events").json()["count"] >= 4
    groups = client.get("/api/v1/participation/groups").json()
    assert len([g for g in groups if g["kind"] == "action_group"]) == 7  # besides the demo's project groups
    assert not any(g["demo"] for g in groups if g["kind"] == "action_group") and any(g["demo"] for g in groups)
    assert any(p["demo"] for p in processes["items"]) and not umbrella["demo"]
    assert client.get("/api/v1/participation/proposals?answer=maybe").status_code == 400
    assert client.get("/api/v1/participation/consultations").status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert "/api/v1/participation/processes" in schema["paths"]


@pytest.mark.parametrize(("role", "manage", "moderate", "take_part"), [
    (Role.ADMINISTRATOR, True, True, True),
    (Role.STRATEGY_EDITOR, True, False, True),
    (Role.DEPARTMENT_STAFF, True, False, True),
    (Role.MODERATOR, False, True, True),
    (Role.STEERING_GROUP, False, False, True),
    (Role.CITIZEN, False, False, True),
    (Role.ORGANISATION_REP, False, False, True),
])
def test_permissions_per_role(make_user: Any, role: Role, manage: bool, moderate: bool, take_part: bool) -> None:
    user = make_user(role)
    assert user.has_perm("participation.manage") is manage
    assert user.has_perm("participation.moderate") is moderate
    assert user.has_perm("participation.take_part") is take_part
    assert user.has_perm("participation.answer_proposal") is manage


def test_plain_unverified_account_and_anonymous_cannot_take_part(make_user: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not make_user().has_perm("participation.take_part")
    assert not AnonymousUser().has_perm("participation.take_part")


def test_back_office_lists_participation_for_staff(client: Client, staff: Any, demo: None) -> None:
    client.force_login(staff)
    assert client.get("/en/admin/participation/process/").status_code == 200
    assert client.get("/en/admin/participation/consultation/add/").status_code == 200
    assert client.get("/en/admin/participation/comment/").status_code == 200
    from tests.participation.conftest import build_consultation

    consultation = build_consultation("admin-check")
    conditional = consultation.questions.get(order=8)
    page = client.get(f"/en/admin/participation/question/{conditional.pk}/change/").content.decode()
    assert "How do you usually travel?" in page  # an earlier question may be the condition
    assert "Why do you drive?</option>" not in page  # a question cannot depend on itself
