"""The reports room's transactional e-mails, each in its recipient's language: confirm a report, confirm
following it, and the internal notice to a department. Called by reports.tasks, after commit.
Updates to followers are not sent from here: they go through the notifications pipeline
(reports/notices.py)."""

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
from reports.models import Report, Subscription


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
