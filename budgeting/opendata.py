"""The room's open datasets, for the opendata room's catalogue (read-only, no personal data).

    from budgeting.opendata import datasets
    for entry in datasets(): ...  # one entry per downloadable Pabulib file of a finished edition
"""

from __future__ import annotations

from typing import Any

from budgeting.models import FINISHED_PHASES, Edition


def datasets() -> list[dict[str, Any]]:
    """One entry per Pabulib file: title, URL (relative to the site), format, edition, budget, dates, source."""
    entries = []
    editions = Edition.objects.filter(phase__in=FINISHED_PHASES).prefetch_related("pools").order_by("slug")
    for edition in editions:
        pools = list(edition.pools.all())
        for pool in pools:
            url = (f"/api/v1/budgeting/editions/{edition.slug}/pabulib.pb" if len(pools) == 1
                   else f"/api/v1/budgeting/editions/{edition.slug}/pools/{pool.slug}/pabulib.pb")
            entries.append({
                "title": f"{edition.title} — {pool.name}" if len(pools) > 1 else edition.title,
                "url": url,
                "format": "Pabulib (.pb), https://pabulib.org/format",
                "media_type": "text/plain; charset=utf-8",
                "edition": edition.slug,
                "budget": pool.budget,
                "currency": edition.currency,
                "voting_end": edition.voting_end,
                "demonstration": edition.is_demo,
                "source": "pabulib.org (imported)" if edition.is_imported else "this platform",
                "personal_data": False,
            })
    return entries
