"""The street index (core.geocoding, no Django): Romanian spellings, reading OSM XML and GeoJSON
extracts with house numbers, reverse and forward geocoding, and the index shipped for Timișoara."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.geocoding import extract, names
from core.geocoding.streets import StreetIndex

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "data" / "osm"
SHIPPED = ROOT / "data" / "timisoara" / "streets.json.xz"


@pytest.fixture(scope="module")
def osm_index() -> StreetIndex:
    contents = extract.read_extract(FIXTURES / "lazar.osm")
    return StreetIndex(extract.build_index(contents, source="tests"))


@pytest.fixture(scope="module")
def geojson_index() -> StreetIndex:
    contents = extract.read_extract(FIXTURES / "small.geojson")
    return StreetIndex(extract.build_index(contents, source="tests"))


@pytest.fixture(scope="module")
def timisoara() -> StreetIndex:
    return StreetIndex.load(SHIPPED)


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "expected"), [
    ("Piața Unirii", ["piata", "unirii"]),
    ("P-ța Unirii", ["piata", "unirii"]),
    ("PTA. UNIRII", ["piata", "unirii"]),
    ("Ştefan cel Mare", ["stefan", "cel", "mare"]),   # cedilla
    ("Ștefan cel Mare", ["stefan", "cel", "mare"]),   # comma below
    ("B-dul Revoluției", ["bulevardul", "revolutiei"]),
    ("Bd. Revoluției", ["bulevardul", "revolutiei"]),
    ("Bdul.Revolutiei", ["bulevardul", "revolutiei"]),
    ("Str. Gh. Lazăr nr.2", ["strada", "gh", "lazar", "nr", "2"]),
    ("Al. Azurului", ["aleea", "azurului"]),
    ("Cal. Aradului", ["calea", "aradului"]),
])
def test_tokens_fold_diacritics_case_and_abbreviations(typed: str, expected: list[str]) -> None:
    assert names.tokens(typed) == expected


def test_street_key_splits_type_and_core() -> None:
    assert names.street_key("Bulevardul Revoluției din 1989") == names.StreetKey("bulevardul", "revolutiei din 1989")
    assert names.street_key("Saturn") == names.StreetKey(None, "saturn")


@pytest.mark.parametrize(("typed", "first"), [
    ("Strada Gheorghe Lazăr nr. 2", ("strada", "gheorghe lazar", "2", True)),
    ("Gheorghe Lazăr 2, Timișoara", (None, "gheorghe lazar", "2", False)),
    ("Gheorghe Lazăr 10 A", (None, "gheorghe lazar", "10a", False)),
    ("Strada 16 Decembrie 1989", ("strada", "16 decembrie", "1989", False)),
    ("str. lazar, nr 7, ap. 3", ("strada", "lazar", "7", True)),
])
def test_read_query_finds_the_house_number(typed: str, first: tuple[object, ...]) -> None:
    variant = names.read_query(typed)[0]
    assert (variant.type, variant.core, variant.number, variant.explicit_number) == first


def test_a_trailing_number_is_read_both_ways() -> None:
    """'16 Decembrie 1989' is a street name: both readings are offered and the index decides."""
    variants = names.read_query("Strada 16 Decembrie 1989")
    assert [v.core for v in variants] == ["16 decembrie", "16 decembrie 1989"]


# --- reading extracts ----------------------------------------------------------------------------


def test_osm_xml_extract(osm_index: StreetIndex) -> None:
    contents = extract.read_extract(FIXTURES / "lazar.osm")
    assert set(contents.lines) == {"Strada Gheorghe Lazăr", "Strada Mărășești", "Strada Florilor"}  # not "proposed"
    assert contents.skipped_houses == 1  # nr. 99 has no addr:street
    assert sorted(number for _street, number, _lon, _lat in contents.houses) == ["10A", "2", "3", "7"]
    ids = sorted(street.address_id for street in osm_index.streets)
    assert ids == ["strada-florilor", "strada-florilor~2", "strada-gheorghe-lazar", "strada-marasesti"]
    assert osm_index.house_count == 4


def test_geojson_extract(geojson_index: StreetIndex) -> None:
    assert sorted(street.name for street in geojson_index.streets) == [
        "Bulevardul Mihai Viteazu", "Calea Aradului", "Piața Alexandru Mocioni"]
    place = geojson_index.geocode("Bulevardul Mihai Viteazu 1")[0]
    assert (place.kind, place.label) == ("address", "Bulevardul Mihai Viteazu nr. 1")  # from "Bd. Mihai Viteazu"
    place = geojson_index.geocode("Calea Aradului nr. 12b")[0]
    assert (place.kind, place.housenumber) == ("address", "12 B")


def test_unreadable_extracts_say_why(tmp_path: Path) -> None:
    broken = tmp_path / "broken.osm"
    broken.write_text("<osm><node id='1' lat='45' lon='21'></osm>")
    with pytest.raises(extract.ExtractError, match="OSM XML"):
        extract.read_extract(broken)
    other = tmp_path / "other.geojson"
    other.write_text('{"type": "Feature"}')
    with pytest.raises(extract.ExtractError, match="FeatureCollection"):
        extract.read_extract(other)
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(extract.ExtractError, match="no named streets"):
        extract.build_index(extract.read_extract(empty), source="x")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(extract.ExtractError, match="neither"):
        extract.read_extract(text)


def test_written_index_loads_back(tmp_path: Path, osm_index: StreetIndex) -> None:
    index = extract.build_index(extract.read_extract(FIXTURES / "lazar.osm"), source="tests")
    path = tmp_path / "streets.json.xz"
    size = extract.write_index(index, path)
    assert size == path.stat().st_size
    loaded = StreetIndex.load(path)
    assert [s.address_id for s in loaded.streets] == [s.address_id for s in osm_index.streets]
    assert loaded.licence == "ODbL-1.0" and "OpenStreetMap" in loaded.attribution


# --- reverse geocoding ---------------------------------------------------------------------------


def test_reverse_names_the_nearest_house_number(osm_index: StreetIndex) -> None:
    found = osm_index.reverse(45.75897, 21.22128)
    assert found is not None
    assert found.label == "Strada Gheorghe Lazăr nr. 2" and found.housenumber == "2"
    assert found.distance_m < 5
    assert found.address_id == "strada-gheorghe-lazar/2"


def test_reverse_falls_back_to_the_street_then_to_nothing(osm_index: StreetIndex) -> None:
    # 60 m south of the middle of Strada Mărășești, far from its house number: the street, with the distance.
    found = osm_index.reverse(45.755625 - 0.0006, 21.2265)
    assert found is not None and found.label == "Strada Mărășești" and found.housenumber == ""
    assert 50 < found.distance_m < 90
    assert osm_index.reverse(45.73, 21.30) is None  # in the fields, far from any street
    assert osm_index.reverse(float("nan"), 21.2) is None


# --- forward geocoding ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [
    "Strada Gheorghe Lazăr", "strada gheorghe lazar", "STR. GHEORGHE LAZAR", "Str Gh Lazar", "Gheorghe Lazăr",
    "gheorghe-lazar", "lazar", "Strada Gheorghe Lazar, Timisoara",
])
def test_forward_tolerates_spellings(osm_index: StreetIndex, typed: str) -> None:
    place = osm_index.geocode(typed)[0]
    assert place.street == "Strada Gheorghe Lazăr" and place.kind == "street"


def test_forward_gives_the_house_numbers_point(osm_index: StreetIndex) -> None:
    place = osm_index.geocode("Str. Gheorghe Lazăr nr. 10a")[0]
    assert place.kind == "address" and place.label == "Strada Gheorghe Lazăr nr. 10A"
    assert place.address_id == "strada-gheorghe-lazar/10a"
    assert abs(place.lat - 45.7609) < 0.0002 and abs(place.lon - 21.2170) < 0.0002
    unknown = osm_index.geocode("Strada Gheorghe Lazăr 500")[0]
    assert unknown.kind == "street" and unknown.label == "Strada Gheorghe Lazăr"  # a point on the street


def test_forward_close_spelling_and_nothing(osm_index: StreetIndex) -> None:
    assert osm_index.geocode("Strada Marasesti")[0].street == "Strada Mărășești"
    assert osm_index.geocode("Strada Mărăşeşti")[0].street == "Strada Mărășești"  # cedillas
    assert osm_index.geocode("Strada Mărășeșt")[0].street == "Strada Mărășești"  # a letter short
    assert osm_index.geocode("Bulevardul Nicăieri") == []
    assert osm_index.geocode("") == [] and osm_index.geocode("Strada") == []


def test_namesake_streets_are_both_offered(osm_index: StreetIndex) -> None:
    found = osm_index.geocode("Strada Florilor")
    assert sorted(p.address_id for p in found) == ["strada-florilor", "strada-florilor~2"]
    assert {round(p.lat, 1) for p in found} == {45.7, 45.8}


def test_address_ids(osm_index: StreetIndex) -> None:
    place = osm_index.by_address_id("strada-gheorghe-lazar/7")
    assert place is not None and place.label == "Strada Gheorghe Lazăr nr. 7"
    street = osm_index.by_address_id("strada-marasesti")
    assert street is not None and street.kind == "street"
    assert osm_index.by_address_id("strada-marasesti/1000") is None
    assert osm_index.by_address_id("no-such-street") is None


# --- the shipped index -----------------------------------------------------------------------------


def test_shipped_index_is_small_and_attributed(timisoara: StreetIndex) -> None:
    assert SHIPPED.stat().st_size < 1_000_000
    assert timisoara.licence == "ODbL-1.0" and "OpenStreetMap" in timisoara.attribution
    assert len(timisoara.streets) > 1500


@pytest.mark.parametrize(("typed", "street"), [
    ("Str. Gheorghe Lazăr 2", "Strada Gheorghe Lazăr"),
    ("bd mihai viteazu", "Bulevardul Mihai Viteazu"),
    ("B-dul Revoluției din 1989", "Bulevardul Revoluției din 1989"),
    ("Calea Aradului", "Calea Aradului"),
    ("calea sagului", "Calea Șagului"),
    ("Bd. C.D. Loga", "Bulevardul Constantin Diaconovici Loga"),
    ("Bulevardul 16 Decembrie 1989", "Bulevardul 16 Decembrie 1989"),
    ("Piața Alexandru Mocioni", "Piața Alexandru Mocioni"),
    ("str. timis 39", "Strada Timiș"),  # the county's name is a street's name too
])
def test_shipped_index_finds_timisoara_streets(timisoara: StreetIndex, typed: str, street: str) -> None:
    place = timisoara.geocode(typed)[0]
    assert place.street == street
    assert 45.68 < place.lat < 45.82 and 21.12 < place.lon < 21.34


def test_shipped_index_reverse_geocodes_the_centre(timisoara: StreetIndex) -> None:
    found = timisoara.reverse(45.7489, 21.2087)  # on Bulevardul General Ion Dragalina
    assert found is not None and found.street == "Bulevardul General Ion Dragalina" and found.distance_m < 20
