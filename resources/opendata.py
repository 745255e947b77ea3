"""The room's datasets in the open-data catalogue (opendata.registry), registered from ResourcesConfig.ready():
the map's items as CSV and GeoJSON, and the Open Referral HSDS 3.0 API as the data service."""

from __future__ import annotations

from collections.abc import Iterable

ROOM = "resources"


def datasets() -> Iterable[object]:
    from opendata.registry import DataService, Dataset, Distribution, Text
    from resources.models import MapItem

    return [Dataset(
        name="city-resources", room=ROOM,
        title=Text(ro="Resursele orașului: organizații, spații, finanțări și inițiative",
                   en="City resources: organisations, spaces, funding and initiatives"),
        description=Text(
            ro="Organizațiile din Timișoara și serviciile lor, spațiile pentru folosire temporară, programele de "
               "finanțare și inițiativele de știință cetățenească și Living Lab, cu poziția pe hartă. Fără date "
               "personale. Rândurile importate din OpenStreetMap și pozițiile calculate din indexul de străzi "
               "sunt © contribuitorii OpenStreetMap (ODbL).",
            en="Timișoara's organisations and their services, spaces for temporary use, funding programmes and "
               "citizen-science and Living Lab initiatives, with their position on the map. No personal data. "
               "Rows imported from OpenStreetMap and positions computed from the street index are "
               "© OpenStreetMap contributors (ODbL)."),
        themes=("SOCI", "ECON", "REGI"), tags=("organisations", "hsds", "open-referral", "funding", "spaces"),
        frequency="CONT",
        distributions=(
            Distribution(key="csv", title=Text(ro="Toate elementele (CSV)", en="All items (CSV)"),
                         url="/resources/resources.csv", media_type="text/csv", file_type="CSV"),
            Distribution(key="geojson", title=Text(ro="Elementele de pe hartă (GeoJSON)",
                                                   en="Items on the map (GeoJSON)"),
                         url="/resources/resources.geojson", media_type="application/geo+json",
                         file_type="GEOJSON"),
        ),
        services=(DataService(key="hsds", title=Text(ro="API Open Referral HSDS 3.0", en="Open Referral HSDS 3.0 API"),
                              endpoint_url="/hsds/",
                              endpoint_description_url="https://raw.githubusercontent.com/openreferral/specification/"
                                                       "3.0/schema/openapi.json",
                              conforms_to="https://docs.openreferral.org/en/latest/hsds/"),),
        contains_demo=MapItem.objects.filter(is_demo=True).exists(),
        licence="ODC_BL", attribution=Text(ro="© contribuitorii OpenStreetMap; Timișoara Smart City",
                                           en="© OpenStreetMap contributors; Timișoara Smart City"),
        landing_page="/ro/resurse/",
    )]


def register_all() -> None:
    try:
        from opendata.registry import register
    except ImportError:  # the catalogue is an optional room; the downloads work without it
        return
    register(ROOM, datasets)  # type: ignore[arg-type]
