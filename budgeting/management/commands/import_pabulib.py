"""`manage.py import_pabulib FILE.pb [--slug S] [--title T] [--rule R] [--compare R,R]`

Creates a finished edition from any Pabulib file: its projects, its ballots (anonymous) and the
count with the rule the file names (or --rule), optionally compared with other rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from budgeting import services
from budgeting.models import Rule


class Command(BaseCommand):
    help = "Import a Pabulib .pb file as a finished participatory-budgeting edition."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--slug", help="short name of the edition (default: from the file name)")
        parser.add_argument("--title", default="")
        parser.add_argument("--rule", choices=Rule.values, help="counting rule (default: the file's META rule)")
        parser.add_argument("--compare", default="", help="other rules to compute for comparison, comma-separated")
        parser.add_argument("--demo", action="store_true", help="mark the edition as demonstration data")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        except UnicodeDecodeError as error:
            raise CommandError(f"{path}: not UTF-8 text (byte {error.start})") from None
        compare = [rule.strip() for rule in options["compare"].split(",") if rule.strip()]
        for rule in compare:
            if rule not in Rule.values:
                raise CommandError(f"--compare: unknown rule {rule!r} (choose from {', '.join(Rule.values)})")
        slug = options["slug"] or slugify(path.stem.replace("_", "-"))
        try:
            edition = services.import_pabulib(f"command:import_pabulib {path.name}", text, slug=slug,
                                              title=options["title"], rule=options["rule"], compare=compare,
                                              is_demo=options["demo"])
        except ValidationError as error:
            raise CommandError("; ".join(f"{field}: {' '.join(messages)}"
                                         for field, messages in error.message_dict.items())) from None
        for warning in edition.pabulib_meta.get("warnings", [])[:20]:
            self.stderr.write(f"warning: {path.name}: {warning}")
        if edition.pabulib_meta.get("warning_count", 0) > 20:
            self.stderr.write(f"warning: {path.name}: {edition.pabulib_meta['warning_count'] - 20} more irregularities")
        selected = edition.projects.filter(selected=True).count()
        self.stdout.write(self.style.SUCCESS(
            f"Imported {path.name} as {edition.slug}: {edition.projects.count()} projects, "
            f"{edition.ballots.count()} ballots, {selected} selected by {edition.get_rule_display()}."))
