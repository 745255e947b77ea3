"""Public pages of the environment room: live map, sensor page, city page; alert subscriptions.

Every page renders in a constant number of queries whatever the number of sensors, readings
or days, and reads aggregates, never raw readings.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from environment import selectors, services
from environment.airquality.bands import CURRENT_SCALE, LEVEL_STYLES, Level
from environment.airquality.limits import DIRECTIVE_2024_2881, METRIC_LABELS
from environment.alerts import DAILY_LIMITS
from environment.catalog import quantity_label, unit_label
from environment.charts import Reference, TimePoint, time_chart
from environment.forms import SubscriptionForm
from environment.ingest.store import local_zone
from environment.models import Network, Sensor


def _figure(value: float) -> str:
    """A number in running text, in the page's language ("2,5" in Romanian); whole numbers without decimals."""
    return str(int(value)) if float(value).is_integer() else number_format(value)


def _require_view(request: HttpRequest) -> None:
    if not request.user.has_perm("environment.view_data"):
        raise PermissionDenied


def _legend() -> list[dict[str, Any]]:
    """The six levels with their colours, labels and the PM2.5/PM10 hourly ranges."""
    pm25 = CURRENT_SCALE.bands_for("pm2_5")
    pm10 = CURRENT_SCALE.bands_for("pm10")
    rows = []
    for level, style in LEVEL_STYLES.items():
        low25, high25 = pm25.range_of(level)
        low10, high10 = pm10.range_of(level)
        rows.append({"level": int(level), "code": style.code, "label": _(style.label), "colour": style.colour,
                     "text_colour": style.text_colour,
                     "pm25": f"{_figure(low25)}–{_figure(high25)}" if high25 is not None else f"> {_figure(low25)}",
                     "pm10": f"{_figure(low10)}–{_figure(high10)}" if high10 is not None else f"> {_figure(low10)}"})
    return rows


def index_context(index: Any) -> dict[str, Any] | None:
    if index is None:
        return None
    style = index.style
    return {"level": int(index.level), "code": style.code, "label": _(style.label), "colour": style.colour,
            "text_colour": style.text_colour, "drivers": [quantity_label(q) for q in index.drivers],
            "partial": bool(index.missing)}


def index(request: HttpRequest) -> HttpResponse:
    """The live map of stations coloured by index, with the same data as a table."""
    _require_view(request)
    now = timezone.now()
    views = selectors.stations_now(now)
    city, used = selectors.city_index_now(views, now)
    stations = []
    for view in views:
        station = view.station
        stations.append({
            "view": view, "index": index_context(view.index),
            "sensors": [{"sensor": e.sensor, "status": e.status,
                         "values": [(quantity_label(q), number_format(v, 1), unit_label(q))
                                    for q, v in sorted(e.concentrations.items())]} for e in view.sensors],
            "marker": {"lat": station.public_latitude, "lon": station.public_longitude, "name": station.name,
                       "colour": view.index.style.colour if view.index else "#FFFFFF",
                       "label": _(view.index.style.label) if view.index else _("No data"),
                       "status": view.status, "url": view.sensors[0].sensor.get_absolute_url() if view.sensors else ""},
        })
    return render(request, "environment/index.html", {
        "stations": stations, "city": index_context(city), "city_stations": used, "legend": _legend(),
        "markers": [s["marker"] for s in stations],
        # The platform's tile server for every map (settings.MAP_TILE_URL); empty: no tiles.
        "tile_url": getattr(settings, "MAP_TILE_URL", ""), "attribution": getattr(settings, "MAP_ATTRIBUTION", ""),
        "any_demo": any(v.station.is_demo for v in views), "now": now,
        "counts": {status: sum(1 for v in views for e in v.sensors if e.status == status)
                   for status in ("online", "stale", "offline")},
    })


def _hour_points(rows: Sequence[selectors.HourRow], start: dt.datetime, hours: int) -> list[TimePoint]:
    by_hour = {r.hour: r.mean for r in rows}
    return [TimePoint(start + dt.timedelta(hours=i), by_hour.get(start + dt.timedelta(hours=i))) for i in range(hours)]


def _day_points(rows: Sequence[selectors.DayRow], first: dt.date, days: int) -> list[TimePoint]:
    zone = local_zone()
    by_day = {r.day: (r.eu_mean if r.eu_mean is not None else None) for r in rows}
    points = []
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        points.append(TimePoint(dt.datetime(day.year, day.month, day.day, 12, tzinfo=zone), by_day.get(day)))
    return points


def _limit_references(quantity: str) -> list[Reference]:
    return [Reference(float(s.value), _("Daily limit %(value)s (%(directive)s)") % {
        "value": _figure(float(s.value)), "directive": s.directive})
        for s in DAILY_LIMITS if str(s.pollutant) == quantity]


