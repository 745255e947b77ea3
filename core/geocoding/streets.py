"""The street index: reverse and forward geocoding of one city's addresses (no Django import).

The index file (built by `extract.build_index`, shipped as data/timisoara/streets.json.xz) holds the
city's named streets from OpenStreetMap — one entry per street, i.e. per name and connected piece,
since two villages near the city may each have a "Strada Mihai Eminescu" — with simplified lines, a
point on each street, and house numbers where the extract has them.

Distances are computed on a local equirectangular projection around the city (metres; at a city's
scale its error is far below the precision of a tap on a phone's map). Nearest-street look-ups use a
shapely STRtree.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.strtree import STRtree

from core.geocoding import names

FORMAT = "smartcity-street-index"
FORMAT_VERSION = 1
EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180

HOUSE_RADIUS_M = 40.0    # a house number further than this from the point does not name it
STREET_RADIUS_M = 250.0  # nor does a street further than this (the point is in a field, a park…)
MIN_SCORE = 0.72          # forward matches scoring less are not offered


class IndexError_(ValueError):
    """The index file is not a street index of this format."""


@dataclass(frozen=True)
class Street:
    address_id: str      # stable id built from the name: "strada-gheorghe-lazar" (+ "~2" for a second piece)
    name: str            # as OpenStreetMap writes it
    key: names.StreetKey
    lon: float           # a point on the street, near its middle
    lat: float
    length_m: float


@dataclass(frozen=True)
class Place:
    """A forward geocoding result."""

    label: str            # "Strada Gheorghe Lazăr nr. 2", or the street's name
    lat: float
    lon: float
    kind: str             # "address" (the house number's point) or "street" (a point on the street)
    street: str
    housenumber: str = ""
    address_id: str = ""
    score: float = 1.0
    source: str = "osm"


@dataclass(frozen=True)
class NearestAddress:
    """A reverse geocoding result: the address nearest to a point and how far it is."""

    label: str            # "Strada Gheorghe Lazăr nr. 2" or "Strada Gheorghe Lazăr"
    street: str
    housenumber: str
    distance_m: float
    address_id: str


class Projection:
    """Local metres east and north of an origin (equirectangular)."""

    def __init__(self, lat0: float, lon0: float) -> None:
        self.lat0, self.lon0 = lat0, lon0
        self.kx = METRES_PER_DEGREE * math.cos(math.radians(lat0))
        self.ky = METRES_PER_DEGREE

    def forward(self, lon: Any, lat: Any) -> tuple[Any, Any]:
        return (np.asarray(lon) - self.lon0) * self.kx, (np.asarray(lat) - self.lat0) * self.ky

    def inverse(self, x: float, y: float) -> tuple[float, float]:
        return self.lon0 + x / self.kx, self.lat0 + y / self.ky


def read_bytes(path: Path) -> bytes:
    """A file's bytes, decompressed by its suffix (.xz, .gz, .bz2)."""
    raw = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".xz":
        return lzma.decompress(raw)
    if suffix == ".gz":
        return gzip.decompress(raw)
    if suffix == ".bz2":
        return bz2.decompress(raw)
    return raw


