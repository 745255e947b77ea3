"""The budgeting room's transactional e-mail: the outcome of a project's technical review, to its author.
Written when the review is saved (the project as reviewed), in the author's language, and handed to the
platform's one e-mail transport (notifications.transactional), which sends it after commit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.transactional import recipient_language, send_transactional

if TYPE_CHECKING:
    from budgeting.models import Project


def _review_texts(project: Project, feasible: bool) -> tuple[dict[str, str], dict[str, str]]:
    subjects, bodies = {}, {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            if feasible:
                subjects[language] = _("Your project “%(title)s” is on the ballot") % {"title": project.title}
                bodies[language] = _("The technical review found your project feasible at a cost of %(cost)s "
                                     "%(currency)s. It will be on the ballot of %(edition)s.") % {
                    "cost": project.cost, "currency": project.edition.currency, "edition": project.edition.title}
            else:
                subjects[language] = _("Your project “%(title)s” was not found feasible") % {"title": project.title}
                bodies[language] = _("The technical review found your project not feasible. Reason: %(reason)s") % {
                    "reason": project.rejection_reason}
    return subjects, bodies


def send_review_outcome(project: Project) -> bool:
    """Tell the author the outcome of the technical review of their project."""
    from budgeting.models import ProjectStatus

    author = project.author
    if author is None or not author.email:
        return False
    subjects, bodies = _review_texts(project, project.status == ProjectStatus.FEASIBLE)
    send_transactional(author.email, subjects, bodies, language=recipient_language(author),
                       kind="budgeting.review_outcome")
    return True
