"""Every state change of the environment room.

Registry and subscription changes: one function, one transaction, one audit row (core.audit).
Readings are data, not decisions: a batch is written in one transaction with its
aggregates and quarantine records (environment.ingest.store) and is not audited row by row;
an archive import writes one audit row per file.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core import audit
from environment.airquality.payloads import PayloadError, iter_archive_csv, iter_archive_file, parse_firmware_push
from environment.airquality.validation import ValidationPolicy
from environment.catalog import kind_for
from environment.ingest import pipeline
from environment.ingest.store import Row, StoreResult, store_batch
from environment.models import (
    AlertKind,
    IngestChannel,
    Network,
    QuarantinedReading,
    Sensor,
    Station,
)

# Archives hold history: no age limit, but the clock-skew rule still holds.
ARCHIVE_POLICY = ValidationPolicy(max_age=None)


def _require(user: Any, perm: str, obj: Any = None) -> None:
    """Scripts pass a label (str) as actor; people must hold the permission."""
    if user is not None and not isinstance(user, str) and not user.has_perm(perm, obj):
        raise PermissionDenied(perm)


def _after_commit_evaluate_alerts(sensor_pks: Iterable[int]) -> None:
    pks = sorted(set(sensor_pks))
    if not pks:
        return

    def enqueue() -> None:
        from environment.tasks import evaluate_alerts

        evaluate_alerts.enqueue(pks)

    transaction.on_commit(enqueue)


# --- registry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Registered:
    sensor: Sensor
    key: str | None  # shown once; only its hash is stored


@transaction.atomic
def register_sensor(actor: Any, sensor_id: str, *, latitude: float, longitude: float, kind: str,
                    station_slug: str | None = None, station_name: str = "", network: str = Network.PRIVATE,
                    operator: str = "", quantities: list[str] | None = None, device_id: str = "",
                    pin: str | None = None, with_key: bool = True, is_demo: bool = False,
                    description: str = "") -> Registered:
    """Add a sensor (and its station, unless an existing one is named). Returns its credential once."""
    _require(actor, "environment.add_sensor")
    sensor_kind = kind_for(kind)
    if sensor_kind is None and not quantities:
        raise ValidationError({"kind": _("Unknown sensor model %(kind)s: give the quantities it measures.")
                               % {"kind": kind}})
    if Sensor.objects.filter(sensor_id=sensor_id).exists():
        raise ValidationError({"sensor_id": _("Sensor %(id)s is already registered.") % {"id": sensor_id}})
    if station_slug and Station.objects.filter(slug=station_slug).exists():
        station = Station.objects.get(slug=station_slug)
    else:
        station = Station(slug=station_slug or slugify(sensor_id)[:80] or f"station-{secrets.token_hex(4)}",
                          name=station_name or _("Sensor %(id)s") % {"id": sensor_id}, network=network,
                          operator=operator, latitude=latitude, longitude=longitude, is_demo=is_demo,
                          description=description)
        station.neighbourhood = _neighbourhood(latitude, longitude)
        station.full_clean()
        station.save()
        audit.record(actor, "environment.station.created", station, {"latitude": latitude, "longitude": longitude})
    measured = [str(q) for q in (quantities or (sensor_kind.quantities if sensor_kind else ()))]
    sensor = Sensor(sensor_id=sensor_id, station=station, kind=(sensor_kind.code if sensor_kind else kind)[:32],
                    quantities=measured, device_id=device_id,
                    pin=pin if pin is not None else (sensor_kind.pin if sensor_kind else ""))
    key = None
    if with_key:
        key = Sensor.new_key()
        sensor.key_hash, sensor.key_prefix = Sensor.hash_key(key), key[3:9]
    sensor.full_clean()
    _check_quantities(measured)
    sensor.save()
    audit.record(actor, "environment.sensor.registered", sensor,
                 {"kind": sensor.kind, "quantities": measured, "station": station.slug, "credential": with_key})
    return Registered(sensor, key)


@dataclass(frozen=True)
class RegisteredBoard:
    sensors: list[Sensor]
    key: str | None  # shown once; only its hash is stored (on each of the board's sensors)


def board_sensor_id(device_id: str, kind: str) -> str:
    """The id a board's sensor gets, e.g. esp8266-3654427-sds011."""
    return f"{device_id}-{kind.lower()}"[:64]


