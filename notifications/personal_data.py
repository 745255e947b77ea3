"""Notifications' part of a person's data (accounts.personal_data; docs/identity.md, docs/notifications.md).

Exported: the person's endpoints (the address: e-mail, phone, push endpoint URL, webhook URL; never the
push keys or the webhook signing secret, which are credentials, not data about the person), preferences,
subscriptions with their places (follows are subscriptions to one subject), the notices on the site and the
delivery log. E-mail-only endpoints made signed out with one of the account's addresses count as the
person's too.

Erased on deletion: all of it, and transactional e-mails to the person's addresses not yet sent (a sent or
failed one keeps only the masked address). The published events stay (they are the rooms' public
happenings); the person's id is removed from an event's `actor_user_id`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import personal_data
from accounts.personal_data import Section, section
from notifications.models import Delivery, Endpoint, EventRecord, Preferences, Subscription, TransactionalMessage


def _signed_out(addresses: list[str], prefix: str = "") -> Q:
    """E-mail endpoints without an account at one of the addresses, however the address was capitalised."""
    same_address = Q(pk__in=[])
    for address in addresses:
        same_address |= Q(**{f"{prefix}address__iexact": address})
    return Q(**{f"{prefix}user__isnull": True, f"{prefix}kind": Endpoint.Kind.EMAIL}) & same_address


def _endpoints(user: Any, addresses: list[str]) -> Q:
    return Q(user=user) | _signed_out(addresses)


def export(user: Any) -> list[Section]:
    addresses = personal_data.account_addresses(user)
    mine = Q(user=user) | Q(user__isnull=True) & _signed_out(addresses, "endpoint__")
    return [
        section("endpoints", _("Where notifications reach you"),
                Endpoint.objects.filter(_endpoints(user, addresses)).order_by("created_at", "pk"),
                {"id": _("number"), "kind": _("channel"), "address": _("address"), "label": _("label"),
                 "language": _("language"), "verified_at": _("verified"), "disabled_at": _("disabled"),
                 "disabled_reason": _("why disabled"), "created_at": _("added")},
                note=_("Push keys and webhook signing secrets are credentials and are not exported.")),
        section("preferences", _("Notification preferences"), Preferences.objects.filter(user=user),
                {"digest": _("how often"), "quiet_start": _("quiet hours from"), "quiet_end": _("quiet hours until")}),
        section("subscriptions", _("Subscriptions and follows"),
                Subscription.objects.filter(mine).order_by("created_at", "pk"),
                {"id": _("number"), "topic": _("topic"), "label": _("name"), "neighbourhood__name": _("neighbourhood"),
                 "lat": _("latitude"), "lon": _("longitude"), "radius_m": _("radius (metres)"),
                 "polygon": _("drawn area (GeoJSON)"), "digest": _("how often"),
                 "quiet_start": _("quiet hours from"), "quiet_end": _("quiet hours until"),
                 "confirmed_at": _("confirmed"), "created_at": _("since")}),
        section("notices", _("Notices on the site"),
                Delivery.objects.filter(endpoint__user=user, channel=Endpoint.Kind.INBOX).order_by("created_at", "pk"),
                {"event__title": _("title"), "event__body": _("text"), "event__url": _("link"),
                 "created_at": _("when"), "read_at": _("read")}),
        section("deliveries", _("Messages sent to you (delivery log)"),
                Delivery.objects.filter(Q(user=user) | Q(endpoint__in=Endpoint.objects.filter(
                    _endpoints(user, addresses)))).exclude(channel=Endpoint.Kind.INBOX).order_by("created_at", "pk"),
                {"event__kind": _("kind"), "event__title": _("title"), "channel": _("channel"),
                 "endpoint_id": _("endpoint"), "status": _("status"), "attempts": _("attempts"),
                 "created_at": _("queued"), "sent_at": _("sent")}),
    ]


def erase(user: Any) -> Mapping[str, int]:
    addresses = personal_data.account_addresses(user)
    endpoints = Endpoint.objects.filter(_endpoints(user, addresses))
    counts = {
        # Before the endpoints: their deliveries cascade, the ones only linked to the account would not.
        "deliveries_erased": Delivery.objects.filter(Q(user=user) | Q(endpoint__in=endpoints)).delete()[0],
        "subscriptions_erased": Subscription.objects.filter(Q(user=user) | Q(endpoint__in=endpoints)).delete()[0],
        "preferences_erased": Preferences.objects.filter(user=user).delete()[0],
    }
    counts["endpoints_erased"] = endpoints.delete()[0]
    to_addresses = Q(pk__in=[])
    for address in addresses:
        to_addresses |= Q(to__iexact=address)
    counts["transactional_emails_erased"] = TransactionalMessage.objects.filter(to_addresses).delete()[0]
    counts["events_unlinked"] = EventRecord.objects.filter(actor_user_id=user.pk).update(actor_user_id=None)
    return counts


def register() -> None:
    personal_data.register("notifications", _("Notifications"), export, erase, order=60)
