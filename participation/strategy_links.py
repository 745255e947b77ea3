"""What participation tells the strategy's project pages (registered in ParticipationConfig.ready()):

* origins: accepted proposals and consultation outcomes that a strategic project carries out;
* a section: the processes, consultations, events and working groups behind the project.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from strategy.origins import Origin, register, register_section


def proposal_and_consultation_origins(project_ids: Sequence[int]) -> list[Origin]:
    """Two queries whatever the number of projects."""
    from participation.models import Consultation, Proposal

    origins = []
    proposals = Proposal.objects.filter(strategy_project_id__in=project_ids, status=Proposal.Status.PUBLISHED,
                                        official_answer=Proposal.OfficialAnswer.ACCEPTED).order_by("created_at")
    for proposal in proposals.only("id", "title", "support_count", "strategy_project_id"):
        origins.append(Origin(
            project_id=proposal.strategy_project_id, kind=_("Accepted proposal"), title=proposal.title,  # type: ignore[arg-type]
            url=proposal.get_absolute_url(),
            detail=ngettext("%(n)d support", "%(n)d supports", proposal.support_count) % {
                "n": proposal.support_count}))
    consultations = Consultation.objects.filter(strategy_project_id__in=project_ids, published=True).order_by(
        "opens_at")
    for consultation in consultations:
        origins.append(Origin(
            project_id=consultation.strategy_project_id, kind=_("Consultation outcome"),  # type: ignore[arg-type]
            title=consultation.title, url=consultation.get_absolute_url(), detail=consultation.outcome))
    return origins


def participation_section(project: Any) -> dict[str, Any]:
    from participation.selectors import for_project

    return {"participation": for_project(project)}


def register_all() -> None:
    register("participation", proposal_and_consultation_origins)
    register_section("participation", "participation/_project_participation.html", participation_section)
