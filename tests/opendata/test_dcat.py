"""DCAT-AP 3.0.1: the catalogue and every dataset in Turtle, RDF/XML and JSON-LD, validated with pyshacl against
the official shapes (tests/data/dcat-ap-3.0.1: shapes.ttl + range.ttl + mdr-vocabularies.shape.ttl), with
ckanext-dcat's paging (page, modified_since, Hydra) and EU vocabularies, HVD properties where they apply."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SH

from opendata import registry
from opendata.registry import Dataset, Distribution, Text
from tests.opendata.conftest import media_type

pytestmark = pytest.mark.django_db
SHAPES = Path(__file__).resolve().parents[1] / "data" / "dcat-ap-3.0.1"
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
BASE = "http://testserver"


def shapes() -> Graph:
    graph = Graph()
    for name in ("shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl"):
        graph.parse(SHAPES / name, format="turtle")
    return graph


def violations(data: Graph) -> list[str]:
    _conforms, report, _text = validate(data, shacl_graph=shapes(), advanced=True, allow_warnings=True)
    found = []
    # Top-level results only: a warning's sh:detail (e.g. "the publisher is not in the EU corporate-body
    # table", a warning) carries the nested shape's own severity and is not a violation of the profile.
    [root] = list(report.subjects(RDF.type, SH.ValidationReport))
    for result in report.objects(root, SH.result):
        if report.value(result, SH.resultSeverity) == SH.Violation:
            found.append(f"{report.value(result, SH.focusNode)} {report.value(result, SH.resultPath)}: "
                         f"{report.value(result, SH.resultMessage)}")
    return found


def fetch(client: Client, path: str, rdf_format: str) -> Graph:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    expected = {"turtle": "text/turtle", "xml": "application/rdf+xml", "json-ld": "application/ld+json"}
    assert media_type(response) == expected[rdf_format]
    return Graph().parse(data=response.content, format=rdf_format)


def test_the_whole_catalogue_conforms_to_dcat_ap_3(demo_everywhere: None) -> None:
    client = Client()
    graph = fetch(client, "/catalog.ttl", "turtle")
    assert violations(graph) == []
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == len(registry.all_datasets())
    # The same graph in every serialisation.
    for suffix, rdf_format in (("rdf", "xml"), ("jsonld", "json-ld")):
        assert len(fetch(client, f"/catalog.{suffix}", rdf_format)) == len(graph)
    air = URIRef(f"{BASE}/dataset/air-quality-aggregates")
    assert (air, DCATAP.applicableLegislation, URIRef("http://data.europa.eu/eli/reg_impl/2023/138/oj")) in graph
    assert (air, DCATAP.hvdCategory, URIRef("http://data.europa.eu/bna/c_dd313021")) in graph
    assert (air, DCAT.theme, URIRef("http://publications.europa.eu/resource/authority/data-theme/ENVI")) in graph
    licences = set(graph.objects(None, DCTERMS.license))
    assert URIRef("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0") in licences
    assert URIRef("http://publications.europa.eu/resource/authority/licence/ODC_BL") in licences  # OSM polygons
    reports = URIRef(f"{BASE}/dataset/problem-reports")
    services = set(graph.objects(None, DCAT.service))
    assert any((service, DCAT.servesDataset, reports) in graph and
               (service, DCAT.endpointURL, URIRef(f"{BASE}/open311/v2/")) in graph for service in services)


def test_every_dataset_conforms_in_every_format(demo_everywhere: None) -> None:
    client = Client()
    for dataset in registry.all_datasets():
        graph = fetch(client, f"/dataset/{dataset.name}.ttl", "turtle")
        assert violations(graph) == [], dataset.name
        for suffix, rdf_format in (("rdf", "xml"), ("jsonld", "json-ld")):
            assert len(fetch(client, f"/dataset/{dataset.name}.{suffix}", rdf_format)) == len(graph)


@pytest.fixture
def many() -> Iterator[list[Dataset]]:
    """250 synthetic datasets, registered as rooms register theirs."""
    moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    datasets = [Dataset(name=f"synthetic-{n:04d}", room="external", title=Text(ro=f"Set {n}", en=f"Set {n}"),
                        description=Text(ro="Sintetic", en="Synthetic"), themes=("GOVE",),
                        modified=moment + dt.timedelta(days=n),
                        distributions=(Distribution(key="csv", title=Text(ro="CSV", en="CSV"), url=f"/s/{n}.csv",
                                                    media_type="text/csv", file_type="CSV"),))
                for n in range(250)]

    def provider() -> list[Dataset]:
        return datasets

    registry.register("external", provider)
    yield datasets
    registry.unregister("external", provider)


def paging(graph: Graph) -> dict[str, Any]:
    [node] = list(graph.subjects(RDF.type, HYDRA.PagedCollection))
    return {name: graph.value(node, HYDRA[name]).toPython() if graph.value(node, HYDRA[name]) is not None else None
            for name in ("totalItems", "itemsPerPage", "firstPage", "lastPage", "nextPage", "previousPage")}


def test_pages_of_100_with_hydra_links(many: list[Dataset], db: None) -> None:
    client = Client()
    total = len(registry.all_datasets())
    names = []
    page, pages = 1, 0
    while True:
        graph = fetch(client, f"/catalog.ttl?page={page}", "turtle")
        info = paging(graph)
        assert info["totalItems"] == total and info["itemsPerPage"] == 100
        names += [str(graph.value(d, DCTERMS.identifier)) for d in graph.subjects(RDF.type, DCAT.Dataset)]
        pages += 1
        if info["nextPage"] is None:
            break
        assert info["nextPage"].endswith(f"page={page + 1}")
        page += 1
    assert pages == -(-total // 100) and sorted(names) == sorted(d.name for d in registry.all_datasets())
    assert paging(fetch(client, "/catalog.ttl?page=2", "turtle"))["previousPage"].endswith("page=1")


def test_modified_since_keeps_the_newer_datasets(many: list[Dataset], db: None) -> None:
    graph = fetch(Client(), "/catalog.jsonld?modified_since=2026-08-01", "json-ld")
    names = {str(graph.value(d, DCTERMS.identifier)) for d in graph.subjects(RDF.type, DCAT.Dataset)}
    expected = {d.name for d in many if d.modified and d.modified >= dt.datetime(2026, 8, 1, tzinfo=dt.UTC)}
    assert expected and expected <= names
    assert "synthetic-0000" not in names
    assert paging(graph)["nextPage"] is None or "modified_since=2026-08-01" in paging(graph)["nextPage"]


@pytest.mark.parametrize("query, field", [("page=0", "page"), ("page=-1", "page"), ("page=abc", "page"),
                                          ("page=99999", "page"), ("modified_since=yesterday", "modified_since"),
                                          ("modified_since=2026-13-45", "modified_since")])
def test_bad_parameters_are_400_naming_the_field(query: str, field: str, strategy_data: None) -> None:
    response = Client().get(f"/catalog.ttl?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_unknown_dataset_is_404(db: None) -> None:
    assert Client().get("/dataset/no-such-thing.ttl").status_code == 404
    assert Client().get("/dataset/no-such-thing/datapackage.json").status_code == 404


def test_the_catalogue_reads_a_bounded_number_of_queries(demo_everywhere: None,
                                                        django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(40):
        assert Client().get("/catalog.ttl").status_code == 200


def test_a_dataset_with_a_geometry_states_its_location(db: None) -> None:
    """dct:spatial: the city's GeoNames place and a dct:Location with locn:geometry and dcat:bbox (GeoSPARQL
    WKT literals), as DCAT-AP 3 recommends; still 0 violations."""
    triangle = {"type": "Polygon", "coordinates": [[[21.2, 45.7], [21.3, 45.7], [21.25, 45.8], [21.2, 45.7]]]}
    located = Dataset(name="located", room="external", title=Text(ro="Loc", en="Place"),
                      description=Text(ro="Cu geometrie", en="With a geometry"), themes=("REGI",),
                      spatial_geometry=triangle,
                      distributions=(Distribution(key="csv", title=Text(ro="CSV", en="CSV"), url="/l.csv",
                                                  media_type="text/csv", file_type="CSV"),))

    def provider() -> list[Dataset]:
        return [located]

    registry.register("external", provider)
    try:
        graph = fetch(Client(), "/dataset/located.ttl", "turtle")
    finally:
        registry.unregister("external", provider)
    locn, gsp = Namespace("http://www.w3.org/ns/locn#"), Namespace("http://www.opengis.net/ont/geosparql#")
    places = set(graph.objects(URIRef(f"{BASE}/dataset/located"), DCTERMS.spatial))
    assert URIRef("https://sws.geonames.org/665087/") in places
    [location] = [place for place in places if (place, RDF.type, DCTERMS.Location) in graph and
                  graph.value(place, locn.geometry) is not None]
    geometry, bbox = graph.value(location, locn.geometry), graph.value(location, DCAT.bbox)
    assert geometry.datatype == gsp.wktLiteral and str(geometry).startswith("POLYGON ((21.2 45.7")
    assert bbox.datatype == gsp.wktLiteral
    assert str(bbox) == "POLYGON((21.2 45.7, 21.3 45.7, 21.3 45.8, 21.2 45.8, 21.2 45.7))"
    assert violations(graph) == []
