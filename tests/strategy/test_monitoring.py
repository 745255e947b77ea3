"""Monitoring that tells the truth over time: the annual report as of the end of its year, the steering
group's evaluation, project facts, the city's figures, and a strategy that imports no room."""

from __future__ import annotations

import ast
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from accounts.roles import Role
from core.models import AuditEntry
from strategy.models import EvaluationCycle, FundingProgramme, Project, ProjectUpdate

pytestmark = pytest.mark.django_db
CITY = ZoneInfo("Europe/Bucharest")


def _update(project: Project, when: dt.datetime, *, status: str = "", progress: int | None = None,
            kind: str = ProjectUpdate.Kind.STATUS) -> None:
    ProjectUpdate.objects.create(project=project, kind=kind, created_at=when, new_status=status,
                                 new_progress=progress)


def _row(page: str, code: str) -> str:
    match = re.search(rf"<tr><td>{re.escape(code)} .*?</tr>", page, re.S)
    assert match, f"{code} is not in the report"
    return match.group(0)


def test_the_report_of_a_past_year_shows_each_project_as_it_stood_at_the_end_of_that_year(
        client: Client, strategy_data: None) -> None:
    project = Project.objects.get(code="A1.O3.P1")
    _update(project, dt.datetime(2023, 3, 1, 10, tzinfo=CITY), status="planned", progress=0)
    _update(project, dt.datetime(2023, 9, 1, 10, tzinfo=CITY), progress=40, kind=ProjectUpdate.Kind.PROGRESS)
    _update(project, dt.datetime(2023, 11, 5, 10, tzinfo=CITY), status="in_progress", progress=40)
    # 31 December 23:30 in Timișoara is still 2023 there (21:30 UTC): it counts for 2023.
    _update(project, dt.datetime(2023, 12, 31, 23, 30, tzinfo=CITY), progress=45, kind=ProjectUpdate.Kind.PROGRESS)
    _update(project, dt.datetime(2024, 1, 1, 0, 30, tzinfo=CITY), status="completed", progress=100)  # next year
    Project.objects.filter(pk=project.pk).update(status="completed", progress=100)  # today's values

    page_2023 = client.get("/en/report/2023/").content.decode()
    row = _row(page_2023, "A1.O3.P1")
    assert "In progress" in row and "45%" in row and "Completed" not in row
    other = _row(page_2023, "A1.O1.P1")  # no update by then
    assert "status not recorded" in other and "not recorded" in other.split("</td>")[-2]
    assert "as they stood on 31 December 2023" in page_2023

    row_2024 = _row(client.get("/en/report/2024/").content.decode(), "A1.O3.P1")
    assert "Completed" in row_2024 and "100%" in row_2024
    assert "Planned" not in _row(client.get("/en/report/2022/").content.decode(), "A1.O3.P1")


def test_a_parent_reports_the_roll_up_of_what_its_sub_projects_had_recorded(client: Client,
                                                                          strategy_data: None) -> None:
    parent = Project.objects.get(code="A1.O3.P2")
    first = Project.objects.create(code="A1.O3.P2.S1", title_en="First part", parent=parent, weight=Decimal(1))
    Project.objects.create(code="A1.O3.P2.S2", title_en="Second part", parent=parent, weight=Decimal(3))
    _update(first, dt.datetime(2023, 5, 1, tzinfo=CITY), status="in_progress", progress=80)
    from strategy.selectors import project_states_at_year_end

    states = project_states_at_year_end(2023)
    assert states[first.pk].progress == 80
    assert states[parent.pk].progress == pytest.approx(20.0)  # (80×1 + 0×3) / 4
    assert states[parent.pk].status is None  # the parent itself recorded no status
    assert states[Project.objects.get(code="A1.O1.P1").pk].progress is None


def test_report_queries_do_not_grow_with_updates(client: Client, strategy_data: None,
                                                 django_assert_max_num_queries: Any) -> None:
    client.get("/en/report/2023/")  # warm caches (site, content types)
    with django_assert_max_num_queries(20) as before:
        client.get("/en/report/2023/")
    for project in Project.objects.all()[:30]:
        _update(project, dt.datetime(2023, 4, 1, tzinfo=CITY), status="in_progress", progress=10)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get("/en/report/2023/")


