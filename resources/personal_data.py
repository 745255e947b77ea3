"""Resources' part of a person's data (accounts.personal_data; docs/identity.md, docs/resources.md).

Exported: the organisations the person represents, invitations they sent and received, the applications
to use a space they made for an organisation, the initiatives they proposed and the funding deadlines they
follow (reminders).

On deletion: representative roles, reminders and the invitations addressed to the person are erased; the
invitations they sent stay with the organisation, without the sender. Space applications are the
organisation's requests (its other representatives and the staff deciding them work on them; public pages
show only the organisation and the dated steps), so they stay without the applicant. Initiatives are public
and stay without the person who proposed them (the room never shows who proposed one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import personal_data
from accounts.personal_data import Section, section
from resources.models import FundingReminder, Initiative, Invitation, Representative, SpaceApplication


def export(user: Any) -> list[Section]:
    addresses = personal_data.account_addresses(user)
    return [
        section("representative_roles", _("Organisations you represent"),
                Representative.objects.filter(user=user).order_by("pk"),
                {"organisation__name": _("organisation"), "position": _("position"),
                 "listed_publicly": _("name listed publicly")}),
        section("invitations_sent", _("Invitations you sent"),
                Invitation.objects.filter(invited_by=user).order_by("created_at", "pk"),
                {"organisation__name": _("organisation"), "email": _("e-mail address"),
                 "created_at": _("sent"), "accepted_at": _("accepted")}),
        section("invitations_received", _("Invitations you received"),
                Invitation.objects.filter(Q(accepted_by=user) | Q(email__in=addresses)).order_by("created_at", "pk"),
                {"organisation__name": _("organisation"), "email": _("e-mail address"),
                 "created_at": _("sent"), "accepted_at": _("accepted")}),
        section("space_applications", _("Applications to use a space"),
                SpaceApplication.objects.filter(applicant=user).order_by("created_at", "pk"),
                {"id": _("number"), "space__title": _("space"), "organisation__name": _("organisation"),
                 "intended_use": _("intended use"), "message": _("what you would do there"),
                 "status": _("status"), "created_at": _("sent")}),
        section("initiatives", _("Initiatives you proposed"),
                Initiative.objects.filter(proposed_by=user).order_by("created_at", "pk"),
                {"id": _("number"), "title": _("title"), "description": _("description"), "kind": _("kind"),
                 "status": _("status"), "address": _("place"), "latitude": _("latitude"),
                 "longitude": _("longitude"), "url": _("web page"), "created_at": _("proposed")}),
        section("funding_reminders", _("Funding deadlines you follow"),
                FundingReminder.objects.filter(user=user).order_by("pk"),
                {"programme__title": _("programme"), "days_before": _("days before the deadline"),
                 "sent_at": _("reminder sent")}),
    ]


def erase(user: Any) -> Mapping[str, int]:
    addresses = personal_data.account_addresses(user)
    return {
        "representative_roles_erased": Representative.objects.filter(user=user).delete()[0],
        "funding_reminders_erased": FundingReminder.objects.filter(user=user).delete()[0],
        "invitations_received_erased": Invitation.objects.filter(
            Q(accepted_by=user) | Q(email__in=addresses)).delete()[0],
        "invitations_sent_anonymised": Invitation.objects.filter(invited_by=user).update(invited_by=None),
        "space_applications_anonymised": SpaceApplication.objects.filter(applicant=user).update(applicant=None),
        "initiatives_anonymised": Initiative.objects.filter(proposed_by=user).update(proposed_by=None),
    }


def register() -> None:
    personal_data.register("resources", _("City resources"), export, erase, order=70)
