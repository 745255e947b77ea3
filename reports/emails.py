"""Emails of the reports room, each in its recipient's language, with personal links
(confirm, unsubscribe, reopen) signed per recipient. Called by reports.tasks, after commit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.sites.models import Site
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from reports import tokens
from reports.models import Report, Status, Subscription, Update


def public_url() -> str:
    """Base of links in emails: the Site's domain (SITE_DOMAIN, editable in the back office), over https
    when the platform runs behind TLS (HTTPS=1), as the other rooms do."""
    scheme = "https" if getattr(settings, "SESSION_COOKIE_SECURE", False) else "http"
    return f"{scheme}://{Site.objects.get_current().domain}"


def _language(code: str) -> str:
    available = {code for code, _name in settings.LANGUAGES}
    return code if code in available else settings.LANGUAGE_CODE


def _send(to: str, subject_template: str, body_template: str, context: dict[str, Any], language: str,
          connection: Any = None) -> None:
    with translation.override(_language(language)):
        subject = " ".join(render_to_string(subject_template, context).split())
        body = render_to_string(body_template, context)
    message = mail.EmailMessage(subject=subject[:200], body=body, to=[to], connection=connection)
    message.send()


def send_report_confirmation(report: Report) -> bool:
    subscription = report.subscriptions.filter(is_reporter=True).select_related("user").first()
    address = report.reporter_email or (subscription.address if subscription else "")
    if not address or report.confirmed_at is not None:
        return False
    language = subscription.language if subscription else ""
    with translation.override(_language(language)):
        link = public_url() + reverse("reports:confirm", args=[tokens.make(tokens.CONFIRM_REPORT, report.pk)])
    _send(address, "reports/emails/confirm_report_subject.txt", "reports/emails/confirm_report.txt",
          {"report": report, "link": link, "category": report.category}, language)
    return True


def send_subscription_confirmation(subscription: Subscription) -> bool:
    if subscription.confirmed_at is not None or not subscription.address:
        return False
    with translation.override(_language(subscription.language)):
        link = public_url() + reverse("reports:confirm_follow",
                                      args=[tokens.make(tokens.CONFIRM_FOLLOW, subscription.pk)])
    _send(subscription.address, "reports/emails/confirm_follow_subject.txt", "reports/emails/confirm_follow.txt",
          {"report": subscription.report, "link": link, "supports": subscription.supports}, subscription.language)
    return True


def send_update_to_followers(update: Update) -> int:
    """One email per confirmed follower, except the person who wrote the update."""
    report = update.report
    subscriptions = (report.subscriptions.filter(confirmed_at__isnull=False).select_related("user")
                     .order_by("id"))
    sent = 0
    base = public_url()
    with mail.get_connection() as connection:
        for subscription in subscriptions:
            if update.author_id and subscription.user_id == update.author_id:
                continue
            if update.by_reporter and subscription.is_reporter and update.kind == Update.Kind.REOPENED:
                continue
            address = subscription.address
            if not address:
                continue
            language = subscription.language or (subscription.user.preferred_language if subscription.user else "")
            with translation.override(_language(language)):
                context = {
                    "report": report, "update": update,
                    "status_label": Status(report.status).label,
                    "report_link": base + report.get_absolute_url(),
                    "unsubscribe_link": base + reverse("reports:unsubscribe", args=[
                        tokens.make(tokens.UNSUBSCRIBE, subscription.pk)]),
                    "reopen_link": base + reverse("reports:reopen_link", args=[
                        report.pk, tokens.make(tokens.REOPEN, subscription.pk)])
                    if report.status == Status.FIXED and subscription.is_reporter else "",
                    "department": report.department.name,
                }
            _send(address, "reports/emails/update_subject.txt", "reports/emails/update.txt", context, language,
                  connection)
            sent += 1
    return sent


def send_new_report_to_department(report: Report) -> bool:
    """Internal notice to the department's address. It carries no reporter contact details:
    staff read them in the inbox, where access is checked and logged."""
    department = report.department
    if not department.email:
        return False
    base = public_url()
    context = {"report": report, "link": base + reverse("reports:staff_report", args=[report.pk]),
               "public_link": base + report.get_absolute_url(), "department": department}
    _send(department.email, "reports/emails/department_subject.txt", "reports/emails/department.txt", context,
          settings.LANGUAGE_CODE)
    return True


def subject_prefix() -> str:
    return str(_("Timișoara reports"))
