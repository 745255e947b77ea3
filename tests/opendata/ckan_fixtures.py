"""A synthetic catalogue for the CKAN API tests: the registry's providers replaced by one that gives
`count` datasets over three rooms, restored afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from opendata import registry
from opendata.registry import DataService, Dataset, Distribution, Text

ROOMS = ("environment", "reports", "budgeting")
THEMES = {"environment": ("ENVI",), "reports": ("GOVE", "REGI"), "budgeting": ("GOVE", "ECON")}
START = datetime(2026, 1, 1, tzinfo=UTC)


def synthetic_dataset(number: int) -> Dataset:
    room = ROOMS[number % len(ROOMS)]
    csv = Distribution(key="csv", title=Text(ro=f"Tabel {number}", en=f"Table {number}"),
                       url=f"/data/{room}/table-{number}.csv", media_type="text/csv", file_type="CSV",
                       byte_size=1000 + number, modified=START + timedelta(hours=number))
    json_download = Distribution(key="json", title=Text(ro=f"JSON {number}", en=f"JSON {number}"),
                                 url=f"/api/v1/{room}/{number}.json", media_type="application/json",
                                 file_type="JSON")
    return Dataset(
        name=f"set-{number:05d}", room=room,
        title=Text(ro=f"Setul de date {number} despre {room}", en=f"Dataset {number} about {room}"),
        description=Text(ro=f"Descriere în română {number}", en=f"English description {number}"),
        themes=THEMES[room], tags=(room, f"tag{number % 7}", "timișoara"), frequency="DAILY",
        issued=START, modified=START + timedelta(hours=number),
        distributions=(csv, json_download) if number % 2 == 0 else (csv,),
        services=(DataService(key="api", title=Text(ro="API", en="API"), endpoint_url=f"/api/v1/{room}/"),)
        if room == "reports" else (),
        hvd_category="c_dd313021" if room == "environment" else None,
        temporal_start=date(2025, 1, 1),
    )


@contextmanager
def synthetic_catalogue(count: int, *, keep_external: bool = True) -> Iterator[list[Dataset]]:
    """Replace every room's provider by `count` synthetic datasets (harvested ones stay if asked)."""
    saved = {room: list(providers) for room, providers in registry._providers.items()}
    datasets = [synthetic_dataset(number) for number in range(count)]
    for room in list(registry._providers):
        if not (keep_external and room == "external"):
            registry.unregister(room)

    def provider() -> list[Dataset]:
        return datasets

    registry.register("synthetic", provider)
    try:
        yield datasets
    finally:
        registry._providers.clear()
        registry._providers.update(saved)
