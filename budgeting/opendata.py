"""The room's open datasets (registered with the opendata catalogue from BudgetingConfig.ready()).

One dataset per finished edition: the anonymous ballots as Pabulib files (one per budget, https://pabulib.org/format)
and the results with the explanation of why each project was or was not selected, as CSV (Romanian and English
text) and JSON. No voter is identifiable: ballots carry no person key, codes or residence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Max
from django.utils import translation

from budgeting.explain import result_rows
from budgeting.models import FINISHED_PHASES, Edition, ProjectStatus
from opendata.registry import DataService, Dataset, Distribution, Text, register
from opendata.tables import Table, register_table, schema

ROOM = "budgeting"
PABULIB_FORMAT = "https://pabulib.org/format"


def _finished() -> Any:
    return Edition.objects.filter(phase__in=FINISHED_PHASES)


def _results(part: str | None) -> Iterable[Sequence[Any]]:
    edition = _finished().filter(slug=part).first() if part else None
    if edition is None:
        raise LookupError(f"edition: no finished edition {part!r}")
    projects = list(edition.projects.filter(status=ProjectStatus.FEASIBLE).select_related("pool"))
    for pool in edition.pools.prefetch_related("results").order_by("slug"):
        pool_projects = [p for p in projects if p.pool_id == pool.pk]
        for result in pool.results.all():
            with translation.override("ro"):
                rows_ro = result_rows(result, pool_projects, edition.currency)
                texts_ro = {row["project"].number: str(row["text"]) for row in rows_ro}
            with translation.override("en"):
                rows = result_rows(result, pool_projects, edition.currency)
            for row in rows:
                project = row["project"]
                yield (edition.slug, pool.slug, result.rule, result.is_official, project.number, project.title,
                       project.cost, row["votes"], row["selected"], row["position"], row["reason"] or None,
                       texts_ro.get(project.number, ""), str(row["text"]))


RESULTS = register_table(Table(ROOM, "results", schema(
    ("edition", "string", "Edition slug"), ("pool", "string", "Budget (pool) slug"),
    ("rule", "string", "Counting rule"), ("official", "boolean", "The official count of the pool"),
    ("project", "integer", "Project number"), ("title", "string", "Project title"), ("cost", "number", "Cost"),
    ("votes", "integer", "Votes"), ("selected", "boolean", "Selected for funding"),
    ("position", "integer", "Order of selection"), ("reason", "string", "Reason code"),
    ("explanation_ro", "string", "Why (Romanian)"), ("explanation_en", "string", "Why (English)")), _results))


def _pabulib_distributions(edition: Edition) -> list[Distribution]:
    pools = list(edition.pools.all())
    if len(pools) == 1:
        return [Distribution(key="pabulib", title=Text(ro="Voturi anonime (Pabulib)", en="Anonymous ballots (Pabulib)"),
                             url=f"/api/v1/budgeting/editions/{edition.slug}/pabulib.pb", media_type="text/plain",
                             file_type="TXT", conforms_to=PABULIB_FORMAT)]
    return [Distribution(key=f"pabulib-{pool.slug}",
                         title=Text(ro=f"Voturi anonime, {Text.of(pool, 'name').ro} (Pabulib)",
                                    en=f"Anonymous ballots, {Text.of(pool, 'name').en} (Pabulib)"),
                         url=f"/api/v1/budgeting/editions/{edition.slug}/pools/{pool.slug}/pabulib.pb",
                         media_type="text/plain", file_type="TXT", conforms_to=PABULIB_FORMAT)
            for pool in sorted(pools, key=lambda pool: pool.slug)]


def datasets() -> list[Dataset]:
    found = []
    editions = _finished().annotate(counted=Max("pools__results__computed_at")).prefetch_related("pools")
    for edition in editions.order_by("slug"):
        title_ro, title_en = Text.of(edition, "title").ro, Text.of(edition, "title").en
        found.append(Dataset(
            name=f"budgeting-{edition.slug.lower()}"[:100], room=ROOM,
            title=Text(ro=f"Buget participativ: {title_ro}", en=f"Participatory budget: {title_en}"),
            description=Text(
                ro=f"Rezultatele ediției „{title_ro}”: proiectele selectate, voturile și explicația fiecărei "
                   "decizii, plus buletinele de vot anonime în formatul Pabulib."
                   + (" Importată de pe pabulib.org." if edition.is_imported else ""),
                en=f"The results of “{title_en}”: the selected projects, the votes and the explanation of every "
                   "decision, plus the anonymous ballots in the Pabulib format."
                   + (" Imported from pabulib.org." if edition.is_imported else "")),
            themes=("GOVE", "ECON"), tags=("participatory-budgeting", "pabulib", "voting"), frequency="NEVER",
            issued=edition.voting_end, modified=edition.counted or edition.voting_end,
            temporal_start=edition.voting_start.date() if edition.voting_start else None,
            temporal_end=edition.voting_end.date() if edition.voting_end else None,
            contains_demo=edition.is_demo, landing_page=f"/ro/buget-participativ/{edition.slug}/",
            distributions=(
                Distribution(key="results-csv", title=Text(ro="Rezultate explicate (CSV)",
                                                           en="Results with explanations (CSV)"),
                             url=RESULTS.url(edition.slug), media_type="text/csv", file_type="CSV",
                             table_schema=RESULTS.schema, modified=edition.counted),
                Distribution(key="results-json", title=Text(ro="Rezultate (JSON)", en="Results (JSON)"),
                             url=f"/api/v1/budgeting/editions/{edition.slug}/results",
                             media_type="application/json", file_type="JSON", modified=edition.counted),
                *_pabulib_distributions(edition)),
            services=(DataService(key="api", title=Text(ro="API-ul bugetării participative",
                                                        en="Participatory budgeting API"),
                                  endpoint_url="/api/v1/budgeting/editions",
                                  endpoint_description_url="/api/openapi.json"),)))
    return found


def register_all() -> None:
    register(ROOM, datasets)
