"""The catalogue's snapshot (opendata/registry.py): a bounded number of queries whatever the number of datasets
(no query per dataset on the API, the DCAT page or the HTML catalogue), none at all once built, and renewed
by the writes of the rooms' models, by (un)registering and by its lifetime."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import AuditEntry, Neighbourhood
from opendata import registry
from opendata.registry import Dataset, Distribution, Text

pytestmark = pytest.mark.django_db
MOMENT = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def synthetic(count: int) -> list[Dataset]:
    return [Dataset(name=f"counted-{n:03d}", room="external", title=Text(ro=f"Set {n}", en=f"Set {n}"),
                    description=Text(ro="Sintetic", en="Synthetic"), themes=("GOVE",), tags=("counted",),
                    modified=MOMENT + dt.timedelta(days=n),
                    distributions=(Distribution(key="csv", title=Text(ro="CSV", en="CSV"), url=f"/s/{n}.csv",
                                                media_type="text/csv", file_type="CSV"),))
            for n in range(count)]


@pytest.fixture
def sized() -> Iterator[list[Dataset]]:
    """A provider that reads the database once (as a room's does) and gives the datasets in the list."""
    datasets: list[Dataset] = []

    def provider() -> list[Dataset]:
        Neighbourhood.objects.exists()  # the provider's own query
        return list(datasets)

    registry.register("external", provider)
    yield datasets
    registry.unregister("external", provider)


READS = {
    "package_search": "/api/3/action/package_search?rows=1000&facet.field=[\"organization\",\"tags\"]",
    "package_show": "/api/3/action/package_show?id=counted-003",
    "catalog.ttl": "/catalog.ttl",
    "dataset.ttl": "/dataset/counted-003.ttl",
    "catalogue page": "/ro/date-deschise/",
}


def queries(path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = Client().get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)


@pytest.mark.parametrize("read", READS)
def test_queries_do_not_grow_with_the_number_of_datasets(sized: list[Dataset], read: str) -> None:
    counts = {}
    for size in (5, 50):
        sized[:] = synthetic(size)
        registry.invalidate()  # cold: the providers called, everything derived built again
        counts[size] = queries(READS[read])
    assert counts[5] == counts[50], counts


@pytest.mark.parametrize("read", ["package_search", "package_show", "catalog.ttl", "dataset.ttl"])
def test_a_built_snapshot_answers_without_a_query(sized: list[Dataset], read: str) -> None:
    sized[:] = synthetic(20)
    queries(READS[read])
    assert queries(READS[read]) == 0


def test_a_write_of_a_source_model_renews_the_snapshot(strategy_data: None) -> None:
    before = registry.snapshot()
    assert registry.snapshot() is before
    AuditEntry.objects.create(actor_label="test", action="opendata.test", target_id="1")
    assert registry.snapshot() is before  # core's audit entries feed no dataset: only its neighbourhoods do
    Neighbourhood.objects.create(slug="test-area", name="Test", min_lon=21.2, min_lat=45.7, max_lon=21.3,
                                 max_lat=45.8, geometry={"type": "Polygon", "coordinates": []})
    renewed = registry.snapshot()
    assert renewed is not before
    assert registry.get_dataset("neighbourhoods") is not None


def test_registering_and_the_lifetime_renew_it(settings: Any, monkeypatch: Any, db: None) -> None:
    before = registry.snapshot()
    datasets = synthetic(1)
    provider = lambda: datasets  # noqa: E731
    registry.register("external", provider)
    try:
        assert registry.get_dataset("counted-000") is not None
    finally:
        registry.unregister("external", provider)
    assert registry.get_dataset("counted-000") is None
    kept = registry.snapshot()
    assert kept is not before
    assert registry.snapshot() is kept
    later = time.monotonic() + settings.OPENDATA_SNAPSHOT_SECONDS + 1  # its lifetime over (no sleep: a clock)
    monkeypatch.setattr(registry.time, "monotonic", lambda: later)
    assert registry.snapshot() is not kept
    settings.OPENDATA_SNAPSHOT_SECONDS = 0  # off: every read calls the providers
    assert registry.snapshot() is not registry.snapshot()
