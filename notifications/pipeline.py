"""The pipeline: stored event → matching subscriptions → one delivery per endpoint → channel.

1. `record_event` (called by `events.publish`) writes the EventRecord in the caller's transaction and
   enqueues `tasks.fan_out` once it commits.
2. `fan_out` matches by subject (followed object), topic keys and place, de-duplicates per endpoint
   (a person reached by several subscriptions gets one message per channel), and writes the deliveries
   with the time each may go out: now, the end of the person's quiet hours, or the next digest.
   Its query count does not grow with the number of recipients.
3. `send_delivery` sends one delivery through its channel, with a per-endpoint rate limit, and records
   the outcome; a retryable failure is tried again with exponential backoff (the recurring job
   `send_due` picks due retries up); repeated failures disable the endpoint.
4. `send_digests` gathers each endpoint's due digest deliveries into one message.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from notifications import geometry as geo
from notifications import schedule, tokens
from notifications.channels.base import DeliveryFailed, OutgoingMessage, channel_names, get_channel
from notifications.events import SEVERITIES, Event
from notifications.models import Delivery, Digest, Endpoint, EventRecord, Preferences, Subscription

logger = logging.getLogger(__name__)

URGENCY = {Digest.IMMEDIATE: 0, Digest.DAILY: 1, Digest.WEEKLY: 2}
# Channels that are not interrupting (a notice on the site) or are machines (webhooks): no quiet hours,
# no digest.
UNINTRUSIVE = {Endpoint.Kind.INBOX, Endpoint.Kind.WEBHOOK}


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


# --- 1. Publishing ------------------------------------------------------------------------------


DEFAULT_DIGEST_KEY = "default_digest"  # Event.default_digest, kept in the record's data


def record_event(event: Event) -> EventRecord:
    if event.severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}")
    if not event.kind.startswith(f"{event.room}."):
        raise ValueError("kind must start with the room's name: '<room>.<what>'")
    if event.geometry is not None:
        geo.parse_geometry(event.geometry)  # a room's bug, caught where it is made
    data = dict(event.data)
    if event.default_digest:
        if event.default_digest not in Digest.values:
            raise ValueError(f"default_digest must be one of {', '.join(Digest.values)}")
        data[DEFAULT_DIGEST_KEY] = event.default_digest
    record = EventRecord.objects.create(
        kind=event.kind, room=event.room, subject=event.subject, title=dict(event.title), body=dict(event.body),
        url=event.url, topics=list(event.all_topics()), geometry=dict(event.geometry) if event.geometry else None,
        severity=event.severity, data=data, actor_user_id=event.actor_user_id,
        recipient_user_ids=[int(pk) for pk in event.recipient_user_ids], is_demo=event.is_demo)
    from notifications.tasks import fan_out as fan_out_task

    event_id = str(record.pk)
    transaction.on_commit(lambda: fan_out_task.enqueue(event_id))
    return record


# --- 2. Matching and fan-out --------------------------------------------------------------------


@dataclass
class _Target:
    """Why and how one endpoint receives an event (the most urgent of the matching subscriptions wins)."""

    user_id: int | None
    subscription_id: int | None
    digest: str
    quiet_start: dt.time | None
    quiet_end: dt.time | None
    language: str


def _places_hit(event_geometry: BaseGeometry, rows: list[tuple[int, float | None, float | None, int | None, Any]]
                ) -> list[int]:
    """The ids of the point+radius and drawn-area candidates the event touches, checked with shapely's
    vectorised functions (one call per kind, not one Python call per subscription)."""
    radius_rows = [row for row in rows if row[3] is not None and row[1] is not None and row[2] is not None]
    area_rows = [row for row in rows if row[3] is None and row[4] is not None]
    hits: list[int] = []
    if radius_rows:
        lats = np.array([row[1] for row in radius_rows], dtype=float)
        lons = np.array([row[2] for row in radius_rows], dtype=float)
        radii = np.array([row[3] for row in radius_rows], dtype=float)
        within = geo.within_radii(event_geometry, lats, lons, radii)
        hits.extend(row[0] for row, hit in zip(radius_rows, within, strict=True) if hit)
    if area_rows:
        areas = []
        for row in area_rows:
            try:
                areas.append(shape(row[4]))  # validated (and repaired) when the subscription was made
            except (KeyError, TypeError, ValueError, AttributeError):
                areas.append(None)
        touched = shapely.intersects(np.array(areas, dtype=object), event_geometry)
        hits.extend(row[0] for row, hit in zip(area_rows, touched, strict=True) if hit)
    return hits


@dataclass(frozen=True)
class Match:
    """A matching subscription, as few columns as the fan-out needs (no model instances: 100,000 of them
    would cost more than the matching itself)."""

    pk: int
    user_id: int | None
    endpoint_id: int | None
    digest: str
    quiet_start: dt.time | None
    quiet_end: dt.time | None


MATCH_FIELDS = ("pk", "user_id", "endpoint_id", "digest", "quiet_start", "quiet_end")


@dataclass(frozen=True)
class _EndpointInfo:
    pk: int
    kind: str
    language: str


def matching_subscriptions(record: EventRecord) -> list[Match]:
    """Confirmed subscriptions the event concerns: by subject or topic key (no place), or by place
    (optionally narrowed by a topic key). A neighbourhood subscription matches when its neighbourhood
    touches the event (the few neighbourhood polygons are checked once per event); point+radius and drawn
    areas are candidates when their stored bounding box overlaps the event's (one indexed query), then
    checked exactly with shapely, vectorised."""
    keys = [record.subject, *record.topics]
    no_place = Q(neighbourhood__isnull=True, radius_m__isnull=True, polygon__isnull=True)
    confirmed = Subscription.objects.filter(confirmed_at__isnull=False)
    matched = [Match(*row) for row in confirmed.filter(no_place, topic__in=keys).values_list(*MATCH_FIELDS)]
    if not record.geometry:
        return matched
    from core.models import Neighbourhood

    event_geometry = geo.parse_geometry(record.geometry)
    shapely.prepare(event_geometry)
    min_lon, min_lat, max_lon, max_lat = geo.bbox(event_geometry)
    overlaps = Q(min_lon__lte=max_lon, max_lon__gte=min_lon, min_lat__lte=max_lat, max_lat__gte=min_lat)
    place_topic = Q(topic__in=[*keys, ""])
    touched = [pk for pk, geometry in Neighbourhood.objects.filter(overlaps).values_list("pk", "geometry")
               if shape(geometry).intersects(event_geometry)]
    if touched:
        matched.extend(Match(*row) for row in confirmed.filter(place_topic, neighbourhood_id__in=touched)
                       .values_list(*MATCH_FIELDS))
    rows = list(confirmed.filter(place_topic, overlaps, neighbourhood__isnull=True)
                .filter(Q(radius_m__isnull=False) | Q(polygon__isnull=False))
                .values_list("pk", "lat", "lon", "radius_m", "polygon"))
    hits = _places_hit(event_geometry, rows)
    for start in range(0, len(hits), 5000):  # bounded IN lists (SQLite's variable limit)
        matched.extend(Match(*row) for row in confirmed.filter(pk__in=hits[start:start + 5000])
                       .values_list(*MATCH_FIELDS))
    return matched


def ensure_default_endpoints(user_ids: Iterable[int]) -> None:
    """A person with no endpoint yet gets their account's e-mail (verified at sign-up) and the site inbox."""
    User = get_user_model()
    ids = set(user_ids)
    if not ids:
        return
    have = set(Endpoint.objects.filter(user_id__in=ids).values_list("user_id", flat=True).distinct())
    missing = ids - have
    if not missing:
        return
    now = timezone.now()
    rows = []
    for pk, email, language in User.objects.filter(pk__in=missing).values_list("pk", "email", "preferred_language"):
        language = language or settings.LANGUAGE_CODE
        rows.append(Endpoint(user_id=pk, kind=Endpoint.Kind.INBOX, language=language, verified_at=now))
        if email:
            rows.append(Endpoint(user_id=pk, kind=Endpoint.Kind.EMAIL, address=email, language=language,
                                 verified_at=now))
    Endpoint.objects.bulk_create(rows)


