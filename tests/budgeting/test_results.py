"""Counting, publishing, explanations, the Timișoara rule and the link to the strategy monitoring."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from budgeting import services
from budgeting.explain import result_rows
from budgeting.models import BallotType, Edition, Phase, PoolResult, Project, Rule
from strategy.models import Project as StrategyProject
from strategy.models import ProjectStatus as StrategyStatus
from tests.budgeting.conftest import finish, make_edition

pytestmark = pytest.mark.django_db


def vote_codes(edition: Edition, ballots: list[dict[int, int]]) -> None:
    codes = services.generate_codes("tests", edition, len(ballots))
    for code, choices in zip(codes, ballots, strict=True):
        services.cast_code_ballot(edition, code, choices)


def test_counting_needs_a_closed_vote_and_publishing_a_count(voting_edition: Edition, admin_user: Any) -> None:
    vote_codes(voting_edition, [{1: 1}])
    with pytest.raises(ValidationError):
        services.count_votes(admin_user, voting_edition)
    services.close_voting(admin_user, voting_edition)
    with pytest.raises(ValidationError):
        services.publish_results(admin_user, voting_edition)
    services.count_votes(admin_user, voting_edition)
    services.publish_results(admin_user, voting_edition)
    voting_edition.refresh_from_db()
    assert voting_edition.phase == Phase.RESULTS


def test_greedy_result_with_reasons_in_both_languages(strategy_data: Any) -> None:
    # Budget 1000; costs 400, 300, 300, 500. Votes: #4 (500) 3, #1 (400) 2, #2 (300) 2... see below.
    edition = make_edition(rule=Rule.GREEDY)
    vote_codes(edition, [{4: 1, 1: 1}, {4: 1, 1: 1}, {4: 1, 2: 1}, {3: 1}])
    finish(edition)
    result = PoolResult.objects.get(pool__edition=edition, is_official=True)
    # #4 (3 votes, 500) then #1 (2 votes, 400) fit: 900; #2 and #3 (300 each) no longer fit.
    assert result.selected == [4, 1]
    assert result.spent == Decimal(900) and result.voters == 4
    projects = list(edition.projects.all())
    assert {p.number: (p.votes, p.selected) for p in projects} == {
        1: (2, True), 2: (1, False), 3: (1, False), 4: (3, True)}
    with translation.override("en"):
        rows = {row["project"].number: row for row in result_rows(result, projects, "RON")}
        assert rows[2]["reason"] == "not_enough_budget"
        assert "300" in rows[2]["text"] and "100" in rows[2]["text"]  # cost 300 > remaining 100
        assert rows[2]["text"].startswith("Not enough budget left")
    with translation.override("ro"):
        text = result_rows(result, projects, "RON")[-1]["text"]
        assert "Not enough" not in text


def test_timisoara_rule_tops_up_the_next_project_and_caps_the_number(strategy_data: Any) -> None:
    # Budget 1000: #1 600 (4 votes) fits, #2 450 (3 votes) lacks 50 ≤ the top-up of 100: funded, then stop.
    edition = make_edition(rule=Rule.TIMISOARA, costs=(600, 450, 100), topup_limit=Decimal(100),
                           max_selected_projects=15)
    vote_codes(edition, [{1: 1, 2: 1, 3: 1}, {1: 1, 2: 1}, {1: 1, 2: 1}, {1: 1}])
    finish(edition)
    result = PoolResult.objects.get(pool__edition=edition)
    assert result.selected == [1, 2]
    assert result.topped_up == Decimal(50) and result.spent == Decimal(1050)
    assert result.explanations["2"]["reason"] == "topped_up"
    assert result.explanations["3"]["reason"] == "funding_stopped"


def test_timisoara_rule_respects_the_maximum_number_of_projects(strategy_data: Any) -> None:
    edition = make_edition(rule=Rule.TIMISOARA, costs=(100, 100, 100), max_selected_projects=2)
    vote_codes(edition, [{1: 1, 2: 1, 3: 1}, {1: 1, 2: 1}, {1: 1}])
    finish(edition)
    result = PoolResult.objects.get(pool__edition=edition)
    assert result.selected == [1, 2]
    assert result.explanations["3"]["reason"] == "project_limit_reached"


def test_method_of_equal_shares_gives_a_minority_its_share(strategy_data: Any) -> None:
    # 6 voters want #1 and #2 (500 each), 4 voters want #3 (400). Greedy would fund #1 and #2 only;
    # MES gives the 4 voters 40% of the budget: #3 is funded.
    edition = make_edition(rule=Rule.MES, costs=(500, 500, 400, 300))
    vote_codes(edition, [{1: 1, 2: 1}] * 6 + [{3: 1}] * 4)
    finish(edition)
    selected = set(PoolResult.objects.get(pool__edition=edition).selected)
    assert 3 in selected
    result = PoolResult.objects.get(pool__edition=edition)
    assert result.explanations["3"]["reason"] == "equal_shares_round"
    unselected = [n for n in (1, 2, 4) if n not in selected]
    assert all(result.explanations[str(n)]["reason"] in ("shares_ran_out", "no_support") for n in unselected)


def test_comparison_rules_do_not_change_the_official_result(voting_edition: Edition, admin_user: Any) -> None:
    vote_codes(voting_edition, [{1: 1}, {2: 1, 3: 1}])
    services.close_voting(admin_user, voting_edition)
    services.count_votes(admin_user, voting_edition, rules=[Rule.MES, Rule.PHRAGMEN])
    assert set(PoolResult.objects.values_list("rule", "is_official")) == {
        (Rule.GREEDY, True), (Rule.MES, False), (Rule.PHRAGMEN, False)}
    with pytest.raises(ValidationError) as error:
        services.count_votes(admin_user, voting_edition, rules=["borda-magic"])
    assert "rule" in error.value.message_dict


def test_cumulative_and_ranked_ballots_are_counted(strategy_data: Any) -> None:
    cumulative = make_edition(slug="cumulative", ballot_type=BallotType.CUMULATIVE, max_total_points=5,
                              rule=Rule.GREEDY, costs=(600, 600))
    vote_codes(cumulative, [{1: 5}, {2: 3, 1: 2}, {2: 4}])
    finish(cumulative)
    assert {p.number: (p.votes, p.score) for p in cumulative.projects.all()} == {
        1: (2, Decimal(7)), 2: (2, Decimal(7))}
    ranked = make_edition(slug="ranked", ballot_type=BallotType.RANKED, max_choices=2, rule=Rule.GREEDY,
                          costs=(600, 600))
    # Borda as in pabutools: a ranking of k projects scores k-1, ..., 0; #2 scores 2, #1 scores 1.
    vote_codes(ranked, [{1: 1, 2: 2}, {2: 1, 1: 2}, {2: 1, 1: 2}])
    finish(ranked)
    assert set(PoolResult.objects.get(pool__edition=ranked).selected) == {2}


def test_published_projects_become_tracked_strategy_sub_projects(strategy_data: Any, admin_user: Any) -> None:
    parent = StrategyProject.objects.get(code="A1.O3.P6")
    edition = make_edition(rule=Rule.GREEDY)
    vote_codes(edition, [{1: 1, 2: 1}, {1: 1}])
    finish(edition, admin_user)
    tracked = list(StrategyProject.objects.filter(parent=parent).order_by("code"))
    selected = list(Project.objects.filter(edition=edition, selected=True).select_related("strategy_project"))
    assert len(tracked) == len(selected) >= 2
    for project in selected:
        assert project.strategy_project is not None
        assert project.strategy_project.parent == parent
        assert project.strategy_project.status == StrategyStatus.PLANNED
        assert project.strategy_project.progress == 0
        assert project.strategy_project.budget == project.cost
        assert project.title in project.strategy_project.title
    from core.models import AuditEntry

    assert AuditEntry.objects.filter(action="strategy.project.created").count() >= 2
    assert AuditEntry.objects.filter(action="budgeting.results.published").exists()


def test_demo_and_imported_data_load_and_reload(strategy_data: Any, settings: Any) -> None:
    import io

    from budgeting import demo
    from core.geo import load_neighbourhoods

    load_neighbourhoods(settings.BASE_DIR / "data" / "timisoara" / "neighbourhoods-osm.geojson")
    out = io.StringIO()
    demo.load_demo_data(out)
    demo.load_demo_data(out)  # idempotent
    edition = Edition.objects.get(slug=demo.DEMO_SLUG)
    assert edition.is_demo and edition.phase == Phase.VOTING and edition.voting_is_open()
    assert edition.pools.get().budget == Decimal("4200000")
    assert edition.max_selected_projects == 15 and edition.topup_limit == Decimal(100000)
    assert edition.projects.filter(neighbourhood__isnull=False).count() >= 15
    assert edition.ballots.count() == 400
    imported = Edition.objects.get(slug=demo.IMPORTED_SLUG)  # from data/demo/pabulib, shipped with the repository
    assert imported.is_demo and imported.is_finished and imported.ballots.count() == 84
