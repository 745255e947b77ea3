"""The reports room's transactional e-mails: what they say (templates in reports/templates/reports/emails/)
and to whom. They are handed to the platform's one e-mail transport, notifications.transactional, which
renders them at once in the recipient's language (the report as it is at this moment), sends them after the
caller's transaction commits, retries them and lists them in the staff delivery log.
Updates to followers are not sent from here: they go through the notifications pipeline (reports/notices.py).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from notifications.transactional import Template, absolute_url, send_transactional
from reports import tokens
from reports.models import Report, Subscription


def _language(code: str) -> str:
    available = {code for code, _name in settings.LANGUAGES}
    return code if code in available else settings.LANGUAGE_CODE


def send_report_confirmation(report: Report) -> bool:
    subscription = report.subscriptions.filter(is_reporter=True).select_related("user").first()
    address = report.reporter_email or (subscription.address if subscription else "")
    if not address or report.confirmed_at is not None:
        return False
    language = _language(subscription.language if subscription else "")
    with translation.override(language):
        link = absolute_url(reverse("reports:confirm", args=[tokens.make(tokens.CONFIRM_REPORT, report.pk)]))
    send_transactional(address, Template("reports/emails/confirm_report_subject.txt"),
                       Template("reports/emails/confirm_report.txt"), language=language,
                       kind="reports.report_confirmation",
                       context={"report": report, "link": link, "category": report.category})
    return True


def send_subscription_confirmation(subscription: Subscription) -> bool:
    if subscription.confirmed_at is not None or not subscription.address:
        return False
    language = _language(subscription.language)
    with translation.override(language):
        link = absolute_url(reverse("reports:confirm_follow",
                                    args=[tokens.make(tokens.CONFIRM_FOLLOW, subscription.pk)]))
    send_transactional(subscription.address, Template("reports/emails/confirm_follow_subject.txt"),
                       Template("reports/emails/confirm_follow.txt"), language=language,
                       kind="reports.follow_confirmation",
                       context={"report": subscription.report, "link": link, "supports": subscription.supports})
    return True


def send_new_report_to_department(report: Report) -> bool:
    """Internal notice to the department's address, in the site's language. It carries no reporter contact
    details: staff read them in the inbox, where access is checked and logged."""
    department = report.department
    if not department.email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {"report": report, "link": absolute_url(reverse("reports:staff_report", args=[report.pk])),
                   "public_link": absolute_url(report.get_absolute_url()), "department": department}
    send_transactional(department.email, Template("reports/emails/department_subject.txt"),
                       Template("reports/emails/department.txt"), language=settings.LANGUAGE_CODE,
                       kind="reports.department_notice", context=context)
    return True
