"""budgeting.pb rules on real Pabulib files: identical to pabutools, and to what cities published.

The golden file (tests/budgeting/make_golden.py) holds pabutools' outcome for every Pabulib file in
tests/data/pabulib and
rule; on the small files pabutools also runs live here, so the comparison does not rest on a stale
JSON alone.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from budgeting.pb import PabulibError, Reason, compute_outcome, make_instance, parse_pabulib_text
from budgeting.pb.cli import main
from budgeting.pb.pabulib import Instance, VoteType
from tests.budgeting.make_golden import (
    GOLDEN,
    PABULIB_FILE_COUNT,
    REPO,
    RULE_KEYS,
    pabulib_dir,
    pabulib_files,
    pabulib_name,
    pabutools_outcome,
    read_pabulib_text,
)

GOLDEN_DATA: dict[str, Any] = json.loads(GOLDEN.read_text())
FILES = {pabulib_name(path): path for path in pabulib_files()}
# Elections this small take pabutools at most a few seconds for every rule (see "seconds" in the
# golden file): five of the repository's files.
LIVE_MAX_VOTERS = 500
_parsed: dict[str, Instance] = {}


def instance_of(name: str) -> Instance:
    if name not in FILES:
        pytest.fail(f"{name} missing from {pabulib_dir()}")
    if name not in _parsed:
        _parsed[name] = parse_pabulib_text(read_pabulib_text(FILES[name]))
    return _parsed[name]


def ours(name: str, rule: str, **options: Any) -> list[str]:
    base, _, variant = rule.partition(":")
    return sorted(compute_outcome(instance_of(name), base, satisfaction=variant or None, **options).selected)


GOLDEN_CASES = [(name, rule) for name in sorted(GOLDEN_DATA["outcomes"]) for rule in RULE_KEYS]
LIVE_CASES = [
    (name, rule)
    for name in sorted(FILES)
    for rule in RULE_KEYS
    if instance_of(name).num_voters <= LIVE_MAX_VOTERS
]


def test_golden_file_covers_every_repository_file_and_rule() -> None:
    assert len(FILES) == PABULIB_FILE_COUNT
    assert GOLDEN_DATA["pabutools"] == "1.2.3"
    assert set(GOLDEN_DATA["outcomes"]) == set(FILES)
    for rules in GOLDEN_DATA["outcomes"].values():
        assert set(rules) == set(RULE_KEYS)
    assert len(LIVE_CASES) >= 5 * len(RULE_KEYS)


@pytest.mark.parametrize(("name", "rule"), GOLDEN_CASES, ids=[f"{n}-{r}" for n, r in GOLDEN_CASES])
def test_same_outcome_as_pabutools_golden(name: str, rule: str) -> None:
    assert ours(name, rule) == GOLDEN_DATA["outcomes"][name][rule]


@pytest.mark.parametrize(("name", "rule"), LIVE_CASES, ids=[f"{n}-{r}" for n, r in LIVE_CASES])
def test_same_outcome_as_pabutools_live(name: str, rule: str) -> None:
    live = pabutools_outcome(FILES[name], rule)
    assert live == GOLDEN_DATA["outcomes"][name][rule], "golden file is stale: rerun make_golden.py"
    assert ours(name, rule) == live


# ------------------------------------------------------------------ what the cities published


def official(name: str) -> list[str]:
    return sorted(p.id for p in instance_of(name).projects if p.fields.get("selected") == "1")


def test_swiecie_2023_official_result_is_mes_add1() -> None:
    assert ours("Poland_Swiecie_2023.pb", "mes-add1") == official("Poland_Swiecie_2023.pb")


def test_assen_2024_official_result_is_the_add_one_stage() -> None:
    """Assen published MES with add-one; the utilitarian greedy completion would add project 7."""
    name = "Netherlands_Assen_2024.pb"
    assert ours(name, "mes-add1", greedy_completion=False) == official(name)
    assert ours(name, "mes-add1") == sorted([*official(name), "7"])


def test_wieliczka_2023_green_budget_differs_as_documented() -> None:
    """add1-comparison: the city selected 30, add-one gives 31 (probably a local rule)."""
    name = "Poland_Wieliczka_2023_Green_Budget.pb"
    outcome = set(ours(name, "mes-add1", greedy_completion=False))
    assert len(official(name)) == 30
    assert len(outcome) == 31
    assert outcome - set(official(name)) == {"66", "67"}
    assert set(official(name)) - outcome == {"46"}


# ------------------------------------------------------------------ explanations


@pytest.mark.parametrize("rule", ["greedy", "timisoara", "mes", "mes-add1", "phragmen"])
def test_every_project_has_an_explanation_consistent_with_the_outcome(rule: str) -> None:
    instance = instance_of("Poland_Swiecie_2023.pb")
    outcome = compute_outcome(instance, rule)
    assert set(outcome.explanations) == {p.id for p in instance.projects}
    for project_id, explanation in outcome.explanations.items():
        assert explanation.selected == (project_id in outcome.selected)
        assert explanation.message
    assert outcome.total_cost <= outcome.budget


def test_greedy_explanations_carry_the_numbers() -> None:
    instance = make_instance(200_000, {"a": 120_000, "b": 120_000, "c": 50_000}, [["a", "b", "c"], ["a", "b"], ["a"]])
    outcome = compute_outcome(instance, "greedy")
    assert outcome.selected == ("a", "c")
    skipped = outcome.explanations["b"]
    assert skipped.reason == Reason.NOT_ENOUGH_BUDGET
    assert skipped.message == "not enough budget left: cost 120000 > remaining 80000"
    assert outcome.explanations["c"].message.startswith("selected as number 3 in the order (1 votes)")


def test_mes_explains_shares_running_out() -> None:
    # Two voters share 100 each; "big" needs more than its only supporter has.
    instance = make_instance(200, {"small": 60, "big": 150}, [["small"], ["big", "small"]])
    outcome = compute_outcome(instance, "mes")
    assert outcome.selected == ("small",)
    reason = outcome.explanations["big"]
    assert reason.reason == Reason.SHARES_RAN_OUT
    assert reason.message == "its supporters' shares ran out: they had 70 left in total, cost 150"
    assert outcome.explanations["small"].values["round"] == 1


# ------------------------------------------------------------------ Timișoara


def timisoara(costs: dict[str, int], votes: list[list[str]], budget: int = 1000, **options: Any) -> Any:
    return compute_outcome(make_instance(budget, costs, votes), "timisoara", **options)


def test_timisoara_funds_in_order_of_votes_and_stops_at_the_first_misfit() -> None:
    votes = [["a", "b", "c", "d"], ["a", "b", "c"], ["a", "b"], ["a"]]
    outcome = timisoara({"a": 500, "b": 400, "c": 300, "d": 50}, votes, top_up_tolerance=0)
    # c does not fit (300 > 100) and funding stops there: d, which would fit, is not funded.
    assert outcome.selected == ("a", "b")
    assert outcome.explanations["c"].reason == Reason.SHORTFALL_TOO_LARGE
    assert outcome.explanations["d"].reason == Reason.FUNDING_STOPPED
    assert outcome.explanations["d"].message == "funding stopped at project c, which had more votes (2 against 1)"


def test_timisoara_tops_up_a_small_shortfall_once() -> None:
    votes = [["a", "b", "c", "d"], ["a", "b", "c"], ["a", "b"], ["a"]]
    outcome = timisoara({"a": 500, "b": 400, "c": 150, "d": 10}, votes, top_up_tolerance=50)
    assert outcome.selected == ("a", "b", "c")
    assert outcome.budget == 1050
    assert outcome.details["top_up"] == 50
    assert outcome.explanations["c"].reason == Reason.TOPPED_UP
    assert outcome.explanations["d"].reason == Reason.FUNDING_STOPPED


def test_timisoara_default_tolerance_is_100000_lei_and_limit_15_projects() -> None:
    costs = {f"p{i:02d}": 10 for i in range(20)}
    votes = [[f"p{i:02d}" for i in range(20 - voter)] for voter in range(20)]
    outcome = timisoara(costs, votes, budget=1_000_000)
    assert len(outcome.selected) == 15
    assert outcome.explanations["p15"].reason == Reason.PROJECT_LIMIT_REACHED
    topped = timisoara({"a": 900_000, "b": 200_000}, [["a", "b"], ["a"]], budget=1_000_000)
    assert topped.selected == ("a", "b")
    assert topped.details["top_up"] == 100_000


def test_timisoara_ties_by_id_as_text_and_never_funds_unsupported_projects() -> None:
    outcome = timisoara({"9": 100, "10": 100, "z": 1}, [["9", "10"]])
    assert outcome.selected == ("10", "9")  # "10" < "9" as text
    assert outcome.explanations["z"].reason == Reason.NO_SUPPORT


def test_timisoara_rejects_negative_parameters() -> None:
    with pytest.raises(ValueError, match="max_projects"):
        timisoara({"a": 1}, [["a"]], max_projects=-1)
    with pytest.raises(ValueError, match="top_up_tolerance"):
        timisoara({"a": 1}, [["a"]], top_up_tolerance=-1)


# ------------------------------------------------------------------ other vote types and options


def test_cumulative_and_ordinal_use_points_and_borda() -> None:
    cumulative = make_instance(10, {"a": 5, "b": 5, "c": 5}, [{"a": 1, "b": 3}, {"a": 1, "c": 2}], VoteType.CUMULATIVE)
    assert compute_outcome(cumulative, "greedy").selected == ("b", "a")  # 3 points, then a's 2 beat c's 2 by id
    ordinal = make_instance(10, {"a": 5, "b": 5, "c": 5}, [["c", "a", "b"], ["c", "b", "a"]], VoteType.ORDINAL)
    assert compute_outcome(ordinal, "greedy").selected == ("c", "a")  # Borda 4, then 1 and 1: "a" < "b"


def test_unknown_rule_or_satisfaction_is_refused() -> None:
    instance = make_instance(10, {"a": 5}, [["a"]])
    with pytest.raises(ValueError, match="unknown rule 'lottery'"):
        compute_outcome(instance, "lottery")
    with pytest.raises(ValueError):
        compute_outcome(instance, "mes", satisfaction="happiness")
    with pytest.raises(ValueError, match="Borda"):
        compute_outcome(instance, "mes", satisfaction="borda")


# ------------------------------------------------------------------ command line


def test_cli_prints_selected_ids_one_per_line() -> None:
    out = io.StringIO()
    assert main([str(FILES["Poland_Swiecie_2023.pb"]), "--rule", "mes-add1"], out) == 0
    printed = out.getvalue().splitlines()
    assert sorted(printed) == official("Poland_Swiecie_2023.pb")


def test_cli_explains_and_reports_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    assert main([str(FILES["Netherlands_Assen_2024.pb"]), "--rule", "greedy", "--explain"], out) == 0
    assert "not enough budget left" in out.getvalue() or "selected as number" in out.getvalue()
    broken = tmp_path / "broken.pb"
    broken.write_text("META\nkey;value\nbudget;x\nvote_type;approval\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\n")
    assert main([str(broken), "--rule", "greedy"], io.StringIO()) == 2
    assert "META line 3: field 'budget': 'x' is not a number" in capsys.readouterr().err
    assert main([str(tmp_path / "missing.pb"), "--rule", "greedy"], io.StringIO()) == 2


def test_python_m_budgeting_pb_runs_without_django() -> None:
    result = subprocess.run(
        [sys.executable, "-c",
         "import sys, runpy; sys.argv = ['pb', sys.argv[1], '--rule', 'phragmen']; "
         "runpy.run_module('budgeting.pb', run_name='__main__'); ",
         str(FILES["Netherlands_Assen_2024.pb"])],
        cwd=REPO, capture_output=True, text=True, check=False, env={"PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.split()) == GOLDEN_DATA["outcomes"]["Netherlands_Assen_2024.pb"]["phragmen"]


def test_core_never_imports_django() -> None:
    for path in (REPO / "budgeting" / "pb").glob("*.py"):
        assert "django" not in path.read_text(), path


def test_management_command_prints_the_same() -> None:
    from django.apps import apps
    from django.core.management import call_command
    from django.core.management.base import CommandError

    if not apps.is_installed("budgeting"):
        pytest.skip("budgeting app not registered")
    out = io.StringIO()
    call_command("pb_outcome", str(FILES["Netherlands_Assen_2024.pb"]), "--rule", "greedy", stdout=out)
    assert sorted(out.getvalue().split()) == GOLDEN_DATA["outcomes"]["Netherlands_Assen_2024.pb"]["greedy"]
    with pytest.raises(CommandError, match="cannot read"):
        call_command("pb_outcome", "/nonexistent.pb", "--rule", "greedy", stdout=io.StringIO())


def test_pabulib_error_is_a_value_error() -> None:
    assert issubclass(PabulibError, ValueError)