@transaction.atomic
def register_board(actor: Any, device_id: str, kinds: list[str], *, latitude: float, longitude: float,
                   station_slug: str | None = None, station_name: str = "", network: str = Network.PRIVATE,
                   operator: str = "", with_key: bool = True, is_demo: bool = False) -> RegisteredBoard:
    """A multi-sensor board (airrohr) registered once: one sensor per model it carries, one credential.

    The board pushes all its values in one body with its X-Sensor (``device_id``) and no X-PIN
    (the firmware's "Send to own API"); each value goes to the sensor its value-type prefix names.
    A board registered before gets the new sensors added, with its station and credential.
    """
    _require(actor, "environment.add_sensor")
    if not device_id:
        raise ValidationError({"device": _("Give the board's X-Sensor, e.g. esp8266-3654427.")})
    if not kinds:
        raise ValidationError({"sensor": _("Name at least one sensor model the board carries.")})
    existing = list(Sensor.objects.filter(device_id=device_id).select_related("station").order_by("pk"))
    unknown = [kind for kind in kinds if kind_for(kind) is None]
    if unknown:
        raise ValidationError({"sensor": _("Unknown sensor model %(kind)s.") % {"kind": unknown[0]}})
    codes = [kind_for(kind).code for kind in kinds]  # type: ignore[union-attr]
    repeated = sorted({code for code in codes if codes.count(code) > 1} | {
        sensor.kind for sensor in existing if sensor.kind in codes})
    if repeated:
        raise ValidationError({"sensor": _("The board already has a %(kind)s sensor.") % {"kind": repeated[0]}})
    key: str | None = None
    if existing:
        station = existing[0].station
        key_hash, key_prefix = existing[0].key_hash, existing[0].key_prefix
    else:
        if Sensor.objects.filter(sensor_id=device_id).exists():
            raise ValidationError({"device": _("%(id)s is registered as a single sensor; the board needs its own "
                                               "id.") % {"id": device_id}})
        station = None
        if with_key:
            key = Sensor.new_key()
        key_hash, key_prefix = (Sensor.hash_key(key), key[3:9]) if key else ("", "")
    sensors: list[Sensor] = []
    for position, code in enumerate(codes):
        registered = register_sensor(
            actor, board_sensor_id(device_id, code), latitude=latitude, longitude=longitude, kind=code,
            station_slug=station.slug if station else (station_slug or slugify(device_id)[:80]),
            station_name=station_name or _("Board %(id)s") % {"id": device_id}, network=network, operator=operator,
            device_id=device_id, with_key=False, is_demo=is_demo)
        sensor = registered.sensor
        if station is None and position == 0:
            station = sensor.station
        if key_hash:
            Sensor.objects.filter(pk=sensor.pk).update(key_hash=key_hash, key_prefix=key_prefix)
            sensor.key_hash, sensor.key_prefix = key_hash, key_prefix
        sensors.append(sensor)
    audit.record(actor, "environment.board.registered", sensors[0].station,
                 {"device": device_id, "sensors": [s.sensor_id for s in sensors], "credential": bool(key_hash)})
    return RegisteredBoard(sensors, key)


def _check_quantities(quantities: list[str]) -> None:
    from environment.catalog import CODE_OF

    unknown = [q for q in quantities if q not in CODE_OF]
    if unknown:
        raise ValidationError({"quantities": _("Unknown quantity %(q)s.") % {"q": unknown[0]}})


def _neighbourhood(latitude: float, longitude: float) -> Any:
    from core.geo import neighbourhood_for

    return neighbourhood_for(latitude, longitude)


@transaction.atomic
def issue_sensor_key(actor: Any, sensor: Sensor) -> str:
    """A new push credential; the old one stops working at once."""
    _require(actor, "environment.change_sensor", sensor)
    key = Sensor.new_key()
    # A board sends one credential for all its sensors: they change together (which also gives
    # sensors registered one by one with --device, each with its own, the one credential the board
    # can send in "Send to own API").
    same = {"device_id": sensor.device_id} if sensor.device_id else {"pk": sensor.pk}
    Sensor.objects.filter(**same).update(key_hash=Sensor.hash_key(key), key_prefix=key[3:9])
    audit.record(actor, "environment.sensor.credential_issued", sensor, {"prefix": key[3:9]})
    sensor.refresh_from_db()
    return key


@transaction.atomic
def set_sensor_active(actor: Any, sensor: Sensor, active: bool) -> Sensor:
    _require(actor, "environment.change_sensor", sensor)
    if sensor.active != active:
        Sensor.objects.filter(pk=sensor.pk).update(active=active)
        audit.record(actor, "environment.sensor.activated" if active else "environment.sensor.deactivated", sensor)
        sensor.active = active
    return sensor


