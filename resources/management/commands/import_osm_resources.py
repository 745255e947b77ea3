"""`manage.py import_osm_resources FILE`: organisations and places from an OpenStreetMap extract.

FILE is Overpass JSON or OSM XML (see resources/osm.py for what is kept). Run again with a newer extract:
entries are matched by their OSM reference and updated; nothing is deleted. A feature that is already in the
registry from another source (the city's reference data, a self-registered organisation: the same name's
words, within a kilometre) is left to that entry, not duplicated. The imported data is
© OpenStreetMap contributors (ODbL 1.0); pages and downloads say so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from resources import osm
from resources.importing import import_features


class Command(BaseCommand):
    help = "Import theatres, cinemas, museums, libraries, community centres, universities and NGO offices from OSM."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            features = osm.read(path)
        except (osm.OSMError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: {error}") from error
        created, updated, skipped = import_features(features, actor=f"import_osm_resources:{path.name}")
        self.stdout.write(f"{len(features)} features: {created} organisations created, {updated} updated, "
                          f"{skipped} already in the registry (kept as entered). Data {osm.LICENCE_NOTE}.")
