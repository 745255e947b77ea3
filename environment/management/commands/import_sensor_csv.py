"""`manage.py import_sensor_csv FILES...`: bulk import of sensor.community archive CSVs.

Streams each file (constant memory) in batches of 5000 readings, each batch one transaction
with its aggregates, so an interrupted import can be re-run: stored readings are skipped.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from environment import services
from environment.airquality.payloads import PayloadError
from environment.models import Network


def count_lines(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b""))


class ProgressBar:
    """A text progress bar on stderr (redrawn in place on a terminal, a line per 10 % otherwise)."""

    def __init__(self, label: str, total: int, stream: Any = sys.stderr, width: int = 30) -> None:
        self.label, self.total, self.stream, self.width = label, max(total, 1), stream, width
        self.interactive = bool(getattr(stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self.last_tenth = -1

    def update(self, done: int) -> None:
        fraction = min(done / self.total, 1.0)
        filled = int(fraction * self.width)
        rate = done / max(time.monotonic() - self.started, 1e-6)
        text = f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%} {rate:,.0f} lines/s"
        if self.interactive:
            self.stream.write("\r" + text)
            self.stream.flush()
        elif int(fraction * 10) > self.last_tenth:
            self.last_tenth = int(fraction * 10)
            self.stream.write(text + "\n")

    def finish(self) -> None:
        self.update(self.total)
        if self.interactive:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Import sensor.community archive CSV files (archive.sensor.community) into readings and aggregates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--register", action="store_true",
                            help="Register sensors the platform does not know, from the file's own columns "
                                 "(sensor_id, sensor_type, lat, lon). Otherwise their rows are skipped and counted.")
        parser.add_argument("--as", dest="mapping", action="append", default=[], metavar="ARCHIVE_ID=SENSOR_ID",
                            help="Import the archive's sensor ARCHIVE_ID into the registered SENSOR_ID.")
        parser.add_argument("--network", choices=Network.values, default=Network.PRIVATE,
                            help="Network of sensors registered with --register.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        mapping: dict[str, str] = {}
        for item in options["mapping"]:
            archive_id, sep, sensor_id = item.partition("=")
            if not sep or not archive_id or not sensor_id:
                raise CommandError(f"--as: expected ARCHIVE_ID=SENSOR_ID, got {item!r}")
            mapping[archive_id.strip()] = sensor_id.strip()
        missing = [str(path) for path in options["files"] if not path.is_file()]
        if missing:
            raise CommandError(f"files: not found: {', '.join(missing)}")
        totals = {"stored": 0, "duplicates": 0, "quarantined": 0}
        for path in options["files"]:
            bar = None if options["no_progress"] else ProgressBar(path.name, count_lines(path), self.stderr._out)
            try:
                report = services.import_archive(
                    f"command:import_sensor_csv:{path.name}", path, sensor_map=mapping,
                    register_unknown=options["register"], network=options["network"],
                    progress=bar.update if bar else None)
            except PayloadError as error:
                raise CommandError(f"{path.name}: {error}") from None
            except ValidationError as error:
                raise CommandError(f"{path.name}: {'; '.join(error.messages)}") from None
            if bar:
                bar.finish()
            for key in totals:
                totals[key] += getattr(report, key)
            unknown = ", ".join(f"{sensor} ({rows} rows)" for sensor, rows in report.unknown_sensors.items())
            self.stdout.write(
                f"{path.name}: {report.rows} rows, {report.stored} readings stored, {report.duplicates} already "
                f"there, {report.quarantined} quarantined, {report.malformed_rows} malformed rows"
                + (f"; registered {', '.join(report.registered)}" if report.registered else "")
                + (f"; skipped unknown sensors: {unknown} (use --register or --as)" if unknown else ""))
        self.stdout.write(self.style.SUCCESS(
            f"Done: {totals['stored']} stored, {totals['duplicates']} duplicates, "
            f"{totals['quarantined']} quarantined."))
