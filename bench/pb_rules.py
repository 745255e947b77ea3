"""Benchmark: budgeting.pb rules against pabutools 1.2.3 on the largest Pabulib files of tests/data/pabulib.

    .venv/bin/python bench/pb_rules.py            # the default cases (about 10 minutes, nearly all pabutools)
    .venv/bin/python bench/pb_rules.py --quick    # skip the pabutools runs longer than a minute
    .venv/bin/python bench/pb_rules.py --all      # every rule on every large file (hours)

For each case both implementations parse the file's text (read and unpacked from .xz beforehand)
and compute the rule in this one process; the outcomes must be identical (the script exits with
status 1 otherwise). Times are CPU seconds of this process (less sensitive than wall time to other
jobs on a shared machine; both are printed), rule only, parsing reported separately. Finally a
synthetic edition of 100,000 voters is timed for budgeting.pb alone. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from budgeting.pb import compute_outcome, make_instance, parse_pabulib_text  # noqa: E402
from budgeting.pb.pabulib import write_pabulib_text  # noqa: E402
from tests.budgeting.make_golden import pabulib_path, pabutools_rule, read_pabulib_text  # noqa: E402

T = TypeVar("T")

DEFAULT_CASES = [
    ("Poland_Lodz_2024.pb", ["mes", "greedy", "phragmen"]),
    ("France_Toulouse_2022.pb", ["mes-add1", "mes", "greedy"]),
    ("Poland_Katowice_2023.pb", ["mes", "mes-add1"]),
    ("Netherlands_Amsterdam_309.pb", ["mes", "mes-add1"]),
    ("Poland_Warszawa_2021_Mokotow.pb", ["mes", "phragmen"]),
]
# pabutools needs minutes for these (Lodz mes-add1 ~9 min, Warsaw mes-add1 ~20 min: --all runs them).
QUICK_SKIP = {("France_Toulouse_2022.pb", "mes-add1"), ("Poland_Katowice_2023.pb", "mes-add1"),
              ("Poland_Lodz_2024.pb", "phragmen")}
ALL_RULES = ["greedy", "timisoara", "mes", "mes-add1", "phragmen"]


@dataclass
class Timing:
    cpu: float
    wall: float


def timed(function: Callable[[], T], repeat: int = 1) -> tuple[T, Timing]:
    """Best of ``repeat`` runs."""
    best: Timing | None = None
    result: Any = None
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        result = function()
        current = Timing(time.process_time() - cpu, time.perf_counter() - wall)
        if best is None or current.cpu < best.cpu:
            best = current
    assert best is not None
    return result, best


def ours_outcome(instance: Any, rule: str) -> list[str]:
    return sorted(compute_outcome(instance, rule).selected)


def compare(cases: list[tuple[str, list[str]]], skip_slow: bool) -> bool:
    from pabutools.election.pabulib import parse_pabulib_from_string as pabutools_parse

    same_everywhere = True
    print("| instance | voters | rule | pabutools (s) | budgeting.pb (s) | speed-up | identical |")
    print("|---|---:|---|---:|---:|---:|---|")
    parse_rows = []
    for name, rules in cases:
        text = read_pabulib_text(pabulib_path(name))  # the large files are stored xz-compressed
        instance, ours_parse = timed(partial(parse_pabulib_text, text))
        (reference_instance, reference_profile), theirs_parse = timed(partial(pabutools_parse, text))
        parse_rows.append((name, instance.num_voters, theirs_parse, ours_parse))
        for rule in rules:
            if skip_slow and (name, rule) in QUICK_SKIP:
                continue
            ours, ours_time = timed(partial(ours_outcome, instance, rule), repeat=3)
            theirs, theirs_time = timed(partial(pabutools_rule, reference_instance, reference_profile, rule))
            same = ours == theirs
            same_everywhere &= same
            print(f"| {name.removesuffix('.pb')} | {instance.num_voters} | {rule} | {theirs_time.cpu:.2f} "
                  f"| {ours_time.cpu:.3f} | {theirs_time.cpu / max(ours_time.cpu, 1e-9):.0f}x "
                  f"| {'yes' if same else 'NO'} |", flush=True)
    print()
    print("| instance | voters | parse pabutools (s) | parse budgeting.pb (s) |")
    print("|---|---:|---:|---:|")
    for name, voters, theirs_parse, ours_parse in parse_rows:
        print(f"| {name.removesuffix('.pb')} | {voters} | {theirs_parse.cpu:.2f} | {ours_parse.cpu:.2f} |")
    return same_everywhere


def synthetic_edition(voters: int, projects: int, seed: int = 2024) -> str:
    """An approval edition shaped like a city-wide vote: popularity skewed, 1-10 approvals each."""
    rng = np.random.default_rng(seed)
    costs = {f"P{p:03d}": int(rng.choice([20, 50, 100, 250, 500, 1000])) * 1000 for p in range(projects)}
    popularity = rng.pareto(1.2, projects) + 0.05
    popularity /= popularity.sum()
    ids = list(costs)
    votes: list[list[str]] = []
    log_popularity = np.log(popularity)
    for start in range(0, voters, 10_000):
        count = min(10_000, voters - start)
        # Gumbel top-k: the k largest log(p) + Gumbel noise are a draw without replacement.
        keys = log_popularity + rng.gumbel(size=(count, projects))
        ranked = np.argsort(-keys, axis=1)
        for row, length in zip(ranked, rng.integers(1, 11, count), strict=True):
            votes.append([ids[p] for p in row[:length].tolist()])
    budget = sum(costs.values()) // 4
    return write_pabulib_text(make_instance(budget, costs, votes))


def synthetic(voters: int) -> None:
    text, build = timed(lambda: synthetic_edition(voters, 150))
    instance, parse = timed(lambda: parse_pabulib_text(text))
    print()
    print(f"Synthetic approval edition: {voters} voters, 150 projects (built in {build.wall:.1f} s).")
    print()
    print("| step | CPU (s) | wall (s) |")
    print("|---|---:|---:|")
    print(f"| parse | {parse.cpu:.2f} | {parse.wall:.2f} |")
    for rule in ALL_RULES:
        outcome, took = timed(partial(compute_outcome, instance, rule))
        extra = f" ({outcome.details['passes']} MES passes)" if "passes" in outcome.details else ""
        print(f"| {rule}{extra} | {took.cpu:.2f} | {took.wall:.2f} |", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip pabutools runs longer than a minute")
    parser.add_argument("--all", action="store_true", help="every rule on every large file")
    parser.add_argument("--voters", type=int, default=100_000, help="size of the synthetic edition")
    args = parser.parse_args()
    cases = [(name, ALL_RULES) for name, _ in DEFAULT_CASES] if args.all else DEFAULT_CASES
    identical = compare(cases, skip_slow=args.quick)
    synthetic(args.voters)
    if not identical:
        print("\nOUTCOMES DIFFER", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
