"""What rooms publish: one typed Event per thing that happened, stored with the caller's transaction.

Interface (stable; fields may be added, never renamed or removed):

    from notifications.events import Event, publish

    publish(Event(
        kind="reports.status_changed",          # "<room>.<what>"
        room="reports",
        subject="reports.report:42",            # what followers follow: "<app_label>.<model>:<pk>"
        title={"ro": "…", "en": "…"},           # the state at the moment of the event, per language
        body={"ro": "…", "en": "…"},            # plain text
        url="/reports/42/",                     # language-free path; the recipient's language prefix is added
        topics=("reports.category:potholes", "room:reports"),
        geometry={"type": "Point", "coordinates": [21.22, 45.75]},   # GeoJSON (WGS 84), optional
        severity="info",                        # "info" | "warning" | "critical"
        data={...},                             # JSON payload for webhooks
        actor_user_id=7,                        # never notified of their own action
        recipient_user_ids=(12,),               # direct notices, in addition to subscribers
        is_demo=False,                          # True from a demo loader (removed with the demo)
    ))

`publish` writes an EventRecord inside the caller's transaction and, once that transaction commits,
enqueues the fan-out task (matching subscriptions → deliveries per channel). A rolled-back
transaction therefore notifies nobody, and every message carries the title and body written at
publish time — never the object's state when the task runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("info", "warning", "critical")


@dataclass(frozen=True)
class Event:
    kind: str
    room: str
    subject: str
    title: Mapping[str, str]
    body: Mapping[str, str]
    url: str
    topics: tuple[str, ...] = ()
    geometry: Mapping[str, Any] | None = None
    severity: str = "info"
    data: Mapping[str, Any] = field(default_factory=dict)
    actor_user_id: int | None = None
    recipient_user_ids: tuple[int, ...] = ()
    is_demo: bool = False  # published by a room's demo loader: removed by `remove_demo_data`
    # How often recipients who never chose (no Preferences) hear of it: a room's own default ("daily" for
    # participation, whose notices were a daily digest unless one chose otherwise); empty: at once.
    default_digest: str = ""

    def all_topics(self) -> tuple[str, ...]:
        """The event's topic keys plus the implicit ones every event carries: its room and its kind."""
        implicit = (f"room:{self.room}", f"kind:{self.kind}")
        return tuple(dict.fromkeys((*self.topics, *implicit)))


def language_free(path: str) -> str:
    """`/ro/reports/42/` → `/reports/42/` (a room's get_absolute_url under the active language): the
    pipeline puts each recipient's language in front of it."""
    from django.conf import settings

    for code, _name in settings.LANGUAGES:
        if path.startswith(f"/{code}/"):
            return path[len(code) + 1:]
    return path


def publish(event: Event) -> None:
    """Store the event in the caller's transaction; matching and deliveries run after commit."""
    from notifications.pipeline import record_event

    record_event(event)