def _merge(targets: dict[int, _Target], endpoint_id: int, target: _Target) -> None:
    current = targets.get(endpoint_id)
    if current is None or URGENCY[Digest(target.digest)] < URGENCY[Digest(current.digest)]:
        targets[endpoint_id] = target


def resolve_targets(record: EventRecord) -> tuple[dict[int, _Target], dict[int, _EndpointInfo]]:
    """Endpoint id → why and how it is reached, de-duplicated; plus what the fan-out needs of each endpoint."""
    matches = matching_subscriptions(record)
    by_user: dict[int, list[Match | None]] = defaultdict(list)
    targets: dict[int, _Target] = {}
    endpoints: dict[int, _EndpointInfo] = {}
    anonymous: dict[int, list[Match]] = defaultdict(list)
    for match in matches:
        if match.user_id is not None:
            by_user[match.user_id].append(match)
        elif match.endpoint_id is not None:
            anonymous[match.endpoint_id].append(match)
    ids = list(anonymous)
    for start in range(0, len(ids), 5000):  # bounded IN lists (SQLite's variable limit)
        for pk, kind, language in Endpoint.objects.filter(
                pk__in=ids[start:start + 5000], disabled_at__isnull=True, verified_at__isnull=False
        ).values_list("pk", "kind", "language"):
            endpoints[pk] = _EndpointInfo(pk, kind, language)
            for match in anonymous[pk]:
                _merge(targets, pk, _Target(None, match.pk, match.digest or Digest.IMMEDIATE, match.quiet_start,
                                            match.quiet_end, language))
    for user_id in record.recipient_user_ids:
        by_user[int(user_id)].append(None)
    if record.actor_user_id is not None:
        by_user.pop(record.actor_user_id, None)
    if not by_user:
        return targets, endpoints
    User = get_user_model()
    ensure_default_endpoints(by_user)
    languages = dict(User.objects.filter(pk__in=by_user, is_active=True).values_list("pk", "preferred_language"))
    preferences = {row[0]: row[1:] for row in Preferences.objects.filter(user_id__in=languages).values_list(
        "user_id", "digest", "quiet_start", "quiet_end")}
    user_endpoints: dict[int, list[_EndpointInfo]] = defaultdict(list)
    for pk, owner, kind, language in Endpoint.objects.filter(
            user_id__in=languages, disabled_at__isnull=True, verified_at__isnull=False
    ).values_list("pk", "user_id", "kind", "language"):
        user_endpoints[owner].append(_EndpointInfo(pk, kind, language))
    room_default = record.data.get(DEFAULT_DIGEST_KEY) if isinstance(record.data, dict) else None
    never_chose = (room_default if room_default in Digest.values else Digest.IMMEDIATE, None, None)
    for user_id, preferred in languages.items():
        default_digest, default_start, default_end = preferences.get(user_id, never_chose)
        language = preferred or settings.LANGUAGE_CODE
        for reason in by_user[user_id]:  # a matching subscription, or None for a direct notice
            digest = reason.digest if reason and reason.digest else default_digest
            quiet_start = reason.quiet_start if reason and reason.quiet_start else default_start
            quiet_end = reason.quiet_end if reason and reason.quiet_end else default_end
            for endpoint in user_endpoints[user_id]:
                endpoints[endpoint.pk] = endpoint
                _merge(targets, endpoint.pk, _Target(user_id, reason.pk if reason else None, digest,
                                                     quiet_start, quiet_end, language))
    return targets, endpoints


