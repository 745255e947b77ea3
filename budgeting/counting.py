"""Between the database and budgeting.pb: a pool's ballots as a Pabulib instance, outcomes back as rows.

Reads only; the state changes that use these (counting, publishing, importing) are in
budgeting.services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from budgeting.explain import stored_value
from budgeting.models import BallotChoice, BallotType, Edition, Pool, Project, ProjectStatus, Rule
from budgeting.pb.numbers import format_number
from budgeting.pb.outcome import Outcome
from budgeting.pb.pabulib import Ballots, Instance, VoteType
from budgeting.pb.pabulib import Project as PbProject
from budgeting.pb.rules import compute_outcome

VOTE_TYPES = {
    BallotType.KNAPSACK: VoteType.APPROVAL,
    BallotType.APPROVAL: VoteType.APPROVAL,
    BallotType.CUMULATIVE: VoteType.CUMULATIVE,
    BallotType.RANKED: VoteType.ORDINAL,
}
# How each rule is named in Pabulib's META `rule` (the last two have no established name there).
PABULIB_RULE_NAMES = {
    Rule.GREEDY: "greedy",
    Rule.MES: "equalshares",
    Rule.MES_ADD1: "equalshares/add1",
    Rule.PHRAGMEN: "phragmen",
    Rule.TIMISOARA: "greedy-timisoara",
}


def to_fraction(value: Decimal) -> Fraction:
    return Fraction(value)


def to_decimal(value: Fraction | int) -> Decimal:
    fraction = Fraction(value)
    return (Decimal(fraction.numerator) / Decimal(fraction.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)


def project_key(project: Project) -> str:
    """The project's id in Pabulib files: the imported file's own id, or its ballot number."""
    return project.pabulib_id or str(project.number)


def ballot_projects(pool: Pool) -> list[Project]:
    """The projects of a pool that were on the ballot, by number."""
    return list(pool.projects.filter(status=ProjectStatus.FEASIBLE, hidden=False).order_by("number"))


@dataclass(frozen=True)
class Tally:
    votes: dict[int, int]  # project pk → ballots naming it
    score: dict[int, Fraction]  # project pk → points (cumulative), Borda points (ranked), votes (approval)


def pool_ballots(edition: Edition, projects: Sequence[Project], *, empty_ballots: int = 0) -> tuple[Ballots, Tally]:
    """The pool's ballots (those naming one of its projects, plus `empty_ballots` naming none) in
    budgeting.pb's layout.

    Ballots come in the order of their random ids, so that files list voters in no telling order;
    voter ids are 1..n. A ranked ballot lists its projects best first. Empty ballots matter: the
    Method of Equal Shares gives every voter an equal share, including voters who chose nothing
    (an imported file may have them).
    """
    index = {project.pk: position for position, project in enumerate(projects)}
    ranked = edition.ballot_type == BallotType.RANKED
    rows = BallotChoice.objects.filter(project_id__in=list(index)).order_by(
        "ballot_id", "value" if ranked else "project_id").values_list("ballot_id", "project_id", "value")
    offsets = [0]
    flat: list[int] = []
    points: list[int] = []
    current = None
    for ballot_id, project_id, value in rows.iterator(chunk_size=20_000):
        if ballot_id != current:
            if current is not None:
                offsets.append(len(flat))
            current = ballot_id
        flat.append(index[project_id])
        points.append(value)
    if current is not None:
        offsets.append(len(flat))
    offsets.extend([len(flat)] * empty_ballots)
    has_points = VOTE_TYPES[BallotType(edition.ballot_type)].has_points
    ballots = Ballots(
        offsets=np.asarray(offsets, dtype=np.int64),
        projects=np.asarray(flat, dtype=np.int64),
        voter_ids=tuple(str(n) for n in range(1, len(offsets))),
        points=np.asarray(points, dtype=np.int64) if has_points else None,
    )
    votes = dict.fromkeys(index, 0)
    score: dict[int, Fraction] = dict.fromkeys(index, Fraction(0))
    pks = [project.pk for project in projects]
    lengths = np.diff(ballots.offsets).tolist()
    position = 0
    for length in lengths:
        for rank in range(length):
            pk = pks[flat[position + rank]]
            if has_points and points[position + rank] <= 0:
                continue
            votes[pk] += 1
            if ranked:
                score[pk] += length - rank - 1  # Borda, as budgeting.pb and pabutools score rankings
            elif has_points:
                score[pk] += points[position + rank]
            else:
                score[pk] += 1
        position += length
    return ballots, Tally(votes, score)


def _pabulib_date(value: dt.datetime | None) -> str | None:
    return value.strftime("%d.%m.%Y") if value else None


def _ro(instance: Any, field: str) -> str:
    """A translated field in Romanian (the language of the city's files), else as shown."""
    return str(getattr(instance, f"{field}_ro", "") or getattr(instance, field))


def _meta(edition: Edition, pool: Pool) -> dict[str, str]:
    """META of an edition run on this platform (an imported one keeps its own)."""
    stored = edition.pabulib_meta.get("meta") if edition.pabulib_meta else None
    if stored:
        return {str(key): str(value) for key, value in stored}
    meta: dict[str, str] = {
        "description": f"{_ro(edition, 'title')} — {_ro(pool, 'name')}",
        "country": "Romania",
        "unit": "Timișoara",
        "instance": str((edition.voting_end or edition.created_at).year),
        "budget": format_number(to_fraction(pool.budget)),
        "vote_type": VOTE_TYPES[BallotType(edition.ballot_type)].value,
        "rule": PABULIB_RULE_NAMES[Rule(edition.rule)],
    }
    if pool.kind == Pool.Kind.DISTRICT and pool.neighbourhood_id:
        meta["district"] = pool.neighbourhood.name if pool.neighbourhood else pool.name
    if pool.kind == Pool.Kind.CATEGORY:
        meta["subunit"] = _ro(pool, "name")
    begin, end = _pabulib_date(edition.voting_start), _pabulib_date(edition.voting_end)
    if begin:
        meta["date_begin"] = begin
    if end:
        meta["date_end"] = end
    if edition.min_choices:
        meta["min_length"] = str(edition.min_choices)
    if edition.max_choices:
        meta["max_length"] = str(edition.max_choices)
    if edition.ballot_type == BallotType.KNAPSACK:
        meta["max_sum_cost"] = format_number(to_fraction(pool.budget))
    if edition.ballot_type == BallotType.CUMULATIVE:
        if edition.max_points_per_project:
            meta["max_points"] = str(edition.max_points_per_project)
        if edition.max_total_points:
            meta["max_sum_points"] = str(edition.max_total_points)
    if edition.rule == Rule.TIMISOARA:
        meta["comment"] = (f"#1: Timișoara Decide! rule (HCL 109/2023): projects by votes, at most "
                           f"{edition.max_selected_projects or '-'} funded; the first that does not fit is funded "
                           f"when the shortfall is at most {edition.topup_limit or 0} {edition.currency}.")
    meta.update({"currency": edition.currency, "language": "ro", "edition": edition.slug})
    return meta


def pool_instance(edition: Edition, pool: Pool, *, for_export: bool = False) -> tuple[Instance, list[Project], Tally]:
    """The pool as a Pabulib instance (projects on the ballot, their ballots, META)."""
    projects = ballot_projects(pool)
    empty = 0
    if edition.pools.count() == 1:
        # One budget: every ballot of the edition is a voter of it, even one that names no project.
        empty = edition.ballots.exclude(choices__project__pool=pool).count()
    ballots, tally = pool_ballots(edition, projects, empty_ballots=empty)
    columns: list[str] = []
    fields: list[dict[str, str]] = [{} for _ in projects]
    imported_columns = edition.pabulib_meta.get("project_columns") if edition.pabulib_meta else None
    if for_export and imported_columns:
        columns = list(imported_columns)
        fields = [{name: str(p.pabulib_fields.get(name, "")) for name in columns} for p in projects]
    elif for_export:
        located = any(p.latitude is not None for p in projects)
        columns = ["name", "votes"]
        if edition.ballot_type in (BallotType.CUMULATIVE, BallotType.RANKED):
            columns.append("score")
        columns += ["selected", "category"] + (["latitude", "longitude"] if located else [])
        for position, project in enumerate(projects):
            row = {"name": project.title, "votes": str(tally.votes[project.pk]),
                   "selected": "1" if project.selected else "0",
                   "category": project.category.slug if project.category else ""}
            if "score" in columns:
                row["score"] = format_number(tally.score[project.pk])
            if located:
                row["latitude"] = "" if project.latitude is None else f"{project.latitude:.6f}"
                row["longitude"] = "" if project.longitude is None else f"{project.longitude:.6f}"
            fields[position] = row
    instance = Instance(
        meta=_meta(edition, pool) if for_export else {},
        vote_type=VOTE_TYPES[BallotType(edition.ballot_type)],
        budget=to_fraction(pool.budget),
        projects=tuple(PbProject(project_key(p), to_fraction(p.cost), fields[i]) for i, p in enumerate(projects)),
        ballots=ballots,
        project_columns=tuple(columns),
    )
    return instance, projects, tally


def run_rule(edition: Edition, instance: Instance, rule: str) -> Outcome:
    options: dict[str, Any] = {}
    if rule == Rule.TIMISOARA:
        options["max_projects"] = edition.max_selected_projects if edition.max_selected_projects is not None \
            else len(instance.projects)
        options["top_up_tolerance"] = to_fraction(edition.topup_limit or Decimal(0))
    return compute_outcome(instance, rule, **options)


def stored_explanations(outcome: Outcome, projects: Sequence[Project]) -> dict[str, dict[str, Any]]:
    by_key = {project_key(p): p for p in projects}
    stored = {}
    for key, explanation in outcome.explanations.items():
        project = by_key[key]
        stored[str(project.number)] = {
            "selected": explanation.selected,
            "reason": explanation.reason.value,
            "values": {name: stored_value(value) for name, value in explanation.values.items()},
            "message": explanation.message,
        }
    return stored
