"""The map's public index (MapItem): one row per thing on the map, rebuilt from its source row.

Only public fields are copied, so the map, search and downloads cannot leak anything the pages
do not show. Call `refresh(obj)` after a change (services and the back office do), `rebuild()` after a
bulk import.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import translation

from resources import mapdata
from resources.models import FundingProgramme, Initiative, MapItem, Organisation, Space
from resources.text import fold


def _label(choices: Any, value: str) -> str:
    labels = []
    for language in ("ro", "en"):
        with translation.override(language):
            labels.append(str(dict(choices)[value]) if value in dict(choices) else value)
    return " ".join(labels)


def _tr(obj: Any, field: str, language: str) -> str:
    """A modeltranslation column (title_ro, title_en…) read by name; "" when empty."""
    return getattr(obj, f"{field}_{language}", "") or ""


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _organisation_items(organisation: Organisation) -> list[MapItem]:
    if organisation.hidden:
        return []
    services = list(organisation.services.all())
    words = " ".join([organisation.name, organisation.description, _label(Organisation.Kind.choices, organisation.kind),
                      *(f"{s.name} {s.description}" for s in services)])
    base = {"layer": MapItem.Layer.ORGANISATION, "object_id": organisation.pk, "kind": organisation.kind,
            "title": organisation.name, "summary": _short(organisation.description), "slug": organisation.slug,
            "verified": organisation.verified, "is_demo": organisation.is_demo}
    locations = list(organisation.locations.all())
    placed = [location for location in locations if location.latitude is not None]
    if not placed:
        address = locations[0].address if locations else ""
        return [MapItem(**base, address=address, search_text=fold(f"{words} {address}"))]
    return [MapItem(**base, address=location.address, latitude=location.latitude, longitude=location.longitude,
                    neighbourhood_slug=location.neighbourhood.slug if location.neighbourhood else "",
                    search_text=fold(f"{words} {location.name} {location.address}")) for location in placed]


def _space_items(space: Space) -> list[MapItem]:
    if not space.published:
        return []
    title_ro, title_en = _tr(space, "title", "ro") or space.title, _tr(space, "title", "en")
    text_ro, text_en = _tr(space, "description", "ro"), _tr(space, "description", "en")
    uses = " ".join(_label(Space.Use.choices, use) for use in space.allowed_uses)
    words = " ".join([title_ro, title_en, text_ro, text_en, space.address, _label(Space.Kind.choices, space.kind),
                      uses])
    return [MapItem(layer=MapItem.Layer.SPACE, object_id=space.pk, kind=space.kind, title=title_ro, title_en=title_en,
                    summary=_short(text_ro), summary_en=_short(text_en), address=space.address, slug=space.slug,
                    latitude=space.latitude, longitude=space.longitude, verified=True, is_demo=space.is_demo,
                    neighbourhood_slug=space.neighbourhood.slug if space.neighbourhood else "",
                    search_text=fold(words))]


def _funding_items(programme: FundingProgramme) -> list[MapItem]:
    if not programme.published:
        return []
    title_ro, title_en = _tr(programme, "title", "ro") or programme.title, _tr(programme, "title", "en")
    text_ro, text_en = _tr(programme, "summary", "ro"), _tr(programme, "summary", "en")
    words = " ".join([title_ro, title_en, text_ro, text_en, programme.funder,
                      _label(FundingProgramme.Level.choices, programme.level)])
    return [MapItem(layer=MapItem.Layer.FUNDING, object_id=programme.pk, kind=programme.level, title=title_ro,
                    title_en=title_en, summary=_short(text_ro), summary_en=_short(text_en), slug=programme.slug,
                    verified=True, is_demo=programme.is_demo, search_text=fold(words))]


def _initiative_items(initiative: Initiative) -> list[MapItem]:
    if initiative.status != Initiative.Status.PUBLISHED:
        return []
    words = " ".join([initiative.title, initiative.description, initiative.address,
                      _label(Initiative.Kind.choices, initiative.kind)])
    return [MapItem(layer=MapItem.Layer.INITIATIVE, object_id=initiative.pk, kind=initiative.kind,
                    title=initiative.title, summary=_short(initiative.description), address=initiative.address,
                    slug=initiative.slug, latitude=initiative.latitude, longitude=initiative.longitude,
                    neighbourhood_slug=initiative.neighbourhood.slug if initiative.neighbourhood else "",
                    verified=False, is_demo=initiative.is_demo, search_text=fold(words))]


BUILDERS: dict[type, tuple[str, Any]] = {
    Organisation: (MapItem.Layer.ORGANISATION, _organisation_items),
    Space: (MapItem.Layer.SPACE, _space_items),
    FundingProgramme: (MapItem.Layer.FUNDING, _funding_items),
    Initiative: (MapItem.Layer.INITIATIVE, _initiative_items),
}


def items_for(obj: Any) -> list[MapItem]:
    return list(BUILDERS[type(obj)][1](obj))


def refresh(obj: Any) -> None:
    """Replace the object's rows in the index (none when it is hidden or deleted)."""
    if type(obj) not in BUILDERS:
        return
    layer, _build = BUILDERS[type(obj)]
    with transaction.atomic():
        MapItem.objects.filter(layer=layer, object_id=obj.pk).delete()
        if obj.pk is not None and type(obj).objects.filter(pk=obj.pk).exists():
            MapItem.objects.bulk_create(items_for(obj))
        transaction.on_commit(mapdata.bump_version)


def rebuild() -> int:
    """The whole index from the source tables (after an import or a migration)."""
    with transaction.atomic():
        MapItem.objects.all().delete()
        rows: list[MapItem] = []
        querysets: list[Any] = [
            Organisation.objects.prefetch_related("services", "locations__neighbourhood"),
            Space.objects.select_related("neighbourhood"),
            FundingProgramme.objects.all(),
            Initiative.objects.select_related("neighbourhood"),
        ]
        for queryset in querysets:
            for obj in queryset.iterator(chunk_size=2000):
                rows.extend(items_for(obj))
        MapItem.objects.bulk_create(rows, batch_size=2000)
        transaction.on_commit(mapdata.bump_version)
    return len(rows)
