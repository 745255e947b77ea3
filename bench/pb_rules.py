"""Benchmark: budgeting.pb rules against pabutools 1.2.3 on the largest Pabulib files of tests/data/pabulib.

    .venv/bin/python bench/pb_rules.py            # the default cases (about 10 minutes, nearly all pabutools)
    .venv/bin/python bench/pb_rules.py --quick    # skip the pabutools runs longer than a minute
    .venv/bin/python bench/pb_rules.py --all      # every rule on every large file (hours)
    .venv/bin/python bench/pb_rules.py --commands-only   # only the pb_outcome command section (minutes)

For each case both implementations parse the file's text (read and unpacked from .xz beforehand)
and compute the rule in this one process; the outcomes must be identical (the script exits with
status 1 otherwise). Times are CPU seconds of this process (less sensitive than wall time to other
jobs on a shared machine; both are printed), rule only, parsing reported separately. Finally a
synthetic edition of 100,000 voters is timed for budgeting.pb alone. Prints Markdown tables.

The command section runs what a user runs on each of the 14 files of tests/data/pabulib, once
each, side by side: `pb_outcome` in this process (parse the file + rule + print; pabutools: parse +
rule), then as whole commands (a new Python process each: `manage.py pb_outcome FILE --rule R`;
pabutools: `python -c` parsing the file and running the rule; and for reference the same command
through Django, `call_command` after `django.setup()`, which is how manage.py ran it before it
dispatched pb_outcome without Django). Whole commands are wall seconds and the child's CPU seconds.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
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
from budgeting.pb.cli import main as pb_outcome_main  # noqa: E402
from budgeting.pb.pabulib import write_pabulib_text  # noqa: E402
from tests.budgeting.make_golden import (  # noqa: E402
    pabulib_files,
    pabulib_name,
    pabulib_path,
    pabutools_outcome,
    pabutools_rule,
    read_pabulib_text,
)

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


PABUTOOLS_COMMAND = (
    "import sys; from pathlib import Path; from tests.budgeting.make_golden import pabutools_outcome; "
    "print(*pabutools_outcome(Path(sys.argv[1]), sys.argv[2]), sep='\\n')"
)
DJANGO_COMMAND = (
    "import sys, django; django.setup(); from django.core.management import call_command; "
    "call_command('pb_outcome', sys.argv[1], '--rule', sys.argv[2])"
)


def whole_command(argv: list[str], env: dict[str, str] | None = None) -> tuple[list[str], Timing]:
    """Run one command in a new process: its output lines, wall seconds and the child's CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    result = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, check=False, env=env)
    took = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {result.stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result.stdout.split(), Timing(cpu, took)


def commands(rule: str, with_django: bool) -> bool:
    """pb_outcome in process and as a whole command against pabutools, one run per file."""
    python = sys.executable
    env = {**os.environ, "PYTHONPATH": str(REPO), "DEBUG": os.environ.get("DEBUG", "1"),
           "DJANGO_SETTINGS_MODULE": "smartcity.settings"}
    same_everywhere = True
    rows = []
    for path in pabulib_files():
        name = pabulib_name(path)
        out = io.StringIO()
        status, ours_in = timed(lambda path=path, out=out: pb_outcome_main(  # type: ignore[misc]
            [str(path), "--rule", rule], out=out, err=io.StringIO()))
        theirs, theirs_in = timed(partial(pabutools_outcome, path, rule))
        ours_ids, ours_cmd = whole_command([python, "manage.py", "pb_outcome", str(path), "--rule", rule], env)
        theirs_ids, theirs_cmd = whole_command([python, "-c", PABUTOOLS_COMMAND, str(path), rule], env)
        django_cmd = whole_command([python, "-c", DJANGO_COMMAND, str(path), rule], env)[1] if with_django else None
        same = status == 0 and sorted(out.getvalue().split()) == theirs == sorted(ours_ids) == sorted(theirs_ids)
        same_everywhere &= same
        rows.append((name, ours_in, theirs_in, ours_cmd, theirs_cmd, django_cmd, same))
        print(f"  {name}: done", file=sys.stderr, flush=True)

    def ratio(theirs: float, ours: float) -> str:
        return f"{theirs / max(ours, 1e-9):.1f}x"

    print(f"`pb_outcome --rule {rule}` on every file of tests/data/pabulib, one run each "
          "(in process: CPU s; whole command: wall s / child CPU s).")
    print()
    django_head = " | via Django (wall / CPU) |" if with_django else " |"
    print("| file | in process: budgeting.pb | pabutools | ratio | whole command: manage.py pb_outcome "
          f"| pabutools | ratio (wall){django_head} identical |")
    print("|---|---:|---:|---:|---:|---:|---:|" + ("---:|" if with_django else "") + "---|")
    for name, ours_in, theirs_in, ours_cmd, theirs_cmd, django_cmd, same in rows:
        django_cell = f" | {django_cmd.wall:.2f} / {django_cmd.cpu:.2f}" if django_cmd else ""
        print(f"| {name.removesuffix('.pb')} | {ours_in.cpu:.3f} | {theirs_in.cpu:.2f} "
              f"| {ratio(theirs_in.cpu, ours_in.cpu)} | {ours_cmd.wall:.2f} / {ours_cmd.cpu:.2f} "
              f"| {theirs_cmd.wall:.2f} / {theirs_cmd.cpu:.2f} | {ratio(theirs_cmd.wall, ours_cmd.wall)}"
              f"{django_cell} | {'yes' if same else 'NO'} |", flush=True)
    walls = sorted(row[3].wall for row in rows)
    print()
    print(f"manage.py pb_outcome, whole command: median {walls[len(walls) // 2]:.2f} s wall, "
          f"fastest {walls[0]:.2f} s, slowest {walls[-1]:.2f} s.")
    return same_everywhere


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip pabutools runs longer than a minute")
    parser.add_argument("--all", action="store_true", help="every rule on every large file")
    parser.add_argument("--voters", type=int, default=100_000, help="size of the synthetic edition")
    parser.add_argument("--commands-only", action="store_true", help="only the pb_outcome command section")
    parser.add_argument("--command-rule", default="mes", choices=ALL_RULES, help="rule of the command section")
    parser.add_argument("--no-django", action="store_true", help="command section without the via-Django column")
    args = parser.parse_args()
    identical = True
    if not args.commands_only:
        cases = [(name, ALL_RULES) for name, _ in DEFAULT_CASES] if args.all else DEFAULT_CASES
        identical = compare(cases, skip_slow=args.quick)
        synthetic(args.voters)
        print()
    identical &= commands(args.command_rule, with_django=not args.no_django)
    if not identical:
        print("\nOUTCOMES DIFFER", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
