"""Golden outcomes computed by pabutools (the reference implementation), for tests/budgeting.

    .venv/bin/python tests/budgeting/make_golden.py            # every instance, every rule
    .venv/bin/python tests/budgeting/make_golden.py --only Poland_Swiecie_2023.pb --rules mes

writes tests/budgeting/data/golden.json (merging into what is there, one instance at a time, so a
long run can be resumed). This module deliberately imports nothing from budgeting.pb: the tests
import ``pabutools_outcome`` from here to run pabutools live on the small instances.

How each rule is asked of pabutools (ties: its default lexicographic tie-breaking):

* satisfaction: ``Cost_Sat`` for approval and choose-1 ballots, ``Additive_Cardinal_Sat`` for
  cumulative and scoring, ``Additive_Borda_Sat`` for ordinal (greedy told ``is_sat_additive``);
  the ``:cardinality`` variants use ``Cardinality_Sat``;
* ``greedy``: ``greedy_utilitarian_welfare``;
* ``mes``: ``method_of_equal_shares``;
* ``mes-add1``: ``completion_by_rule_combination`` of ``method_of_equal_shares`` with
  ``voter_budget_increment=1`` then ``greedy_utilitarian_welfare``;
* ``phragmen``: ``sequential_phragmen`` on the approval profile (non-approval ballots are read as
  approving every project they name);
* ``timisoara``: pabutools has no such rule; ``timisoara_reference`` below is a direct, independent
  transcription of the rule on pabutools' parsed profile (scores from pabutools).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import lzma
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "data" / "golden.json"
RULE_KEYS = ("greedy", "greedy:cardinality", "timisoara", "mes", "mes:cardinality", "mes-add1", "phragmen")


PABULIB_DIR = REPO / "tests" / "data" / "pabulib"
# The 14 Pabulib files copied into the repository (tests/data/pabulib/README.md); a missing one is a failure.
PABULIB_FILE_COUNT = 14


def pabulib_dir() -> Path:
    return PABULIB_DIR


def pabulib_name(path: Path) -> str:
    """The file's Pabulib name: ``X.pb`` whether it is stored as ``X.pb`` or xz-compressed as ``X.pb.xz``."""
    return path.name.removesuffix(".xz")


def pabulib_files() -> list[Path]:
    """Every Pabulib file in the repository, plain or xz-compressed, in order of their Pabulib names."""
    return sorted([*PABULIB_DIR.glob("*.pb"), *PABULIB_DIR.glob("*.pb.xz")], key=pabulib_name)


def pabulib_path(name: str) -> Path:
    """The stored file of the Pabulib file ``name`` (``X.pb``): ``X.pb`` or ``X.pb.xz``."""
    for candidate in (PABULIB_DIR / name, PABULIB_DIR / f"{name}.xz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{name} is not in {PABULIB_DIR} (plain or .xz)")


def read_pabulib_text(path: Path) -> str:
    """The text of a Pabulib file (UTF-8, a leading BOM dropped), decompressing ``.xz``."""
    data = lzma.decompress(path.read_bytes()) if path.suffix == ".xz" else path.read_bytes()
    return data.decode("utf-8-sig")


def _sat_class(vote_type: str, cardinality: bool) -> tuple[Any, bool]:
    from pabutools.election import Additive_Borda_Sat, Additive_Cardinal_Sat, Cardinality_Sat, Cost_Sat

    if cardinality:
        return Cardinality_Sat, True
    if vote_type in ("approval", "choose-1"):
        return Cost_Sat, True
    if vote_type in ("cumulative", "scoring"):
        return Additive_Cardinal_Sat, True
    return Additive_Borda_Sat, True  # not flagged additive by pabutools, but it is


