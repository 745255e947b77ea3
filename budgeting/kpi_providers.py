"""KPI providers of the budgeting room, for the strategy monitoring (see strategy/kpi_providers.py)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from strategy.kpi_providers import register


@register("budgeting.ballots_last_edition", label=_("Ballots cast in the last participatory budget"), unit="ballots")
def ballots_last_edition() -> Decimal | None:
    from budgeting.models import Edition, Phase

    edition = Edition.objects.filter(phase__in=[Phase.RESULTS, Phase.IMPLEMENTATION], is_demo=False,
                                     pabulib_meta={}).order_by("-voting_end").first()
    return Decimal(edition.ballots.count()) if edition else None


@register("budgeting.projects_funded_total", label=_("Citizen projects funded by participatory budgets"),
          unit="projects")
def projects_funded_total() -> Decimal | None:
    from budgeting.models import Project

    return Decimal(Project.objects.filter(selected=True, edition__is_demo=False, edition__pabulib_meta={}).count())
