"""`manage.py harvest_ckan URL [--organization NAME] [--full]`: import a CKAN portal's datasets."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opendata.harvest import DEFAULT_TIMEOUT, PAGE_SIZE, HarvestError, harvest


class ProgressBar:
    """A one-line bar on stderr, redrawn in place on a terminal and once per page otherwise
    (tqdm is not a dependency of the platform, and this is all the command needs)."""

    WIDTH = 30

    def __init__(self, stream: Any, label: str) -> None:
        self.stream = stream
        self.label = label
        self.interactive = bool(getattr(stream, "isatty", lambda: False)())

    def __call__(self, done: int, total: int) -> None:
        filled = self.WIDTH if total == 0 else round(self.WIDTH * done / total)
        line = f"{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total}"
        self.stream.write(("\r" + line) if self.interactive else line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.interactive:
            self.stream.write("\n")


class Command(BaseCommand):
    help = ("Import a CKAN portal's datasets (package_search, paged, incremental by metadata_modified) as "
            "external datasets of the catalogue. All or nothing: a failure leaves the catalogue unchanged.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", help="the portal's address, e.g. https://data.primariatm.ro")
        parser.add_argument("--organization", default="", help="only this organisation of the portal")
        parser.add_argument("--full", action="store_true",
                            help="fetch everything (not only what changed); withdraw what the portal no longer lists")
        parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds to wait for each answer")
        parser.add_argument("--page-size", type=int, default=PAGE_SIZE, help="rows per package_search request")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["timeout"] <= 0 or not 1 <= options["page_size"] <= 1000:
            raise CommandError("--timeout must be positive and --page-size between 1 and 1000")
        # The raw stream under Django's OutputWrapper, which would end every write with a newline.
        stream = getattr(self.stderr, "_out", sys.stderr)
        bar = None if options["no_progress"] else ProgressBar(stream, options["url"])
        try:
            report = harvest(options["url"], organization=options["organization"], full=options["full"],
                             timeout=options["timeout"], page_size=options["page_size"], progress=bar)
        except HarvestError as error:
            raise CommandError(f"Harvest failed, nothing was imported: {error}") from None
        finally:
            if bar:
                bar.close()
        self.stdout.write(self.style.SUCCESS(
            f"{report.source}: {report.fetched} datasets fetched in {report.requests} requests, "
            f"{report.created} new, {report.updated} updated, {report.withdrawn} withdrawn."))
