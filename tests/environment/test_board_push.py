"""An airrohr board delivering through the firmware's "Send to own API": one POST, every sensor, no X-PIN.

Requests are built the way the firmware builds them (opendata-stuttgart/sensors-software,
airrohr-firmware/airrohr-firmware.ino): `data_first_part` + each sensor's values written by
`add_Value2Json` (`{"value_type":"SDS_P1","value":"12.30"},`, floats with two decimals) + the
housekeeping values, then `sendDataToOptionalApis` replaces the leading `{` with
`{"esp8266id": "<chipid>", ` and `sendData(LoggerCustom, …, pin 0, …)` posts it with
Content-Type application/json, X-Sensor esp8266-<chipid>, X-MAC-ID, the User-Agent
`<version>/<chipid>/<mac>`, no X-PIN (pin 0), and HTTP Basic auth when the user or password is set.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from environment import services
from environment.models import QuarantinedReading, Reading, Sensor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    """The push rate limit counts per sensor and minute in the cache; tests reuse sensor ids."""
    from django.core.cache import cache

    cache.clear()

CHIP_ID = "3654427"
MAC = "a4cf12fd1e7b"
VERSION = "NRZ-2020-133"
DEVICE = f"esp8266-{CHIP_ID}"
HOUSEKEEPING = [("samples", "4632873"), ("min_micro", "35"), ("max_micro", "20328"), ("interval", "145000"),
                ("signal", "-71")]

SDS011 = [("SDS_P1", "12.30"), ("SDS_P2", "7.10")]
BME280 = [("BME280_temperature", "21.45"), ("BME280_pressure", "100923.75"), ("BME280_humidity", "45.21")]
DHT22 = [("temperature", "3.20"), ("humidity", "81.30")]  # the firmware writes a DHT's values bare
SPS30 = [("SPS30_P0", "4.12"), ("SPS30_P2", "6.05"), ("SPS30_P4", "6.88"), ("SPS30_P1", "7.02"),
         ("SPS30_N05", "27.41"), ("SPS30_N1", "32.09"), ("SPS30_N25", "32.44"), ("SPS30_N4", "32.51"),
         ("SPS30_N10", "32.53"), ("SPS30_TS", "0.58")]
PMS = [("PMS_P0", "5.00"), ("PMS_P1", "11.00"), ("PMS_P2", "8.00")]
GPS = [("GPS_lat", "45.753712"), ("GPS_lon", "21.225693"), ("GPS_height", "91.40"),
       ("GPS_timestamp", "2026-11-25T10:00:00.000")]


def firmware_body(*groups: list[tuple[str, str]]) -> bytes:
    """The body exactly as the firmware concatenates it for the custom API."""
    data = '{"software_version": "' + VERSION + '", "sensordatavalues":['
    for group in (*groups, HOUSEKEEPING):
        for value_type, value in group:
            data += '{"value_type":"' + value_type + '","value":"' + value + '"},'
    data = data[:-1] + "]}"
    return ('{"esp8266id": "' + CHIP_ID + '", ' + data[1:]).encode()


def send(client: Client, body: bytes, *, user: str = "", password: str = "", device: str = DEVICE) -> Any:
    headers: dict[str, str] = {
        "HTTP_X_SENSOR": device,
        "HTTP_X_MAC_ID": f"esp8266-{MAC}",
        "HTTP_USER_AGENT": f"{VERSION}/{CHIP_ID}/{MAC}",
    }
    if user or password:  # HTTPClient::setAuthorization(user, password)
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    return client.post("/api/v1/push-sensor-data/", data=body, content_type="application/json", **headers)


def add_board(capsys: Any, *models: str, device: str = DEVICE, extra: tuple[str, ...] = ()) -> str | None:
    arguments = ["add_sensor", "--device", device, "--lat", "45.7537", "--lon", "21.2257"]
    for model in models:
        arguments += ["--sensor", model]
    call_command(*arguments, *extra)
    out = capsys.readouterr().out
    marker = "Credential (shown once; the board's \"Send to own API\" password): "
    return out.split(marker)[1].strip() if marker in out else None


def stored(sensor_id: str) -> list[tuple[str, float]]:
    sensor = Sensor.objects.get(sensor_id=sensor_id)
    names = {1: "pm10", 2: "pm2_5", 3: "pm1", 4: "temperature", 5: "humidity", 6: "pressure"}
    values = Reading.objects.filter(sensor=sensor).values_list("quantity", "value")
    return sorted((names[quantity], round(value, 6)) for quantity, value in values)


def test_sds011_and_bme280_board_registered_once_takes_the_one_post(client: Client, capsys: Any) -> None:
    key = add_board(capsys, "SDS011", "BME280")
    assert key
    assert sorted(Sensor.objects.filter(device_id=DEVICE).values_list("sensor_id", "kind", "pin")) == [
        (f"{DEVICE}-bme280", "BME280", "11"), (f"{DEVICE}-sds011", "SDS011", "1")]
    assert all(key not in s.key_hash and s.key_hash for s in Sensor.objects.filter(device_id=DEVICE))

    reply = send(client, firmware_body(SDS011, BME280), user="timisoara", password=key)
    assert reply.status_code == 201, reply.content
    assert reply.json() == {"stored": 5, "duplicates": 0, "quarantined": [], "ignored": [], "notes": [],
                            "sensors": {f"{DEVICE}-bme280": 3, f"{DEVICE}-sds011": 2}}
    assert stored(f"{DEVICE}-sds011") == [("pm10", 12.3), ("pm2_5", 7.1)]
    assert stored(f"{DEVICE}-bme280") == [("humidity", 45.21), ("pressure", 1009.2375), ("temperature", 21.45)]
    assert not QuarantinedReading.objects.exists()


def test_sds011_and_dht22_board_the_bare_values_are_the_dht(client: Client, capsys: Any) -> None:
    key = add_board(capsys, "SDS011", "DHT22")
    reply = send(client, firmware_body(SDS011, DHT22), user="x", password=key or "")
    assert reply.status_code == 201, reply.content
    assert stored(f"{DEVICE}-dht22") == [("humidity", 81.3), ("temperature", 3.2)]
    assert stored(f"{DEVICE}-sds011") == [("pm10", 12.3), ("pm2_5", 7.1)]
    assert reply.json()["notes"] == []


def test_sps30_board_stores_pm_and_names_the_values_it_does_not_use(client: Client, capsys: Any) -> None:
    key = add_board(capsys, "SPS30")
    reply = send(client, firmware_body(SPS30), password=key or "")
    assert reply.status_code == 201, reply.content
    assert stored(f"{DEVICE}-sps30") == [("pm1", 4.12), ("pm10", 7.02), ("pm2_5", 6.05)]
    # PM4, the particle counts and the typical size: no quantity of ours; named, not a failure.
    assert reply.json()["ignored"] == ["SPS30_P4", "SPS30_N05", "SPS30_N1", "SPS30_N25", "SPS30_N4", "SPS30_N10",
                                       "SPS30_TS"]


def test_pms_board(client: Client, capsys: Any) -> None:
    key = add_board(capsys, "PMS7003")
    reply = send(client, firmware_body(PMS), password=key or "")
    assert reply.status_code == 201, reply.content
    assert stored(f"{DEVICE}-pms7003") == [("pm1", 5.0), ("pm10", 11.0), ("pm2_5", 8.0)]


def test_a_board_with_a_gps_its_position_and_time_are_not_values(client: Client, capsys: Any) -> None:
    key = add_board(capsys, "SDS011", "BME280")
    before = dt.datetime.now(dt.UTC)
    reply = send(client, firmware_body(SDS011, BME280, GPS), password=key or "")
    assert reply.status_code == 201, reply.content
    data = reply.json()
    assert (data["stored"], data["quarantined"], data["ignored"], data["notes"]) == (5, [], [], [])
    # Readings take the receive time, not the GPS time; the station keeps its registered position.
    assert all(time >= before for time in Reading.objects.values_list("time", flat=True))
    assert not QuarantinedReading.objects.exists()


def test_older_gps_firmware_sends_date_and_time_apart(client: Client, capsys: Any) -> None:
    key = add_board(capsys, "SDS011")
    older = [("GPS_lat", "45.753712"), ("GPS_lon", "21.225693"), ("GPS_height", "91.40"),
             ("GPS_date", "11/25/2026"), ("GPS_time", "10:00:00.00")]
    reply = send(client, firmware_body(SDS011, older), password=key or "")
    assert reply.status_code == 201 and reply.json()["quarantined"] == [], reply.content


def test_values_of_a_sensor_not_registered_on_the_board_are_noted_not_quarantined(
    client: Client, capsys: Any,
) -> None:
    key = add_board(capsys, "SDS011")
    reply = send(client, firmware_body(SDS011, BME280), password=key or "")
    assert reply.status_code == 201, reply.content
    assert reply.json()["stored"] == 2
    assert reply.json()["notes"] == [
        f"{value_type}: no BME280 sensor (BME280) is registered on this board; not stored"
        for value_type, _ in BME280]
    assert not QuarantinedReading.objects.exists()


def test_a_sensor_registered_under_the_board_id_takes_its_own_values(client: Client, capsys: Any) -> None:
    """Before boards: one SDS011 registered with the board's X-Sensor as its id."""
    call_command("add_sensor", DEVICE, "--lat", "45.75", "--lon", "21.23", "--kind", "SDS011")
    key = capsys.readouterr().out.split("Credential (shown once): ")[1].strip()
    reply = send(client, firmware_body(SDS011, BME280), password=key)
    assert reply.status_code == 201, reply.content
    assert stored(DEVICE) == [("pm10", 12.3), ("pm2_5", 7.1)]
    assert len(reply.json()["notes"]) == 3 and not QuarantinedReading.objects.exists()


