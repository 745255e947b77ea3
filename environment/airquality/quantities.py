"""Measured quantities, their units, unit conversions and physical plausibility.

Everything a validator needs to know about a quantity is kept here as data
(`QUANTITY_SPECS`), so adding a sensor type or tightening a range is a one-line
change that the tests see, not a new branch in some if-chain.

Canonical units (what every accepted reading is stored in):

* particulate matter and the gases NO2, O3, SO2: ``ug/m3`` (µg/m³)
* temperature: ``degC``; relative humidity: ``%``; pressure: ``hPa``
* noise: ``dBA`` (A-weighted equivalent level); CO2: ``ppm``
* carbon monoxide: ``mg/m3`` (the unit of its EU limit values); benzene: ``ug/m3``
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from ._i18n import gettext_noop


class Quantity(StrEnum):
    """What a reading measures. The values are the platform's wire names."""

    PM10 = "pm10"
    PM2_5 = "pm2_5"
    PM1 = "pm1"
    TEMPERATURE = "temperature"
    HUMIDITY = "humidity"
    PRESSURE = "pressure"
    NOISE = "noise"
    CO2 = "co2"
    NO2 = "no2"
    O3 = "o3"
    SO2 = "so2"
    CO = "co"
    BENZENE = "benzene"


@dataclass(frozen=True, slots=True)
class UnitConversion:
    """How to turn a value in ``unit`` into the quantity's canonical unit.

    canonical = value * factor + offset
    """

    unit: str
    factor: float
    offset: float = 0.0

    def to_canonical(self, value: float) -> float:
        return value * self.factor + self.offset


@dataclass(frozen=True, slots=True)
class QuantitySpec:
    """Units and physically possible range of one quantity.

    ``minimum``/``maximum`` are inclusive and in the canonical unit. A value
    outside them is not "high pollution", it is a broken or misconfigured
    sensor, so it is quarantined for a person to look at.

    ``confusable_units`` lists units that devices are known to mix up with the
    declared one (Pa vs hPa, °C vs K). When a value is impossible in the
    declared unit but plausible in one of these, the validator says "probably
    the wrong unit" instead of just "out of range".
    """

    quantity: Quantity
    label: str
    canonical_unit: str
    units: tuple[UnitConversion, ...]
    minimum: float
    maximum: float
    range_source: str
    confusable_units: tuple[str, ...] = ()

    def conversion(self, unit: str) -> UnitConversion | None:
        for conversion in self.units:
            if conversion.unit == unit:
                return conversion
        return None


# Reference conditions for gaseous pollutants in EU law: 293 K and 101.3 kPa
# (Directive 2008/50/EC Annex VI C; kept in Directive (EU) 2024/2881).
# Molar volume of an ideal gas there: R*T/p = 8.314462618*293.15/101325 m³/mol.
MOLAR_VOLUME_L_PER_MOL: Final = 8.314462618 * 293.15 / 101_325 * 1000  # ≈ 24.055 L/mol

# Molar masses in g/mol (IUPAC standard atomic weights: N 14.007, O 15.999, S 32.06).
_MOLAR_MASS_G_PER_MOL: Final = MappingProxyType(
    {
        Quantity.NO2: 14.007 + 2 * 15.999,
        Quantity.O3: 3 * 15.999,
        Quantity.SO2: 32.06 + 2 * 15.999,
        Quantity.CO: 12.011 + 15.999,
        Quantity.BENZENE: 6 * 12.011 + 6 * 1.008,
    }
)


def ppb_to_ug_m3_factor(quantity: Quantity) -> float:
    """µg/m³ per ppb for a gas at the EU reference conditions (293 K, 101.3 kPa)."""
    return _MOLAR_MASS_G_PER_MOL[quantity] / MOLAR_VOLUME_L_PER_MOL


