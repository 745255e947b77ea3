"""`manage.py load_strategy FILE`: load (or reload) the strategy data file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from strategy.dataset import DatasetError, read
from strategy.loading import load_dataset


class Command(BaseCommand):
    help = "Load the strategy data file (YAML). Reloading updates by code and never duplicates."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = read(path)
        except DatasetError as error:
            raise CommandError(str(error)) from error
        report = load_dataset(data, actor=f"loader:{path.name}")
        self.stdout.write(self.style.SUCCESS(f"Loaded {path} (dataset {data.dataset_version}): {report.summary()}"))
