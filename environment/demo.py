"""Demo data for the environment room: a few sensors placed in Timișoara, clearly marked demo,
replaying the public sensor.community archive samples in SHARED_DIR/data/sensors so that the
pages show real measurements (recorded in Aberdeen, UK, on 10 January 2019; see the README
there). Idempotent: registered sensors are kept, and a sensor that already has readings is
not imported again. Demo stations are left out of the strategy KPIs.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from environment import services
from environment.models import Network, Reading, Sensor, Station

ACTOR = "loader:environment-demo"

# (station slug, name, lat, lon, [(demo sensor id, kind, archive file, archive sensor id)])
DEMO_STATIONS = [
    ("demo-piata-victoriei", "Demo — Piața Victoriei", 45.7537, 21.2257, [
        ("demo-15092", "SDS011", "2019-01-10_sds011_sensor_15092.csv", "15092"),
        ("demo-15093", "BME280", "2019-01-10_bme280_sensor_15093.csv", "15093"),
    ]),
    ("demo-complexul-studentesc", "Demo — Complexul Studențesc", 45.7478, 21.2392, [
        ("demo-5331", "SDS011", "2019-01-10_sds011_sensor_5331.csv", "5331"),
        ("demo-5332", "DHT22", "2019-01-10_dht22_sensor_5332.csv", "5332"),
    ]),
]

DESCRIPTION = ("Demonstration only: readings replayed from the public sensor.community archive "
               "(sensor {archive}, Aberdeen, UK, 2019-01-10), placed in Timișoara to show the pages.")


def load_demo_data(stdout: Any) -> None:
    directory = settings.SHARED_DIR / "data" / "sensors"
    for slug, name, lat, lon, sensors in DEMO_STATIONS:
        for sensor_id, kind, filename, archive_id in sensors:
            if not Sensor.objects.filter(sensor_id=sensor_id).exists():
                station_exists = Station.objects.filter(slug=slug).exists()
                services.register_sensor(ACTOR, sensor_id, latitude=lat, longitude=lon, kind=kind,
                                         station_slug=slug, station_name=name, network=Network.PRIVATE,
                                         is_demo=True, description=DESCRIPTION.format(archive=archive_id))
                if not station_exists:
                    stdout.write(f"Environment: demo station {name}")
            path = directory / filename
            sensor = Sensor.objects.get(sensor_id=sensor_id)
            if not path.is_file():
                stdout.write(f"Environment: {path} not found; demo sensor {sensor_id} has no readings")
                continue
            if Reading.objects.filter(sensor=sensor).exists():
                continue
            report = services.import_archive(ACTOR, path, sensor_map={archive_id: sensor_id}, is_demo=True)
            stdout.write(f"Environment: {sensor_id} ← {filename}: {report.stored} readings")
