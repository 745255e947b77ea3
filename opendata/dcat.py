"""DCAT-AP 3.0.1: one RDF graph of the catalogue, serialised to Turtle, RDF/XML and JSON-LD.

As ckanext-dcat's profiles do, the datasets are described once (`dataset_triples`) and every endpoint
serialises the same graph. Every vocabulary concept the graph points to is typed and placed in its EU
scheme (`skos:inScheme`), so a validator needs nothing but this output and the official shapes.
Paging follows ckanext-dcat: `?page=N` (100 datasets a page) with a Hydra PagedCollection node.

Speed: a dataset's triples are built once and reused while the dataset is unchanged (they depend on
nothing else but the site's base URL), and Turtle is written straight from the triples (`turtle`)
rather than through rdflib's serializer, which spent most of a 100-dataset page's time sorting and
abbreviating. RDF/XML and JSON-LD go through an rdflib Graph as before.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD
from rdflib.term import Identifier
from shapely.geometry import shape

from opendata import vocabularies as voc
from opendata.registry import DataService, Dataset, Distribution, Text

DCATAP = Namespace("http://data.europa.eu/r5r/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
PREFIXES: tuple[tuple[str, Any], ...] = (  # rdflib's closed namespaces and plain ones alike
    ("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", VCARD), ("dcatap", DCATAP), ("hydra", HYDRA),
    ("eli", ELI), ("skos", SKOS), ("locn", LOCN), ("adms", ADMS), ("gsp", GSP), ("rdf", Namespace(str(RDF))),
    ("xsd", Namespace(str(XSD))),
)
Triple = tuple[Identifier, Identifier, Identifier]

PAGE_SIZE = 100
SCHEME_TITLES = {
    voc.FILE_TYPE_SCHEME: "File types", voc.LANGUAGE_SCHEME: "Languages", voc.THEME_SCHEME: "Data themes",
    voc.LICENCE_SCHEME: "Licences", voc.FREQUENCY_SCHEME: "Frequencies", voc.ACCESS_RIGHT_SCHEME: "Access rights",
    voc.HVD_CATEGORY_SCHEME: "High-value dataset categories", voc.PUBLISHER_TYPE_SCHEME: "Publisher types",
}
FORMATS = {  # URL suffix → (rdflib format, media type)
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
}


def publisher_name() -> Text:
    return Text(ro=getattr(settings, "OPENDATA_PUBLISHER_RO", "Primăria Municipiului Timișoara"),
                en=getattr(settings, "OPENDATA_PUBLISHER_EN", "Timișoara City Hall"))


@dataclass(frozen=True)
class Page:
    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))


class _Builder:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.triples: dict[Triple, None] = {}  # a set that keeps the order triples were added in
        self.services: list[URIRef] = []
        self.publisher = URIRef(f"{self.base}/#publisher")
        self.contact = URIRef(f"{self.base}/#contact-point")

    def add(self, triple: Triple) -> None:
        self.triples[triple] = None

    def add_all(self, triples: Iterable[Triple]) -> None:
        self.triples.update(dict.fromkeys(triples))

    def absolute(self, path: str) -> URIRef:
        return URIRef(path if path.startswith(("http://", "https://")) else f"{self.base}{path}")

    def texts(self, subject: URIRef | BNode, predicate: URIRef, text: Text) -> None:
        for language, value in (("ro", text.ro), ("en", text.en)):
            if value:
                self.add((subject, predicate, Literal(value, lang=language)))

    def concept(self, uri: str, scheme: str, *classes: URIRef, label: str | None = None) -> URIRef:
        node = URIRef(uri)
        self.add((node, RDF.type, SKOS.Concept))
        for cls in classes:
            self.add((node, RDF.type, cls))
        self.add((node, SKOS.inScheme, URIRef(scheme)))
        self.scheme(scheme)
        # DCAT-AP wants a label on every concept and a title on every scheme it uses.
        self.add((node, SKOS.prefLabel, Literal(label or uri.rstrip("/").rsplit("/", 1)[-1], lang="en")))
        return node

    def scheme(self, uri: str) -> URIRef:
        node = URIRef(uri)
        self.add((node, RDF.type, SKOS.ConceptScheme))
        self.add((node, DCTERMS.title, Literal(SCHEME_TITLES.get(uri, uri.rstrip("/").rsplit("/", 1)[-1]),
                                                     lang="en")))
        return node

    def when(self, value: dt.datetime | dt.date) -> Literal:
        if isinstance(value, dt.datetime):
            return Literal(value.astimezone(dt.UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
        return Literal(value.isoformat(), datatype=XSD.date)

    def agents(self) -> None:
        self.add((self.publisher, RDF.type, FOAF.Agent))
        self.add((self.publisher, RDF.type, FOAF.Organization))
        self.texts(self.publisher, FOAF.name, publisher_name())
        self.add((self.publisher, DCTERMS.type, self.concept(
            voc.PUBLISHER_TYPE_LOCAL_AUTHORITY, voc.PUBLISHER_TYPE_SCHEME, label="Local Authority")))
        self.add((self.publisher, FOAF.homepage, self.document(f"{self.base}/")))
        self.add((self.contact, RDF.type, VCARD.Kind))
        self.add((self.contact, RDF.type, VCARD.Organization))
        self.add((self.contact, VCARD.fn, Literal(f"{settings.SITE_NAME} — open data")))
        self.add((self.contact, VCARD.hasURL, URIRef(f"{self.base}/ro/date-deschise/")))
        email = getattr(settings, "OPENDATA_CONTACT_EMAIL", "")
        if email:
            self.add((self.contact, VCARD.hasEmail, URIRef(f"mailto:{email}")))

    def document(self, url: str) -> URIRef:
        node = URIRef(url)
        self.add((node, RDF.type, FOAF.Document))
        return node

    def licence(self, code: str) -> URIRef:
        label, _url = voc.LICENCES.get(code, voc.LICENCES[voc.DEFAULT_LICENCE])
        return self.concept(voc.licence_uri(code), voc.LICENCE_SCHEME, DCTERMS.LicenseDocument, label=label)

    def hvd(self, subject: URIRef, category: str | None, with_category: bool = True) -> None:
        if not category:
            return
        legislation = URIRef(voc.HVD_LEGISLATION)
        self.add((legislation, RDF.type, ELI.LegalResource))
        self.add((subject, DCATAP.applicableLegislation, legislation))
        if with_category:
            self.add((subject, DCATAP.hvdCategory, self.concept(
                voc.hvd_category_uri(category), voc.HVD_CATEGORY_SCHEME,
                label=voc.HVD_CATEGORIES.get(category))))

    def dataset_uri(self, dataset: Dataset) -> URIRef:
        return URIRef(f"{self.base}/dataset/{dataset.name}")

    def dataset(self, dataset: Dataset) -> URIRef:
        node = self.dataset_uri(dataset)
        self.add((node, RDF.type, DCAT.Dataset))
        self.add((node, DCTERMS.identifier, Literal(dataset.name)))
        self.texts(node, DCTERMS.title, dataset.title)
        self.texts(node, DCTERMS.description, dataset.description)
        for theme in dataset.themes:
            self.add((node, DCAT.theme, self.concept(voc.theme_uri(theme), voc.THEME_SCHEME,
                                                      label=voc.THEMES.get(theme, ("", theme))[1])))
        for tag in dataset.tags:
            self.add((node, DCAT.keyword, Literal(tag)))
        self.add((node, DCTERMS.accrualPeriodicity, self.concept(
            voc.frequency_uri(dataset.frequency), voc.FREQUENCY_SCHEME, DCTERMS.Frequency)))
        if dataset.issued:
            self.add((node, DCTERMS.issued, self.when(dataset.issued)))
        if dataset.modified:
            self.add((node, DCTERMS.modified, self.when(dataset.modified)))
        self.add((node, DCTERMS.publisher, self.publisher))
        self.add((node, DCAT.contactPoint, self.contact))
        for language in ("RON", "ENG"):
            self.add((node, DCTERMS.language, self.concept(voc.language_uri(language), voc.LANGUAGE_SCHEME,
                                                            DCTERMS.LinguisticSystem)))
        place = URIRef(voc.TIMISOARA_GEONAMES)
        self.add((place, RDF.type, DCTERMS.Location))
        self.add((node, DCTERMS.spatial, place))
        if dataset.spatial_geometry:
            self.location(node, dataset.spatial_geometry)
        self.add((node, DCTERMS.accessRights, self.concept(f"{voc.ACCESS_RIGHT_SCHEME}/PUBLIC",
                                                            voc.ACCESS_RIGHT_SCHEME, DCTERMS.RightsStatement)))
        if dataset.temporal_start or dataset.temporal_end:
            period = BNode()
            self.add((period, RDF.type, DCTERMS.PeriodOfTime))
            if dataset.temporal_start:
                self.add((period, DCAT.startDate, self.when(dataset.temporal_start)))
            if dataset.temporal_end:
                self.add((period, DCAT.endDate, self.when(dataset.temporal_end)))
            self.add((node, DCTERMS.temporal, period))
        if dataset.landing_page:
            self.add((node, DCAT.landingPage, self.document(str(self.absolute(dataset.landing_page)))))
        if dataset.contains_demo:
            self.add((node, ADMS.versionNotes, Literal("Includes demonstration rows (is_demo).", lang="en")))
            self.add((node, ADMS.versionNotes, Literal("Include rânduri demonstrative (is_demo).", lang="ro")))
        self.hvd(node, dataset.hvd_category)
        services = {service.key: self.service(dataset, service) for service in dataset.services}
        for distribution in dataset.distributions:
            self.add((node, DCAT.distribution, self.distribution(dataset, distribution)))
        package = self.distribution(dataset, Distribution(
            key="datapackage", title=Text(ro="Pachet de date Frictionless", en="Frictionless Data Package"),
            url=f"/dataset/{dataset.name}/datapackage.json", media_type="application/json", file_type="JSON",
            conforms_to="https://specs.frictionlessdata.io/data-package/"))
        self.add((node, DCAT.distribution, package))
        for service in services.values():
            self.add((service, DCAT.servesDataset, node))
        return node

    def location(self, subject: URIRef, geometry: dict) -> None:
        """The dataset's extent besides the city's GeoNames place: a dct:Location with its geometry and bounding
        box as GeoSPARQL WKT literals (lon lat, WGS 84 — CRS84, the default of a wktLiteral without a CRS),
        as DCAT-AP 3 recommends for locn:geometry and dcat:bbox."""
        try:
            figure = shape(geometry)
        except (ValueError, TypeError, AttributeError, KeyError):
            return  # not a GeoJSON geometry: the GeoNames place still says where
        if figure.is_empty:
            return
        west, south, east, north = figure.bounds
        place = BNode()
        self.add((subject, DCTERMS.spatial, place))
        self.add((place, RDF.type, DCTERMS.Location))
        self.add((place, LOCN.geometry, Literal(figure.wkt, datatype=GSP.wktLiteral)))
        self.add((place, DCAT.bbox, Literal(
            f"POLYGON(({west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}))",
            datatype=GSP.wktLiteral)))

    def distribution(self, dataset: Dataset, distribution: Distribution) -> URIRef:
        node = URIRef(f"{self.base}/dataset/{dataset.name}/distribution/{distribution.key}")
        self.add((node, RDF.type, DCAT.Distribution))
        self.texts(node, DCTERMS.title, distribution.title)
        if distribution.description:
            self.texts(node, DCTERMS.description, distribution.description)
        url = self.absolute(distribution.url)
        self.add((node, DCAT.accessURL, url))
        self.add((node, DCAT.downloadURL, url))
        media = URIRef(f"https://www.iana.org/assignments/media-types/{distribution.media_type.split(';')[0]}")
        self.add((media, RDF.type, DCTERMS.MediaType))
        self.add((node, DCAT.mediaType, media))
        self.add((node, DCTERMS.format, self.concept(voc.file_type_uri(distribution.file_type),
                                                      voc.FILE_TYPE_SCHEME, DCTERMS.MediaTypeOrExtent)))
        self.add((node, DCTERMS.license, self.licence(dataset.licence)))
        if distribution.byte_size is not None:
            self.add((node, DCAT.byteSize, Literal(distribution.byte_size, datatype=XSD.nonNegativeInteger)))
        if distribution.modified:
            self.add((node, DCTERMS.modified, self.when(distribution.modified)))
        if distribution.conforms_to:
            standard = URIRef(distribution.conforms_to)
            self.add((standard, RDF.type, DCTERMS.Standard))
            self.add((node, DCTERMS.conformsTo, standard))
        self.hvd(node, dataset.hvd_category, with_category=False)
        return node

    def service(self, dataset: Dataset, service: DataService) -> URIRef:
        node = URIRef(f"{self.base}/dataset/{dataset.name}/service/{service.key}")
        self.add((node, RDF.type, DCAT.DataService))
        self.services.append(node)
        self.texts(node, DCTERMS.title, service.title)
        self.add((node, DCAT.endpointURL, self.absolute(service.endpoint_url)))
        if service.endpoint_description_url:
            self.add((node, DCAT.endpointDescription, self.absolute(service.endpoint_description_url)))
        if service.conforms_to:
            standard = URIRef(service.conforms_to)
            self.add((standard, RDF.type, DCTERMS.Standard))
            self.add((node, DCTERMS.conformsTo, standard))
        self.add((node, DCTERMS.publisher, self.publisher))
        self.add((node, DCAT.contactPoint, self.contact))
        self.add((node, DCTERMS.license, self.licence(dataset.licence)))
        self.add((node, DCTERMS.accessRights, self.concept(f"{voc.ACCESS_RIGHT_SCHEME}/PUBLIC",
                                                            voc.ACCESS_RIGHT_SCHEME, DCTERMS.RightsStatement)))
        self.hvd(node, dataset.hvd_category)
        return node

    def catalog(self, datasets: Sequence[Dataset], page: Page | None, page_url: str) -> URIRef:
        node = URIRef(f"{self.base}/catalog")
        self.add((node, RDF.type, DCAT.Catalog))
        self.texts(node, DCTERMS.title, Text(ro=f"Catalogul de date deschise — {settings.SITE_NAME}",
                                             en=f"Open data catalogue — {settings.SITE_NAME}"))
        self.texts(node, DCTERMS.description, Text(
            ro="Datele publice ale platformei, direct din camerele ei: strategie, sesizări, buget participativ, "
               "calitatea aerului, participare, cartiere.",
            en="The platform's public data, live from its rooms: strategy, problem reports, participatory "
               "budgeting, air quality, participation, neighbourhoods."))
        self.add((node, DCTERMS.publisher, self.publisher))
        self.add((node, FOAF.homepage, self.document(f"{self.base}/ro/date-deschise/")))
        self.add((node, DCTERMS.license, self.licence(voc.DEFAULT_LICENCE)))
        self.add((node, DCAT.themeTaxonomy, self.scheme(voc.THEME_SCHEME)))
        for language in ("RON", "ENG"):
            self.add((node, DCTERMS.language, self.concept(voc.language_uri(language), voc.LANGUAGE_SCHEME,
                                                            DCTERMS.LinguisticSystem)))
        self.add((node, DCTERMS.spatial, URIRef(voc.TIMISOARA_GEONAMES)))
        modified = [d.modified for d in datasets if d.modified]
        if modified:
            self.add((node, DCTERMS.modified, self.when(max(modified))))
        for dataset in datasets:
            triples, services = described(self.base, dataset)
            self.add_all(triples)
            self.add((node, DCAT.dataset, self.dataset_uri(dataset)))
            for service_node in services:
                self.add((node, DCAT.service, service_node))
        if page is not None:
            paging = URIRef(f"{page_url}page={page.number}")
            self.add((paging, RDF.type, HYDRA.PagedCollection))
            self.add((paging, HYDRA.totalItems, Literal(page.total, datatype=XSD.integer)))
            self.add((paging, HYDRA.itemsPerPage, Literal(page.size, datatype=XSD.integer)))
            self.add((paging, HYDRA.firstPage, Literal(f"{page_url}page=1")))
            self.add((paging, HYDRA.lastPage, Literal(f"{page_url}page={page.last}")))
            if page.number > 1:
                self.add((paging, HYDRA.previousPage, Literal(f"{page_url}page={page.number - 1}")))
            if page.number < page.last:
                self.add((paging, HYDRA.nextPage, Literal(f"{page_url}page={page.number + 1}")))
        return node


# A dataset's triples, kept while the dataset is unchanged: (base, name) → (the dataset, its triples, its services).
# A hit needs the very dataset object (the registry's snapshot hands out the same objects until a change) or
# an equal one (a rebuilt snapshot of unchanged data), so the triples are exactly what building them gives.
_described: dict[tuple[str, str], tuple[Dataset, tuple[Triple, ...], tuple[URIRef, ...]]] = {}
_DESCRIBED_MAX = 50_000


def described(base: str, dataset: Dataset) -> tuple[tuple[Triple, ...], tuple[URIRef, ...]]:
    """The triples of one dataset (its distributions, services, concepts) and its data services' nodes."""
    base = base.rstrip("/")
    key = (base, dataset.name)
    hit = _described.get(key)
    if hit is not None and (hit[0] is dataset or (hit[0] == dataset and hit[0].extras == dataset.extras)):
        return hit[1], hit[2]
    builder = _Builder(base)
    builder.dataset(dataset)
    triples, services = tuple(builder.triples), tuple(builder.services)
    if len(_described) >= _DESCRIBED_MAX:
        _described.clear()
    _described[key] = (dataset, triples, services)
    return triples, services


