"""Read-only queries of the resources room (pages, API, downloads)."""

from __future__ import annotations

import datetime as dt
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


def month_start(day: dt.date, months_ahead: int) -> dt.date:
    """The first day of the month `months_ahead` after the month of `day`."""
    index = day.year * 12 + day.month - 1 + months_ahead
    return dt.date(index // 12, index % 12 + 1, 1)


def deadline_window(deadline_in: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """[first, last] day a deadline may fall on for the finder's "Deadline" choice (None: any time).
    Days already past never count: a call whose deadline was earlier this month is closed."""
    if deadline_in == "this_month":
        return today, month_start(today, 1) - dt.timedelta(days=1)
    if deadline_in == "next_month":
        return month_start(today, 1), month_start(today, 2) - dt.timedelta(days=1)
    if deadline_in == "three_months":
        return today, today + dt.timedelta(days=91)
    return None


def find_funding(programmes: QuerySet[FundingProgramme], *, who: str = "", purpose: str = "", level: str = "",
                 deadline_in: str = "", open_only: bool = False) -> QuerySet[FundingProgramme]:
    """Programmes for this kind of applicant and purpose, with a deadline in the chosen window. JSON list
    membership is checked by a text match on the stored list, which works on SQLite and PostgreSQL alike."""
    if who:
        programmes = programmes.filter(Q(eligible_kinds__icontains=f'"{who}"') | Q(eligible_kinds=[]))
    if purpose:
        programmes = programmes.filter(Q(purposes__icontains=f'"{purpose}"') | Q(purposes=[]))
    if level:
        programmes = programmes.filter(level=level)
    today = timezone.localdate()
    if open_only:
        programmes = programmes.filter(deadline__gte=today)
    window = deadline_window(deadline_in, today)
    if window:
        programmes = programmes.filter(deadline__gte=window[0], deadline__lte=window[1])
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
