"""manage.py pb_outcome FILE.pb --rule greedy|timisoara|mes|mes-add1|phragmen

Prints the selected project ids, one per line. All the work is in budgeting.pb (no Django there):
manage.py runs budgeting.pb.cli directly for this command, before Django starts; this class serves
``call_command("pb_outcome", ...)`` and ``django-admin``.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from budgeting.pb.cli import add_arguments, run
from budgeting.pb.pabulib import PabulibError
from budgeting.pb.profile import RuleError


class Command(BaseCommand):
    help = "Print the projects a participatory-budgeting rule selects for a Pabulib file, one id per line."

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run(argparse.Namespace(**options), self.stdout, self.stderr)
        except OSError as error:
            raise CommandError(f"cannot read {options['file']}: {error.strerror}") from error
        except (PabulibError, RuleError, ValueError) as error:
            raise CommandError(f"{options['file']}: {error}") from error
