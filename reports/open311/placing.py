"""Where a POSTed service request is: GeoReport v2 allows `lat` + `long`, or `address_string`, or
`address_id` ("one of lat & long or address_string or address_id"). Coordinates win when given; an
address is placed with the platform's geocoder (street index, then Nominatim when configured); an
address id names an entry of the street index ("strada-gheorghe-lazar" or "strada-gheorghe-lazar/2").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reports import addresses
from reports.services import CITY_BOUNDS


class PlacingError(ValueError):
    """The request cannot be placed; str(error) starts with the parameter's name."""


@dataclass(frozen=True)
class Location:
    lat: str | float
    lon: str | float
    address: str


def request_location(post: Mapping[str, str]) -> Location:
    lat, lon = post.get("lat", "").strip(), post.get("long", "").strip()
    address_string = post.get("address_string", "").strip()
    address_id = post.get("address_id", "").strip()
    if lat or lon:
        if not lat:
            raise PlacingError("lat: required with long")
        if not lon:
            raise PlacingError("long: required with lat")
        return Location(lat, lon, address_string)  # services.check_location validates the numbers
    if address_id:
        place = addresses.place_address_id(address_id)
        if place is None:
            raise PlacingError(f"address_id: {address_id[:80]!r} is not an address this server knows; send "
                               "address_string or lat and long")
        return Location(place.lat, place.lon, address_string or place.label)
    if address_string:
        place = addresses.place_typed(address_string)
        if place is None:
            raise PlacingError(f"address_string: {address_string[:80]!r} could not be placed in Timișoara; "
                               "send a street name (e.g. Strada Gheorghe Lazăr 2) or lat and long")
        if not CITY_BOUNDS.contains(place.lat, place.lon):
            raise PlacingError(f"address_string: {address_string[:80]!r} is outside Timișoara")
        return Location(place.lat, place.lon, address_string)
    raise PlacingError("lat: lat and long, address_string or address_id are required")