class Triples:
    """The triples of one answer, in the order they were stated; `graph()` for rdflib."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.triples = tuple(dict.fromkeys(triples))

    def graph(self) -> Graph:
        graph = Graph(bind_namespaces="rdflib")
        for prefix, namespace in PREFIXES:
            graph.bind(prefix, namespace)
        graph.addN((*triple, graph) for triple in self.triples)
        return graph


def catalog_triples(base: str, datasets: Sequence[Dataset], page: Page | None = None, page_url: str = "") -> Triples:
    """The catalogue (one page of its datasets) with the Hydra paging node; `page_url` ends in ? or &."""
    builder = _Builder(base)
    builder.agents()
    builder.catalog(datasets, page, page_url)
    return Triples(builder.triples)


def dataset_triples(base: str, dataset: Dataset) -> Triples:
    builder = _Builder(base)
    builder.agents()
    triples, _services = described(builder.base, dataset)
    builder.add_all(triples)
    return Triples(builder.triples)


def catalog_graph(base: str, datasets: Sequence[Dataset], page: Page | None = None, page_url: str = "") -> Graph:
    """The catalogue as an rdflib Graph (see `catalog_triples`)."""
    return catalog_triples(base, datasets, page, page_url).graph()


def dataset_graph(base: str, dataset: Dataset) -> Graph:
    return dataset_triples(base, dataset).graph()


def serialise(graph: Graph | Triples, suffix: str) -> tuple[bytes, str]:
    rdf_format, media_type = FORMATS[suffix]
    if isinstance(graph, Triples):
        if suffix == "ttl":
            return turtle(graph.triples), media_type
        graph = graph.graph()
    data = graph.serialize(format=rdf_format, encoding="utf-8")
    return data, media_type


# --- Turtle, written straight from the triples ----------------------------------------------------------

_LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")  # a safe subset of Turtle's PN_LOCAL
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_STRING_UNSAFE = re.compile(r'[\x00-\x1f"\\\x7f]')
_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_BY_LENGTH = sorted(((prefix, str(namespace)) for prefix, namespace in PREFIXES), key=lambda item: -len(item[1]))


def _iri(uri: str) -> str:
    for prefix, namespace in _BY_LENGTH:
        if uri.startswith(namespace) and _LOCAL_NAME.match(uri[len(namespace):]):
            return f"{prefix}:{uri[len(namespace):]}"
    return "<" + _IRI_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04X}", uri) + ">"


def _string(text: str) -> str:
    return '"' + _STRING_UNSAFE.sub(
        lambda match: _STRING_ESCAPES.get(match.group(), f"\\u{ord(match.group()):04X}"), text) + '"'


def turtle(triples: Iterable[Triple]) -> bytes:
    """Turtle of the triples: the prefixes, then each subject once with its predicates and objects (`;`, `,`),
    blank nodes as labels. The same graph rdflib writes, in a fraction of the time."""
    written: dict[Identifier, str] = {}
    blank: dict[Identifier, str] = {}

    def term(node: Identifier) -> str:
        text = written.get(node)
        if text is None:
            if isinstance(node, URIRef):
                text = _iri(str(node))
            elif isinstance(node, BNode):
                text = blank.setdefault(node, f"_:b{len(blank)}")
            elif isinstance(node, Literal):
                text = _string(str(node))
                if node.language:
                    text += f"@{node.language}"
                elif node.datatype is not None and node.datatype != XSD.string:
                    text += "^^" + _iri(str(node.datatype))
            else:
                raise TypeError(f"not an RDF term: {node!r}")
            written[node] = text
        return text

    subjects: dict[Identifier, dict[Identifier, list[Identifier]]] = {}
    for subject, predicate, value in triples:
        subjects.setdefault(subject, {}).setdefault(predicate, []).append(value)
    lines = [f"@prefix {prefix}: <{namespace}> ." for prefix, namespace in PREFIXES]
    lines.append("")
    for subject, predicates in subjects.items():
        statements = [("a" if predicate == RDF.type else term(predicate)) + " " + ", ".join(map(term, values))
                      for predicate, values in predicates.items()]
        lines.append(f"{term(subject)} " + " ;\n    ".join(statements) + " .\n")
    return "\n".join(lines).encode("utf-8")
