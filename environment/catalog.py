"""The Django side's vocabulary for quantities and sensor kinds.

Readings are stored with a small integer per quantity (a narrow table ingests faster and
its index is smaller); the codes below are part of the database format: never renumber,
only append. Everything else about a quantity (units, ranges, labels) comes from the pure
core in `environment.airquality.quantities`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from django.db import models
from django.utils.translation import gettext as _

from environment.airquality.quantities import QUANTITY_SPECS, Quantity


class QuantityCode(models.IntegerChoices):
    """Database codes of quantities (stable: append only)."""

    PM10 = 1, "pm10"
    PM2_5 = 2, "pm2_5"
    PM1 = 3, "pm1"
    TEMPERATURE = 4, "temperature"
    HUMIDITY = 5, "humidity"
    PRESSURE = 6, "pressure"
    NOISE = 7, "noise"
    CO2 = 8, "co2"
    NO2 = 9, "no2"
    O3 = 10, "o3"
    SO2 = 11, "so2"
    CO = 12, "co"
    BENZENE = 13, "benzene"


CODE_OF: Final[Mapping[str, int]] = MappingProxyType({str(c.label): int(c.value) for c in QuantityCode})
QUANTITY_OF: Final[Mapping[int, Quantity]] = MappingProxyType(
    {int(c.value): Quantity(str(c.label)) for c in QuantityCode})
assert set(CODE_OF) == {q.value for q in Quantity}, "every quantity of the core needs a database code"


def code_for(quantity: str) -> int:
    return CODE_OF[str(quantity)]


def quantity_for(code: int) -> Quantity:
    return QUANTITY_OF[code]


def quantity_label(quantity: str) -> str:
    """Translated name of a quantity (the core marks its labels with gettext_noop)."""
    spec = QUANTITY_SPECS.get(Quantity(quantity))
    return _(spec.label) if spec else str(quantity)


UNIT_LABELS: Final[Mapping[str, str]] = MappingProxyType({
    "ug/m3": "µg/m³", "mg/m3": "mg/m³", "degC": "°C", "%": "%", "hPa": "hPa", "dBA": "dB(A)", "ppm": "ppm",
})


def unit_label(quantity: str) -> str:
    spec = QUANTITY_SPECS.get(Quantity(quantity))
    return UNIT_LABELS.get(spec.canonical_unit, spec.canonical_unit) if spec else ""


def canonical_unit(quantity: str) -> str:
    spec = QUANTITY_SPECS.get(Quantity(quantity))
    return spec.canonical_unit if spec else ""


@dataclass(frozen=True)
class SensorKind:
    """A sensor model: what it measures and the X-PIN the airrohr firmware sends for it."""

    code: str
    quantities: tuple[Quantity, ...]
    pin: str


# X-PIN values as defined in the airrohr firmware (ext_def.h: SDS_API_PIN 1, BMP280_API_PIN 3,
# DHT_API_PIN 7, BME280_API_PIN 11, DS18B20_API_PIN 13, DNMS_API_PIN 15, SCD30_API_PIN 17).
_PM = (Quantity.PM10, Quantity.PM2_5)
_TH = (Quantity.TEMPERATURE, Quantity.HUMIDITY)
SENSOR_KINDS: Final[Mapping[str, SensorKind]] = MappingProxyType({kind.code: kind for kind in (
    SensorKind("SDS011", _PM, "1"),
    SensorKind("PMS5003", (*_PM, Quantity.PM1), "1"),
    SensorKind("PMS7003", (*_PM, Quantity.PM1), "1"),
    SensorKind("SPS30", (*_PM, Quantity.PM1), "1"),
    SensorKind("HPM", _PM, "1"),
    SensorKind("NPM", (*_PM, Quantity.PM1), "1"),
    SensorKind("BME280", (*_TH, Quantity.PRESSURE), "11"),
    SensorKind("BMP280", (Quantity.TEMPERATURE, Quantity.PRESSURE), "3"),
    SensorKind("BMP180", (Quantity.TEMPERATURE, Quantity.PRESSURE), "3"),
    SensorKind("DHT22", _TH, "7"),
    SensorKind("HTU21D", _TH, "7"),
    SensorKind("SHT31", _TH, "7"),
    SensorKind("DS18B20", (Quantity.TEMPERATURE,), "13"),
    SensorKind("DNMS", (Quantity.NOISE,), "15"),
    SensorKind("SCD30", (Quantity.CO2, *_TH), "17"),
    # Reference-grade stations of the public network measure several gases; the list is set per sensor.
    SensorKind("REFERENCE", (*_PM, Quantity.NO2, Quantity.O3, Quantity.SO2, Quantity.CO, Quantity.BENZENE), ""),
)})


def kind_for(code: str) -> SensorKind | None:
    return SENSOR_KINDS.get(code.upper())
