"""Reads shared by pages and the API, each in a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from budgeting.models import Edition, Phase, PoolResult, Project, ProjectStatus


def visible_editions(user: Any) -> QuerySet[Edition]:
    editions = Edition.objects.all()
    if not user.has_perm("budgeting.preview_edition"):
        editions = editions.exclude(phase=Phase.DRAFT)
    return editions


def edition_or_404(user: Any, slug: str) -> Edition:
    edition = visible_editions(user).filter(slug=slug).first()
    if edition is None:
        raise Http404(_("No such edition."))
    return edition


def public_projects(edition: Edition, *, include_rejected: bool = True) -> QuerySet[Project]:
    """Projects anyone may see: not hidden, not withdrawn; with their counts, in one query."""
    statuses = [ProjectStatus.SUBMITTED, ProjectStatus.FEASIBLE]
    if include_rejected:
        statuses.append(ProjectStatus.REJECTED)
    return (Project.objects.filter(edition=edition, hidden=False, status__in=statuses)
            .select_related("edition", "pool", "category", "neighbourhood")
            .annotate(support_count=Count("supports", distinct=True),
                      comment_count=Count("comments", filter=Q(comments__hidden=False), distinct=True)))


def public_name(user: Any, signed: bool) -> str:
    """The name shown with a project or comment: the public name only if its author chose to sign."""
    if signed and user is not None and getattr(user, "display_name", None):
        return str(user.display_name)
    return str(_("A citizen"))


def official_results(edition: Edition) -> dict[int, PoolResult]:
    return {result.pool_id: result for result in PoolResult.objects.filter(pool__edition=edition, is_official=True)}