_PM_RANGE_SOURCE: Final = gettext_noop(
    "A mass concentration cannot be negative. 1000 µg/m³ is the top of the"
    " measuring range of the low-cost sensors used by sensor.community"
    " (Nova Fitness SDS011 datasheet: 0.0–999.9 µg/m³; Plantower PMS5003"
    " datasheet: maximum range ≥ 1000 µg/m³); higher figures are saturation"
    " or fault codes."
)
_GAS_RANGE_SOURCE: Final = gettext_noop(
    "A concentration cannot be negative. The upper ends are the tops of the"
    " EEA European Air Quality Index scale before its 2024 revision"
    " (NO2 1000, O3 800, SO2 1250 µg/m³; benzene: 1000 µg/m³, two hundred"
    " times its limit value); figures above them indicate a fault."
)


def _pm_spec(quantity: Quantity, label: str) -> QuantitySpec:
    return QuantitySpec(
        quantity=quantity,
        label=label,
        canonical_unit="ug/m3",
        units=(UnitConversion("ug/m3", 1.0), UnitConversion("mg/m3", 1000.0)),
        minimum=0.0,
        maximum=1000.0,
        range_source=_PM_RANGE_SOURCE,
    )


def _gas_spec(quantity: Quantity, label: str, maximum: float) -> QuantitySpec:
    per_ppb = ppb_to_ug_m3_factor(quantity)
    return QuantitySpec(
        quantity=quantity,
        label=label,
        canonical_unit="ug/m3",
        units=(
            UnitConversion("ug/m3", 1.0),
            UnitConversion("mg/m3", 1000.0),
            UnitConversion("ppb", per_ppb),
            UnitConversion("ppm", per_ppb * 1000.0),
        ),
        minimum=0.0,
        maximum=maximum,
        range_source=_GAS_RANGE_SOURCE,
    )


QUANTITY_SPECS: Final[Mapping[Quantity, QuantitySpec]] = MappingProxyType(
    {
        spec.quantity: spec
        for spec in (
            _pm_spec(Quantity.PM10, gettext_noop("PM10")),
            _pm_spec(Quantity.PM2_5, gettext_noop("PM2.5")),
            _pm_spec(Quantity.PM1, gettext_noop("PM1")),
            QuantitySpec(
                quantity=Quantity.TEMPERATURE,
                label=gettext_noop("Temperature"),
                canonical_unit="degC",
                units=(
                    UnitConversion("degC", 1.0),
                    UnitConversion("K", 1.0, -273.15),
                    UnitConversion("degF", 5.0 / 9.0, -32.0 * 5.0 / 9.0),
                ),
                minimum=-60.0,
                maximum=70.0,
                range_source=gettext_noop(
                    "Outside −60…+70 °C no outdoor sensor in Europe reads a real"
                    " air temperature (European record low −58.1 °C, world record"
                    " high 56.7 °C); such figures come from faults or wrong units."
                ),
                confusable_units=("K",),
            ),
            QuantitySpec(
                quantity=Quantity.HUMIDITY,
                label=gettext_noop("Relative humidity"),
                canonical_unit="%",
                units=(UnitConversion("%", 1.0),),
                minimum=0.0,
                maximum=100.0,
                range_source=gettext_noop("Relative humidity is a ratio between 0 % and 100 % by definition."),
            ),
            QuantitySpec(
                quantity=Quantity.PRESSURE,
                label=gettext_noop("Air pressure"),
                canonical_unit="hPa",
                units=(
                    UnitConversion("hPa", 1.0),
                    UnitConversion("Pa", 0.01),
                    UnitConversion("kPa", 10.0),
                ),
                minimum=300.0,
                maximum=1100.0,
                range_source=gettext_noop(
                    "300–1100 hPa is the operating range of the Bosch BME280/BMP280"
                    " sensors (datasheet) and spans every inhabited altitude; the"
                    " highest sea-level pressure ever recorded is 1084.8 hPa."
                ),
                confusable_units=("Pa", "hPa"),
            ),
            QuantitySpec(
                quantity=Quantity.NOISE,
                label=gettext_noop("Noise level"),
                canonical_unit="dBA",
                units=(UnitConversion("dBA", 1.0),),
                minimum=0.0,
                maximum=140.0,
                range_source=gettext_noop(
                    "An outdoor A-weighted level cannot be negative for a street"
                    " microphone, and levels above 140 dB(A) (beyond the threshold"
                    " of pain) are not ambient noise but a fault."
                ),
            ),
            QuantitySpec(
                quantity=Quantity.CO2,
                label=gettext_noop("Carbon dioxide"),
                canonical_unit="ppm",
                units=(UnitConversion("ppm", 1.0), UnitConversion("ppb", 0.001)),
                minimum=250.0,
                maximum=40_000.0,
                range_source=gettext_noop(
                    "Air never holds less CO2 than the global background (about"
                    " 420 ppm today, 280 ppm before industrialisation), and 40 000"
                    " ppm is the top of the Sensirion SCD30 measuring range."
                ),
            ),
            _gas_spec(Quantity.NO2, gettext_noop("Nitrogen dioxide (NO2)"), 1000.0),
            _gas_spec(Quantity.O3, gettext_noop("Ozone (O3)"), 800.0),
            _gas_spec(Quantity.SO2, gettext_noop("Sulphur dioxide (SO2)"), 1250.0),
            _gas_spec(Quantity.BENZENE, gettext_noop("Benzene"), 1000.0),
            QuantitySpec(
                quantity=Quantity.CO,
                label=gettext_noop("Carbon monoxide (CO)"),
                canonical_unit="mg/m3",
                units=(
                    UnitConversion("mg/m3", 1.0),
                    UnitConversion("ug/m3", 0.001),
                    UnitConversion("ppm", ppb_to_ug_m3_factor(Quantity.CO)),
                    UnitConversion("ppb", ppb_to_ug_m3_factor(Quantity.CO) / 1000.0),
                ),
                minimum=0.0,
                maximum=500.0,
                range_source=gettext_noop(
                    "A concentration cannot be negative; outdoor CO above 500 mg/m³"
                    " (over 400 ppm) is immediately dangerous to life and not an"
                    " ambient reading."
                ),
            ),
        )
    }
)

