"""Public pages: real (demo) data shown, constant query counts, no personal data."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from environment.ingest.store import Row, store_readings
from environment.models import QuarantinedReading, Sensor
from tests.addresses import localized

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db: Any) -> None:
    from environment.demo import load_demo_data

    load_demo_data(StringIO())


def test_demo_loader_is_idempotent_and_marks_demo(db: Any) -> None:
    from django.utils import timezone

    from environment.demo import load_demo_data
    from environment.models import Reading

    now = timezone.now()
    earlier = now - dt.timedelta(hours=6)
    load_demo_data(StringIO(), now=earlier)
    count = Reading.objects.count()
    assert count > 20 * 2000  # about 1,800 archive rows a day, re-timed over three weeks
    load_demo_data(StringIO(), now=earlier)
    assert Reading.objects.count() == count
    assert set(Sensor.objects.values_list("station__is_demo", flat=True)) == {True}
    assert not any(s.status_at(now) == "online" for s in Sensor.objects.all())
    # A later run tops the series up to its own present, so the sensors are online again.
    load_demo_data(StringIO(), now=now)
    assert Reading.objects.count() > count
    assert all(s.status_at(now) == "online" for s in Sensor.objects.all())
    assert not QuarantinedReading.objects.exists()


def test_demo_sensors_are_online_with_real_readings_of_the_last_weeks(db: Any) -> None:
    from django.utils import timezone

    from environment.demo import DEMO_DAYS, SAMPLES_DIR, load_demo_data
    from environment.models import Reading

    load_demo_data(StringIO())
    now = timezone.now()
    sensors = list(Sensor.objects.all())
    assert len(sensors) == 4
    for sensor in sensors:
        assert sensor.status == "online", sensor
        assert Reading.objects.filter(sensor=sensor, time__gte=now - dt.timedelta(days=1)).exists()
        assert not Reading.objects.filter(sensor=sensor, time__gt=now).exists()
        oldest = Reading.objects.filter(sensor=sensor).order_by("time").first()
        assert oldest is not None and now - oldest.time > dt.timedelta(days=DEMO_DAYS - 1)
    # The values are the archive's own: the first 24 hours of the series hold exactly the file's PM10 values.
    sds = Sensor.objects.get(sensor_id="demo-15092")
    start = Reading.objects.filter(sensor=sds).order_by("time").values_list("time", flat=True)[0]
    stored = sorted(Reading.objects.filter(sensor=sds, quantity=1, time__gte=start,
                                           time__lt=start + dt.timedelta(days=1)).values_list("value", flat=True))
    lines = (SAMPLES_DIR / "2019-01-10_sds011_sensor_15092.csv").read_text().splitlines()[1:]
    assert stored == sorted(float(line.split(";")[6]) for line in lines)


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_pages_show_the_demo_data(client: Any, demo: None, lang: str) -> None:
    index = client.get(localized(f"/{lang}/air/"))
    assert index.status_code == 200
    text = index.content.decode()
    assert "demo-15092" in text and "air-markers" in text
    heading = {"ro": "Calitatea aerului în Timișoara", "en": "Air quality in Timișoara"}[lang]
    assert heading in text  # the interface is translated (environment/locale)
    sensor = client.get(localized(f"/{lang}/air/sensors/demo-15092/"))
    assert sensor.status_code == 200
    body = sensor.content.decode()
    assert "<svg" in body and "<table" in body
    city = client.get(localized(f"/{lang}/air/city/"))
    assert city.status_code == 200
    assert "2008/50/EC" in city.content.decode()
    assert client.get(localized(f"/{lang}/air/sensors/nope/")).status_code == 404
    assert client.get(localized(f"/{lang}/air/city/?year=1999")).status_code == 404


def _add_sensor_with_a_day(register: Any, number: int) -> None:
    sensor, _key = register(f"q-{number}", lat=45.75 + number / 1000)
    start = dt.datetime(2019, 1, 10, tzinfo=dt.UTC)
    with transaction.atomic():
        store_readings([Row(sensor.pk, q, start + dt.timedelta(minutes=30 * i), 10.0 + i % 7)
                        for i in range(48) for q in (1, 2)])


def test_query_counts_do_not_grow_with_sensors_or_data(client: Any, register: Any,
                                                      django_assert_num_queries: Any) -> None:
    _add_sensor_with_a_day(register, 1)
    pages = ["/en/air/", "/en/air/city/?year=2019", "/en/air/sensors/q-1/", "/api/v1/sensors",
             "/api/v1/air-quality/now", "/api/v1/sensors/q-1/readings", "/api/v1/air-quality/exceedances?year=2019"]
    counts = {}
    for page in pages:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page).status_code == 200
        counts[page] = len(captured)
    for number in range(2, 8):
        _add_sensor_with_a_day(register, number)
    for page in pages:
        with django_assert_num_queries(counts[page]):
            assert client.get(page).status_code == 200


def test_private_owner_contact_never_shows(client: Any, register: Any) -> None:
    sensor, _key = register("private-1", lat=45.7612345, lon=21.2312345)
    sensor.station.owner_contact = "owner@example.org"
    sensor.station.operator = "Ion Popescu"
    sensor.station.save()
    for url in ("/en/air/", "/en/air/sensors/private-1/", "/api/v1/sensors", "/api/v1/sensors/private-1",
                "/api/v1/air-quality/now"):
        body = client.get(url).content.decode()
        assert "owner@example.org" not in body and "Ion Popescu" not in body, url
        assert "45.7612345" not in body and "21.2312345" not in body, url  # rounded to ~100 m


def test_the_worker_keeps_the_demo_sensors_reporting(db: Any) -> None:
    """The recurring replay tops the demo up to the present, and does nothing once the demo is removed."""
    from django.utils import timezone

    from core import recurring
    from environment.demo import load_demo_data, remove_demo_data, replay_demo_readings
    from environment.models import Reading

    assert "environment.tasks.replay_demo_readings" in {job.task_path for job in recurring.jobs()}
    now = timezone.now()
    load_demo_data(StringIO(), now=now - dt.timedelta(hours=2))
    assert not any(s.status_at(now) == "online" for s in Sensor.objects.all())
    count = Reading.objects.count()
    assert replay_demo_readings(now=now) > 0
    assert Reading.objects.count() > count
    assert all(s.status_at(now) == "online" for s in Sensor.objects.all())
    assert replay_demo_readings(now=now) == 0  # nothing new until time moves on
    remove_demo_data(StringIO())
    assert replay_demo_readings(now=now + dt.timedelta(hours=1)) == 0
    assert not Sensor.objects.exists()