@transaction.atomic
def mark_quarantine_reviewed(actor: Any, ids: Iterable[int]) -> int:
    _require(actor, "environment.change_quarantinedreading")
    id_list = list(ids)
    count = QuarantinedReading.objects.filter(pk__in=id_list, reviewed=False).update(reviewed=True)
    audit.record(actor, "environment.quarantine.reviewed", None, {"ids": id_list[:200], "count": count})
    return count


# --- ingest ----------------------------------------------------------------------------------


@dataclass
class IngestOutcome:
    stored: int = 0
    duplicates: int = 0
    problems: list[pipeline.Problem] = field(default_factory=list)
    ignored: tuple[str, ...] = ()

    # A board push only: values not stored and why, and how many values each of its sensors took.
    notes: list[str] | None = None
    per_sensor: dict[str, int] | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"stored": self.stored, "duplicates": self.duplicates,
                                "quarantined": [p.as_json() for p in self.problems], "ignored": list(self.ignored)}
        if self.notes is not None:
            data["notes"] = self.notes
        if self.per_sensor is not None:
            data["sensors"] = self.per_sensor
        return data


def _ingest(sensor: pipeline.SensorRef, judged: pipeline.Judged, channel: str, now: dt.datetime) -> IngestOutcome:
    records = pipeline.quarantine_records(judged.problems, channel=channel, sensor_pk=sensor.pk, received_at=now)
    with transaction.atomic():
        result = store_batch(judged.rows, records)
        _after_commit_evaluate_alerts(result.sensors if result.inserted else ())
    return IngestOutcome(result.inserted, result.duplicates, judged.problems, judged.ignored)


def ingest_firmware_push(sensor: pipeline.SensorRef, body: bytes, *, received_at: dt.datetime | None = None
                         ) -> IngestOutcome:
    """A sensor.community firmware body; readings take the server's receive time.

    Raises PayloadError when the body as a whole is unusable (nothing is written then).
    """
    now = received_at or timezone.now()
    parsed = parse_firmware_push(body, now)
    return _ingest(sensor, pipeline.judge(sensor, parsed, now), IngestChannel.HTTP, now)


def ingest_board_push(device_id: str, board: list[pipeline.SensorRef], body: bytes, *,
                      refused: dict[str, str] | None = None, received_at: dt.datetime | None = None
                      ) -> IngestOutcome:
    """The firmware's one body for a whole board ("Send to own API", no X-PIN).

    Each value goes to the board's sensor its value-type prefix names (payloads.route_board_values);
    ``refused`` names sensors of the board that may not take data now (disabled, credential), with
    why. Values nobody takes are noted in the reply, not quarantined: they are not wrong, just not
    ours. One transaction for the whole body. Raises PayloadError when the body as a whole is unusable.
    """
    from environment.airquality.payloads import BoardSensor, route_board_values

    now = received_at or timezone.now()
    parsed = parse_firmware_push(body, now)
    refused = refused or {}
    routes, notes = route_board_values(
        parsed.value_types, [BoardSensor(s.sensor_id, s.kind, s.quantities) for s in board])
    by_id = {sensor.sensor_id: sensor for sensor in board}
    judged = pipeline.Judged(ignored=parsed.ignored)
    records: list[Any] = []
    malformed = pipeline.Judged()
    for error in parsed.errors:
        malformed.problems.append(pipeline.payload_problem(error))
    records += pipeline.quarantine_records(malformed.problems, channel=IngestChannel.HTTP, sensor_pk=None,
                                           claimed=device_id, received_at=now)
    judged.problems += malformed.problems
    for sensor_id, sensor in by_id.items():
        mine = [reading for reading, route in zip(parsed.readings, routes, strict=True) if route == sensor_id]
        if not mine:
            continue
        if sensor_id in refused:
            notes += [f"{reading.source.split(' ')[-1]}: {refused[sensor_id]}; not stored" for reading in mine]
            continue
        part = pipeline.judge_readings(sensor, mine, now)
        records += pipeline.quarantine_records(part.problems, channel=IngestChannel.HTTP, sensor_pk=sensor.pk,
                                               received_at=now)
        judged.extend(part)
    with transaction.atomic():
        result = store_batch(judged.rows, records)
        _after_commit_evaluate_alerts(result.sensors if result.inserted else ())
    counts = {sensor.sensor_id: 0 for sensor in board}
    code_of_pk = {sensor.pk: sensor.sensor_id for sensor in board}
    for row in judged.rows:
        counts[code_of_pk[row.sensor_pk]] += 1
    return IngestOutcome(result.inserted, result.duplicates, judged.problems, judged.ignored, notes, counts)


