"""OpenStreetMap import (OSM XML and Overpass JSON), the reference data and the demo."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from resources import osm
from resources.models import FundingProgramme, MapItem, Organisation

DATA = Path(__file__).resolve().parent.parent / "data" / "osm-resources"


def test_osm_xml_keeps_named_features_of_our_kinds() -> None:
    features = {f.ref: f for f in osm.read(DATA / "timisoara-sample.osm")}
    assert set(features) == {"node/1001", "node/1002", "way/3001"}  # bench and unnamed cinema left out
    theatre = features["node/1001"]
    assert (theatre.kind, theatre.address, theatre.website) == ("cultural", "Strada Mărășești 2",
                                                                "https://www.tntimisoara.com/")
    university = features["way/3001"]
    assert university.kind == "university" and university.website == ""  # javascript: refused
    assert university.latitude == pytest.approx((45.7470 * 2 + 45.7474 + 45.7468) / 4)


def test_overpass_json_uses_centres_and_skips_broken_elements() -> None:
    features = {f.ref: f for f in osm.read(DATA / "timisoara-sample.json")}
    assert set(features) == {"node/1001", "node/1005", "way/3002", "node/1006"}
    assert features["way/3002"].kind == "public" and features["node/1006"].kind == "ngo"


def test_hostile_files_are_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.osm"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY a "aaaa">]><osm>&a;</osm>')
    with pytest.raises(osm.OSMError):
        osm.read(bomb)
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"type": "FeatureCollection"}')
    with pytest.raises(osm.OSMError):
        osm.read(wrong)


@pytest.mark.django_db
def test_import_command_is_idempotent_and_places_organisations_on_the_map() -> None:
    out = io.StringIO()
    call_command("import_osm_resources", str(DATA / "timisoara-sample.osm"), stdout=out)
    assert "ODbL" in out.getvalue()
    call_command("import_osm_resources", str(DATA / "timisoara-sample.json"), stdout=io.StringIO())
    call_command("import_osm_resources", str(DATA / "timisoara-sample.json"), stdout=io.StringIO())
    imported = Organisation.objects.filter(source="osm")
    assert imported.count() == 6
    theatre = imported.get(source_ref="node/1001")
    assert theatre.locations.count() == 1 and not theatre.verified
    assert MapItem.objects.filter(layer="organisation", object_id=theatre.pk, latitude__isnull=False).count() == 1
    with pytest.raises(CommandError):
        call_command("import_osm_resources", "/nonexistent.osm")


@pytest.mark.django_db
def test_the_import_does_not_duplicate_the_reference_institutions() -> None:
    from resources import reference

    reference.load_institutions()
    before = Organisation.objects.count()
    out = io.StringIO()
    call_command("import_osm_resources", str(DATA / "timisoara-sample.osm"), stdout=out)
    # The sample's theatre, county library and West University are reference entries already; the bank is
    # not a kind we import: nothing new, and the reference entries keep their names and sources.
    assert "3 already in the registry" in out.getvalue()
    assert Organisation.objects.count() == before and not Organisation.objects.filter(source="osm").exists()
    theatre = Organisation.objects.get(slug="teatrul-national-timisoara")
    assert theatre.source == "city"
    assert MapItem.objects.filter(title__startswith="Teatrul Național").count() == 1
    # The street index cannot place Piața Libertății (no squares in it; not "Strada Libertății" either): the
    # OpenStreetMap feature's position is given to the library's entry, which keeps its published address.
    library = Organisation.objects.get(slug="biblioteca-judeteana-timis").locations.get()
    assert library.address == "Piața Libertății 3" and library.latitude == pytest.approx(45.7577)
    # The street index's only Strada Mărășești is a namesake far from the theatre: the building's position wins,
    # and loading the reference data again keeps it.
    reference.load_institutions()
    location = theatre.locations.get()
    assert (location.source_ref, location.address, location.latitude) == ("node/1001", "Strada Mărășești 2", 45.7541)
    assert MapItem.objects.get(layer="organisation", object_id=theatre.pk).latitude == pytest.approx(45.7541)


@pytest.mark.django_db
def test_a_square_is_not_placed_on_a_street_of_the_same_name() -> None:
    from resources import services

    assert services.place("Piața Unirii 1") == (None, None, None)  # the index knows only Strada Unirii
    latitude, _longitude, _neighbourhood = services.place("Strada Paris 2")
    assert latitude == pytest.approx(45.7558, abs=0.01)


@pytest.mark.django_db
def test_reference_and_demo_data_load_twice_and_the_demo_goes_away() -> None:
    from resources import demo

    demo.load_demo_data(io.StringIO())
    demo.load_demo_data(io.StringIO())
    seed_programmes = FundingProgramme.objects.filter(is_demo=False)
    assert seed_programmes.count() == 15
    horizon = seed_programmes.get(slug="horizon-europe")
    assert (horizon.title_ro, horizon.title_en) == ("Orizont Europa", "Horizon Europe")
    assert "Funding Approach" in horizon.source
    assert horizon.strategy_programme is not None and horizon.strategy_programme.code == "horizon-europe"
    assert seed_programmes.filter(strategy_programme__isnull=True).count() == 0  # all 15 of the seed's list
    institutions = Organisation.objects.filter(source="city", is_demo=False)
    assert institutions.count() == 11 and all(o.verified for o in institutions)
    placed = MapItem.objects.filter(layer="organisation", is_demo=False, latitude__isnull=False).count()
    # Street-level positions from the street index; the four on squares (Piața ...) are not in it and stay off
    # the map rather than on a street of the same name (import_osm_resources can place them).
    assert placed == 7
    assert MapItem.objects.filter(is_demo=True, layer="space").count() == 3
    # A person finds a demo call whose deadline is in the next calendar month, whatever the day of loading.
    from resources import selectors

    window = selectors.deadline_window("next_month", timezone.localdate())
    assert window is not None
    for_a_person = selectors.find_funding(FundingProgramme.objects.filter(published=True), who="person",
                                          deadline_in="next_month")
    assert [p.slug for p in for_a_person] == ["demo-microgranturi-locuitori"]
    demo.remove_demo_data(io.StringIO())
    assert not MapItem.objects.filter(is_demo=True).exists()
    assert FundingProgramme.objects.count() == 15 and institutions.count() == 11


def test_load_demo_data_is_wired(settings: Any) -> None:
    from core.demo_rooms import demo_modules

    assert "resources.demo" in {module.__name__ for module in demo_modules()}


@pytest.mark.django_db
def test_the_room_registers_its_dataset_with_the_catalogue(client: Any) -> None:
    from opendata.registry import get_dataset

    dataset = get_dataset("city-resources")
    assert dataset is not None and dataset.licence == "ODC_BL"
    for distribution in dataset.distributions:
        assert client.get(distribution.url).status_code == 200
    assert client.get(dataset.services[0].endpoint_url).json()["version"] == "3.0"