def _when(target: _Target, endpoint: _EndpointInfo, record: EventRecord, now: dt.datetime) -> tuple[str, dt.datetime]:
    """(digest mode, earliest send time) for one delivery."""
    if endpoint.kind in UNINTRUSIVE or record.severity == "critical":
        return Digest.IMMEDIATE, now
    local_now = now.astimezone(local_zone())
    if target.digest in (Digest.DAILY, Digest.WEEKLY):
        at = schedule.next_digest_at(local_now, target.digest, hour=_setting("NOTIFICATIONS_DIGEST_HOUR", 7))
        return target.digest, at
    until = schedule.quiet_until(local_now, target.quiet_start, target.quiet_end)
    return Digest.IMMEDIATE, until if until is not None else now


DELIVERY_COLUMNS = ("event", "endpoint", "user", "subscription", "channel", "language", "digest", "status",
                    "attempts", "next_attempt_at", "last_error", "created_at", "sent_at")


def _insert_deliveries(rows: list[tuple[Any, ...]]) -> None:
    """INSERT … ON CONFLICT DO NOTHING in batches, values prepared by each field (as the ORM would) but
    without building a model instance per delivery: Django's bulk_create spends most of a large fan-out
    there. The unique (event, endpoint) constraint makes a repeated fan-out harmless."""
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the proxy costs a lookup per value
    fields = [Delivery._meta.get_field(name) for name in DELIVERY_COLUMNS]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)  # type: ignore[union-attr]
    table = connection.ops.quote_name(Delivery._meta.db_table)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    preparers = [f.get_db_prep_save for f in fields]  # type: ignore[union-attr]
    size = max(1, min(500, connection.ops.bulk_batch_size(fields, rows)))  # the database's parameter limit
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start:start + size]
            values = [prepare(value, connection)
                      for row in batch for prepare, value in zip(preparers, row, strict=True)]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 (names from the model)
                           + ", ".join([placeholders] * len(batch)) + " ON CONFLICT DO NOTHING", values)


