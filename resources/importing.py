"""Writing imported OpenStreetMap features as organisations with a location (one transaction, audited)."""

from __future__ import annotations

from django.db import transaction

from core import audit, geo
from resources import index, osm
from resources.models import Location, Organisation
from resources.services import unique_slug


@transaction.atomic
def import_features(features: list[osm.Feature], *, actor: str) -> tuple[int, int]:
    created = updated = 0
    for feature in features:
        organisation = Organisation.objects.filter(source=Organisation.Source.OSM, source_ref=feature.ref).first()
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
                                                         "licence": osm.LICENCE_NOTE})
    return created, updated