def timisoara_reference(instance: Any, profile: Any, max_projects: int = 15, tolerance: int = 100_000) -> list[Any]:
    from pabutools.election import Additive_Borda_Sat

    vote_type = instance.meta["vote_type"]
    if vote_type in ("approval", "choose-1"):
        score = {p: Fraction(profile.approval_score(p)) for p in instance}
    elif vote_type in ("cumulative", "scoring"):
        score = {p: sum((Fraction(b.get(p, 0)) for b in profile), Fraction(0)) for p in instance}
    else:
        sats = profile.as_sat_profile(Additive_Borda_Sat)
        score = {p: sum((Fraction(s.sat_project(p)) for s in sats), Fraction(0)) for p in instance}
    order = sorted(instance, key=lambda p: (-score[p], p.name))
    remaining = Fraction(instance.budget_limit)
    chosen: list[Any] = []
    for project in order:
        if score[project] <= 0 or len(chosen) >= max_projects:
            continue
        cost = Fraction(project.cost)
        if cost <= remaining:
            chosen.append(project)
            remaining -= cost
            continue
        if cost - remaining <= tolerance:
            chosen.append(project)
        break
    return chosen


def pabutools_outcome(path: Path, rule: str) -> list[str]:
    """Selected project ids (sorted) that pabutools gives for ``rule`` (a key of RULE_KEYS)."""
    from pabutools.election.pabulib import parse_pabulib_from_string

    instance, profile = parse_pabulib_from_string(read_pabulib_text(path))
    return pabutools_rule(instance, profile, rule)


def pabutools_rule(instance: Any, profile: Any, rule: str) -> list[str]:
    """``pabutools_outcome`` on an already parsed election (to time the rule alone)."""
    from pabutools.election import ApprovalBallot, ApprovalProfile
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
        sequential_phragmen,
    )

    vote_type = instance.meta["vote_type"]
    name, _, variant = rule.partition(":")
    sat_class, additive = _sat_class(vote_type, variant == "cardinality")
    result: Any
    if name == "greedy":
        result = greedy_utilitarian_welfare(instance, profile, sat_class=sat_class, is_sat_additive=additive)
    elif name == "mes":
        result = method_of_equal_shares(instance, profile, sat_class=sat_class)
    elif name == "mes-add1":
        result = completion_by_rule_combination(
            instance,
            profile,
            [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": sat_class, "voter_budget_increment": 1},
             {"sat_class": sat_class, "is_sat_additive": additive}],
        )
    elif name == "phragmen":
        if vote_type not in ("approval", "choose-1"):
            profile = ApprovalProfile([ApprovalBallot(list(ballot)) for ballot in profile])
        result = sequential_phragmen(instance, profile)
    elif name == "timisoara":
        result = timisoara_reference(instance, profile)
    else:
        raise ValueError(f"unknown rule {rule!r}")
    return sorted(p.name for p in result)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", help="file names to (re)compute")
    parser.add_argument("--rules", nargs="*", default=list(RULE_KEYS), choices=RULE_KEYS)
    args = parser.parse_args(argv)
    from importlib.metadata import version

    from pabutools.election.pabulib import parse_pabulib_from_string

    pabutools_version = version("pabutools")
    for path in pabulib_files():
        name = pabulib_name(path)
        if args.only and name not in args.only:
            continue
        text = read_pabulib_text(path)
        for rule in args.rules:
            instance, profile = parse_pabulib_from_string(text)
            start = time.perf_counter()
            outcome = pabutools_rule(instance, profile, rule)
            elapsed = time.perf_counter() - start
            print(f"{name} {rule}: {len(outcome)} projects in {elapsed:.1f} s", flush=True)
            _merge(name, rule, pabutools_version, outcome, round(elapsed, 2))
    return 0


def _merge(file_name: str, rule: str, pabutools_version: str, outcome: list[str], seconds: float) -> None:
    """Re-read, update and write under a lock, so runs over different files can go in parallel."""
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    with open(Path(tempfile.gettempdir()) / "smartcity-pb-golden.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current: dict[str, Any] = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
        current["pabutools"] = pabutools_version
        current.setdefault("outcomes", {}).setdefault(file_name, {})[rule] = outcome
        current.setdefault("seconds", {}).setdefault(file_name, {})[rule] = seconds
        GOLDEN.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    sys.exit(main())
