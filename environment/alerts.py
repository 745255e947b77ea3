"""Alerts: detect index-band and limit crossings with hysteresis, tell subscribers.

Watched series (one persisted hysteresis state each, shared by all subscribers):

* per sensor and per pollutant of the index: the latest hourly mean against the EEA band
  table (environment.airquality.alerting.config_for_bands: 10 % dead band, and a change must
  hold for ENVIRONMENT_ALERT_DWELL_MINUTES, default 60, before it is announced);
* per sensor, the running mean of today against each EU daily limit value (PM10 50 µg/m³ of
  2008/50/EC; PM10 45 and PM2.5 25 µg/m³ of 2024/2881), same brakes;
* the city: the median over online sensors of the same figures.

Events are recorded (public: they say nothing about subscribers) and one notification per
matching subscription is created in the same transaction; delivery (email, webhook) is a
django-tasks job enqueued on commit. Webhooks go only to the URL the subscriber registered,
checked again at delivery against private address ranges (DNS can change), and the
connection is made to the address that was checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from environment.airquality.alerting import AlertConfig, AlertEvent, AlertState, config_for_bands, step
from environment.airquality.bands import CURRENT_SCALE, style_for
from environment.airquality.limits import STANDARDS, Metric, Standard
from environment.airquality.quantities import Quantity
from environment.catalog import CODE_OF, quantity_label, unit_label
from environment.ingest.store import local_zone
from environment.models import (
    AlertChannel,
    AlertKind,
    AlertSubscription,
    AlertTracker,
    DailyAggregate,
    Notification,
    NotificationStatus,
    Sensor,
)
from environment.models import AlertEvent as AlertEventRow

QUANTUM = 1_000_000
LIVE_WINDOW = dt.timedelta(hours=2)  # only live data alerts; archive imports never do
DAILY_LIMITS: tuple[Standard, ...] = tuple(
    s for s in STANDARDS if s.metric is Metric.DAILY and s.pollutant in (Quantity.PM10, Quantity.PM2_5))


def _dwell() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "ENVIRONMENT_ALERT_DWELL_MINUTES", 60))


def _band_config(quantity: str) -> AlertConfig:
    return config_for_bands(CURRENT_SCALE.bands_for(quantity), margin_fraction=0.1, min_dwell=_dwell())


def _limit_config(standard: Standard) -> AlertConfig:
    return AlertConfig(boundaries=(float(standard.value),), margin=0.1, relative_margin=True, min_dwell=_dwell())


def limit_key(standard: Standard) -> str:
    return f"limit:{standard.code}"


# --- webhook addresses ---------------------------------------------------------------------------


def _allow_private() -> bool:
    return bool(getattr(settings, "ENVIRONMENT_WEBHOOK_ALLOW_PRIVATE", False))


def _address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if _allow_private():
        return not ip.is_unspecified and not ip.is_multicast
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class WebhookTarget:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def validate_webhook_url(url: str) -> WebhookTarget:
    """Check a subscriber's webhook URL; ValidationError naming webhook_url when refused.

    https only (http too when ENVIRONMENT_WEBHOOK_ALLOW_PRIVATE is set, for a local receiver),
    no credentials in the URL, and every address the host resolves to must be public unless
    settings allow private ranges.
    """
    def refuse(message: str) -> ValidationError:
        return ValidationError({"webhook_url": message})

    if not url or len(url) > 500:
        raise refuse(_("Give the address (up to 500 characters) that should receive the alerts."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise refuse(_("This is not a valid address.")) from None
    allowed_schemes = {"https", "http"} if _allow_private() else {"https"}
    if parts.scheme not in allowed_schemes:
        raise refuse(_("Only https:// addresses can receive alerts."))
    if parts.username or parts.password:
        raise refuse(_("The address must not contain a user name or password."))
    host = parts.hostname or ""
    if not host:
        raise refuse(_("The address has no host name."))
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise refuse(_("The host name %(host)s does not resolve.") % {"host": host}) from None
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise refuse(_("The host name %(host)s does not resolve.") % {"host": host})
    for address in addresses:
        if not _address_allowed(address):
            raise refuse(_("%(host)s points to a private or reserved network address (%(address)s); alerts are "
                           "only sent to public addresses.") % {"host": host, "address": address})
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return WebhookTarget(parts.scheme, host, port, path, addresses)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the checked address while verifying the certificate for the host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post_webhook(url: str, secret: str, payload: dict[str, Any], timeout: float = 5.0) -> int:
    """POST the JSON payload, signed with HMAC-SHA256 of the body; returns the HTTP status."""
    target = validate_webhook_url(url)
    body = json.dumps(payload, separators=(",", ":"), default=str).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target.host, target.addresses[0], target.port, timeout)
    try:
        connection.request("POST", target.path, body=body, headers={
            "Content-Type": "application/json", "User-Agent": "timisoara-smartcity-alerts/1",
            "X-Smartcity-Signature": f"sha256={signature}", "X-Smartcity-Event": "air-quality-alert"})
        response = connection.getresponse()
        response.read(1024)
        return response.status
    finally:
        connection.close()


# --- evaluation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Observation:
    sensor_pk: int | None  # None = city
    key: str
    kind: str
    config: AlertConfig
    time: dt.datetime
    value: float
    quantity: str
    standard: Standard | None = None


def _sensor_observations(sensors: list[Sensor], now: dt.datetime) -> list[Observation]:
    from environment.selectors import INDEX_QUANTITIES, sensors_now

    observations: list[Observation] = []
    current = sensors_now(sensors, now)
    today = now.astimezone(local_zone()).date()
    running: dict[tuple[int, int], float] = {
        (sensor_pk, quantity): total / count / QUANTUM
        for sensor_pk, quantity, count, total in DailyAggregate.objects.filter(
            sensor__in=sensors, day=today, quantity__in=[CODE_OF[str(s.pollutant)] for s in DAILY_LIMITS],
        ).values_list("sensor_id", "quantity", "count", "total_micro")
    }
    for sensor in sensors:
        entry = current[sensor.pk]
        moment = sensor.last_reading_at or now
        for quantity, value in entry.concentrations.items():
            if quantity in INDEX_QUANTITIES:
                observations.append(Observation(sensor.pk, f"aqi:{quantity}", AlertKind.AQI, _band_config(quantity),
                                                moment, value, quantity))
        for standard in DAILY_LIMITS:
            mean = running.get((sensor.pk, CODE_OF[str(standard.pollutant)]))
            if mean is not None:
                observations.append(Observation(sensor.pk, limit_key(standard), AlertKind.LIMIT,
                                                _limit_config(standard), moment, mean, str(standard.pollutant),
                                                standard))
    return observations


def _city_observations(now: dt.datetime) -> list[Observation]:
    """The city: median over live sensors of each watched figure."""
    live = list(Sensor.objects.filter(active=True, last_reading_at__gte=now - LIVE_WINDOW,
                                      last_reading_at__lte=now + dt.timedelta(minutes=5)))
    if not live:
        return []
    grouped: dict[str, list[Observation]] = defaultdict(list)
    for observation in _sensor_observations(live, now):
        grouped[observation.key].append(observation)
    city = []
    for key, items in grouped.items():
        first = items[0]
        city.append(Observation(None, key, first.kind, first.config, max(i.time for i in items),
                                statistics.median(i.value for i in items), first.quantity, first.standard))
    return city


def _level_for_humans(observation: Observation, level: int) -> int:
    """Index levels are stored as the EEA's 1..6; limits as 0 (within) / 1 (above)."""
    return level + 1 if observation.kind == AlertKind.AQI else level


