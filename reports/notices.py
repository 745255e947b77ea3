"""What the reports room tells the notifications pipeline: who follows a report, and what happened.

Followers and e-mail-only subscribers of a report follow the subject `reports.report:<pk>` in the
notifications room; the reporter follows `reports.report:<pk>:reporter`, whose messages carry their
personal "not fixed? reopen" link. Each update is published as an Event inside the service's
transaction, with its title and body written then, in every language, from the update itself (its
new status), never re-read from the report when the message leaves: two delayed messages for "in
progress" and then "fixed" each say what happened at their moment.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from notifications import subscriptions
from notifications.events import Event, language_free, publish
from reports import tokens
from reports.models import Report, Status, Subscription, Update


def subject(report: Report | int) -> str:
    return f"reports.report:{getattr(report, 'pk', report)}"


def reporter_subject(report: Report | int) -> str:
    return f"{subject(report)}:reporter"


def _language(code: str) -> str:
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


# --- who follows ------------------------------------------------------------------------------


def start_following(subscription: Subscription) -> None:
    """Mirror a confirmed reports.Subscription into the pipeline (idempotent)."""
    if subscription.confirmed_at is None:
        return
    topic = reporter_subject(subscription.report_id) if subscription.is_reporter else subject(
        subscription.report_id)
    if subscription.user_id is not None:
        subscriptions.follow(subscription.user, topic)
    elif subscription.email:
        subscriptions.subscribe_email(subscription.email, topic, _language(subscription.language), confirmed=True)


def stop_following(subscription: Subscription) -> None:
    for topic in (subject(subscription.report_id), reporter_subject(subscription.report_id)):
        if subscription.user_id is not None:
            subscriptions.unfollow(subscription.user, topic)
        elif subscription.email:
            subscriptions.unsubscribe_email(subscription.email, topic)


# --- what happened ----------------------------------------------------------------------------


def _texts(report: Report, update: Update, status: str, reopen_link: str) -> tuple[dict[str, str], dict[str, str]]:
    titles, bodies = {}, {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            context = {"report": report, "update": update, "status_label": Status(status).label,
                       "text": update.display_text, "department": report.department.name,
                       "reopen_link": reopen_link}
            titles[code] = " ".join(render_to_string("reports/notices/update_title.txt", context).split())[:200]
            bodies[code] = render_to_string("reports/notices/update_body.txt", context).strip()
    return titles, bodies


def _reopen_link(report: Report, reporter: Subscription) -> str:
    from notifications.pipeline import absolute_url

    # Language-free: reports' pages answer in the visitor's language (the link goes to /ro/ by default).
    path = language_free(reverse("reports:reopen_link", args=[report.pk, tokens.make(tokens.REOPEN, reporter.pk)]))
    return absolute_url(f"/{settings.LANGUAGE_CODE}{path}")


def publish_update(update: Update) -> None:
    """Publish one update of a public report to its followers and its reporter; in the caller's transaction."""
    report = update.report
    if not report.is_public:
        return
    status = update.new_status or report.status  # this update's own state, not whatever comes later
    with translation.override(settings.LANGUAGE_CODE):
        url = language_free(report.get_absolute_url())
    topics = [f"reports.category:{report.category.code}", f"reports.department:{report.department.slug}"]
    if report.neighbourhood_id:
        topics.append(f"neighbourhood:{report.neighbourhood.slug}")  # type: ignore[union-attr]
    common: dict[str, Any] = {
        "room": "reports", "url": url, "topics": tuple(topics),
        "geometry": {"type": "Point", "coordinates": [report.lon, report.lat]},
        "data": {"report": report.pk, "status": status, "update": update.pk, "update_kind": update.kind,
                 "category": report.category.code},
        "actor_user_id": update.author_id,
    }
    kind = "reports.status_changed" if update.kind == Update.Kind.STATUS else f"reports.{update.kind}"
    titles, bodies = _texts(report, update, status, "")
    publish(Event(kind=kind, subject=subject(report), title=titles, body=bodies, **common))
    if update.by_reporter and update.kind == Update.Kind.REOPENED:
        return  # the reporter does not hear about their own "not fixed"
    reporter = report.subscriptions.filter(is_reporter=True, confirmed_at__isnull=False).first()
    if reporter is None:
        return
    reopen = _reopen_link(report, reporter) if status == Status.FIXED else ""
    titles, bodies = _texts(report, update, status, reopen)
    publish(Event(kind=kind, subject=reporter_subject(report), title=titles, body=bodies, **common))
