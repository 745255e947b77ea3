"""Geocoding of Timișoara addresses from an OpenStreetMap street index (no Django import).

- `names`: how Romanian street names are written and typed ("Str.", "B-dul", with or without
  diacritics) and how a typed address splits into street and house number.
- `streets`: the index itself — reverse geocoding (nearest house number, else nearest street, with
  the distance) and forward geocoding (a point on the street, or the house number's point).
- `extract`: builds the index from an OpenStreetMap extract (OSM XML or GeoJSON).
- `nominatim`: an optional external geocoder (a Nominatim server), used when one is configured.

The Django-aware entry point that combines them (settings, cache, neighbourhoods) is `core.geocoder`.
"""