def test_credentials_as_the_firmware_sends_them(client: Client, capsys: Any) -> None:
    key = add_board(capsys, "SDS011", "BME280")
    assert key
    body = firmware_body(SDS011, BME280)
    missing = send(client, body)
    assert missing.status_code == 401 and missing.json()["field"] == "Authorization"
    assert "WWW-Authenticate" in missing.headers
    wrong = send(client, body, user="timisoara", password="sk_wrong")
    assert wrong.status_code == 401
    assert not Reading.objects.exists()
    # The key typed into the user field, password left empty, is taken too.
    assert send(client, body, user=key).status_code == 201


def test_a_board_without_credential_and_a_disabled_sensor(client: Client, capsys: Any) -> None:
    assert add_board(capsys, "SDS011", "BME280", extra=("--no-credential",)) is None
    services.set_sensor_active("tests", Sensor.objects.get(sensor_id=f"{DEVICE}-bme280"), False)
    reply = send(client, firmware_body(SDS011, BME280))
    assert reply.status_code == 201, reply.content
    assert reply.json()["stored"] == 2
    assert reply.json()["notes"][0] == f"BME280_temperature: sensor {DEVICE}-bme280 is disabled; not stored"
    services.set_sensor_active("tests", Sensor.objects.get(sensor_id=f"{DEVICE}-sds011"), False)
    assert send(client, firmware_body(SDS011, BME280)).status_code == 403


