"""The Timișoara data file: whole, faithful, idempotent; a bad file is rejected whole."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from core.models import AuditEntry
from strategy.dataset import DatasetError, parse, read
from strategy.loading import load_dataset
from strategy.models import KPI, Ambition, CoDesignActivity, GovernanceBody, Objective, Project, Strategy
from tests.conftest import DATASET


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(DATASET.read_text(encoding="utf-8"))


def test_file_has_seven_ambitions_and_twenty_two_objectives(raw: dict) -> None:
    data = read(DATASET)
    assert [a.number for a in data.ambitions] == [1, 2, 3, 4, 5, 6, 7]
    assert [len(a.objectives) for a in data.ambitions] == [3, 3, 3, 3, 3, 3, 4]
    assert data.strategy.period_start == 2022 and data.strategy.period_end == 2027


def test_file_keeps_seed_figures_and_codesign_history() -> None:
    data = read(DATASET)
    values = {float(f.value) for f in data.figures if f.value is not None}
    values |= {float(k.baseline_value) for a in data.ambitions for k in a.kpis if k.baseline_value is not None}
    for figure in (325522, 441335, 93468, 1413, 55, 626, 22.04, 9133, 470631):
        assert float(figure) in values, figure
    assert len(data.co_design.steering_group_workshops) == 3
    assert len(data.co_design.consultations) == 3


@pytest.mark.django_db
def test_loaded_database_matches_file() -> None:
    assert Strategy.objects.count() == 1
    assert Ambition.objects.count() == 7
    assert Objective.objects.count() == 22
    assert Project.objects.count() > 40
    assert GovernanceBody.objects.filter(parent__code="partnerteam").count() == 7
    assert CoDesignActivity.objects.filter(kind="workshop").count() == 3


@pytest.mark.django_db
def test_reload_updates_and_never_duplicates() -> None:
    counts = (Ambition.objects.count(), Objective.objects.count(), Project.objects.count(), KPI.objects.count())
    report = load_dataset(read(DATASET), actor="tests")
    assert sum(report.created.values()) == 0
    assert sum(report.updated.values()) == 0
    assert counts == (Ambition.objects.count(), Objective.objects.count(), Project.objects.count(),
                      KPI.objects.count())


@pytest.mark.django_db
def test_reload_keeps_live_monitoring_values(raw: dict, editor: object) -> None:
    from strategy.services import change_project_status

    project = Project.objects.order_by("code").first()
    assert project is not None
    change_project_status(editor, project, "in_progress", note="Kick-off")
    load_dataset(read(DATASET), actor="tests")
    project.refresh_from_db()
    assert project.status == "in_progress"


@pytest.mark.django_db
def test_changed_title_is_updated_and_audited(raw: dict) -> None:
    changed = copy.deepcopy(raw)
    changed["ambitions"][0]["title"]["en"] = "Every Citizen Has a Voice (revised)"
    report = load_dataset(parse(yaml.safe_dump(changed, allow_unicode=True)), actor="tests")
    assert report.updated["ambition"] == 1
    assert Ambition.objects.get(number=1).title_en.endswith("(revised)")
    entry = AuditEntry.objects.filter(action="strategy.ambition.updated").latest("id")
    assert entry.changes["title_en"][1].endswith("(revised)")


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d["ambitions"][3]["objectives"][1]["projects"][0].__setitem__("status", "finished-ish"),
     "ambitions[3] (A4) → objectives[1] (A4.O2) → projects[0]"),
    (lambda d: d["ambitions"][0]["kpis"][0].__setitem__("baseline_year", "last year"), "baseline_year"),
    (lambda d: d["ambitions"][1].__setitem__("dimension", "happiness"), "dimension: unknown code 'happiness'"),
    (lambda d: d["ambitions"][2]["objectives"][0].__setitem__("code", d["ambitions"][0]["code"]),
     "is already used"),
    (lambda d: d["strategy"].pop("title"), "strategy → title"),
    (lambda d: d["ambitions"][0].__setitem__("surprise", 1), "surprise"),
])
@pytest.mark.django_db
def test_bad_file_is_rejected_whole_naming_entry_and_field(raw: dict, mutate: object, message: str) -> None:
    bad = copy.deepcopy(raw)
    mutate(bad)  # type: ignore[operator]
    before = AuditEntry.objects.count()
    with pytest.raises(DatasetError) as error:
        parse(yaml.safe_dump(bad, allow_unicode=True), name="bad.yaml")
    assert message in str(error.value)
    assert "nothing was written" in str(error.value) or "rejected" in str(error.value)
    assert AuditEntry.objects.count() == before


def test_hostile_yaml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="not valid YAML"):
        parse("a: [unclosed", name="x.yaml")
    with pytest.raises(DatasetError, match="mapping"):
        parse("- just\n- a list\n", name="x.yaml")
    with pytest.raises(DatasetError):
        parse("!!python/object/apply:os.system ['echo pwned']", name="x.yaml")
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DatasetError, match="UTF-8"):
        read(binary)


@pytest.mark.django_db
def test_load_strategy_command_reports_errors(tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command

    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="schema_version"):
        call_command("load_strategy", str(bad))