class StreetIndex:
    def __init__(self, data: dict[str, Any]) -> None:
        if data.get("format") != FORMAT or data.get("version") != FORMAT_VERSION:
            raise IndexError_(f"not a {FORMAT} version {FORMAT_VERSION} file")
        self.source: str = data.get("source", "")
        self.licence: str = data.get("licence", "")
        self.attribution: str = data.get("attribution", "")
        raw_streets = data["streets"]
        lats = [s["at"][1] for s in raw_streets] or [0.0]
        lons = [s["at"][0] for s in raw_streets] or [0.0]
        self.projection = Projection(sum(lats) / len(lats), sum(lons) / len(lons))
        self.streets: list[Street] = []
        lines: list[Any] = []
        line_street: list[int] = []
        for position, item in enumerate(raw_streets):
            street_lines = []
            for flat in item["lines"]:
                coords = np.asarray(flat, dtype=float).reshape(-1, 2)
                x, y = self.projection.forward(coords[:, 0], coords[:, 1])
                street_lines.append(shapely.linestrings(np.column_stack([x, y])))
            lines.extend(street_lines)
            line_street.extend([position] * len(street_lines))
            self.streets.append(Street(address_id=item["id"], name=item["name"], key=names.street_key(item["name"]),
                                       lon=item["at"][0], lat=item["at"][1],
                                       length_m=float(sum(line.length for line in street_lines))))
        self._lines = np.asarray(lines, dtype=object)
        self._line_street = np.asarray(line_street, dtype=np.int64)
        self._line_tree = STRtree(self._lines)
        self._by_id = {street.address_id: position for position, street in enumerate(self.streets)}
        self._by_core: dict[str, list[int]] = {}
        for position, street in enumerate(self.streets):
            self._by_core.setdefault(street.key.core, []).append(position)
        self._core_words = {core: tuple(core.split()) for core in self._by_core}
        # House numbers: (street position, number as written, lon, lat).
        self._houses: list[tuple[int, str, float, float]] = [
            (int(street), str(number), float(lon), float(lat)) for street, number, lon, lat in data.get(
                "housenumbers", [])]
        self._house_lookup: dict[tuple[int, str], int] = {}
        for position, (street_position, number, _lon, _lat) in enumerate(self._houses):
            self._house_lookup.setdefault((street_position, names.house_number_key(number)), position)
        if self._houses:
            hx, hy = self.projection.forward([h[2] for h in self._houses], [h[3] for h in self._houses])
            self._house_points = shapely.points(np.column_stack([hx, hy]))
            self._house_tree: STRtree | None = STRtree(self._house_points)
        else:
            self._house_tree = None

    # --- loading -------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> StreetIndex:
        try:
            data = json.loads(read_bytes(path))
        except (OSError, ValueError, lzma.LZMAError) as error:
            raise IndexError_(f"{path.name}: {error}") from error
        if not isinstance(data, dict):
            raise IndexError_(f"{path.name}: not a {FORMAT} file")
        return cls(data)

    @property
    def house_count(self) -> int:
        return len(self._houses)

    # --- reverse geocoding -----------------------------------------------------------------------

    def reverse(self, lat: float, lon: float, *, house_radius_m: float = HOUSE_RADIUS_M,
                street_radius_m: float = STREET_RADIUS_M) -> NearestAddress | None:
        """The nearest house number within house_radius_m, else the nearest street within
        street_radius_m, else None."""
        if not (math.isfinite(lat) and math.isfinite(lon)):
            return None
        x, y = self.projection.forward(lon, lat)
        point = shapely.points(float(x), float(y))
        if self._house_tree is not None:
            found, distances = self._house_tree.query_nearest(point, max_distance=house_radius_m,
                                                              return_distance=True)
            if len(found):
                street_position, number, _lon, _lat = self._houses[int(found[0])]
                street = self.streets[street_position]
                return NearestAddress(label=f"{street.name} nr. {number}", street=street.name, housenumber=number,
                                      distance_m=round(float(distances[0]), 1),
                                      address_id=f"{street.address_id}/{names.house_number_key(number)}")
        found, distances = self._line_tree.query_nearest(point, max_distance=street_radius_m, return_distance=True)
        if not len(found):
            return None
        street = self.streets[int(self._line_street[int(found[0])])]
        return NearestAddress(label=street.name, street=street.name, housenumber="",
                              distance_m=round(float(distances[0]), 1), address_id=street.address_id)

    # --- streets concerned by a drawn shape -------------------------------------------------------

    def streets_along(self, geometry: Any, *, tolerance_m: float = 15.0, min_overlap_m: float = 30.0,
                      point_radius_m: float = 60.0) -> list[Street]:
        """The streets a shape drawn on a map concerns (a WGS84 shapely geometry, lon/lat), longest
        overlap first: for a line drawn along streets, those running within tolerance_m of it for at
        least min_overlap_m (or half the drawn length, when shorter), so that the streets it merely
        crosses are left out; for an area, those with at least min_overlap_m inside it; for a point,
        the nearest street within point_radius_m."""
        projected = shapely.transform(geometry, lambda xy: np.column_stack(self.projection.forward(xy[:, 0], xy[:, 1])))
        overlap: dict[int, float] = {}
        for part in shapely.get_parts(shapely.get_parts(projected)):
            kind = part.geom_type
            if kind == "Point":
                found = self._line_tree.query_nearest(part, max_distance=point_radius_m)
                if len(found):
                    position = int(self._line_street[int(found[0])])
                    overlap[position] = max(overlap.get(position, 0.0), 1.0)
                continue
            area = part.buffer(tolerance_m) if kind == "LineString" else part
            needed = min(min_overlap_m, part.length / 2) if kind == "LineString" else min_overlap_m
            for line_position in self._line_tree.query(area, predicate="intersects"):
                length = float(self._lines[int(line_position)].intersection(area).length)
                position = int(self._line_street[int(line_position)])
                overlap[position] = overlap.get(position, 0.0) + length
            for position, length in list(overlap.items()):
                if 1.0 < length < needed:
                    del overlap[position]
        ranked = sorted(overlap.items(), key=lambda item: -item[1])
        return [self.streets[position] for position, _length in ranked]

    # --- forward geocoding -----------------------------------------------------------------------

    def geocode(self, text: str, *, limit: int = 5) -> list[Place]:
        """Places matching a typed address, best first: exact names, then names whose words the typed
        words begin, then close spellings. A house number the index knows gives its own point."""
        best: dict[int, tuple[float, Place]] = {}
        for rank, variant in enumerate(names.read_query(text[:200])):
            if not variant.core:
                continue
            for position, score in self._match(variant):
                place = self._place(position, variant.number, score - 0.001 * rank)
                if place.kind == "address":
                    score += 0.01
                previous = best.get(position)
                if previous is None or score > previous[0]:
                    best[position] = (score, place)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], -self.streets[item[0]].length_m))
        return [place for _position, (_score, place) in ranked[:limit]]

    def by_address_id(self, address_id: str) -> Place | None:
        """The place an address id names: "strada-x" (the street) or "strada-x/12a" (a house number)."""
        street_id, _, number = address_id.strip().partition("/")
        position = self._by_id.get(street_id)
        if position is None:
            return None
        place = self._place(position, number or None, 1.0)
        if number and place.kind != "address":
            return None
        return place

    def _match(self, variant: names.QueryVariant) -> Iterable[tuple[int, float]]:
        query = variant.core
        query_words = query.split()
        exact = self._by_core.get(query, [])
        for position in exact:
            yield position, self._typed(1.0, variant, position)
        if exact and variant.type is None:
            return
        # Close spellings are looked for only when the name is not found as typed (the costly part).
        matcher = None if exact else SequenceMatcher(None, autojunk=False)
        if matcher is not None:
            matcher.set_seq2(query)  # difflib caches the second sequence: one query against every name
        for core, positions in self._by_core.items():
            if core == query:
                continue
            score = self._similarity(query, query_words, core, self._core_words[core], matcher)
            if score >= MIN_SCORE:
                for position in positions:
                    yield position, self._typed(score, variant, position)

    @staticmethod
    def _similarity(query: str, query_words: Sequence[str], core: str, core_words: tuple[str, ...],
                    matcher: SequenceMatcher[str] | None) -> float:
        remaining = list(core_words)
        for word in query_words:  # every typed word begins a distinct word of the name
            match = next((candidate for candidate in remaining if candidate.startswith(word)), None)
            if match is None:
                break
            remaining.remove(match)
        else:
            return min(0.95, 0.8 + 0.15 * len(query) / max(len(core), 1))
        if matcher is None:
            return 0.0
        shortest, longest = sorted((len(query), len(core)))
        if 2 * shortest / (shortest + longest) < MIN_SCORE / 0.9:  # the ratio's upper bound
            return 0.0
        matcher.set_seq1(core)
        if matcher.quick_ratio() < MIN_SCORE / 0.9:
            return 0.0
        return 0.9 * matcher.ratio()

    def _typed(self, score: float, variant: names.QueryVariant, position: int) -> float:
        """A typed street type that agrees raises the score; one that disagrees lowers it a little
        (people write "Str." for a boulevard)."""
        if variant.type is None:
            return score
        return score + (0.02 if self.streets[position].key.type == variant.type else -0.08)

    def _place(self, position: int, number: str | None, score: float) -> Place:
        street = self.streets[position]
        if number:
            house = self._house_lookup.get((position, names.house_number_key(number)))
            if house is not None:
                _street, written, lon, lat = self._houses[house]
                return Place(label=f"{street.name} nr. {written}", lat=round(lat, 6), lon=round(lon, 6),
                             kind="address", street=street.name, housenumber=written,
                             address_id=f"{street.address_id}/{names.house_number_key(written)}",
                             score=round(score, 3))
        return Place(label=street.name, lat=round(street.lat, 6), lon=round(street.lon, 6), kind="street",
                     street=street.name, address_id=street.address_id, score=round(score, 3))