def ingest_platform_body(sensor: pipeline.SensorRef, body: bytes, *, channel: str = IngestChannel.HTTP,
                         received_at: dt.datetime | None = None) -> IngestOutcome:
    """The platform's {"readings": [...]} body (each reading with its own time)."""
    from environment.airquality.payloads import parse_platform_readings

    now = received_at or timezone.now()
    parsed = parse_platform_readings(body)
    return _ingest(sensor, pipeline.judge(sensor, parsed, now), channel, now)


# --- archive import ----------------------------------------------------------------------------


@dataclass
class ImportReport:
    path: str
    rows: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    malformed_rows: int = 0
    unknown_sensors: dict[str, int] = field(default_factory=dict)
    registered: list[str] = field(default_factory=list)


ARCHIVE_BATCH = 5000


def import_archive(actor: Any, path: Path, *, sensor_map: dict[str, str] | None = None,
                   register_unknown: bool = False, network: str = Network.PRIVATE, is_demo: bool = False,
                   progress: Callable[[int], None] | None = None, lines: Iterable[str] | None = None
                   ) -> ImportReport:
    """Stream a sensor.community archive CSV into readings (and aggregates), in batches.

    `sensor_map` maps the archive's sensor id to a registered sensor id (e.g. to replay a file
    into a demo sensor). Unknown sensors are skipped and counted, or registered from the file's
    own metadata with `register_unknown`. Each batch is its own transaction: an import that is
    interrupted can simply be run again (stored readings are skipped as duplicates). One audit
    row records the file, its counts and who imported it. `progress` gets the last line read.
    `lines`, when given, are the file's content as it is to be read (the demo re-times a shipped
    file this way); `path` then only names the source.
    """
    _require(actor, "environment.import_archive")
    mapping = sensor_map or {}
    report = ImportReport(path=str(path))
    errors: list[PayloadError] = []
    refs: dict[int, pipeline.SensorRef | None] = {}
    rows: list[Row] = []
    records: list[QuarantinedReading] = []
    now = timezone.now()

    def flush() -> None:
        for error in errors:
            records.extend(pipeline.quarantine_records(
                [pipeline.payload_problem(error)], channel=IngestChannel.ARCHIVE, sensor_pk=None,
                claimed=path.name, received_at=now))
        report.malformed_rows += len(errors)
        errors.clear()
        if rows or records:
            result: StoreResult = store_batch(rows, records)
            report.stored += result.inserted
            report.duplicates += result.duplicates
        rows.clear()
        records.clear()

    source = iter_archive_csv(lines, errors=errors) if lines is not None else iter_archive_file(path, errors=errors)
    for row in source:
        report.rows += 1
        if row.sensor_id not in refs:
            refs[row.sensor_id] = _archive_sensor(actor, row, mapping, register_unknown, network, is_demo, report)
        ref = refs[row.sensor_id]
        if ref is None:
            report.unknown_sensors[str(row.sensor_id)] = report.unknown_sensors.get(str(row.sensor_id), 0) + 1
            continue
        judged = pipeline.judge_readings(ref, row.readings, now, ARCHIVE_POLICY)
        rows.extend(judged.rows)
        report.quarantined += len(judged.problems)
        records.extend(pipeline.quarantine_records(judged.problems, channel=IngestChannel.ARCHIVE,
                                                   sensor_pk=ref.pk, received_at=now))
        if len(rows) + len(records) >= ARCHIVE_BATCH:
            flush()
            if progress is not None:
                progress(row.line)
    flush()
    with transaction.atomic():
        audit.record(actor, "environment.archive.imported", None, {
            "file": path.name, "rows": report.rows, "stored": report.stored, "duplicates": report.duplicates,
            "quarantined": report.quarantined, "malformed_rows": report.malformed_rows,
            "unknown_sensors": report.unknown_sensors, "registered": report.registered,
        })
    return report