def evaluate(sensor_pks: Iterable[int], now: dt.datetime | None = None) -> list[AlertEventRow]:
    """Feed the latest figures of these sensors (and the city) to their trackers; returns new events."""
    now = now or timezone.now()
    sensors = list(Sensor.objects.filter(pk__in=list(sensor_pks), active=True,
                                         last_reading_at__gte=now - LIVE_WINDOW))
    if not sensors:
        return []
    observations = _sensor_observations(sensors, now) + _city_observations(now)
    if not observations:
        return []
    created: list[AlertEventRow] = []
    with transaction.atomic():
        AlertTracker.objects.bulk_create(
            [AlertTracker(sensor_id=o.sensor_pk, key=o.key, state=AlertState().to_dict()) for o in observations],
            ignore_conflicts=True)
        sensor_keys = {(o.sensor_pk, o.key) for o in observations}
        trackers = {(t.sensor_id, t.key): t for t in AlertTracker.objects.select_for_update().filter(
            sensor_id__in=[pk for pk, _key in sensor_keys if pk is not None] or [0],
            key__in=[key for _pk, key in sensor_keys]).order_by("pk")}
        trackers.update({(None, t.key): t for t in AlertTracker.objects.select_for_update().filter(
            sensor__isnull=True, key__in=[key for pk, key in sensor_keys if pk is None]).order_by("pk")})
        changed: list[AlertTracker] = []
        for observation in observations:
            tracker = trackers.get((observation.sensor_pk, observation.key))
            if tracker is None:
                continue
            try:
                state = AlertState.from_dict(tracker.state)
            except ValueError:
                state = AlertState()
            new_state, event = step(observation.config, state, observation.time, observation.value)
            tracker.state = new_state.to_dict()
            tracker.level = new_state.level
            tracker.updated_at = now
            changed.append(tracker)
            if event is not None:
                created.append(_record_event(observation, event))
        AlertTracker.objects.bulk_update(changed, ["state", "level", "updated_at"])
    return created


