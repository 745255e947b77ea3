"""Environment API: sensor push (sensor.community firmware compatible), open air-quality data.

Writing: `POST /api/v1/push-sensor-data/` with the firmware's X-Sensor / X-PIN headers and
the sensor's credential (HTTP Basic password, as the firmware's "own API" setting sends it,
or a Bearer token) — without X-PIN, a whole board's values in one body ("Send to own API") —
and `POST /api/v1/sensors/{id}/readings` for timestamped readings.
Reading: everything else, no key needed (open data).
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError

from environment import selectors, services
from environment.airquality.bands import CURRENT_SCALE
from environment.airquality.limits import METRIC_LABELS
from environment.airquality.payloads import FIRMWARE_LIMITS, PLATFORM_LIMITS, PayloadError, parse_time
from environment.catalog import CODE_OF, QUANTITY_OF, canonical_unit
from environment.ingest import pipeline
from environment.ingest.store import local_zone
from environment.models import Network, Reading, Sensor

router = Router(tags=["environment"])

MAX_JSON_READINGS = 5000
MAX_RAW_SPAN = dt.timedelta(days=366)


# --- helpers -------------------------------------------------------------------------------------


def _problem(status: int, field: str, message: str, **extra: Any) -> JsonResponse:
    """A 4xx that names the field, in the same {"detail": ...} shape as django-ninja's errors."""
    response = JsonResponse({"detail": f"{field}: {message}", "field": field, **extra}, status=status)
    return response


def _unauthorised(message: str) -> JsonResponse:
    response = _problem(401, "Authorization", message)
    response["WWW-Authenticate"] = 'Basic realm="sensors", charset="UTF-8"'
    return response