def fan_out(event_id: str) -> int:
    """Create the event's deliveries (idempotent) and enqueue those due now. Returns how many were created."""
    record = EventRecord.objects.filter(pk=event_id).first()
    if record is None:
        return 0
    now = timezone.now()
    targets, endpoints = resolve_targets(record)
    rows: list[tuple[Any, ...]] = []
    for endpoint_id, target in targets.items():
        endpoint = endpoints[endpoint_id]
        digest, at = _when(target, endpoint, record, now)
        status, sent_at, attempts = Delivery.Status.QUEUED, None, 0
        if endpoint.kind == Endpoint.Kind.INBOX:
            # The row is the notice on the site: it is delivered by being written.
            status, sent_at, attempts = Delivery.Status.SENT, now, 1
        rows.append((record.pk, endpoint_id, target.user_id, target.subscription_id, endpoint.kind, target.language,
                     str(digest), str(status), attempts, at, "", now, sent_at))
    with transaction.atomic():
        _insert_deliveries(rows)
        EventRecord.objects.filter(pk=record.pk).update(fanned_out_at=now)
    due = list(Delivery.objects.filter(event=record, status=Delivery.Status.QUEUED, digest=Digest.IMMEDIATE,
                                       next_attempt_at__lte=now).values_list("pk", flat=True))
    _enqueue_sends(due)
    return len(rows)


def _enqueue_sends(delivery_ids: list[int]) -> None:
    from notifications.tasks import send_deliveries as send_task

    size = int(_setting("NOTIFICATIONS_SEND_BATCH", 200))
    for start in range(0, len(delivery_ids), size):
        send_task.enqueue(delivery_ids[start:start + size])


# --- 3. Sending ---------------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    """Links in messages need the host: NOTIFICATIONS_BASE_URL, else the site's domain (django.contrib.sites)."""
    if not path.startswith("/"):
        return path
    base = _setting("NOTIFICATIONS_BASE_URL", "")
    if not base:
        from django.contrib.sites.models import Site

        scheme = "https" if getattr(settings, "SESSION_COOKIE_SECURE", False) else "http"
        base = f"{scheme}://{Site.objects.get_current().domain}"
    return base.rstrip("/") + path


def localised_url(path: str, language: str) -> str:
    if not path:
        return absolute_url(f"/{language}/")
    if path.startswith("/"):
        from core.legacy_urls import address_in_language

        return absolute_url(address_in_language(path, language))  # translated paths (/ro/resurse/…)
    return path


def preferences_url(anonymous_endpoint_id: int | None = None) -> str:
    """The preferences page in the active language (its path is translated: /ro/notificari/); for an
    address without an account (a delivery with no user), its signed "manage my e-mail alerts" page."""
    from django.urls import reverse

    if anonymous_endpoint_id is not None:
        return absolute_url(reverse("notifications:manage_alerts", args=[tokens.manage_token(anonymous_endpoint_id)]))
    return absolute_url(reverse("notifications:preferences"))


def unsubscribe_url(endpoint_id: int, subscription_id: int | None) -> str:
    from django.urls import reverse

    return absolute_url(reverse("notifications_unsubscribe", args=[tokens.unsubscribe_token(endpoint_id,
                                                                                              subscription_id)]))


