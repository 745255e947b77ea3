"""Air-quality alert subscriptions move to the notifications room (issue 15), by place: an alert for a
sensor becomes a subscription to the sensors within 500 m of its (public) position, an alert for the
city a topic subscription; the level filter becomes the topic `environment[.city].aqi.level:<n>` or
`environment[.city].limit`. A webhook subscriber gets a webhook endpoint signed per Standard Webhooks
with the same key bytes as before (whsec_ + base64 of the old secret). The old rows stay, inactive."""

import base64
import math

from django.db import migrations

RADIUS_M = 500


def _bbox(lat, lon, radius_m):
    north = radius_m / 111_320.0
    east = radius_m / (111_320.0 * max(math.cos(math.radians(lat)), 1e-6))
    return lon - east, lat - north, lon + east, lat + north


def forwards(apps, schema_editor):
    AlertSubscription = apps.get_model("environment", "AlertSubscription")
    Endpoint = apps.get_model("notifications", "Endpoint")
    Subscription = apps.get_model("notifications", "Subscription")
    for old in AlertSubscription.objects.filter(active=True).select_related("sensor__station").iterator():
        city = old.sensor_id is None
        prefix = "environment.city." if city else "environment."
        topic = f"{prefix}limit" if old.kind == "limit" else f"{prefix}aqi.level:{old.min_level}"
        label = "EU daily limit value" if old.kind == "limit" else f"European Air Quality Index band ≥ {old.min_level}"
        fields = {"user_id": old.user_id, "topic": topic, "label": label, "confirmed_at": old.created_at,
                  "created_at": old.created_at}
        if not city:
            station = old.sensor.station
            lat, lon = station.latitude, station.longitude
            if station.network == "private":  # its public position, as the pages show it
                lat, lon = round(lat, 3), round(lon, 3)
            min_lon, min_lat, max_lon, max_lat = _bbox(lat, lon, RADIUS_M)
            fields.update(lat=lat, lon=lon, radius_m=RADIUS_M, min_lon=min_lon, min_lat=min_lat, max_lon=max_lon,
                          max_lat=max_lat)
        Subscription.objects.create(**fields)
        if old.channel == "webhook" and old.webhook_url:
            if not Endpoint.objects.filter(user_id=old.user_id, kind="webhook", address=old.webhook_url).exists():
                Endpoint.objects.create(
                    user_id=old.user_id, kind="webhook", address=old.webhook_url, language=old.language or "ro",
                    secret="whsec_" + base64.b64encode(old.webhook_secret.encode()).decode(),
                    verified_at=old.created_at)
    AlertSubscription.objects.filter(active=True).update(active=False)


class Migration(migrations.Migration):
    dependencies = [
        ("environment", "0004_model_plural_names"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
