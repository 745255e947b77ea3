"""Reports' part of a person's data (accounts.personal_data; docs/identity.md).

A report is a public record of a problem in a public place, and staff have worked on it: it stays when the
account is deleted, without its reporter (the link, the name, e-mail and phone given with it are erased
and the name is no longer shown). Follows (subscriptions) are erased, those made with the account's
addresses as well; flags keep their reason without the account.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import personal_data
from accounts.personal_data import Section, section
from reports.models import Flag, Report, Subscription, Update


def _addresses(user: Any) -> list[str]:
    from allauth.account.models import EmailAddress

    return sorted({user.email.lower(), *(e.lower() for e in EmailAddress.objects.filter(user=user)
                                          .values_list("email", flat=True))} - {""})


def export(user: Any) -> list[Section]:
    mine = Q(reporter=user) | Q(reporter_email__in=_addresses(user))  # also those sent signed out
    return [
        section("reports", _("Problem reports"), Report.objects.filter(mine).order_by("created_at"),
                {"id": _("number"), "title": _("title"), "description": _("description"),
                 "category__name": _("category"), "status": _("status"), "address": _("address"),
                 "lat": _("latitude"), "lon": _("longitude"), "reporter_name": _("name"),
                 "reporter_email": _("e-mail"), "reporter_phone": _("phone"),
                 "show_name": _("name shown publicly"), "created_at": _("submitted")}),
        section("updates", _("Your updates on reports"),
                Update.objects.filter(author=user, by_reporter=True).order_by("created_at"),
                {"report_id": _("report"), "text": _("text"), "created_at": _("when")}),
        section("subscriptions", _("Reports you follow"),
                Subscription.objects.filter(Q(user=user) | Q(user__isnull=True, email__in=_addresses(user)))
                .order_by("created_at"),
                {"report_id": _("report"), "supports": _("you support it"), "is_reporter": _("your report"),
                 "confirmed_at": _("confirmed"), "created_at": _("since")}),
        section("flags", _("Reports you flagged"), Flag.objects.filter(user=user).order_by("created_at"),
                {"report_id": _("report"), "reason": _("reason"), "text": _("details"), "created_at": _("when")}),
    ]


def erase(user: Any) -> Mapping[str, int]:
    addresses = _addresses(user)
    return {
        "reports_anonymised": Report.objects.filter(Q(reporter=user) | Q(reporter_email__in=addresses)).update(
            reporter=None, reporter_name="", reporter_email="", reporter_phone="", show_name=False),
        "updates_anonymised": Update.objects.filter(author=user, by_reporter=True).update(author=None),
        "subscriptions_erased": Subscription.objects.filter(
            Q(user=user) | Q(user__isnull=True, email__in=addresses)).delete()[0],
        "flags_anonymised": Flag.objects.filter(user=user).update(user=None, text=""),
    }


def register() -> None:
    personal_data.register("reports", _("Problem reports"), export, erase, order=30)
