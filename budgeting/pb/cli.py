"""Command line: print the projects a rule selects, one id per line.

    python -m budgeting.pb FILE.pb --rule mes-add1 [--explain]

The Django command ``manage.py pb_outcome`` wraps the same functions.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from fractions import Fraction
from typing import Protocol

from budgeting.pb.numbers import parse_number
from budgeting.pb.pabulib import PabulibError, parse_pabulib
from budgeting.pb.profile import RuleError, Satisfaction
from budgeting.pb.rules import RULES, compute_outcome


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


def _amount(text: str) -> Fraction:
    try:
        return parse_number(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="a Pabulib .pb file")
    parser.add_argument("--rule", required=True, choices=sorted(RULES), help="outcome rule")
    parser.add_argument(
        "--satisfaction", choices=[s.value for s in Satisfaction],
        help="greedy/mes/mes-add1 satisfaction (default: cost for approval, points, Borda for rankings)",
    )
    parser.add_argument("--max-projects", type=int, default=15, help="timisoara: most projects funded (15)")
    parser.add_argument(
        "--top-up-tolerance", type=_amount, default=Fraction(100_000),
        help="timisoara: largest shortfall the budget is topped up for (100000)",
    )
    parser.add_argument(
        "--no-greedy-completion", dest="greedy_completion", action="store_false",
        help="mes-add1: stop after the add-one stage, without the utilitarian greedy completion",
    )
    parser.add_argument("--explain", action="store_true", help="also print why each project was or was not selected")


def run(options: argparse.Namespace, out: Writer) -> None:
    """Raises PabulibError / RuleError / ValueError with a message meant for the user."""
    instance = parse_pabulib(options.file)
    outcome = compute_outcome(
        instance, options.rule, satisfaction=options.satisfaction, max_projects=options.max_projects,
        top_up_tolerance=options.top_up_tolerance, greedy_completion=options.greedy_completion,
    )
    for project_id in outcome.selected:
        out.write(f"{project_id}\n")
    if options.explain:
        out.write("\n")
        for project in instance.projects:
            explanation = outcome.explanations[project.id]
            mark = "+" if explanation.selected else "-"
            out.write(f"{mark} {project.id}: {explanation.message}\n")


def main(argv: Sequence[str] | None = None, out: Writer | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m budgeting.pb", description=__doc__.split("\n")[0])
    add_arguments(parser)
    options = parser.parse_args(argv)
    try:
        run(options, out or sys.stdout)
    except OSError as error:
        print(f"error: cannot read {options.file}: {error.strerror}", file=sys.stderr)
        return 2
    except (PabulibError, RuleError, ValueError) as error:
        print(f"error: {options.file}: {error}", file=sys.stderr)
        return 2
    return 0
