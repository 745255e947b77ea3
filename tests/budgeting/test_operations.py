"""Operations: management commands, the back office per role, KPI providers, withdrawing, tasks."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from budgeting import kpi_providers, services
from budgeting.models import Ballot, Edition, Phase, ProjectStatus, VotingCode
from tests.budgeting.conftest import finish, make_edition

pytestmark = pytest.mark.django_db


def test_codes_command_writes_a_printable_sheet_once(voting_edition: Edition, tmp_path: Path) -> None:
    sheet = tmp_path / "codes.html"
    call_command("budgeting_codes", voting_edition.slug, "--count", "4", "--batch", "Ghișeul 3",
                 "--output", str(sheet), stdout=io.StringIO())
    html = sheet.read_text()
    assert html.count('class="code"') == 4 and "Ghișeul 3" in html
    assert sheet.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert VotingCode.objects.filter(edition=voting_edition).count() == 4
    with pytest.raises(CommandError, match="output"):
        call_command("budgeting_codes", voting_edition.slug, "--count", "1", "--output", str(sheet))
    with pytest.raises(CommandError, match="edition"):
        call_command("budgeting_codes", "nope", "--count", "1", "--output", str(tmp_path / "x.html"))
    with pytest.raises(CommandError, match="count"):
        call_command("budgeting_codes", voting_edition.slug, "--count", "0", "--output", str(tmp_path / "y"))
    text = tmp_path / "codes.txt"
    call_command("budgeting_codes", voting_edition.slug, "--count", "2", "--text", "--output", str(text),
                 stdout=io.StringIO())
    first = text.read_text().splitlines()[0]
    services.cast_code_ballot(voting_edition, first, {1: 1})


def test_close_due_command(voting_edition: Edition) -> None:
    out = io.StringIO()
    call_command("budgeting_close_due", stdout=out)
    assert "none" in out.getvalue()
    Edition.objects.filter(pk=voting_edition.pk).update(voting_end=timezone.now() - dt.timedelta(minutes=1))
    call_command("budgeting_close_due", stdout=out)
    voting_edition.refresh_from_db()
    assert voting_edition.voting_closed_at is not None


def test_count_task_counts_and_publishes(voting_edition: Edition) -> None:
    from budgeting.tasks import count_edition

    [code] = services.generate_codes("tests", voting_edition, 1)
    services.cast_code_ballot(voting_edition, code, {1: 1})
    services.close_voting("tests", voting_edition)
    count_edition.enqueue(voting_edition.pk, publish=True)
    voting_edition.refresh_from_db()
    assert voting_edition.phase == Phase.RESULTS


def test_back_office_per_role(voting_edition: Edition, admin_user: Any, reviewer: Any, moderator: Any,
                              citizen: Any) -> None:
    pages = ["/en/admin/budgeting/edition/", f"/en/admin/budgeting/edition/{voting_edition.pk}/change/",
             "/en/admin/budgeting/project/", "/en/admin/budgeting/comment/",
             "/en/admin/budgeting/votingcode/", "/en/admin/budgeting/poolresult/", "/en/admin/budgeting/category/"]
    client = Client()
    client.force_login(admin_user)
    for page in pages:
        assert client.get(page).status_code == 200, page
    staff = Client()
    staff.force_login(reviewer)
    assert staff.get("/en/admin/budgeting/project/").status_code == 200
    assert staff.get("/en/admin/budgeting/edition/").status_code == 403
    mod = Client()
    mod.force_login(moderator)
    assert mod.get("/en/admin/budgeting/comment/").status_code == 200
    assert mod.get("/en/admin/budgeting/project/").status_code == 403
    other = Client()
    other.force_login(citizen)
    assert other.get("/en/admin/budgeting/project/").status_code == 302  # not staff: to the login page
    # Ballots cannot be touched in the back office, not even by an administrator.
    from django.contrib import admin

    from budgeting.models import PoolResult

    assert Ballot not in admin.site._registry
    assert not admin.site._registry[PoolResult].has_change_permission(client.get("/").wsgi_request)


def test_generate_codes_admin_action(voting_edition: Edition, admin_user: Any) -> None:
    client = Client()
    client.force_login(admin_user)
    response = client.post("/en/admin/budgeting/edition/", {
        "action": "generate_100_codes", "_selected_action": [voting_edition.pk]})
    assert response.status_code == 200
    assert response.content.decode().count('class="code"') == 100
    assert VotingCode.objects.filter(edition=voting_edition).count() == 100


def test_author_withdraws_a_project(submission_edition: Edition, citizen: Any) -> None:
    project = services.submit_project(citizen, submission_edition, services.ProjectInput(
        title="Proiect de retras", description="O descriere destul de lungă.", cost_estimate=Decimal(10)))
    client = Client()
    client.force_login(citizen)
    response = client.post(f"/en/budgeting/{submission_edition.slug}/projects/{project.number}/withdraw/")
    assert response.status_code == 303
    project.refresh_from_db()
    assert project.status == ProjectStatus.WITHDRAWN
    assert Client().get(f"/en/budgeting/{submission_edition.slug}/projects/{project.number}/").status_code == 404


def test_kpi_providers_count_real_editions_only(strategy_data: Any) -> None:
    assert kpi_providers.ballots_last_edition() is None
    edition = make_edition()
    for code in services.generate_codes("tests", edition, 3):
        services.cast_code_ballot(edition, code, {1: 1})
    finish(edition)
    assert kpi_providers.ballots_last_edition() == 3
    assert kpi_providers.projects_funded_total() == edition.projects.filter(selected=True).count()
    Edition.objects.filter(pk=edition.pk).update(is_demo=True)
    assert kpi_providers.ballots_last_edition() is None


def test_the_manage_page_moves_phases(db: Any, admin_user: Any) -> None:
    edition = make_edition(phase=Phase.DRAFT, slug="fresh")
    client = Client()
    client.force_login(admin_user)
    response = client.post(f"/en/budgeting/{edition.slug}/manage/", {"action": "phase", "phase": "submission"})
    assert response.status_code == 302
    response = client.post(f"/en/budgeting/{edition.slug}/manage/", {"action": "phase", "phase": "results"})
    assert response.status_code == 400
    response = client.post(f"/en/budgeting/{edition.slug}/manage/", {"action": "explode"})
    assert response.status_code == 400
    edition.refresh_from_db()
    assert edition.phase == Phase.SUBMISSION


def test_open_datasets_list_every_finished_pool_file(strategy_data: Any) -> None:
    from budgeting.opendata import datasets

    edition = make_edition()
    assert datasets() == []
    [code] = services.generate_codes("tests", edition, 1)
    services.cast_code_ballot(edition, code, {1: 1})
    finish(edition)
    [dataset] = datasets()
    urls = [d.url for d in dataset.distributions]
    assert f"/api/v1/budgeting/editions/{edition.slug}/pabulib.pb" in urls
    assert f"/data/budgeting/results/{edition.slug}.csv" in urls
    for url in urls:
        assert Client().get(url).status_code == 200, url
