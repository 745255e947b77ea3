"""The demo a fresh install shows (`load_demo_data`, run by `make serve`), and its removal in one command.

Every demo row is flagged, the loader is idempotent and names no absolute path, `remove_demo_data`
leaves no demo row and keeps the strategy and reference data, and nothing in the repository reads a
folder outside it.
"""

from __future__ import annotations

import os
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]


def demo_models() -> list[Any]:
    return [model for model in apps.get_models() if any(f.name == "is_demo" for f in model._meta.fields)]


def demo_counts() -> dict[str, int]:
    from accounts.models import User
    from participation.demo_content import DEMO_EMAIL_DOMAIN

    counts = {model.__name__: model.objects.filter(is_demo=True).count() for model in demo_models()}
    counts["people"] = User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").count()
    return counts


def test_demo_loads_once_everywhere_and_removes_in_one_command(strategy_data: None, settings: Any) -> None:
    from budgeting.models import Category as BudgetingCategory
    from core.models import AuditEntry, Neighbourhood
    from participation.models import Process, WorkingGroup
    from reports.models import Category as ReportCategory
    from strategy.models import KPI, Project

    out = StringIO()
    call_command("load_demo_data", stdout=out)
    text = out.getvalue()
    assert "not found" not in text and str(settings.BASE_DIR) not in text and "/work/" not in text
    loaded = demo_counts()
    # Every room contributes flagged rows.
    for name in ("Edition", "Station", "Report", "Process", "Consultation", "Event", "WorkingGroup", "Proposal"):
        assert loaded[name] > 0, name
    assert loaded["people"] == 25  # participation's 24 example people and budgeting's demo resident
    call_command("load_demo_data", stdout=StringIO())
    assert demo_counts() == loaded  # idempotent

    strategy_before = (Project.objects.count(), KPI.objects.count(), Neighbourhood.objects.count())
    reference_before = (ReportCategory.objects.count(), BudgetingCategory.objects.count(),
                        WorkingGroup.objects.filter(kind="action_group").count(),
                        Process.objects.filter(co_design_activity__isnull=False).count())
    out = StringIO()
    call_command("remove_demo_data", stdout=out)
    assert set(demo_counts().values()) == {0}, demo_counts()
    assert (Project.objects.count(), KPI.objects.count(), Neighbourhood.objects.count()) == strategy_before
    assert (ReportCategory.objects.count(), BudgetingCategory.objects.count(),
            WorkingGroup.objects.filter(kind="action_group").count(),
            Process.objects.filter(co_design_activity__isnull=False).count()) == reference_before
    from environment.models import HourlyAggregate, Reading

    assert not Reading.objects.exists() and not HourlyAggregate.objects.exists()
    assert AuditEntry.objects.filter(action="core.demo_data.removed").count() == 1
    for action in ("budgeting.edition.demo_removed", "environment.demo_station.removed",
                   "reports.report.demo_removed", "participation.consultation.demo_removed",
                   "accounts.user.demo_removed"):
        assert AuditEntry.objects.filter(action=action).exists(), action
    assert "Demonstration data removed." in out.getvalue()
    call_command("load_demo_data", stdout=StringIO())  # and it can be loaded again
    assert demo_counts() == loaded


def test_participation_demo_is_lived_in_bilingual_and_marked(strategy_data: None) -> None:
    from django.utils import timezone

    from participation import demo_content
    from participation.models import Consultation, Event, Membership, Process, Proposal, ThemeRun, WorkingGroup

    call_command("load_demo_data", stdout=StringIO())
    now = timezone.now()
    closed = Consultation.objects.get(slug=demo_content.CLOSED_SLUG)
    assert closed.is_closed() and closed.responses.filter(status="submitted").count() == 48
    assert ThemeRun.objects.filter(question__consultation=closed, themes__gte=2).exists()
    open_one = Consultation.objects.get(slug=demo_content.OPEN_SLUG)
    assert open_one.is_open() and open_one.responses.exists()
    assert Event.objects.filter(is_demo=True, starts_at__gt=now, registrations__isnull=False).distinct().count() == 3
    assert Membership.objects.filter(group__is_demo=True, status="accepted").count() >= 8
    proposals = Proposal.objects.filter(is_demo=True)
    assert proposals.filter(support_count__gt=0).count() == proposals.count() == 6
    assert {p.official_answer for p in proposals} >= {"accepted", "evaluating", "rejected"}
    for model, field in ((Process, "title"), (Consultation, "title"), (Event, "title"), (WorkingGroup, "name")):
        for row in model.objects.filter(is_demo=True):
            ro, en = getattr(row, f"{field}_ro"), getattr(row, f"{field}_en")
            assert ro and en and ro != en and ro.endswith("(demo)") and en.endswith("(demo)"), (ro, en)
    assert all(p.title.endswith("(demo)") for p in proposals)


def test_every_report_status_appears_in_the_demo(strategy_data: None) -> None:
    from reports.models import Report, Status

    call_command("load_demo_data", stdout=StringIO())
    assert set(Report.objects.filter(is_demo=True).values_list("status", flat=True)) == set(Status.values)


# The repository reads nothing beside it: no path into the workplace's shared folder next to the clone,
# no SHARED_DIR setting, no path built from a parent folder's "shared" directory, in any Python file,
# Makefile or CI script.
OUTSIDE = re.compile(r"\.\./shared|SHARED_DIR|parents?\b[^\n]*[\"']shared[\"']|/work/shared")


def test_nothing_in_the_repository_reads_a_folder_beside_it() -> None:
    skipped = {".venv", ".git", "node_modules", "var", "staticfiles", "__pycache__"}
    files = [REPO / "Makefile", *(REPO / ".ci").iterdir()]
    for folder, subfolders, names in os.walk(REPO):
        subfolders[:] = [name for name in subfolders if name not in skipped]
        files += [Path(folder) / name for name in names if name.endswith(".py")]
    this_file = Path(__file__).resolve()
    offenders = [f"{path.relative_to(REPO)}:{number}" for path in files if path.resolve() != this_file
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if OUTSIDE.search(line)]
    assert offenders == []
