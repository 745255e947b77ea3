"""Command line: print the projects a rule selects, one id per line.

    python -m budgeting.pb FILE.pb --rule mes-add1 [--explain]

``manage.py pb_outcome`` runs this same function before Django starts (manage.py dispatches it:
the rules need no Django, whose start-up would take most of the time). Irregularities of the file
that were accepted are printed on stderr as warnings; every failure is one line on stderr and exit
status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from fractions import Fraction
from typing import Protocol

from budgeting.pb.numbers import parse_number
from budgeting.pb.pabulib import Instance, PabulibError, PabulibWarning, parse_pabulib
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


# Django's common options, accepted (and ignored) so that `manage.py pb_outcome` takes what every
# manage.py command takes although it runs without Django.
_MANAGE_PY_OPTIONS = {"--settings": 1, "--pythonpath": 1, "--verbosity": 1, "-v": 1, "--traceback": 0,
                   "--no-color": 0, "--force-color": 0, "--skip-checks": 0}
# Warnings printed per kind of irregularity; the rest are counted.
WARNINGS_PER_KIND = 5


def print_warnings(file: str, warnings: Sequence[PabulibWarning], err: Writer) -> None:
    shown: dict[str, int] = {}
    for warning in warnings:
        shown[warning.kind] = shown.get(warning.kind, 0) + 1
        if shown[warning.kind] <= WARNINGS_PER_KIND:
            err.write(f"warning: {file}: {warning}\n")
    for kind, count in shown.items():
        if count > WARNINGS_PER_KIND:
            err.write(f"warning: {file}: {count - WARNINGS_PER_KIND} more of the kind {kind!r}\n")


def run(options: argparse.Namespace, out: Writer, err: Writer | None = None) -> Instance:
    """Raises PabulibError / RuleError / ValueError with a message meant for the user."""
    instance = parse_pabulib(options.file)
    if err is not None:
        print_warnings(options.file, instance.warnings, err)
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
    return instance


def _without_manage_py_options(argv: Sequence[str]) -> list[str]:
    kept: list[str] = []
    skip = 0
    for argument in argv:
        if skip:
            skip -= 1
            continue
        name = argument.split("=", 1)[0]
        if name in _MANAGE_PY_OPTIONS:
            skip = _MANAGE_PY_OPTIONS[name] if "=" not in argument else 0
            continue
        kept.append(argument)
    return kept


def main(argv: Sequence[str] | None = None, out: Writer | None = None, err: Writer | None = None,
         prog: str = "python -m budgeting.pb") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    add_arguments(parser)
    options = parser.parse_args(_without_manage_py_options(sys.argv[1:] if argv is None else argv))
    err = err or sys.stderr
    try:
        run(options, out or sys.stdout, err)
    except OSError as error:
        err.write(f"error: cannot read {options.file}: {error.strerror or error}\n")
        return 2
    except (PabulibError, RuleError, ValueError) as error:
        err.write(f"error: {options.file}: {error}\n")
        return 2
    except MemoryError:
        err.write(f"error: {options.file}: not enough memory to read it\n")
        return 2
    except KeyboardInterrupt:
        err.write("interrupted\n")
        return 130
    except Exception as error:  # a bug: the user still sees one line, never a traceback
        err.write(f"error: {options.file}: internal error, please report it ({type(error).__name__}: {error})\n")
        return 3
    return 0
