"""Air quality's part of a person's data: alert subscriptions (accounts.personal_data; docs/identity.md).
The webhook secret is never exported (it signs deliveries; a new subscription makes a new one)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts import personal_data
from accounts.personal_data import Section, section
from environment.models import AlertSubscription


def export(user: Any) -> list[Section]:
    return [
        section("alert_subscriptions", _("Air-quality alerts"),
                AlertSubscription.objects.filter(user=user).order_by("created_at"),
                {"sensor__sensor_id": _("sensor (empty: the whole city)"), "kind": _("alert on"),
                 "min_level": _("from index level"), "channel": _("channel"), "webhook_url": _("webhook URL"),
                 "language": _("language"), "active": _("active"), "created_at": _("since")}),
    ]


def erase(user: Any) -> Mapping[str, int]:
    # Deleting a subscription deletes its delivery log (environment.Notification) with it.
    return {"alert_subscriptions_erased": AlertSubscription.objects.filter(user=user).delete()[0]}


def register() -> None:
    personal_data.register("environment", _("Air quality"), export, erase, order=50)
