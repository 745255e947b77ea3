"""`manage.py build_street_index EXTRACT [EXTRACT ...]`: rebuild the street index used for geocoding.

EXTRACT is an OpenStreetMap extract as OSM XML (.osm, optionally .xz/.gz/.bz2) or GeoJSON; several
are merged (e.g. major and minor roads). The result is written to settings.STREET_INDEX_PATH
(default data/timisoara/streets.json.xz) or --output. The data is ODbL: keep the notice in
data/timisoara/README.md when you publish it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core import geocoder
from core.geocoding import extract


class Command(BaseCommand):
    help = "Build the street index (geocoding, reverse geocoding) from OpenStreetMap extracts."
    requires_system_checks: list[str] = []  # it only reads and writes files

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("extracts", nargs="+", type=Path, help="OSM XML or GeoJSON files (.xz/.gz/.bz2 too)")
        parser.add_argument("--output", type=Path, default=None, help="where to write the index (.json or .json.xz)")
        parser.add_argument("--source", default="", help="what the extract is, recorded in the index")
        parser.add_argument("--simplify", type=float, default=extract.DEFAULT_SIMPLIFY_M,
                            help="line simplification tolerance in metres (default 1)")

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"] or geocoder.index_path()
        contents = []
        for path in options["extracts"]:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            try:
                contents.append(extract.read_extract(path))
            except extract.ExtractError as error:
                raise CommandError(str(error)) from error
        merged = extract.merge(contents)
        source = options["source"] or "OpenStreetMap extract: " + ", ".join(p.name for p in options["extracts"])
        try:
            index = extract.build_index(merged, source=source, simplify_m=options["simplify"])
        except extract.ExtractError as error:
            raise CommandError(str(error)) from error
        size = extract.write_index(index, output)
        geocoder.reset()
        self.stdout.write(f"{len(index['streets'])} streets ({len(merged.lines)} names), "
                          f"{len(index['housenumbers'])} house numbers"
                          + (f" ({merged.skipped_houses} without addr:street skipped)" if merged.skipped_houses
                             else "")
                          + f" → {output} ({size:,} bytes)")
