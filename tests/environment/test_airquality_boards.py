"""environment.airquality.payloads: a board's one body routed to its sensors by value-type prefix (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from environment.airquality.payloads import BoardSensor, parse_firmware_push, route_board_values

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SDS = BoardSensor("b-sds011", "SDS011", frozenset({"pm10", "pm2_5"}))
BME = BoardSensor("b-bme280", "BME280", frozenset({"temperature", "humidity", "pressure"}))
DHT = BoardSensor("b-dht22", "DHT22", frozenset({"temperature", "humidity"}))
SPS = BoardSensor("b-sps30", "SPS30", frozenset({"pm10", "pm2_5", "pm1"}))


def test_prefixes_name_the_sensor() -> None:
    routes, notes = route_board_values(["SDS_P1", "BME280_pressure", "SDS_P2", "BME280_humidity"], [SDS, BME])
    assert routes == ["b-sds011", "b-bme280", "b-sds011", "b-bme280"]
    assert notes == []


def test_bare_values_go_to_the_dht_then_to_the_only_sensor_measuring_them() -> None:
    assert route_board_values(["temperature", "humidity"], [SDS, BME, DHT])[0] == ["b-dht22", "b-dht22"]
    assert route_board_values(["temperature", "P1"], [SDS, BME])[0] == ["b-bme280", "b-sds011"]
    routes, notes = route_board_values(["P1"], [SDS, SPS])
    assert routes == [None]
    assert notes == ["P1: several sensors of this board could have sent it (b-sds011, b-sps30); not stored"]


def test_a_value_of_a_sensor_not_on_the_board_is_noted() -> None:
    routes, notes = route_board_values(["BME280_temperature", "temperature"], [SDS])
    assert routes == [None, None]
    assert notes == ["BME280_temperature: no BME280 sensor (BME280) is registered on this board; not stored",
                     "temperature: no sensor of this board measures temperature; not stored"]


def test_gps_and_housekeeping_values_are_not_errors_even_when_not_numbers() -> None:
    body = ('{"esp8266id": "1", "software_version": "NRZ-2020-133", "sensordatavalues":['
            '{"value_type":"SDS_P1","value":"1.00"},{"value_type":"GPS_timestamp","value":"2026-11-25T10:00:00.000"},'
            '{"value_type":"GPS_date","value":"11/25/2026"},{"value_type":"GPS_time","value":"10:00:00.00"},'
            '{"value_type":"signal","value":"-71"},{"value_type":"SPS30_N05","value":"27.41"},'
            '{"value_type":"SCD30_co2_ppm","value":"415"}]}')
    parsed = parse_firmware_push(body, NOW)
    assert parsed.errors == ()
    assert parsed.value_types == ("SDS_P1", "SCD30_co2_ppm")
    assert [str(reading.quantity) for reading in parsed.readings] == ["pm10", "co2"]
    assert parsed.ignored == ("SPS30_N05",)
