"""Demo announcements: realistic Timișoara examples, in Romanian and English, flagged is_demo.

Times are set relative to the moment of loading, so the demo always has a closure in force, an
outage and works planned, and one cancelled announcement in the past. The geometries follow real
streets of the OpenStreetMap street index (data/timisoara/streets.json.xz). Idempotent: nothing is
added while demo announcements exist. `remove_demo_data` deletes them (audited).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.utils import timezone

from announcements import services
from announcements.models import Announcement, Category, Direction, Severity

ACTOR = "loader:announcements-demo"


def _line(coordinates: list[float]) -> str:
    return json.dumps({"type": "LineString", "coordinates": [list(pair) for pair in zip(coordinates[::2],
                                                                                         coordinates[1::2],
                                                                                         strict=True)]})


def _box(lon: float, lat: float, half_lon: float = 0.004, half_lat: float = 0.0025) -> str:
    ring = [[lon - half_lon, lat - half_lat], [lon + half_lon, lat - half_lat], [lon + half_lon, lat + half_lat],
            [lon - half_lon, lat + half_lat], [lon - half_lon, lat - half_lat]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _day(now: dt.datetime, days: int, hour: int) -> dt.datetime:
    local = timezone.localtime(now) + dt.timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def load_demo_data(stdout: Any, *, now: dt.datetime | None = None) -> None:
    if Announcement.objects.filter(is_demo=True).exists():
        return
    now = now or timezone.now()
    # A street closure in force: Bulevardul Vasile Pârvan, from Bulevardul Mihai Viteazu eastwards.
    closure = services.publish(ACTOR, services.Draft(
        category=Category.STREET_CLOSURE, severity=Severity.WARNING,
        title_ro="Bulevardul Vasile Pârvan închis pentru înlocuirea conductei de apă (demo)",
        title_en="Bulevardul Vasile Pârvan closed to replace the water main (demo)",
        body_ro="Circulația este închisă pe ambele sensuri între Bulevardul Mihai Viteazu și Strada Paris pentru "
                "înlocuirea conductei de apă. Ocolire pe Bulevardul Mihai Viteazu și Splaiul Tudor Vladimirescu. "
                "Accesul pietonal la Universitatea Politehnica rămâne deschis.",
        body_en="The road is closed in both directions between Bulevardul Mihai Viteazu and Strada Paris to replace "
                "the water main. Detour by Bulevardul Mihai Viteazu and Splaiul Tudor Vladimirescu. Pedestrian "
                "access to the Politehnica University stays open.",
        starts_at=_day(now, -2, 7), ends_at=_day(now, 3, 18), direction=Direction.BOTH, is_demo=True,
        geometry=_line([21.227001, 45.747771, 21.228381, 45.747752, 21.229233, 45.747795, 21.23027, 45.747886,
                        21.23116, 45.747982, 21.232178, 45.748139])), now=now - dt.timedelta(days=3))
    closure = services.update(ACTOR, closure, services.Draft(
        category=Category.STREET_CLOSURE, severity=Severity.WARNING,
        title_ro="Bulevardul Vasile Pârvan închis până la finalul săptămânii (demo)",
        title_en="Bulevardul Vasile Pârvan closed until the end of the week (demo)",
        body_ro="Lucrările la conducta de apă durează mai mult decât era prevăzut: închiderea se prelungește cu "
                "două zile. Ocolire pe Bulevardul Mihai Viteazu și Splaiul Tudor Vladimirescu.",
        body_en="The work on the water main is taking longer than planned: the closure is extended by two days. "
                "Detour by Bulevardul Mihai Viteazu and Splaiul Tudor Vladimirescu.",
        starts_at=closure.starts_at, ends_at=_day(now, 5, 18), direction=Direction.BOTH, geometry=closure.geometry,
        is_demo=True), now=now - dt.timedelta(hours=20))
    # A planned water outage in Circumvalațiunii.
    services.publish(ACTOR, services.Draft(
        category=Category.WATER_OUTAGE, severity=Severity.WARNING,
        title_ro="Apă oprită în cartierul Circumvalațiunii (demo)",
        title_en="Water cut off in Circumvalațiunii (demo)",
        body_ro="Aquatim oprește furnizarea apei potabile între orele 8:00 și 16:00 pentru racordarea unei conducte "
                "noi. Faceți rezerve de apă; o autocisternă staționează lângă piața din Circumvalațiunii.",
        body_en="Aquatim cuts off drinking water from 8:00 to 16:00 to connect a new main. Store some water; a water "
                "tanker will stand by the Circumvalațiunii market.",
        starts_at=_day(now, 1, 8), ends_at=_day(now, 1, 16), is_demo=True,
        geometry=_box(21.2163, 45.7605)), now=now - dt.timedelta(hours=5))
    # Planned works: tram line renewal on Bulevardul Take Ionescu.
    services.publish(ACTOR, services.Draft(
        category=Category.WORKS, severity=Severity.INFO,
        title_ro="Modernizarea liniei de tramvai pe Bulevardul Take Ionescu (demo)",
        title_en="Tram line renewal on Bulevardul Take Ionescu (demo)",
        body_ro="Șinele de tramvai se înlocuiesc pe tronsoane. Circulația auto se desfășoară pe câte o bandă pe sens; "
                "tramvaiele 1 și 2 sunt înlocuite de autobuze pe durata lucrărilor.",
        body_en="The tram tracks are replaced section by section. Cars keep one lane in each direction; trams 1 and 2 "
                "are replaced by buses during the works.",
        starts_at=_day(now, 7, 6), ends_at=_day(now, 97, 18), is_demo=True,
        geometry=_line([21.247683, 45.762681, 21.246132, 45.762313, 21.24558, 45.762145, 21.241224, 45.760643,
                        21.24077, 45.760458, 21.234218, 45.758226, 21.233938, 45.75815, 21.233637, 45.758116])),
        now=now - dt.timedelta(days=1))
    # A restriction for a public event in Piața Victoriei.
    services.publish(ACTOR, services.Draft(
        category=Category.EVENT_RESTRICTION, severity=Severity.INFO,
        title_ro="Restricții de acces în Piața Victoriei pentru un concert (demo)",
        title_en="Access restrictions in Piața Victoriei for a concert (demo)",
        body_ro="Accesul în piață se face doar prin punctele de control de la Operă și de la Catedrală. Nu sunt "
                "permise sticlele de sticlă.",
        body_en="The square can be entered only through the checkpoints by the Opera and by the Cathedral. Glass "
                "bottles are not allowed.",
        starts_at=_day(now, 10, 17), ends_at=_day(now, 10, 23), is_demo=True,
        geometry=json.dumps({"type": "Point", "coordinates": [21.2257, 45.7537]})), now=now - dt.timedelta(hours=2))
    # A heating outage that was cancelled.
    heating = services.publish(ACTOR, services.Draft(
        category=Category.HEATING_OUTAGE, severity=Severity.INFO,
        title_ro="Oprirea apei calde și a căldurii în Dâmbovița (demo)",
        title_en="Hot water and heating off in Dâmbovița (demo)",
        body_ro="Colterm oprește agentul termic pentru o reparație la punctul termic.",
        body_en="Colterm stops the heating for a repair at the substation.",
        starts_at=_day(now, -4, 9), ends_at=_day(now, -4, 15), is_demo=True,
        geometry=_box(21.2010, 45.7300)), now=now - dt.timedelta(days=6))
    services.cancel(ACTOR, heating, reason_ro="Reparația s-a făcut fără oprirea furnizării.",
                    reason_en="The repair was made without stopping the supply.", now=now - dt.timedelta(days=5))
    stdout.write(f"Announcements: {Announcement.objects.filter(is_demo=True).count()} demo messages")


def remove_demo_data(stdout: Any) -> None:
    count = services.remove_demo(ACTOR)
    stdout.write(f"Announcements: removed {count} demo messages")
