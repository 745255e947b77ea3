"""The registry rooms publish through: live providers, unique CKAN names, the hook for external datasets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from opendata import registry
from opendata.registry import Dataset, Distribution, Text


def make(name: str, room: str = "external") -> Dataset:
    return Dataset(name=name, room=room, title=Text(ro="Titlu", en="Title"), description=Text(ro="D", en="D"),
                   themes=("GOVE",), distributions=(Distribution(key="csv", title=Text(ro="CSV", en="CSV"),
                                                                 url="/x.csv", media_type="text/csv",
                                                                 file_type="CSV"),))


@pytest.fixture
def external() -> Iterator[list[Dataset]]:
    datasets: list[Dataset] = []

    def provider() -> list[Dataset]:
        return list(datasets)

    registry.register("external", provider)
    yield datasets
    registry.unregister("external", provider)


def test_a_snapshot_is_read_until_a_change_renews_it(external: list[Dataset], db: None) -> None:
    assert registry.get_dataset("harvested-one") is None
    external.append(make("harvested-one"))  # a change no signal reports: the snapshot stands
    assert registry.get_dataset("harvested-one") is None
    registry.invalidate()
    assert registry.get_dataset("harvested-one") == make("harvested-one")
    assert "external" in registry.rooms()
    assert [d.name for d in registry.all_datasets()] == sorted(d.name for d in registry.all_datasets())


def test_every_room_registers_itself() -> None:
    assert {"strategy", "reports", "budgeting", "environment", "participation", "core"} <= set(registry.rooms())


@pytest.mark.parametrize("name", ["A", "x", "has space", "ăîș", "a" * 101, "dot.name"])
def test_a_name_that_is_not_a_ckan_name_is_refused(external: list[Dataset], name: str, db: None) -> None:
    external.append(make(name))
    with pytest.raises(ValueError, match="is not a CKAN name"):
        registry.all_datasets()


def test_two_rooms_may_not_publish_the_same_name(external: list[Dataset], strategy_data: None) -> None:
    external.append(make("strategy-kpis"))
    with pytest.raises(ValueError, match="registered by both"):
        registry.all_datasets()


def test_registering_twice_keeps_one_provider() -> None:
    def provider() -> list[Dataset]:
        return []

    registry.register("twice", provider)
    registry.register("twice", provider)
    assert registry._providers["twice"] == [provider]
    registry.unregister("twice")
    assert "twice" not in registry.rooms()