def event_payload(record: EventRecord) -> dict[str, Any]:
    return {"id": str(record.pk), "kind": record.kind, "room": record.room, "subject": record.subject,
            "title": record.title, "body": record.body, "url": absolute_url(record.url) if record.url else "",
            "topics": record.topics, "geometry": record.geometry, "severity": record.severity,
            "occurred_at": record.occurred_at.isoformat(), "data": record.data}


def build_message(delivery: Delivery) -> OutgoingMessage:
    record, language = delivery.event, delivery.language
    title, body = record.text("title", language), record.text("body", language)
    url = localised_url(record.url, language)
    unsubscribe = unsubscribe_url(delivery.endpoint_id, delivery.subscription_id)
    with translation.override(language):
        context = {"title": title, "body": body, "url": url, "unsubscribe_url": unsubscribe,
                   "severity": record.severity, "site_name": settings.SITE_NAME,
                   "preferences_url": preferences_url(delivery.endpoint_id if delivery.user_id is None else None)}
        text = render_to_string("notifications/message.txt", context)
        html = render_to_string("notifications/message.html", context)
    return OutgoingMessage(delivery_id=delivery.pk, kind=record.kind, language=language, subject=title,
                           text=text, html=html, url=url, unsubscribe_url=unsubscribe,
                           payload=event_payload(record), event_id=str(record.pk), occurred_at=record.occurred_at,
                           severity=record.severity, delivery_ids=(delivery.pk,))


def _rate_limited_until(endpoint: Endpoint, now: dt.datetime) -> dt.datetime | None:
    """When the endpoint may receive again, if it already had its hourly quota (inbox: no limit)."""
    if endpoint.kind == Endpoint.Kind.INBOX:
        return None
    limit = int(_setting("NOTIFICATIONS_MAX_PER_ENDPOINT_PER_HOUR", 20))
    window = now - dt.timedelta(hours=1)
    recent = list(Delivery.objects.filter(endpoint=endpoint, sent_at__gte=window).order_by("-sent_at")
                  .values_list("sent_at", flat=True).distinct()[:limit])
    if len(recent) < limit or recent[-1] is None:
        return None
    oldest: dt.datetime = recent[-1]
    return oldest + dt.timedelta(hours=1)


def _record_failure(deliveries: list[Delivery], endpoint: Endpoint, error: DeliveryFailed,
                    now: dt.datetime) -> None:
    max_attempts = int(_setting("NOTIFICATIONS_MAX_ATTEMPTS", 6))
    attempts = max(d.attempts for d in deliveries) + 1
    final = not error.retryable or attempts >= max_attempts
    updates: dict[str, Any] = {"attempts": attempts, "last_error": error.reason[:500]}
    if final:
        updates["status"] = Delivery.Status.FAILED
    else:
        updates["next_attempt_at"] = now + dt.timedelta(seconds=schedule.backoff_seconds(
            attempts, base=int(_setting("NOTIFICATIONS_RETRY_BASE_SECONDS", 60))))
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(**updates)
    failures = endpoint.consecutive_failures + 1
    endpoint_updates: dict[str, Any] = {"consecutive_failures": failures}
    if failures >= int(_setting("NOTIFICATIONS_MAX_CONSECUTIVE_FAILURES", 10)) or error.reason == "gone":
        endpoint_updates.update(disabled_at=now, disabled_reason=f"after {failures} failures: {error.reason}"[:200])
    Endpoint.objects.filter(pk=endpoint.pk).update(**endpoint_updates)


def _dispatch(deliveries: list[Delivery], endpoint: Endpoint, message: OutgoingMessage, now: dt.datetime) -> bool:
    ids = [d.pk for d in deliveries]
    if not endpoint.is_active:
        Delivery.objects.filter(pk__in=ids).update(status=Delivery.Status.SKIPPED,
                                                   last_error="endpoint disabled or unverified")
        return False
    if message.severity != "critical":
        until = _rate_limited_until(endpoint, now)
        if until is not None:
            Delivery.objects.filter(pk__in=ids).update(next_attempt_at=until, last_error="rate limited")
            return False
    channel = get_channel(endpoint.kind)
    if channel is None:
        Delivery.objects.filter(pk__in=ids).update(status=Delivery.Status.SKIPPED,
                                                   last_error=f"no channel registered for {endpoint.kind}")
        return False
    try:
        channel.send(endpoint, message)
    except DeliveryFailed as error:
        logger.info("delivery %s to endpoint %s failed: %s", ids, endpoint.pk, error.reason)
        _record_failure(deliveries, endpoint, error, now)
        return False
    Delivery.objects.filter(pk__in=ids).update(status=Delivery.Status.SENT, sent_at=now, last_error="",
                                               attempts=max(d.attempts for d in deliveries) + 1)
    if endpoint.consecutive_failures:
        Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
    return True


