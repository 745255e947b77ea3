"""What participation published to the notifications pipeline for one person (its notices now travel
as Events; the pipeline's own tests cover the delivery to the site, e-mail and the other channels)."""

from __future__ import annotations

from typing import Any

from notifications.models import EventRecord


def notices(user: Any, event: str) -> list[str]:
    """The texts of the `participation.<event>` notices addressed to `user`, in their language."""
    language = getattr(user, "preferred_language", "") or "ro"
    return [record.text("title", language) for record in
            EventRecord.objects.filter(kind=f"participation.{event}").order_by("occurred_at")
            if user.pk in record.recipient_user_ids]


def notified(user: Any, event: str) -> bool:
    return bool(notices(user, event))