def test_adding_a_sensor_to_a_board_keeps_its_credential_and_rotation_changes_all(
    client: Client, capsys: Any,
) -> None:
    key = add_board(capsys, "SDS011")
    assert add_board(capsys, "BME280") is None  # added to the board, same credential
    assert send(client, firmware_body(SDS011, BME280), password=key or "").json()["stored"] == 5
    new_key = services.issue_sensor_key("tests", Sensor.objects.get(sensor_id=f"{DEVICE}-sds011"))
    assert send(client, firmware_body(SDS011, BME280), password=key or "").status_code == 401
    assert send(client, firmware_body(SDS011, BME280), password=new_key).json()["sensors"] == {
        f"{DEVICE}-bme280": 3, f"{DEVICE}-sds011": 2}


def test_add_sensor_refuses_what_it_cannot_register(capsys: Any) -> None:
    from django.utils import translation

    with translation.override("en"):  # the messages are translated; the test reads the English ones
        add_board(capsys, "SDS011")
        with pytest.raises(CommandError, match="already has a SDS011 sensor"):
            add_board(capsys, "SDS011")
        with pytest.raises(CommandError, match="Unknown sensor model NOSUCH"):
            add_board(capsys, "NOSUCH", device="esp8266-1")
        with pytest.raises(CommandError, match="give SENSOR_ID and --kind"):
            call_command("add_sensor", "--lat", "45.75", "--lon", "21.23")


def test_the_per_pin_push_still_works_for_a_board(client: Client, capsys: Any) -> None:
    key = add_board(capsys, "SDS011", "BME280")
    reply = client.post("/api/v1/push-sensor-data/", data=firmware_body(BME280), content_type="application/json",
                        HTTP_X_SENSOR=DEVICE, HTTP_X_PIN="11",
                        HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"u:{key}".encode()).decode())
    assert reply.status_code == 201, reply.content
    assert stored(f"{DEVICE}-bme280") == [("humidity", 45.21), ("pressure", 1009.2375), ("temperature", 21.45)]


def test_the_board_push_costs_the_same_queries_with_one_sensor_or_three(client: Client, capsys: Any) -> None:
    """One lookup of the board's sensors and one batch write, whatever the board carries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    key_one = add_board(capsys, "SDS011", device="esp8266-1")
    key_three = add_board(capsys, "SDS011", "BME280", "DHT22", device="esp8266-3")
    with CaptureQueriesContext(connection) as one:
        assert send(client, firmware_body(SDS011), password=key_one or "", device="esp8266-1").status_code == 201
    with CaptureQueriesContext(connection) as three:
        reply = send(client, firmware_body(SDS011, BME280, DHT22), password=key_three or "", device="esp8266-3")
        assert reply.status_code == 201 and reply.json()["stored"] == 7
    assert len(three.captured_queries) == len(one.captured_queries)


def test_sensors_registered_one_by_one_with_device_take_the_one_body(client: Client, capsys: Any) -> None:
    """The way before boards: `add_sensor ID --kind … --device …` per sensor, each with its own credential."""
    sds = services.register_sensor("tests", "tm-box-pm", latitude=45.75, longitude=21.23, kind="SDS011",
                                   device_id=DEVICE)
    services.register_sensor("tests", "tm-box-th", latitude=45.75, longitude=21.23, kind="BME280",
                             device_id=DEVICE, station_slug="tm-box-pm")
    reply = send(client, firmware_body(SDS011, BME280), password=sds.key or "")
    assert reply.status_code == 201, reply.content  # the SDS011's credential: its values only
    assert reply.json()["sensors"] == {"tm-box-pm": 2, "tm-box-th": 0}
    assert reply.json()["notes"][0] == "BME280_temperature: the credential does not match sensor tm-box-th; not stored"
    board_key = services.issue_sensor_key("tests", sds.sensor)  # one credential for the whole board
    assert send(client, firmware_body(SDS011, BME280), password=board_key).json()["sensors"] == {
        "tm-box-pm": 2, "tm-box-th": 3}