def _record_event(observation: Observation, event: AlertEvent) -> AlertEventRow:
    details: dict[str, Any] = {"quantity": observation.quantity, "unit": unit_label(observation.quantity)}
    if observation.standard is not None:
        details.update({"standard": observation.standard.code, "directive": observation.standard.directive,
                        "limit": observation.standard.value})
    row = AlertEventRow.objects.create(
        sensor_id=observation.sensor_pk, kind=observation.kind, key=observation.key, direction=str(event.direction),
        from_level=_level_for_humans(observation, event.from_level),
        to_level=_level_for_humans(observation, event.to_level), time=event.time, value=event.value,
        details=details)
    subscriptions = AlertSubscription.objects.filter(active=True, kind=observation.kind)
    subscriptions = (subscriptions.filter(sensor_id=observation.sensor_pk) if observation.sensor_pk is not None
                     else subscriptions.filter(sensor__isnull=True))
    notifications = []
    for subscription in subscriptions:
        if observation.kind == AlertKind.AQI and max(row.from_level, row.to_level) < subscription.min_level:
            continue
        notifications.append(Notification(event=row, subscription=subscription))
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    ids = list(Notification.objects.filter(event=row).values_list("pk", flat=True))
    if ids:
        def enqueue() -> None:
            from environment.tasks import deliver_notification

            for notification_id in ids:
                deliver_notification.enqueue(notification_id)

        transaction.on_commit(enqueue)
    return row


# --- messages and delivery -----------------------------------------------------------------------


def describe_event(event: AlertEventRow) -> str:
    """One sentence in the active language."""
    quantity = quantity_label(event.details.get("quantity", ""))
    where = (_("sensor %(id)s") % {"id": event.sensor.sensor_id}) if event.sensor_id and event.sensor else _(
        "Timișoara (median of the sensors)")
    value = f"{event.value:.1f} {event.details.get('unit', '')}".strip()
    if event.kind == AlertKind.AQI:
        old, new = _(style_for(event.from_level).label), _(style_for(event.to_level).label)
        return _("%(quantity)s at %(where)s moved from “%(old)s” to “%(new)s” on the European Air Quality Index "
                 "(hourly mean %(value)s).") % {"quantity": quantity, "where": where, "old": old, "new": new,
                                                "value": value}
    limit = event.details.get("limit")
    directive = event.details.get("directive", "")
    if event.to_level > event.from_level:
        return _("Today's mean %(quantity)s so far at %(where)s, %(value)s, is above the daily limit value of "
                 "%(limit)s µg/m³ (Directive %(directive)s).") % {"quantity": quantity, "where": where,
                                                                  "value": value, "limit": limit,
                                                                  "directive": directive}
    return _("Today's mean %(quantity)s so far at %(where)s, %(value)s, is back below the daily limit value of "
             "%(limit)s µg/m³ (Directive %(directive)s).") % {"quantity": quantity, "where": where, "value": value,
                                                              "limit": limit, "directive": directive}


def public_base_url() -> str:
    configured = getattr(settings, "ENVIRONMENT_PUBLIC_URL", "")
    if configured:
        return str(configured).rstrip("/")
    from django.contrib.sites.models import Site

    # https behind TLS (HTTPS=1), as the other rooms' e-mails; `make serve` serves plain http.
    scheme = "https" if getattr(settings, "SESSION_COOKIE_SECURE", False) else "http"
    return f"{scheme}://{Site.objects.get_current().domain}"


UNSUBSCRIBE_SALT = "environment.unsubscribe"


def unsubscribe_token(subscription: AlertSubscription) -> str:
    return signing.dumps(subscription.pk, salt=UNSUBSCRIBE_SALT)


def deliver(notification_id: int) -> str:
    notification = Notification.objects.select_related("event__sensor", "subscription__user").filter(
        pk=notification_id).first()
    if notification is None or notification.status == NotificationStatus.SENT:
        return "skipped"
    subscription, event = notification.subscription, notification.event
    error = ""
    with translation.override(subscription.language or settings.LANGUAGE_CODE):
        text = describe_event(event)
        try:
            if subscription.channel == AlertChannel.EMAIL:
                link = public_base_url() + reverse("environment:unsubscribe", args=[unsubscribe_token(subscription)])
                send_mail(_("Air quality alert"), f"{text}\n\n" + _("Stop these alerts: %(link)s") % {"link": link},
                          None, [subscription.user.email])
            else:
                status = post_webhook(subscription.webhook_url, subscription.webhook_secret, {
                    "event": event.pk, "kind": event.kind, "key": event.key,
                    "sensor_id": event.sensor.sensor_id if event.sensor else None, "direction": event.direction,
                    "from_level": event.from_level, "to_level": event.to_level, "value": event.value,
                    "time": event.time.isoformat(), "details": event.details, "text": text})
                if not 200 <= status < 300:
                    error = f"webhook answered HTTP {status}"
        except ValidationError as refused:
            error = "; ".join(refused.messages)[:300]
        except (OSError, http.client.HTTPException) as failure:
            error = f"{type(failure).__name__}: {failure}"[:300]
    notification.attempts += 1
    if error:
        notification.status, notification.last_error = NotificationStatus.FAILED, error
    else:
        notification.status, notification.sent_at, notification.last_error = NotificationStatus.SENT, timezone.now(), ""
    notification.save(update_fields=["attempts", "status", "last_error", "sent_at"])
    return notification.status