def test_the_steering_group_writes_the_yearly_evaluation_that_the_report_carries(
        client: Client, strategy_data: None, make_user: Any) -> None:
    member = make_user(Role.STEERING_GROUP)
    client.force_login(member)
    response = client.post("/en/admin/strategy/evaluationcycle/add/", {
        "year": 2023, "stage": "evaluation", "published": "on",
        "summary_ro": "Grupul de coordonare constată progrese în mobilitate.",
        "summary_en": "The steering group finds progress in mobility.",
        "recommendations_ro": "Accelerați proiectele de date deschise.",
        "recommendations_en": "Speed up the open-data projects.",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    cycle = EvaluationCycle.objects.get(year=2023)
    assert AuditEntry.objects.filter(action="strategy.evaluationcycle.created", target_id=str(cycle.pk),
                                     actor=member).exists()
    english = client.get("/en/report/2023/").content.decode()
    assert "The steering group finds progress in mobility." in english and "Speed up the open-data" in english
    romanian = client.get("/ro/raport/2023/").content.decode()
    assert "Grupul de coordonare constată progrese" in romanian and "Accelerați proiectele" in romanian
    # An unpublished evaluation stays out of the report; a citizen cannot write one.
    EvaluationCycle.objects.filter(pk=cycle.pk).update(published=False)
    assert "finds progress" not in client.get("/en/report/2023/").content.decode()
    client.force_login(make_user(Role.CITIZEN))
    assert client.get("/en/admin/strategy/evaluationcycle/add/").status_code in {302, 403}


def test_the_project_page_shows_its_facts_or_says_they_are_not_recorded(client: Client,
                                                                        strategy_data: None) -> None:
    project = Project.objects.get(code="A1.O3.P1")
    empty = client.get(project.get_absolute_url()).content.decode()
    facts = empty[empty.index("<dl>"):empty.index("</dl>")]
    for label in ("Lead", "Partners", "Funding source", "Budget", "Period"):
        assert f"<dt>{label}</dt>" in facts
    assert facts.count("not recorded") >= 5
    funding = FundingProgramme.objects.first()
    Project.objects.filter(pk=project.pk).update(
        lead="Timișoara City Hall, Smart City department", partners="Politehnica University of Timișoara",
        funding_programme=funding, budget=Decimal("1250000"), start_date=dt.date(2023, 3, 1),
        end_date=dt.date(2025, 12, 31))
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Smart City department" in page and "Politehnica University" in page and funding.name in page
    assert "1,250,000 RON" in page and "2023-03-01" in page and "2025-12-31" in page


def test_city_figures_on_the_strategy_and_in_the_api(client: Client, strategy_data: None) -> None:
    from django.template import Context, Template
    from django.utils import translation

    with translation.override("ro"):
        html = Template("{% load strategy_blocks %}{% city_figures %}").render(Context({}))
    assert "Timișoara în cifre" in html
    assert "325.522" in html and "441.335" in html and "persoane" in html and "persons" not in html
    page = client.get("/ro/strategie/").content.decode()  # the strategy's own page
    assert "Timișoara în cifre" in page and "325.522" in page
    data = client.get("/api/v1/strategy").json()
    figures = {f["code"]: f for f in data["figures"]}
    assert float(figures["F13"]["value"]) == 325522 and figures["F13"]["year"] == 2020
    assert float(figures["F14"]["value"]) == 441335
    assert "F15" not in figures  # it belongs to ambition 2, shown on that ambition's page


STRATEGY_DIR = Path(__file__).resolve().parents[2] / "strategy"
ROOMS = {"participation", "budgeting", "reports", "environment", "opendata"}


def test_the_strategy_imports_no_room() -> None:
    """Rooms fill the strategy's registries (KPI providers, origins); the arrow never runs back up."""
    offenders = []
    for path in STRATEGY_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ROOMS]
    assert not offenders