# Human spellings of units seen in the wild, mapped to the unit ids above.
# Keys are normalised by `normalise_unit` (lower case, no spaces, µ/μ -> u,
# ³ -> 3, ° removed), so "µg/m³", "ug/m3" and "UG / M3" all match "ug/m3".
_UNIT_ALIASES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "ug/m3": "ug/m3",
        "ug/m^3": "ug/m3",
        "ugm-3": "ug/m3",
        "mg/m3": "mg/m3",
        "mg/m^3": "mg/m3",
        "ppb": "ppb",
        "ppm": "ppm",
        "c": "degC",
        "degc": "degC",
        "celsius": "degC",
        "k": "K",
        "kelvin": "K",
        "f": "degF",
        "degf": "degF",
        "fahrenheit": "degF",
        "%": "%",
        "%rh": "%",
        "percent": "%",
        "pa": "Pa",
        "hpa": "hPa",
        "mbar": "hPa",
        "mb": "hPa",
        "kpa": "kPa",
        "dba": "dBA",
        "db(a)": "dBA",
        "dba(eq)": "dBA",
        # Known but never valid for our quantities: recognising them lets the
        # validator say "wrong unit" rather than "unknown unit".
        "db": "dB",
        "m/s": "m/s",
        "lux": "lux",
    }
)

_UNIT_NORMALISATION: Final = str.maketrans({"µ": "u", "μ": "u", "³": "3", "°": None, " ": None})
_UNIT_TEXT: Final = re.compile(r"^[\w%/()^\-.³°µμ ]{1,16}$")


@lru_cache(maxsize=256)  # few distinct spellings; bounded because input is untrusted
def normalise_unit(unit: str) -> str | None:
    """Return the unit id for a human spelling, or None if it is not known."""
    if not _UNIT_TEXT.match(unit):
        return None
    return _UNIT_ALIASES.get(unit.strip().lower().translate(_UNIT_NORMALISATION))


def spec_for(quantity: str) -> QuantitySpec | None:
    """The spec for a wire name such as "pm2_5", or None if it is unknown."""
    # Quantity is a StrEnum: its members hash and compare like their values.
    spec: QuantitySpec | None = QUANTITY_SPECS.get(quantity)  # type: ignore[call-overload]
    return spec
