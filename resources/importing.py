"""Writing imported OpenStreetMap features as organisations with a location (one transaction, audited)."""

from __future__ import annotations

import math
import re

from django.db import models, transaction

from core import audit, geo
from resources import index, osm
from resources.models import Location, Organisation
from resources.services import unique_slug
from resources.text import fold

# Words that say where, not who: "Universitatea de Vest din Timișoara" is the same body with or without them.
PLACE_WORDS = {"timisoara", "din", "de", "a", "al", "si"}
SAME_PLACE_KM = 1.0


def _name_words(name: str) -> set[str]:
    return set(re.findall(r"[0-9a-z]+", fold(name))) - PLACE_WORDS


def _distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Equirectangular distance, exact enough within a city."""
    x = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    y = math.radians(b[0] - a[0])
    return 6371.0 * math.hypot(x, y)


def already_listed(feature: osm.Feature) -> Organisation | None:
    """An organisation the city or its representatives already entered that is this OSM feature: the same
    words in its name (without the city's name and linking words), or one name's words within the other's
    and, when both are placed, within SAME_PLACE_KM; at least two words. Such an entry is not duplicated."""
    words = _name_words(feature.name)
    if len(words) < 2:
        return None
    for candidate in Organisation.objects.exclude(source=Organisation.Source.OSM).prefetch_related("locations"):
        other = _name_words(candidate.name)
        if len(other) < 2 or not (words <= other or other <= words):
            continue
        if words == other:
            return candidate
        places = [(location.latitude, location.longitude) for location in candidate.locations.all()
                  if location.latitude is not None and location.longitude is not None]
        if feature.latitude is None or feature.longitude is None or not places or any(
                _distance_km((feature.latitude, feature.longitude), place) <= SAME_PLACE_KM for place in places):
            return candidate
    return None


def _take_position(organisation: Organisation, feature: osm.Feature) -> None:
    """An entry placed only by the street index (street level, or not at all) takes the OSM feature's position
    as a location of its own (source_ref: the OSM reference), keeping the address the entry publishes."""
    if feature.latitude is None or feature.longitude is None:
        return
    locations = list(organisation.locations.all())
    if any(location.latitude is not None and location.source_ref not in ("reference", feature.ref)
           for location in locations):
        return  # placed by its representatives or by another OSM feature: theirs stands
    address = next((location.address for location in locations if location.address), feature.address)
    Location.objects.update_or_create(organisation=organisation, source_ref=feature.ref, defaults={
        "address": address, "latitude": feature.latitude, "longitude": feature.longitude,
        "neighbourhood": geo.neighbourhood_for(feature.latitude, feature.longitude)})
    organisation.locations.exclude(source_ref=feature.ref).filter(
        models.Q(source_ref="reference") | models.Q(latitude__isnull=True)).delete()
    index.refresh(organisation)


@transaction.atomic
def import_features(features: list[osm.Feature], *, actor: str) -> tuple[int, int, int]:
    """(created, updated, skipped): skipped are features already in the registry under another source (an
    entry of theirs that has no position yet takes the feature's)."""
    created = updated = skipped = 0
    for feature in features:
        organisation = Organisation.objects.filter(source=Organisation.Source.OSM, source_ref=feature.ref).first()
        listed = already_listed(feature) if organisation is None else None
        if listed is not None:
            _take_position(listed, feature)
            skipped += 1
            continue
        if organisation is None:
            organisation = Organisation(slug=unique_slug(Organisation, feature.name), source=Organisation.Source.OSM,
                                        source_ref=feature.ref)
            created += 1
        else:
            updated += 1
        organisation.name, organisation.kind = feature.name, feature.kind
        organisation.website = feature.website or organisation.website
        neighbourhood = geo.neighbourhood_for(feature.latitude, feature.longitude)
        organisation.neighbourhood = neighbourhood
        organisation.full_clean()
        organisation.save()
        Location.objects.update_or_create(organisation=organisation, source_ref=feature.ref, defaults={
            "name": feature.name, "address": feature.address, "latitude": feature.latitude,
            "longitude": feature.longitude, "neighbourhood": neighbourhood})
        index.refresh(organisation)
    audit.record(actor, "resources.osm.imported", None, {"created": created, "updated": updated,
                                                         "already_listed": skipped, "licence": osm.LICENCE_NOTE})
    return created, updated, skipped
