"""Participation's open datasets (registered with the opendata catalogue from ParticipationConfig.ready()).

Consultation results in aggregate (counts and shares per answer, never an individual response or a typed
answer), events as iCalendar and JSON, opinion maps (group sizes, representative and consensus statements, no
individual votes), working groups (member counts only).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation

from opendata.registry import DataService, Dataset, Distribution, Text, register
from opendata.tables import Table, register_table, schema
from participation import results, selectors
from participation.models import Conversation, Event, WorkingGroup

ROOM = "participation"
API = DataService(key="api", title=Text(ro="API-ul participării (JSON)", en="Participation API (JSON)"),
                  endpoint_url="/api/v1/participation/processes", endpoint_description_url="/api/openapi.json")


def _landing_page() -> str:
    """The participation room's first page in the site's first language (/ro/participare/)."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("participation:index")


def _public_results() -> list[Any]:
    now = timezone.now()
    return [c for c in selectors.public_consultations().order_by("slug") if c.results_public(now)]


def _results(part: str | None) -> Iterable[Sequence[Any]]:
    consultation = next((c for c in _public_results() if c.slug == part), None)
    if consultation is None:
        raise LookupError(f"consultation: no public results for {part!r}")
    total, questions = results.compute(consultation)
    for number, result in enumerate(questions, 1):
        question = result.question
        common = (consultation.slug, total, number, question.text, question.kind, result.respondents)
        for bar in result.bars:
            yield (*common, None, "answer", bar.label, bar.count, round(bar.share, 4))
        for row, bars in result.matrix:
            for bar in bars:
                yield (*common, row, "answer", bar.label, bar.count, round(bar.share, 4))
        for theme in result.themes:
            yield (*common, None, "theme", theme.theme.label, theme.count, round(theme.share, 4))


RESULTS = register_table(Table(ROOM, "consultation-results", schema(
    ("consultation", "string", "Consultation slug"), ("responses", "integer", "Submitted responses"),
    ("question", "integer", "Question number"), ("question_text", "string", "Question"),
    ("kind", "string", "Question kind"), ("respondents", "integer", "Respondents to the question"),
    ("row", "string", "Matrix row (matrix questions)"),
    ("type", "string", "answer (an option) or theme (a theme of the open answers)"),
    ("label", "string", "Option or theme"), ("count", "integer", "Respondents who chose it"),
    ("share", "number", "Share of the question's respondents (0..1)")), _results))


def _groups(_part: str | None) -> Iterable[Sequence[Any]]:
    for group in selectors.groups_with_counts().order_by("slug"):
        yield (group.slug, group.name, group.kind, group.ambition.number if group.ambition else None,
               group.project.code if group.project else None, group.members,  # type: ignore[attr-defined]
               group.is_demo)


GROUPS = register_table(Table(ROOM, "working-groups", schema(
    ("slug", "string", "Working group slug"), ("name", "string", "Name"), ("kind", "string", "Kind"),
    ("ambition", "integer", "Strategic ambition number"), ("project", "string", "Strategic project code"),
    ("members", "integer", "Accepted members (a count; members are never named)"),
    ("demo", "boolean", "Demonstration row"), primary_key=["slug"]), _groups))