# A worker claims a delivery by moving its next attempt this far ahead before sending, so that two workers
# (or the recurring job and a fan-out) never send the same delivery twice; the outcome then overwrites it.
CLAIM = dt.timedelta(minutes=10)


def _claim(delivery_ids: list[int], now: dt.datetime) -> bool:
    return Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.QUEUED,
                                   next_attempt_at__lte=now).update(next_attempt_at=now + CLAIM) == len(delivery_ids)


def send_delivery(delivery_id: int) -> bool:
    now = timezone.now()
    if not _claim([delivery_id], now):
        return False
    delivery = Delivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    return _dispatch([delivery], delivery.endpoint, build_message(delivery), now)


def close_channels() -> None:
    """Let channels that keep a connection across a batch (e-mail's SMTP) close it."""
    for name in channel_names():
        channel = get_channel(name)
        close = getattr(channel, "close", None)
        if callable(close):
            close()


def send_deliveries(delivery_ids: list[int]) -> int:
    try:
        return sum(1 for pk in delivery_ids if send_delivery(pk))
    finally:
        close_channels()


def send_due() -> int:
    """Send every queued immediate delivery whose time has come (retries, deferrals)."""
    due = list(Delivery.objects.filter(status=Delivery.Status.QUEUED, digest=Digest.IMMEDIATE,
                                       next_attempt_at__lte=timezone.now())
               .order_by("next_attempt_at").values_list("pk", flat=True)[:5000])
    return send_deliveries(due)


# --- 4. Digests ---------------------------------------------------------------------------------


def build_digest(deliveries: list[Delivery]) -> OutgoingMessage:
    first = deliveries[0]
    language = first.language
    with translation.override(language):
        items = [{"title": d.event.text("title", language), "body": d.event.text("body", language),
                  "url": localised_url(d.event.url, language), "occurred_at": d.event.occurred_at}
                 for d in deliveries]
        period = _("Your daily digest") if first.digest == Digest.DAILY else _("Your weekly digest")
        subject = ngettext("%(period)s: %(count)d notice", "%(period)s: %(count)d notices", len(items)) % {
            "period": period, "count": len(items)}
        unsubscribe = unsubscribe_url(first.endpoint_id, None)
        page = preferences_url(first.endpoint_id if first.user_id is None else None)
        context = {"subject": subject, "items": items, "unsubscribe_url": unsubscribe,
                   "site_name": settings.SITE_NAME,
                   "preferences_url": page}
        text = render_to_string("notifications/digest.txt", context)
        html = render_to_string("notifications/digest.html", context)
    return OutgoingMessage(delivery_id=first.pk, kind="notifications.digest", language=language, subject=subject,
                           text=text, html=html, url=page,
                           unsubscribe_url=unsubscribe,
                           payload={"events": [event_payload(d.event) for d in deliveries]},
                           event_id=str(first.event_id), occurred_at=deliveries[-1].event.occurred_at,
                           delivery_ids=tuple(d.pk for d in deliveries))


def send_digests() -> int:
    """One message per endpoint whose digest is due. Returns how many messages went out."""
    now = timezone.now()
    due = (Delivery.objects.filter(status=Delivery.Status.QUEUED, digest__in=[Digest.DAILY, Digest.WEEKLY],
                                   next_attempt_at__lte=now)
           .select_related("event", "endpoint").order_by("endpoint_id", "event__occurred_at"))
    grouped: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in due:
        grouped[delivery.endpoint_id].append(delivery)
    sent = 0
    try:
        sent = _send_digest_groups(list(grouped.values()), now)
    finally:
        close_channels()
    return sent


def _send_digest_groups(groups: list[list[Delivery]], now: dt.datetime) -> int:
    sent = 0
    for deliveries in groups:
        if not _claim([d.pk for d in deliveries], now):
            continue  # another worker has them
        if _dispatch(deliveries, deliveries[0].endpoint, build_digest(deliveries), now):
            sent += 1
    return sent
