"""Reference data of the resources room (data/resources/): the seed's funding sources and a starting set
of real Timișoara institutions. Idempotent: rows are matched by slug and updated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

from core import audit
from resources import index, services
from resources.models import FundingProgramme, Location, Organisation
from strategy.models import FundingProgramme as StrategyProgramme

DATA = Path(settings.BASE_DIR) / "data" / "resources"
ACTOR = "loader:data/resources"


@transaction.atomic
def load_funding(path: Path = DATA / "funding.yaml") -> int:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    count = 0
    for entry in document["programmes"]:
        values: dict[str, Any] = {
            "level": entry["level"], "funder": entry["funder"], "url": entry.get("url", ""),
            "eligible_kinds": entry.get("eligible_kinds", []), "purposes": entry.get("purposes", []),
            "source": document["source"], "is_demo": False, "published": True,
            "strategy_programme": StrategyProgramme.objects.filter(code=entry.get("strategy_code", "")).first(),
        }
        for field in ("title", "summary", "eligibility"):
            texts = entry.get(field) or {}
            values[field] = texts.get("ro", "")
            values[f"{field}_ro"], values[f"{field}_en"] = texts.get("ro", ""), texts.get("en", "")
        programme, _created = FundingProgramme.objects.update_or_create(slug=entry["slug"], defaults=values)
        programme.full_clean()
        index.refresh(programme)
        count += 1
    audit.record(ACTOR, "resources.reference.funding", None, {"programmes": count})
    return count


@transaction.atomic
def load_institutions(path: Path = DATA / "institutions.yaml") -> int:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    count = 0
    for entry in document["organisations"]:
        organisation, _created = Organisation.objects.update_or_create(slug=entry["slug"], defaults={
            "name": entry["name"], "kind": entry["kind"], "website": entry.get("website", ""),
            "source": Organisation.Source.CITY, "source_ref": entry.get("source", ""), "verified": True,
            "is_demo": False})
        if organisation.verified_at is None:
            from django.utils import timezone

            organisation.verified_at = timezone.now()
            organisation.save(update_fields=["verified_at"])
        if organisation.locations.filter(source_ref__regex=r"^(node|way|relation)/").exists():
            index.refresh(organisation)  # placed from OpenStreetMap (import_osm_resources): better than a street
            count += 1
            continue
        latitude, longitude, neighbourhood = services.place(entry["address"])
        Location.objects.update_or_create(organisation=organisation, source_ref="reference", defaults={
            "address": entry["address"], "latitude": latitude, "longitude": longitude,
            "neighbourhood": neighbourhood})
        index.refresh(organisation)
        count += 1
    audit.record(ACTOR, "resources.reference.institutions", None, {"organisations": count})
    return count
