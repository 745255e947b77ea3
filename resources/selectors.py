"""Read-only queries of the resources room (pages, API, downloads)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from resources.mapdata import localised
from resources.models import FundingProgramme, Initiative, MapItem, Organisation, Space

__all__ = ["find_funding", "follower_count", "is_following", "kind_labels", "localised", "participation_of"]


def kind_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for choices in (Organisation.Kind.choices, Space.Kind.choices, FundingProgramme.Level.choices,
                    Initiative.Kind.choices):
        labels.update({value: str(label) for value, label in choices})
    return labels


def participation_of(organisation: Organisation) -> dict[str, list[Any]]:
    """The organisation's working groups and published proposals, asked of participation's selector
    (imported here, when called, so that resources runs without participation installed)."""
    if not apps.is_installed("participation"):
        return {"groups": [], "proposals": []}
    from participation.selectors import organisation_participation

    return organisation_participation(organisation.pk)


def find_funding(programmes: QuerySet[FundingProgramme], *, who: str = "", purpose: str = "", level: str = "",
                 open_only: bool = False) -> QuerySet[FundingProgramme]:
    """Programmes for this kind of applicant and purpose. JSON list membership is checked in Python-free
    SQL by a text match on the stored list, which works on SQLite and PostgreSQL alike."""
    if who:
        programmes = programmes.filter(Q(eligible_kinds__icontains=f'"{who}"') | Q(eligible_kinds=[]))
    if purpose:
        programmes = programmes.filter(Q(purposes__icontains=f'"{purpose}"') | Q(purposes=[]))
    if level:
        programmes = programmes.filter(level=level)
    if open_only:
        programmes = programmes.filter(deadline__gte=timezone.localdate())
    return programmes


def is_following(user: Any, initiative: Initiative) -> bool:
    from notifications import subscriptions
    from resources.services import initiative_subject

    return subscriptions.is_following(user, initiative_subject(initiative))


def follower_count(initiative: Initiative) -> int:
    from notifications import subscriptions
    from resources.services import initiative_subject

    return subscriptions.followers(initiative_subject(initiative)).count()


def public_items() -> QuerySet[MapItem]:
    return MapItem.objects.all()
