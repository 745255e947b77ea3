"""HTTP push compatible with the sensor.community firmware, and reading it back."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.management import call_command

from environment.models import HourlyAggregate, QuarantinedReading, Reading, Sensor

pytestmark = pytest.mark.django_db


def test_add_sensor_command_prints_a_credential_that_pushes(push: Any, client: Any, capsys: Any) -> None:
    call_command("add_sensor", "esp8266-3654427", "--lat", "45.75", "--lon", "21.23", "--kind", "SDS011")
    out = capsys.readouterr().out
    key = out.split("Credential (shown once): ")[1].strip()
    sensor = Sensor.objects.get(sensor_id="esp8266-3654427")
    assert sensor.quantities == ["pm10", "pm2_5"] and sensor.pin == "1"
    assert key not in sensor.key_hash  # only the hash is kept

    response = push("esp8266-3654427", key, {"SDS_P1": "12.30", "SDS_P2": "7.10", "signal": "-70"})
    assert response.status_code == 201, response.content
    assert response.json() == {"stored": 2, "duplicates": 0, "quarantined": [], "ignored": []}

    readings = client.get("/api/v1/sensors/esp8266-3654427/readings").json()
    assert [(r["quantity"], r["value"], r["unit"]) for r in readings["readings"]] == [
        ("pm2_5", 7.1, "ug/m3"), ("pm10", 12.3, "ug/m3")]
    sensor.refresh_from_db()
    assert sensor.status == "online"


def test_readings_take_the_server_receive_time(register: Any, push: Any) -> None:
    sensor, key = register()
    before = dt.datetime.now(dt.UTC)
    push(sensor.sensor_id, key, {"P1": "20", "P2": "10"})
    after = dt.datetime.now(dt.UTC)
    times = set(Reading.objects.filter(sensor=sensor).values_list("time", flat=True))
    assert len(times) == 1 and before <= times.pop() <= after


def test_unknown_sensor_wrong_key_missing_key_and_wrong_pin_are_refused(register: Any, push: Any) -> None:
    sensor, key = register()
    unknown = push("esp8266-999", key, {"P1": "1"})
    assert unknown.status_code == 403 and unknown.json()["field"] == "X-Sensor"
    wrong = push(sensor.sensor_id, "sk_wrong", {"P1": "1"})
    assert wrong.status_code == 401 and "WWW-Authenticate" in wrong.headers
    missing = push(sensor.sensor_id, None, {"P1": "1"})
    assert missing.status_code == 401 and missing.json()["field"] == "Authorization"
    bad_pin = push(sensor.sensor_id, key, {"P1": "1"}, pin="11")
    assert bad_pin.status_code == 400 and bad_pin.json()["field"] == "X-PIN"
    no_header = push("", key, {"P1": "1"})
    assert no_header.status_code == 400 and no_header.json()["field"] == "X-Sensor"
    assert not Reading.objects.exists()


def test_a_board_with_several_sensors_is_told_apart_by_pin(register: Any, push: Any) -> None:
    _sds, sds_key = register("tm-box-pm", kind="SDS011", device_id="esp8266-42")
    bme, bme_key = register("tm-box-th", kind="BME280", device_id="esp8266-42", station_slug="tm-box-pm")
    assert push("esp8266-42", sds_key, {"SDS_P1": "10", "SDS_P2": "5"}, pin="1").status_code == 201
    reply = push("esp8266-42", bme_key, {"BME280_temperature": "3.2", "BME280_pressure": "101325",
                                         "BME280_humidity": "80"}, pin="11")
    assert reply.status_code == 201, reply.content
    assert sorted(Reading.objects.filter(sensor=bme).values_list("quantity", "value")) == [
        (4, 3.2), (5, 80.0), (6, 1013.25)]  # pressure arrives in Pa, is kept in hPa
    assert push("esp8266-42", sds_key, {"P1": "1"}, pin="7").json()["field"] == "X-PIN"


def test_bearer_token_works_too(register: Any, client: Any) -> None:
    sensor, key = register()
    response = client.post("/api/v1/push-sensor-data/", data=b'{"sensordatavalues":[{"value_type":"P2","value":"3"}]}',
                           content_type="application/json", HTTP_X_SENSOR=sensor.sensor_id, HTTP_X_PIN="1",
                           HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201


def test_a_bad_value_is_quarantined_and_its_neighbours_are_kept(register: Any, push: Any) -> None:
    sensor, key = register("tm-th", kind="BME280")
    reply = push(sensor.sensor_id, key, {"temperature": "4.5", "humidity": "140", "pressure": "abc"}, pin="11")
    assert reply.status_code == 201, reply.content
    body = reply.json()
    assert body["stored"] == 1
    reasons = {q["field"]: q["reason"] for q in body["quarantined"]}
    assert reasons == {"sensordatavalues[1].value": "above_maximum", "sensordatavalues[2].value": "malformed"}
    stored = QuarantinedReading.objects.filter(sensor=sensor).order_by("field")
    assert [q.reason_code for q in stored] == ["above_maximum", "malformed"]
    assert "100" in stored[0].message  # the reason staff read names the physical maximum


def test_a_quantity_the_sensor_does_not_measure_is_quarantined(register: Any, push: Any) -> None:
    sensor, key = register()
    reply = push(sensor.sensor_id, key, {"P2": "5", "temperature": "3"})
    assert reply.json()["quarantined"] == [{
        "field": "sensordatavalues[1].value_type", "reason": "not_measured",
        "message": "Sensor tm-sds-1 (SDS011) is not registered to measure temperature."}]


def test_only_bad_values_is_a_422_naming_the_field(register: Any, push: Any) -> None:
    sensor, key = register()
    reply = push(sensor.sensor_id, key, {"P1": "-5"})
    assert reply.status_code == 422
    assert reply.json()["field"] == "sensordatavalues[0].value"
    assert not Reading.objects.exists()


def test_pressure_in_hpa_sent_as_pa_is_called_a_wrong_unit(register: Any, push: Any) -> None:
    sensor, key = register("tm-bme", kind="BME280")
    reply = push(sensor.sensor_id, key, {"pressure": "1013.2", "temperature": "2"}, pin="11")
    assert reply.json()["quarantined"][0]["reason"] == "likely_wrong_unit"


def test_platform_body_over_http_is_idempotent_and_keeps_aggregates_right(register: Any, client: Any) -> None:
    sensor, key = register()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    body = json.dumps({"readings": [
        {"quantity": "pm2_5", "value": 10.0, "unit": "µg/m³", "time": (now - dt.timedelta(minutes=2)).isoformat()},
        {"quantity": "pm2_5", "value": 20.0, "unit": "ug/m3", "time": now.isoformat()},
    ]})
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    first = client.post(f"/api/v1/sensors/{sensor.sensor_id}/readings", data=body, content_type="application/json",
                        **headers)
    again = client.post(f"/api/v1/sensors/{sensor.sensor_id}/readings", data=body, content_type="application/json",
                        **headers)
    assert first.status_code == 201 and first.json()["stored"] == 2
    assert again.status_code == 200 and again.json() == {"stored": 0, "duplicates": 2, "quarantined": [],
                                                         "ignored": []}
    assert Reading.objects.count() == 2
    assert sum(h.count for h in HourlyAggregate.objects.all()) == 2
