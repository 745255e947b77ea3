"""What participatory budgeting tells the strategy's project pages (registered in BudgetingConfig.ready()):
the budgeting project selected for funding that a strategic project carries out (budgeting.services.
publish_results creates that strategic project as a sub-project of A1.O3.P6)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from strategy.origins import Origin, register


def selected_project_origins(project_ids: Sequence[int]) -> list[Origin]:
    """One query whatever the number of projects."""
    from budgeting.models import Project

    origins = []
    for project in (Project.objects.filter(strategy_project_id__in=project_ids).select_related("edition")
                    .order_by("edition_id", "number")):
        votes = (ngettext("%(n)s vote", "%(n)s votes", project.votes) % {
            "n": number_format(project.votes, force_grouping=True)}) if project.votes is not None else ""
        origins.append(Origin(
            project_id=project.strategy_project_id,  # type: ignore[arg-type]
            kind=_("Participatory budget: selected for funding"),
            title=f"{project.edition.title} — #{project.number} {project.title}", url=project.get_absolute_url(),
            detail=votes))
    return origins


def register_all() -> None:
    register("budgeting", selected_project_origins)
