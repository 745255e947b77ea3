"""Turn the city's plain residents-register export into the hashed file the platform accepts (offline).

    RESIDENTS_REGISTER_SALT=... python manage.py hash_residents_register export.csv hashed.csv

The export is CSV with a header: `document_number,birth_date[,neighbourhood]` (birth date YYYY-MM-DD or
DD.MM.YYYY; neighbourhood an optional slug of core's neighbourhoods). The output has `digest,neighbourhood`
lines only: HMAC-SHA256 under the salt of the normalised document number and the birth date
(accounts/person_key.py). Run it on the register office's machine; the plain file never leaves it.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.person_key import RegisterValueError, register_digest


class Command(BaseCommand):
    help = "Hash the residents register export (document number + birth date) into digests for upload."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="the plain CSV export")
        parser.add_argument("target", type=Path, help="the hashed CSV to write")
        parser.add_argument("--salt-variable", default="RESIDENTS_REGISTER_SALT",
                            help="the environment variable holding the salt (default RESIDENTS_REGISTER_SALT)")

    def handle(self, *args: Any, **options: Any) -> None:
        salt = os.environ.get(options["salt_variable"], "")
        if len(salt) < 16:
            raise CommandError(f"{options['salt_variable']} must be set to the register salt (16 characters or more)")
        source, target = options["source"], options["target"]
        if source.resolve() == target.resolve():
            raise CommandError("the target must differ from the source")
        written = 0
        with source.open(newline="", encoding="utf-8-sig") as plain, target.open("w", newline="") as hashed:
            reader = csv.DictReader(plain)
            missing = {"document_number", "birth_date"} - set(reader.fieldnames or [])
            if missing:
                raise CommandError(f"the export lacks the column(s) {', '.join(sorted(missing))}")
            writer = csv.writer(hashed)
            writer.writerow(["digest", "neighbourhood"])
            for line, row in enumerate(reader, start=2):
                try:
                    digest = register_digest(salt, row["document_number"], row["birth_date"])
                except RegisterValueError as error:
                    raise CommandError(f"line {line}: {error}") from None
                writer.writerow([digest, (row.get("neighbourhood") or "").strip()])
                written += 1
        self.stdout.write(f"{written} residents hashed into {target}")