def _archive_sensor(actor: Any, row: Any, mapping: dict[str, str], register_unknown: bool, network: str,
                    is_demo: bool, report: ImportReport) -> pipeline.SensorRef | None:
    archive_id = str(row.sensor_id)
    target = mapping.get(archive_id, archive_id)
    sensor = Sensor.objects.filter(sensor_id=target).first()
    if sensor is None and register_unknown and row.lat is not None and row.lon is not None:
        registered = register_sensor(
            actor, target, latitude=row.lat, longitude=row.lon, kind=row.sensor_type,
            quantities=None if kind_for(row.sensor_type) else sorted({str(r.quantity) for r in row.readings}),
            station_slug=f"location-{row.location}" if row.location else None,
            station_name=_("sensor.community location %(id)s") % {"id": row.location} if row.location else "",
            network=network, with_key=False, is_demo=is_demo)
        sensor = registered.sensor
        report.registered.append(target)
    return pipeline.SensorRef.of(sensor) if sensor is not None else None


# --- alert subscriptions (kept in the notifications room, by place) -----------------------------

SENSOR_RADIUS_M = 500  # "alerts for this sensor": the sensors within 500 m of it (itself included)


def alert_topic(kind: str, min_level: int, *, city: bool) -> str:
    from environment.alerts import level_topics

    if kind == AlertKind.LIMIT:
        return level_topics(kind, (1,), city=city)[0]
    return ("environment.city." if city else "environment.") + f"aqi.level:{int(min_level)}"


@transaction.atomic
def subscribe(actor: Any, *, kind: str, min_level: int = 3, place: str = "city", neighbourhood: Any = None,
              lat: Any = None, lon: Any = None, radius_m: Any = None, sensor: Sensor | None = None) -> Any:
    """Subscribe the actor to air-quality alerts for a place: the whole city (its median), a neighbourhood,
    or a point and a radius (a sensor's page offers its own position). The sensors whose area reaches the
    place are the ones that alert. Returns the notifications Subscription; ValidationError names the field."""
    from notifications import subscriptions

    _require(actor, "environment.subscribe_alerts")
    if kind not in AlertKind.values:
        raise ValidationError({"kind": _("Choose an index band or a limit value.")})
    try:
        level = int(min_level)
    except (TypeError, ValueError):
        level = 0
    if not 1 <= level <= 6:
        raise ValidationError({"min_level": _("The level is between 1 (good) and 6 (extremely poor).")})
    if sensor is not None:
        place, lat, lon, radius_m = ("point", sensor.station.public_latitude, sensor.station.public_longitude,
                                      SENSOR_RADIUS_M)
    if place not in ("city", "neighbourhood", "point"):
        raise ValidationError({"place": _("Choose the whole city, a neighbourhood or a point on the map.")})
    if place == "neighbourhood" and neighbourhood is None:
        raise ValidationError({"neighbourhood": _("Choose a neighbourhood.")})
    if place == "point" and (lat in (None, "") or lon in (None, "")):
        raise ValidationError({"point": _("Choose a point on the map.")})
    topic = alert_topic(kind, level, city=place == "city")
    label = str(AlertKind(kind).label) + (f" ≥ {level}" if kind == AlertKind.AQI else "")
    subscription = subscriptions.subscribe(
        actor, topic=topic, label=label[:120],
        neighbourhood=neighbourhood if place == "neighbourhood" else None,
        lat=lat if place == "point" else None, lon=lon if place == "point" else None,
        radius_m=radius_m if place == "point" else None)
    audit.record(actor, "environment.alert_subscription.created", None,
                 {"subscription": subscription.pk, "kind": kind, "place": place,
                  "sensor": sensor.sensor_id if sensor else None})
    return subscription


def alert_subscriptions(actor: Any) -> list[Any]:
    from notifications.models import Subscription

    return list(Subscription.objects.filter(user_id=int(getattr(actor, "pk", 0) or 0),
                                            topic__startswith="environment.").select_related("neighbourhood"))


@transaction.atomic
def unsubscribe(actor: Any, subscription_id: Any) -> None:
    """Remove one of the actor's alert subscriptions; someone else's is refused."""
    from notifications import subscriptions
    from notifications.models import Subscription

    found = Subscription.objects.filter(pk=int(subscription_id) if str(subscription_id).isdigit() else 0,
                                        topic__startswith="environment.").first()
    if found is None:
        raise ValidationError({"delete": _("There is no such subscription.")})
    if found.user_id != getattr(actor, "pk", None):
        raise PermissionDenied
    subscriptions.unsubscribe(actor, found.pk)
    audit.record(actor, "environment.alert_subscription.deleted", None, {"subscription": found.pk})
