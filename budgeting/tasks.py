"""Background jobs of the budgeting room (django-tasks API, run by Huey)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task


@task()
def notify_review(project_id: int) -> bool:
    """Tell the author the outcome of the technical review of their project."""
    from budgeting.models import Project, ProjectStatus

    project = Project.objects.select_related("author", "edition").filter(pk=project_id).first()
    if project is None or project.author is None or not project.author.email:
        return False
    with translation.override(project.author.preferred_language or "ro"):
        if project.status == ProjectStatus.FEASIBLE:
            subject = _("Your project “%(title)s” is on the ballot") % {"title": project.title}
            body = _("The technical review found your project feasible at a cost of %(cost)s %(currency)s. "
                     "It will be on the ballot of %(edition)s.") % {
                "cost": project.cost, "currency": project.edition.currency, "edition": project.edition.title}
        else:
            subject = _("Your project “%(title)s” was not found feasible") % {"title": project.title}
            body = _("The technical review found your project not feasible. Reason: %(reason)s") % {
                "reason": project.rejection_reason}
        send_mail(subject, body, None, [project.author.email])
    return True


@task()
def close_due_editions() -> list[str]:
    """Close the vote of every edition whose closing time has passed (run every few minutes)."""
    from budgeting.services import close_due_editions as close

    return close()


@task()
def count_edition(edition_id: int, publish: bool = False) -> int:
    """Count an edition's ballots (MES on a large edition takes seconds to minutes), then publish."""
    from budgeting import services
    from budgeting.models import Edition

    edition = Edition.objects.get(pk=edition_id)
    results = services.count_votes("scheduler", edition)
    if publish:
        services.publish_results("scheduler", edition)
    return len(results)