def datasets() -> list[Dataset]:
    consultations = _public_results()
    events_modified = Event.objects.filter(published=True).aggregate(last=Max("starts_at"))["last"]
    conversations = list(Conversation.objects.filter(published=True).order_by("slug"))
    groups_demo = WorkingGroup.objects.filter(is_demo=True).exists()
    events_demo = Event.objects.filter(published=True, is_demo=True).exists()
    tags = ("participation", "civic-engagement")
    found = [
        Dataset(name="participation-consultation-results", room=ROOM,
                title=Text(ro="Rezultatele consultărilor publice", en="Public consultation results"),
                description=Text(
                    ro="Pentru fiecare consultare cu rezultate publice: la fiecare întrebare, câți au ales fiecare "
                       "variantă și temele răspunsurilor libere. Doar totaluri, niciun răspuns individual.",
                    en="For every consultation whose results are public: for each question, how many chose each "
                       "option and the themes of the open answers. Totals only, never an individual response."),
                themes=("GOVE", "SOCI"), tags=(*tags, "consultations"), frequency="IRREG",
                modified=max((c.closes_at for c in consultations), default=None),
                contains_demo=any(c.is_demo for c in consultations), landing_page=_landing_page(),
                distributions=tuple(Distribution(
                    key=f"results-{c.slug}", title=Text(ro=f"{c.title} (CSV)", en=f"{c.title} (CSV)"),
                    url=RESULTS.url(c.slug), media_type="text/csv", file_type="CSV",
                    table_schema=RESULTS.schema) for c in consultations),
                services=(API,)),
        Dataset(name="participation-events", room=ROOM,
                title=Text(ro="Evenimente de participare", en="Participation events"),
                description=Text(ro="Întâlniri, ateliere și dezbateri publice, cu data, locul și locurile libere.",
                                 en="Public meetings, workshops and debates, with date, place and places left."),
                themes=("GOVE", "SOCI"), tags=(*tags, "events", "icalendar"), frequency="CONT",
                modified=events_modified, contains_demo=events_demo, landing_page=_landing_page(),
                distributions=(
                    Distribution(key="ics", title=Text(ro="Calendar (iCalendar)", en="Calendar (iCalendar)"),
                                 url="/participation/events.ics", media_type="text/calendar", file_type="ICS",
                                 conforms_to="https://www.rfc-editor.org/rfc/rfc5545"),
                    Distribution(key="json", title=Text(ro="Evenimente (JSON)", en="Events (JSON)"),
                                 url="/api/v1/participation/events", media_type="application/json",
                                 file_type="JSON")),
                services=(API,)),
        Dataset(name="participation-working-groups", room=ROOM,
                title=Text(ro="Grupuri de lucru", en="Working groups"),
                description=Text(ro="Grupurile de lucru ale strategiei, cu numărul de membri (membrii nu sunt numiți).",
                                 en="The strategy's working groups with their member counts (members are never "
                                    "named)."),
                themes=("GOVE", "SOCI"), tags=(*tags, "working-groups"), frequency="IRREG",
                contains_demo=groups_demo, landing_page=_landing_page(),
                distributions=(
                    Distribution(key="csv", title=Text(ro="Grupuri de lucru (CSV)", en="Working groups (CSV)"),
                                 url=GROUPS.url(), media_type="text/csv", file_type="CSV",
                                 table_schema=GROUPS.schema),
                    Distribution(key="json", title=Text(ro="Grupuri de lucru (JSON)", en="Working groups (JSON)"),
                                 url="/api/v1/participation/groups", media_type="application/json",
                                 file_type="JSON")),
                services=(API,)),
    ]
    if conversations:
        found.append(Dataset(
            name="participation-opinion-maps", room=ROOM, title=Text(ro="Hărți de opinie", en="Opinion maps"),
            description=Text(
                ro="Pentru fiecare conversație: grupurile de opinie (mărime), afirmațiile care le deosebesc și "
                   "terenul comun. Fără voturi individuale.",
                en="For every conversation: the opinion groups (size), the statements that set them apart and "
                   "the common ground. No individual votes."),
            themes=("GOVE", "SOCI"), tags=(*tags, "opinion-map", "polis"), frequency="CONT",
            modified=max(c.closes_at for c in conversations), landing_page=_landing_page(),
            distributions=tuple(Distribution(
                key=f"opinion-{c.slug}", title=Text(ro=f"{c.title} (JSON)", en=f"{c.title} (JSON)"),
                url=f"/api/v1/participation/opinion/{c.slug}", media_type="application/json", file_type="JSON")
                for c in conversations),
            services=(API,)))
    return found


def register_all() -> None:
    register(ROOM, datasets)
