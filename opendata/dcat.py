"""DCAT-AP 3.0.1: one RDF graph of the catalogue, serialised to Turtle, RDF/XML and JSON-LD.

As ckanext-dcat's profiles do, the datasets are described once (`dataset_graph`) and every endpoint
serialises the same graph. Every vocabulary concept the graph points to is typed and placed in its EU
scheme (`skos:inScheme`), so a validator needs nothing but this output and the official shapes.
Paging follows ckanext-dcat: `?page=N` (100 datasets a page) with a Hydra PagedCollection node.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from opendata import vocabularies as voc
from opendata.registry import DataService, Dataset, Distribution, Text

DCATAP = Namespace("http://data.europa.eu/r5r/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
ADMS = Namespace("http://www.w3.org/ns/adms#")

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
        self.graph = Graph(bind_namespaces="rdflib")
        for prefix, namespace in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", VCARD),
                                  ("dcatap", DCATAP), ("hydra", HYDRA), ("eli", ELI), ("skos", SKOS),
                                  ("locn", LOCN), ("adms", ADMS)):
            self.graph.bind(prefix, namespace)
        self.publisher = URIRef(f"{self.base}/#publisher")
        self.contact = URIRef(f"{self.base}/#contact-point")

    def absolute(self, path: str) -> URIRef:
        return URIRef(path if path.startswith(("http://", "https://")) else f"{self.base}{path}")

    def texts(self, subject: URIRef | BNode, predicate: URIRef, text: Text) -> None:
        for language, value in (("ro", text.ro), ("en", text.en)):
            if value:
                self.graph.add((subject, predicate, Literal(value, lang=language)))

    def concept(self, uri: str, scheme: str, *classes: URIRef, label: str | None = None) -> URIRef:
        node = URIRef(uri)
        self.graph.add((node, RDF.type, SKOS.Concept))
        for cls in classes:
            self.graph.add((node, RDF.type, cls))
        self.graph.add((node, SKOS.inScheme, URIRef(scheme)))
        self.scheme(scheme)
        # DCAT-AP wants a label on every concept and a title on every scheme it uses.
        self.graph.add((node, SKOS.prefLabel, Literal(label or uri.rstrip("/").rsplit("/", 1)[-1], lang="en")))
        return node

    def scheme(self, uri: str) -> URIRef:
        node = URIRef(uri)
        self.graph.add((node, RDF.type, SKOS.ConceptScheme))
        self.graph.add((node, DCTERMS.title, Literal(SCHEME_TITLES.get(uri, uri.rstrip("/").rsplit("/", 1)[-1]),
                                                     lang="en")))
        return node

    def when(self, value: dt.datetime | dt.date) -> Literal:
        if isinstance(value, dt.datetime):
            return Literal(value.astimezone(dt.UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
        return Literal(value.isoformat(), datatype=XSD.date)

    def agents(self) -> None:
        graph = self.graph
        graph.add((self.publisher, RDF.type, FOAF.Agent))
        graph.add((self.publisher, RDF.type, FOAF.Organization))
        self.texts(self.publisher, FOAF.name, publisher_name())
        graph.add((self.publisher, DCTERMS.type, self.concept(
            voc.PUBLISHER_TYPE_LOCAL_AUTHORITY, voc.PUBLISHER_TYPE_SCHEME, label="Local Authority")))
        graph.add((self.publisher, FOAF.homepage, self.document(f"{self.base}/")))
        graph.add((self.contact, RDF.type, VCARD.Kind))
        graph.add((self.contact, RDF.type, VCARD.Organization))
        graph.add((self.contact, VCARD.fn, Literal(f"{settings.SITE_NAME} — open data")))
        graph.add((self.contact, VCARD.hasURL, URIRef(f"{self.base}/ro/date-deschise/")))
        email = getattr(settings, "OPENDATA_CONTACT_EMAIL", "")
        if email:
            graph.add((self.contact, VCARD.hasEmail, URIRef(f"mailto:{email}")))

    def document(self, url: str) -> URIRef:
        node = URIRef(url)
        self.graph.add((node, RDF.type, FOAF.Document))
        return node

    def licence(self, code: str) -> URIRef:
        label, _url = voc.LICENCES.get(code, voc.LICENCES[voc.DEFAULT_LICENCE])
        return self.concept(voc.licence_uri(code), voc.LICENCE_SCHEME, DCTERMS.LicenseDocument, label=label)

    def hvd(self, subject: URIRef, category: str | None, with_category: bool = True) -> None:
        if not category:
            return
        legislation = URIRef(voc.HVD_LEGISLATION)
        self.graph.add((legislation, RDF.type, ELI.LegalResource))
        self.graph.add((subject, DCATAP.applicableLegislation, legislation))
        if with_category:
            self.graph.add((subject, DCATAP.hvdCategory, self.concept(
                voc.hvd_category_uri(category), voc.HVD_CATEGORY_SCHEME,
                label=voc.HVD_CATEGORIES.get(category))))

    def dataset_uri(self, dataset: Dataset) -> URIRef:
        return URIRef(f"{self.base}/dataset/{dataset.name}")

    def dataset(self, dataset: Dataset) -> URIRef:
        graph = self.graph
        node = self.dataset_uri(dataset)
        graph.add((node, RDF.type, DCAT.Dataset))
        graph.add((node, DCTERMS.identifier, Literal(dataset.name)))
        self.texts(node, DCTERMS.title, dataset.title)
        self.texts(node, DCTERMS.description, dataset.description)
        for theme in dataset.themes:
            graph.add((node, DCAT.theme, self.concept(voc.theme_uri(theme), voc.THEME_SCHEME,
                                                      label=voc.THEMES.get(theme, ("", theme))[1])))
        for tag in dataset.tags:
            graph.add((node, DCAT.keyword, Literal(tag)))
        graph.add((node, DCTERMS.accrualPeriodicity, self.concept(
            voc.frequency_uri(dataset.frequency), voc.FREQUENCY_SCHEME, DCTERMS.Frequency)))
        if dataset.issued:
            graph.add((node, DCTERMS.issued, self.when(dataset.issued)))
        if dataset.modified:
            graph.add((node, DCTERMS.modified, self.when(dataset.modified)))
        graph.add((node, DCTERMS.publisher, self.publisher))
        graph.add((node, DCAT.contactPoint, self.contact))
        for language in ("RON", "ENG"):
            graph.add((node, DCTERMS.language, self.concept(voc.language_uri(language), voc.LANGUAGE_SCHEME,
                                                            DCTERMS.LinguisticSystem)))
        place = URIRef(voc.TIMISOARA_GEONAMES)
        graph.add((place, RDF.type, DCTERMS.Location))
        graph.add((node, DCTERMS.spatial, place))
        graph.add((node, DCTERMS.accessRights, self.concept(f"{voc.ACCESS_RIGHT_SCHEME}/PUBLIC",
                                                            voc.ACCESS_RIGHT_SCHEME, DCTERMS.RightsStatement)))
        if dataset.temporal_start or dataset.temporal_end:
            period = BNode()
            graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
            if dataset.temporal_start:
                graph.add((period, DCAT.startDate, self.when(dataset.temporal_start)))
            if dataset.temporal_end:
                graph.add((period, DCAT.endDate, self.when(dataset.temporal_end)))
            graph.add((node, DCTERMS.temporal, period))
        if dataset.landing_page:
            graph.add((node, DCAT.landingPage, self.document(str(self.absolute(dataset.landing_page)))))
        if dataset.contains_demo:
            graph.add((node, ADMS.versionNotes, Literal("Includes demonstration rows (is_demo).", lang="en")))
            graph.add((node, ADMS.versionNotes, Literal("Include rânduri demonstrative (is_demo).", lang="ro")))
        self.hvd(node, dataset.hvd_category)
        services = {service.key: self.service(dataset, service) for service in dataset.services}
        for distribution in dataset.distributions:
            graph.add((node, DCAT.distribution, self.distribution(dataset, distribution)))
        package = self.distribution(dataset, Distribution(
            key="datapackage", title=Text(ro="Pachet de date Frictionless", en="Frictionless Data Package"),
            url=f"/dataset/{dataset.name}/datapackage.json", media_type="application/json", file_type="JSON",
            conforms_to="https://specs.frictionlessdata.io/data-package/"))
        graph.add((node, DCAT.distribution, package))
        for service in services.values():
            graph.add((service, DCAT.servesDataset, node))
        return node

    def distribution(self, dataset: Dataset, distribution: Distribution) -> URIRef:
        graph = self.graph
        node = URIRef(f"{self.base}/dataset/{dataset.name}/distribution/{distribution.key}")
        graph.add((node, RDF.type, DCAT.Distribution))
        self.texts(node, DCTERMS.title, distribution.title)
        if distribution.description:
            self.texts(node, DCTERMS.description, distribution.description)
        url = self.absolute(distribution.url)
        graph.add((node, DCAT.accessURL, url))
        graph.add((node, DCAT.downloadURL, url))
        media = URIRef(f"https://www.iana.org/assignments/media-types/{distribution.media_type.split(';')[0]}")
        graph.add((media, RDF.type, DCTERMS.MediaType))
        graph.add((node, DCAT.mediaType, media))
        graph.add((node, DCTERMS.format, self.concept(voc.file_type_uri(distribution.file_type),
                                                      voc.FILE_TYPE_SCHEME, DCTERMS.MediaTypeOrExtent)))
        graph.add((node, DCTERMS.license, self.licence(dataset.licence)))
        if distribution.byte_size is not None:
            graph.add((node, DCAT.byteSize, Literal(distribution.byte_size, datatype=XSD.nonNegativeInteger)))
        if distribution.modified:
            graph.add((node, DCTERMS.modified, self.when(distribution.modified)))
        if distribution.conforms_to:
            standard = URIRef(distribution.conforms_to)
            graph.add((standard, RDF.type, DCTERMS.Standard))
            graph.add((node, DCTERMS.conformsTo, standard))
        self.hvd(node, dataset.hvd_category, with_category=False)
        return node

    def service(self, dataset: Dataset, service: DataService) -> URIRef:
        graph = self.graph
        node = URIRef(f"{self.base}/dataset/{dataset.name}/service/{service.key}")
        graph.add((node, RDF.type, DCAT.DataService))
        self.texts(node, DCTERMS.title, service.title)
        graph.add((node, DCAT.endpointURL, self.absolute(service.endpoint_url)))
        if service.endpoint_description_url:
            graph.add((node, DCAT.endpointDescription, self.absolute(service.endpoint_description_url)))
        if service.conforms_to:
            standard = URIRef(service.conforms_to)
            graph.add((standard, RDF.type, DCTERMS.Standard))
            graph.add((node, DCTERMS.conformsTo, standard))
        graph.add((node, DCTERMS.publisher, self.publisher))
        graph.add((node, DCAT.contactPoint, self.contact))
        graph.add((node, DCTERMS.license, self.licence(dataset.licence)))
        graph.add((node, DCTERMS.accessRights, self.concept(f"{voc.ACCESS_RIGHT_SCHEME}/PUBLIC",
                                                            voc.ACCESS_RIGHT_SCHEME, DCTERMS.RightsStatement)))
        self.hvd(node, dataset.hvd_category)
        return node

    def catalog(self, datasets: Sequence[Dataset], page: Page | None, page_url: str) -> URIRef:
        graph = self.graph
        node = URIRef(f"{self.base}/catalog")
        graph.add((node, RDF.type, DCAT.Catalog))
        self.texts(node, DCTERMS.title, Text(ro=f"Catalogul de date deschise — {settings.SITE_NAME}",
                                             en=f"Open data catalogue — {settings.SITE_NAME}"))
        self.texts(node, DCTERMS.description, Text(
            ro="Datele publice ale platformei, direct din camerele ei: strategie, sesizări, buget participativ, "
               "calitatea aerului, participare, cartiere.",
            en="The platform's public data, live from its rooms: strategy, problem reports, participatory "
               "budgeting, air quality, participation, neighbourhoods."))
        graph.add((node, DCTERMS.publisher, self.publisher))
        graph.add((node, FOAF.homepage, self.document(f"{self.base}/ro/date-deschise/")))
        graph.add((node, DCTERMS.license, self.licence(voc.DEFAULT_LICENCE)))
        graph.add((node, DCAT.themeTaxonomy, self.scheme(voc.THEME_SCHEME)))
        for language in ("RON", "ENG"):
            graph.add((node, DCTERMS.language, self.concept(voc.language_uri(language), voc.LANGUAGE_SCHEME,
                                                            DCTERMS.LinguisticSystem)))
        graph.add((node, DCTERMS.spatial, URIRef(voc.TIMISOARA_GEONAMES)))
        modified = [d.modified for d in datasets if d.modified]
        if modified:
            graph.add((node, DCTERMS.modified, self.when(max(modified))))
        for dataset in datasets:
            dataset_node = self.dataset(dataset)
            graph.add((node, DCAT.dataset, dataset_node))
        for service_node in set(graph.subjects(RDF.type, DCAT.DataService)):
            graph.add((node, DCAT.service, service_node))
        if page is not None:
            paging = URIRef(f"{page_url}page={page.number}")
            graph.add((paging, RDF.type, HYDRA.PagedCollection))
            graph.add((paging, HYDRA.totalItems, Literal(page.total, datatype=XSD.integer)))
            graph.add((paging, HYDRA.itemsPerPage, Literal(page.size, datatype=XSD.integer)))
            graph.add((paging, HYDRA.firstPage, Literal(f"{page_url}page=1")))
            graph.add((paging, HYDRA.lastPage, Literal(f"{page_url}page={page.last}")))
            if page.number > 1:
                graph.add((paging, HYDRA.previousPage, Literal(f"{page_url}page={page.number - 1}")))
            if page.number < page.last:
                graph.add((paging, HYDRA.nextPage, Literal(f"{page_url}page={page.number + 1}")))
        return node


def catalog_graph(base: str, datasets: Sequence[Dataset], page: Page | None = None, page_url: str = "") -> Graph:
    """The catalogue (one page of its datasets) with the Hydra paging node; `page_url` ends in ? or &."""
    builder = _Builder(base)
    builder.agents()
    builder.catalog(datasets, page, page_url)
    return builder.graph


def dataset_graph(base: str, dataset: Dataset) -> Graph:
    builder = _Builder(base)
    builder.agents()
    builder.dataset(dataset)
    for service_node in set(builder.graph.subjects(RDF.type, DCAT.DataService)):
        builder.graph.add((service_node, DCAT.servesDataset, builder.dataset_uri(dataset)))
    return builder.graph


def serialise(graph: Graph, suffix: str) -> tuple[bytes, str]:
    rdf_format, media_type = FORMATS[suffix]
    data = graph.serialize(format=rdf_format, encoding="utf-8")
    return data, media_type