def _credential(request: HttpRequest) -> str | None:
    """The sensor's key from `Authorization: Basic` (password part) or `Authorization: Bearer`."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, _colon, password = decoded.partition(":")
        # The firmware's "own API" form has a user and a password field; the credential is the
        # password, but put in the user field (password left empty) it is taken from there.
        return password or user or None
    return None


def _check_credential(request: HttpRequest, sensor: Sensor) -> JsonResponse | None:
    if not sensor.requires_key:
        return None
    key = _credential(request)
    if key is None:
        return _unauthorised("this sensor needs its credential (HTTP Basic password or Bearer token)")
    if not sensor.key_matches(key[:200]):
        return _unauthorised("the credential does not match this sensor")
    return None


def _rate_limited(sensor: Sensor) -> JsonResponse | None:
    """A sensor.community device pushes every ~145 s per sensor; far more is a fault or a flood."""
    limit = getattr(settings, "ENVIRONMENT_PUSH_PER_MINUTE", 30)
    key = f"environment:push:{sensor.pk}:{int(timezone.now().timestamp() // 60)}"
    if cache.add(key, 1, timeout=120):
        return None
    try:
        count = cache.incr(key)
    except ValueError:
        return None
    if count > limit:
        response = _problem(429, "X-Sensor", f"more than {limit} pushes a minute from this sensor; slow down")
        response["Retry-After"] = "60"
        return response
    return None


def _read_body(request: HttpRequest, limit: int) -> bytes | JsonResponse:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _problem(400, "Content-Length", "is not a number")
    if declared > limit:
        return _problem(413, "body", f"{declared} bytes is larger than the {limit} allowed")
    body = request.body
    if len(body) > limit:
        return _problem(413, "body", f"larger than the {limit} bytes allowed")
    if not body:
        return _problem(400, "body", "is empty; expected a JSON object")
    return body


def _ingest_reply(outcome: services.IngestOutcome) -> JsonResponse:
    data = outcome.as_json()
    if outcome.stored == 0 and outcome.duplicates == 0 and outcome.problems:
        first = outcome.problems[0]
        return _problem(422, first.field, first.message, **data)
    return JsonResponse(data, status=201 if outcome.stored else 200)


def _sensor_or_404(sensor_id: str) -> Sensor:
    sensor = Sensor.objects.select_related("station").filter(sensor_id=sensor_id[:64]).first()
    if sensor is None:
        raise HttpError(404, f"sensor_id: no sensor {sensor_id[:64]!r}")
    return sensor


def _parse_moment(text: str | None, name: str, *, end: bool = False) -> dt.datetime | None:
    """ISO 8601 date-time with offset, or a date (local midnight; `end` means the next midnight)."""
    if text is None or text == "":
        return None
    if len(text) == 10:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise HttpError(400, f"{name}: {text[:40]!r} is not a date (YYYY-MM-DD)") from None
        if end:
            day += dt.timedelta(days=1)
        return dt.datetime(day.year, day.month, day.day, tzinfo=local_zone())
    moment = parse_time(text)
    if moment is None:
        raise HttpError(400, f"{name}: {text[:40]!r} is not an ISO 8601 date-time with a timezone offset")
    return moment


def _quantity_code(quantity: str | None) -> int | None:
    if quantity is None or quantity == "":
        return None
    if quantity not in CODE_OF:
        raise HttpError(400, f"quantity: {quantity[:40]!r} is not one of {', '.join(sorted(CODE_OF))}")
    return CODE_OF[quantity]


def _index_json(index: Any) -> dict[str, Any] | None:
    if index is None:
        return None
    style = index.style
    return {"level": int(index.level), "code": style.code, "label": _(style.label), "colour": style.colour,
            "drivers": [str(q) for q in index.drivers], "missing": [str(q) for q in index.missing],
            "scale": index.scale_code}


def _station_json(sensor: Sensor) -> dict[str, Any]:
    station = sensor.station
    return {"slug": station.slug, "name": station.name, "network": station.network,
            "operator": station.operator if station.network == Network.PUBLIC else "",
            "latitude": station.public_latitude, "longitude": station.public_longitude, "demo": station.is_demo}


def _sensor_json(entry: selectors.SensorNow) -> dict[str, Any]:
    sensor = entry.sensor
    return {
        "sensor_id": sensor.sensor_id, "kind": sensor.kind, "quantities": list(sensor.quantities),
        "station": _station_json(sensor), "status": entry.status, "active": sensor.active,
        "last_reading_at": sensor.last_reading_at,
        "current": {"hour": entry.hour, "concentrations": entry.concentrations, "index": _index_json(entry.index)},
        "url": sensor.get_absolute_url(),
    }


# --- push ----------------------------------------------------------------------------------------


@router.post("push-sensor-data/", summary="Push from sensor.community (airrohr) firmware",
             description="Headers X-Sensor (e.g. esp8266-3654427 or the registered sensor id) and X-PIN (1 for "
                         "PM sensors, 11 BME280, 7 DHT22…); credential as HTTP Basic password or Bearer token. "
                         "Without X-PIN (the firmware's \"Send to own API\"), the body holds all the board's "
                         "values (SDS_P1, BME280_temperature…) and each goes to the board's sensor its prefix "
                         "names; the reply adds \"notes\" (values not stored, why) and \"sensors\". "
                         "Body: {\"software_version\": …, \"sensordatavalues\": [{\"value_type\": \"P1\", "
                         "\"value\": \"12.30\"}, …]}. Readings take the server's receive time. Bad values are "
                         "quarantined one by one; the reply lists them. 201 stored, 200 only duplicates, "
                         "4xx naming the field otherwise.")
def push_sensor_data(request: HttpRequest) -> HttpResponse:
    x_sensor = request.headers.get("X-Sensor", "").strip()
    x_pin = request.headers.get("X-PIN", "").strip()
    if not x_sensor:
        return _problem(400, "X-Sensor", "header is required (the sensor or device id)")
    if len(x_sensor) > 64:
        return _problem(400, "X-Sensor", "longer than 64 characters")
    if len(x_pin) > 4:
        return _problem(400, "X-PIN", "longer than 4 characters")
    candidates = list(Sensor.objects.filter(Q(device_id=x_sensor) | Q(sensor_id=x_sensor))[:20])
    if not x_pin:
        # "Send to own API": one body with every sensor's values, no X-PIN. A board registered
        # with its sensors, or one sensor registered under the board's id, takes it value by value.
        board = [s for s in candidates if s.device_id == x_sensor] or [
            s for s in candidates if s.sensor_id == x_sensor and not s.device_id]
        if board:
            return _board_push(request, x_sensor, board)
    sensor = next((s for s in candidates if s.device_id == x_sensor and s.pin == x_pin), None)
    if sensor is None:
        sensor = next((s for s in candidates if s.sensor_id == x_sensor and not s.device_id), None)
        if sensor is not None and sensor.pin and x_pin and x_pin != sensor.pin:
            return _problem(400, "X-PIN", f"{x_pin!r} is not the pin of sensor {sensor.sensor_id} ({sensor.pin})")
    if sensor is None:
        if any(s.device_id == x_sensor for s in candidates):
            return _problem(403, "X-PIN", f"device {x_sensor!r} has no registered sensor on pin {x_pin!r}")
        return _problem(403, "X-Sensor", f"{x_sensor!r} is not a registered sensor")
    refused = _check_credential(request, sensor)
    if refused is not None:
        return refused
    if not sensor.active:
        return _problem(403, "X-Sensor", f"sensor {sensor.sensor_id} is disabled")
    limited = _rate_limited(sensor)
    if limited is not None:
        return limited
    body = _read_body(request, FIRMWARE_LIMITS.max_bytes)
    if isinstance(body, JsonResponse):
        return body
    try:
        outcome = services.ingest_firmware_push(pipeline.SensorRef.of(sensor), body)
    except PayloadError as error:
        return _problem(413 if "larger than" in error.problem else 400, error.field, error.problem)
    return _ingest_reply(outcome)


def _board_push(request: HttpRequest, device_id: str, board: list[Sensor]) -> HttpResponse:
    """Every sensor of the board whose credential matches and that is active takes its values."""
    key = _credential(request)
    refused: dict[str, str] = {}
    for sensor in board:
        if sensor.requires_key and key is None:
            refused[sensor.sensor_id] = f"sensor {sensor.sensor_id} needs its credential"
        elif sensor.requires_key and not sensor.key_matches((key or "")[:200]):
            refused[sensor.sensor_id] = f"the credential does not match sensor {sensor.sensor_id}"
        elif not sensor.active:
            refused[sensor.sensor_id] = f"sensor {sensor.sensor_id} is disabled"
    if len(refused) == len(board):
        if all(not s.requires_key or "disabled" in refused[s.sensor_id] for s in board):
            return _problem(403, "X-Sensor", f"every sensor of {device_id!r} is disabled")
        if key is None:
            return _unauthorised("this board needs its credential (HTTP Basic password, as the firmware's "
                                 "\"Send to own API\" user/password send it, or Bearer token)")
        return _unauthorised(f"the credential does not match the sensors of {device_id!r}")
    limited = _rate_limited(board[0])
    if limited is not None:
        return limited
    body = _read_body(request, FIRMWARE_LIMITS.max_bytes)
    if isinstance(body, JsonResponse):
        return body
    try:
        outcome = services.ingest_board_push(device_id, [pipeline.SensorRef.of(s) for s in board], body,
                                             refused=refused)
    except PayloadError as error:
        return _problem(413 if "larger than" in error.problem else 400, error.field, error.problem)
    return _ingest_reply(outcome)


@router.post("sensors/{sensor_id}/readings", summary="Push timestamped readings",
             description="Body {\"readings\": [{\"quantity\": \"pm2_5\", \"value\": 12.3, \"unit\": \"ug/m3\", "
                         "\"time\": \"2026-11-25T10:00:00Z\"}, …]}; credential as for the firmware push. The same "
                         "reading (sensor, quantity, time) sent twice is stored once.")
def push_readings(request: HttpRequest, sensor_id: str) -> HttpResponse:
    sensor = Sensor.objects.filter(sensor_id=sensor_id[:64]).first()
    if sensor is None:
        return _problem(403, "sensor_id", f"{sensor_id[:64]!r} is not a registered sensor")
    refused = _check_credential(request, sensor)
    if refused is not None:
        return refused
    if not sensor.active:
        return _problem(403, "sensor_id", f"sensor {sensor.sensor_id} is disabled")
    limited = _rate_limited(sensor)
    if limited is not None:
        return limited
    body = _read_body(request, PLATFORM_LIMITS.max_bytes)
    if isinstance(body, JsonResponse):
        return body
    try:
        outcome = services.ingest_platform_body(pipeline.SensorRef.of(sensor), body)
    except PayloadError as error:
        return _problem(413 if "larger than" in error.problem else 400, error.field, error.problem)
    return _ingest_reply(outcome)


# --- open data: sensors ----------------------------------------------------------------------------


@router.get("sensors", summary="All sensors: station, status, current European Air Quality Index")
def list_sensors(request: HttpRequest) -> Any:
    sensors = list(Sensor.objects.select_related("station").order_by("sensor_id"))
    current = selectors.sensors_now(sensors)
    return JsonResponse({"scale": CURRENT_SCALE.code, "sensors": [_sensor_json(current[s.pk]) for s in sensors]})


@router.get("sensors/{sensor_id}", summary="One sensor")
def get_sensor(request: HttpRequest, sensor_id: str) -> Any:
    sensor = _sensor_or_404(sensor_id)
    return JsonResponse(_sensor_json(selectors.sensors_now([sensor])[sensor.pk]))


def _reading_window(start: str | None, end: str | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    begin = _parse_moment(start, "from")
    finish = _parse_moment(end, "to", end=True)
    if begin is not None and finish is not None and finish <= begin:
        raise HttpError(400, "to: must be after from")
    return begin, finish


def _csv_response(filename: str, header: list[str], rows: Iterator[list[Any]]) -> StreamingHttpResponse:
    def stream() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            if buffer.tell() > 32_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("sensors/{sensor_id}/readings", summary="Raw readings, newest first (open data)",
            description="JSON pages of up to `limit` readings, newest first; follow `next`. With format=csv, every "
                        "reading between `from` and `to` (at most 366 days; default the last 31 days of data), "
                        "oldest first. Values in the quantity's canonical unit.")
def sensor_readings(request: HttpRequest, sensor_id: str,
                    start: str | None = Query(None, alias="from", description="ISO date-time or date"),
                    end: str | None = Query(None, alias="to", description="ISO date-time or date (inclusive day)"),
                    quantity: str | None = Query(None, description="e.g. pm2_5"),
                    limit: int = Query(100, ge=1, le=MAX_JSON_READINGS),
                    before: str | None = Query(None, max_length=80, description="cursor from `next`"),
                    format: Literal["json", "csv"] = "json") -> Any:
    sensor = _sensor_or_404(sensor_id)
    begin, finish = _reading_window(start, end)
    code = _quantity_code(quantity)
    readings = Reading.objects.filter(sensor_id=sensor.pk)
    if code is not None:
        readings = readings.filter(quantity=code)
    if format == "csv":
        last = sensor.last_reading_at or timezone.now()
        finish = finish or last + dt.timedelta(seconds=1)
        begin = begin or finish - dt.timedelta(days=31)
        if finish - begin > MAX_RAW_SPAN:
            raise HttpError(400, "from: at most 366 days of raw readings per download; use the aggregates")
        rows = readings.filter(time__gte=begin, time__lt=finish).order_by("time", "quantity").values_list(
            "time", "quantity", "value")
        return _csv_response(
            f"{sensor.sensor_id}-readings.csv", ["sensor_id", "time", "quantity", "value", "unit"],
            ([sensor.sensor_id, t.isoformat(), str(QUANTITY_OF[q]), v, canonical_unit(QUANTITY_OF[q])]
             for t, q, v in rows.iterator(chunk_size=5000)))
    if begin is not None:
        readings = readings.filter(time__gte=begin)
    if finish is not None:
        readings = readings.filter(time__lt=finish)
    if before:
        time_text, _sep, quantity_text = before.partition(",")
        cursor_time = parse_time(time_text)
        if cursor_time is None or not quantity_text.isdigit():
            raise HttpError(400, "before: not a cursor returned in `next`")
        readings = readings.filter(Q(time__lt=cursor_time) | Q(time=cursor_time, quantity__lt=int(quantity_text)))
    page = list(readings.order_by("-time", "-quantity").values_list("time", "quantity", "value")[:limit + 1])
    more = len(page) > limit
    page = page[:limit]
    next_url = None
    if more:
        last_time, last_quantity, _value = page[-1]
        query = request.GET.copy()
        query["before"] = f"{last_time.astimezone(dt.UTC).isoformat()},{last_quantity}"
        next_url = f"{request.path}?{query.urlencode()}"
    return JsonResponse({
        "sensor_id": sensor.sensor_id, "count": len(page), "next": next_url,
        "readings": [{"time": t, "quantity": str(QUANTITY_OF[q]), "value": v, "unit": canonical_unit(QUANTITY_OF[q])}
                     for t, q, v in page],
    })


@router.get("sensors/{sensor_id}/aggregates", summary="Hourly or daily aggregates (open data)",
            description="resolution=hour (UTC hours) or day (calendar days in Europe/Bucharest). `mean` is the mean "
                        "of the readings; for days `eu_mean` is the mean of the hourly means, given only when 75 % "
                        "of the hours have data (the EU validity rule), else null. At most 366 days per request.")
def sensor_aggregates(request: HttpRequest, sensor_id: str,
                      resolution: Literal["hour", "day"] = "day",
                      start: str | None = Query(None, alias="from"), end: str | None = Query(None, alias="to"),
                      quantity: str | None = None,
                      format: Literal["json", "csv"] = "json") -> Any:
    sensor = _sensor_or_404(sensor_id)
    begin, finish = _reading_window(start, end)
    code = _quantity_code(quantity)
    quantities = [str(QUANTITY_OF[code])] if code is not None else None
    last = sensor.last_reading_at or timezone.now()
    finish = finish or last + dt.timedelta(hours=1)
    begin = begin or finish - dt.timedelta(days=366 if resolution == "day" else 7)
    if finish - begin > MAX_RAW_SPAN + dt.timedelta(days=1):
        raise HttpError(400, "from: at most 366 days per request")
    records: list[dict[str, Any]] = []
    if resolution == "hour":
        for q, rows in selectors.hourly_series(sensor.pk, begin, finish, quantities).items():
            records += [{"hour": r.hour, "quantity": q, "count": r.count, "mean": r.mean, "min": r.minimum,
                         "max": r.maximum, "unit": canonical_unit(q)} for r in rows]
        records.sort(key=lambda r: (r["hour"], r["quantity"]))
        header = ["hour", "quantity", "count", "mean", "min", "max", "unit"]
    else:
        zone = local_zone()
        first_day, last_day = begin.astimezone(zone).date(), (finish - dt.timedelta(microseconds=1)).astimezone(
            zone).date()
        for q, days in selectors.daily_series(sensor.pk, first_day, last_day, quantities).items():
            records += [{"day": r.day, "quantity": q, "count": r.count, "mean": r.mean, "min": r.minimum,
                         "max": r.maximum, "hours": r.hours, "eu_mean": r.eu_mean, "unit": canonical_unit(q)}
                        for r in days]
        records.sort(key=lambda r: (r["day"], r["quantity"]))
        header = ["day", "quantity", "count", "mean", "min", "max", "hours", "eu_mean", "unit"]
    if format == "csv":
        return _csv_response(f"{sensor.sensor_id}-{resolution}.csv", ["sensor_id", *header],
                             iter([[sensor.sensor_id, *(_csv_cell(r[h]) for h in header)] for r in records]))
    return JsonResponse({"sensor_id": sensor.sensor_id, "resolution": resolution, "aggregates": records})


def _csv_cell(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return "" if value is None else value


# --- open data: the city -------------------------------------------------------------------------


@router.get("air-quality/now", summary="City-wide and per-station European Air Quality Index now")
def air_quality_now(request: HttpRequest) -> Any:
    views = selectors.stations_now()
    city, used = selectors.city_index_now(views)
    return JsonResponse({
        "scale": CURRENT_SCALE.code, "city": {"index": _index_json(city), "stations_used": used},
        "stations": [{"slug": v.station.slug, "name": v.station.name, "status": v.status, "hour": v.hour,
                      "latitude": v.station.public_latitude, "longitude": v.station.public_longitude,
                      "demo": v.station.is_demo, "index": _index_json(v.index),
                      "sensors": [e.sensor.sensor_id for e in v.sensors]} for v in views],
    })


def _year(year: int | None) -> int:
    current = timezone.localdate().year
    if year is None:
        return current
    if not 2000 <= year <= current + 1:
        raise HttpError(400, f"year: must be between 2000 and {current + 1}")
    return year


@router.get("air-quality/daily", summary="City daily index for a year (median of the sensors' daily means)")
def air_quality_daily(request: HttpRequest, year: int | None = None,
                      format: Literal["json", "csv"] = "json") -> Any:
    chosen = _year(year)
    days = selectors.city_days(chosen)
    records = [{"day": d.day, "sensors": d.sensors, "concentrations": d.concentrations,
                "index": _index_json(d.index)} for d in days.values()]
    if format == "csv":
        quantities = [str(q) for q in selectors.INDEX_QUANTITIES]
        return _csv_response(f"city-daily-{chosen}.csv", ["day", "sensors", "level", *quantities],
                             iter([[d.day.isoformat(), d.sensors, int(d.index.level) if d.index else "",
                                    *(_csv_cell(d.concentrations.get(q)) for q in quantities)]
                                   for d in days.values()]))
    return JsonResponse({"year": chosen, "days": records})


@router.get("air-quality/exceedances", summary="EU limit values: exceedances per year against the allowance")
def air_quality_exceedances(request: HttpRequest, year: int | None = None) -> Any:
    chosen = _year(year)
    rows = selectors.exceedances(chosen)
    return JsonResponse({"year": chosen, "standards": [{
        "code": r.standard.code, "directive": r.standard.directive, "pollutant": str(r.standard.pollutant),
        "averaging": _(METRIC_LABELS[r.standard.metric]), "value": r.standard.value, "unit": r.standard.unit,
        "allowed_exceedances": r.standard.allowed_exceedances, "applies_from": r.standard.applies_from,
        "source": r.standard.source, "sensors_with_data": r.sensors_with_data,
        "sensors_with_enough_data": r.sensors_with_enough_data, "sensors_breaching": r.sensors_breaching,
        "worst": None if r.worst is None else {
            "sensor_id": r.worst_sensor, "exceedances": r.worst.exceedances, "annual_mean": r.worst.annual_mean,
            "highest": r.worst.worst, "coverage": round(r.worst.coverage, 4), "breached": r.worst.breached},
    } for r in rows]})


@router.get("air-quality/daily-means", summary="Valid EU daily means of every sensor for a year (open data)",
            description="`values[sensor_id][i]` is the mean of day `first_day + i` (null: fewer than 75 % of the "
                        "hours had data). One array per sensor keeps a year of the whole city small and fast.")
def air_quality_daily_means(request: HttpRequest, year: int | None = None, quantity: str = "pm2_5") -> Any:
    chosen = _year(year)
    if _quantity_code(quantity) is None:
        raise HttpError(400, "quantity: is required")
    names = dict(Sensor.objects.values_list("pk", "sensor_id"))
    year_of_days = selectors.daily_mean_arrays(chosen, quantity)
    return JsonResponse({"year": chosen, "quantity": quantity, "unit": canonical_unit(quantity),
                         "first_day": year_of_days.first_day, "days": year_of_days.length,
                         "values": {names[pk]: values for pk, values in year_of_days.values.items() if pk in names}})

