"""`manage.py budgeting_codes EDITION --count N [--batch B] [--district SLUG] --output sheet.html`

Generates single-use voting codes and writes them once, to a printable HTML sheet (or as plain
text with --text). Only the codes' SHA-256 fingerprints are stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.loader import render_to_string
from django.utils import translation

from budgeting import services
from budgeting.models import Edition
from core.models import Neighbourhood


class Command(BaseCommand):
    help = "Generate single-use voting codes for an edition, as a printable sheet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("edition", help="edition slug")
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--batch", default="", help="label, e.g. where the sheet is handed out")
        parser.add_argument("--district", help="neighbourhood slug the codes are valid for")
        parser.add_argument("--output", type=Path, required=True, help="file to write (refuses to overwrite)")
        parser.add_argument("--text", action="store_true", help="one code per line instead of an HTML sheet")
        parser.add_argument("--base-url", default="https://decide.timisoara.ro",
                            help="public address of the platform, printed on the sheet")
        parser.add_argument("--language", default="ro", choices=["ro", "en"])

    def handle(self, *args: Any, **options: Any) -> None:
        edition = Edition.objects.filter(slug=options["edition"]).first()
        if edition is None:
            raise CommandError(f"edition: no edition {options['edition']!r}")
        district = None
        if options["district"]:
            district = Neighbourhood.objects.filter(slug=options["district"]).first()
            if district is None:
                raise CommandError(f"--district: no neighbourhood {options['district']!r}")
        output: Path = options["output"]
        if output.exists():
            raise CommandError(f"--output: {output} exists; codes are never overwritten")
        try:
            codes = services.generate_codes(f"command:budgeting_codes {options['batch']}".strip(), edition,
                                            options["count"], batch=options["batch"], neighbourhood=district)
        except ValidationError as error:
            raise CommandError("; ".join(f"{f}: {' '.join(m)}" for f, m in error.message_dict.items())) from None
        with translation.override(options["language"]):
            if options["text"]:
                content = "\n".join(codes) + "\n"
            else:
                content = render_to_string("budgeting/code_sheet_standalone.html", {
                    "edition": edition, "codes": codes, "batch": options["batch"], "neighbourhood": district,
                    "vote_url": options["base_url"].rstrip("/") + edition.get_absolute_url() + "vote/code/"})
        output.write_text(content, encoding="utf-8")
        output.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"{len(codes)} codes written to {output} (print it, then delete it)."))