def sensor_detail(request: HttpRequest, sensor_id: str) -> HttpResponse:
    """One sensor: now, the last 24 hours, 7 days and 12 months, as charts and tables."""
    _require_view(request)
    sensor: Sensor = get_object_or_404(Sensor.objects.select_related("station__neighbourhood"), sensor_id=sensor_id)
    now = timezone.now()
    current = selectors.sensors_now([sensor], now)[sensor.pk]
    zone = local_zone()
    # Windows end at the last reading (or now): an offline sensor still shows its last day of data.
    end_moment = min(now, sensor.last_reading_at) if sensor.last_reading_at else now
    end_hour = selectors.hour_of(end_moment) + dt.timedelta(hours=1)
    week_start = end_hour - dt.timedelta(hours=24 * 7)
    day_start = end_hour - dt.timedelta(hours=24)
    last_day = end_moment.astimezone(zone).date()
    first_day = last_day - dt.timedelta(days=364)
    quantities = list(sensor.quantities)
    hourly = selectors.hourly_series(sensor.pk, week_start, end_hour, quantities)
    daily = selectors.daily_series(sensor.pk, first_day, last_day, quantities)
    sections = []
    for quantity in quantities:
        hours = hourly.get(quantity, [])
        days = daily.get(quantity, [])
        last24 = [r for r in hours if r.hour >= day_start]
        week_days = [r for r in days if r.day > last_day - dt.timedelta(days=7)]
        months: dict[tuple[int, int], list[float]] = {}
        for row in days:
            if row.eu_mean is not None:
                months.setdefault((row.day.year, row.day.month), []).append(row.eu_mean)
        sections.append({
            "quantity": quantity, "label": quantity_label(quantity), "unit": unit_label(quantity),
            "day_chart": time_chart(_hour_points(hours, day_start, 24), start=day_start, end=end_hour, tz=zone),
            "day_rows": last24,
            "week_chart": time_chart(_hour_points(hours, week_start, 24 * 7), start=week_start, end=end_hour, tz=zone),
            "week_rows": week_days,
            "year_chart": time_chart(_day_points(days, first_day, 365),
                                     start=dt.datetime(first_day.year, first_day.month, first_day.day, tzinfo=zone),
                                     end=end_hour, tz=zone, references=_limit_references(quantity)),
            "month_rows": [{"month": dt.date(y, m, 1), "mean": sum(v) / len(v), "days": len(v)}
                           for (y, m), v in sorted(months.items())],
            "year_rows": days,
            "valid_days": sum(1 for r in days if r.valid),
        })
    station = sensor.station
    return render(request, "environment/sensor.html", {
        "sensor": sensor, "station": station, "current": current, "index": index_context(current.index),
        "values_now": [(quantity_label(q), number_format(v, 1), unit_label(q))
                       for q, v in sorted(current.concentrations.items())],
        "sections": sections, "day_start": day_start, "end_hour": end_hour, "first_day": first_day,
        "last_day": last_day, "events": selectors.recent_events(sensor), "legend": _legend(),
        "show_operator": station.network == Network.PUBLIC and station.operator,
        "api_from": first_day.isoformat(), "api_to": last_day.isoformat(),
    })


def _calendar(year: int, days: dict[dt.date, selectors.CityDay]) -> list[dict[str, Any]]:
    """Months as week rows (Monday first) of day cells with the day's level, for a table per month."""
    months = []
    for month in range(1, 13):
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells: list[dict[str, Any] | None] = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                    continue
                entry = days.get(day)
                style = entry.index.style if entry is not None and entry.index is not None else None
                cells.append({"day": day, "level": int(style.level) if style else None,
                              "label": _(style.label) if style else _("no valid data"),
                              "colour": style.colour if style else "", "text_colour": style.text_colour if style
                              else "", "code": style.code if style else "none"})
            weeks.append(cells)
        months.append({"month": dt.date(year, month, 1), "weeks": weeks})
    return months


def city(request: HttpRequest) -> HttpResponse:
    """Timișoara: the daily index calendar of a year and the EU limit-value table."""
    _require_view(request)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    if not 2000 <= year <= today.year:
        raise Http404(_("No data for this year."))
    days = selectors.city_days(year)
    rows = selectors.exceedances(year)
    counts = {int(level): 0 for level in Level}
    for entry in days.values():
        if entry.index is not None:
            counts[int(entry.index.level)] += 1
    exceedance_rows = [{
        "row": r, "pollutant": quantity_label(str(r.standard.pollutant)),
        "averaging": _(METRIC_LABELS[r.standard.metric]),
        "unit": unit_label(str(r.standard.pollutant)) if r.standard.unit == "ug/m3" else "mg/m³",
        "future": r.standard.directive == DIRECTIVE_2024_2881,
    } for r in rows]
    years_with_data = list(range(today.year, max(2000, today.year - 9) - 1, -1))
    return render(request, "environment/city.html", {
        "year": year, "months": _calendar(year, days), "legend": _legend(), "exceedances": exceedance_rows,
        "level_counts": [(row, counts[row["level"]]) for row in _legend()], "days_with_data": len(days),
        "years": years_with_data, "events": selectors.recent_events(None),
        "any_demo": Sensor.objects.filter(station__is_demo=True).exists(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def alerts(request: HttpRequest) -> HttpResponse:
    """Subscribe to air-quality alerts for a place (the city, a neighbourhood, a point and a radius);
    list and remove one's own. Kept in the notifications room, delivered on the person's channels."""
    if not request.user.has_perm("environment.subscribe_alerts"):
        raise PermissionDenied
    initial = {"sensor": request.GET.get("sensor", "")}
    form = SubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if "delete" in request.POST:
            try:
                services.unsubscribe(request.user, request.POST.get("delete", ""))
            except ValidationError:
                raise Http404 from None
            messages.success(request, _("The subscription was removed."))
            return redirect("environment:alerts")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.subscribe(request.user, kind=data["kind"], min_level=data["min_level"],
                                   place=data["place"], neighbourhood=data["neighbourhood"], lat=data["lat"],
                                   lon=data["lon"], radius_m=data["radius_m"], sensor=data["sensor_obj"])
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("You are subscribed."))
                return redirect("environment:alerts")
    sensor = Sensor.objects.filter(sensor_id=request.GET.get("sensor", "")).first() if request.GET.get(
        "sensor") else None
    status = 400 if request.method == "POST" else 200
    return render(request, "environment/alerts.html", {
        "form": form, "subscriptions": services.alert_subscriptions(request.user), "sensor": sensor,
        "tile_url": getattr(settings, "MAP_TILE_URL", ""), "attribution": getattr(settings, "MAP_ATTRIBUTION", "")},
        status=status)
