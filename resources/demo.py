"""Demo rows of the resources room (flagged `is_demo`, shown with a "demo" mark): two organisations with
services, three spaces for temporary use with an application, three funding calls (one open to a person, with
its deadline in the next calendar month) and three initiatives. `load_demo_data` also loads the real reference
data (resources.reference), which `remove_demo_data` keeps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from core import audit
from resources import index, reference, selectors
from resources.models import (
    ApplicationStep,
    FundingProgramme,
    Initiative,
    Location,
    MapItem,
    Organisation,
    Service,
    Space,
    SpaceApplication,
)

ACTOR = "demo:resources"

ORGANISATIONS: list[dict[str, Any]] = [
    {"slug": "demo-asociatia-gradini-in-cartier", "name": "Asociația Grădini în Cartier (demo)", "kind": "ngo",
     "description": "Amenajăm grădini comunitare în curțile blocurilor și ținem ateliere de compost.",
     "address": "Strada Paris", "services": [("Ateliere de compost", "environment", "programme")]},
    {"slug": "demo-atelierul-de-prototipuri", "name": "Atelierul de Prototipuri SRL (demo)", "kind": "company",
     "description": "Atelier de prototipare: imprimare 3D, tăiere laser, electronică, pentru firme și școli.",
     "address": "Bulevardul Revoluției din 1989", "services": [("Acces la atelier", "business", "service"),
                                                              ("Cursuri de electronică", "education", "programme")]},
]
SPACES: list[dict[str, Any]] = [
    {"slug": "demo-parter-strada-alba-iulia", "kind": "ground_floor", "owner": "public", "condition": "fair",
     "address": "Strada Alba Iulia", "area_m2": 85, "step_free": True, "uses": ["office", "events", "shop"],
     "title": ("Spațiu la parter, Strada Alba Iulia (demo)", "Ground-floor space, Strada Alba Iulia (demo)"),
     "text": ("Fost magazin cu vitrină la stradă, trei încăperi și grup sanitar.",
              "A former shop with a street window, three rooms and a toilet.")},
    {"slug": "demo-hala-industriala-fabric", "kind": "building", "owner": "private", "condition": "poor",
     "address": "Strada Ștefan cel Mare", "area_m2": 640, "step_free": False, "uses": ["maker", "culture", "events"],
     "title": ("Hală industrială în Fabric (demo)", "Industrial hall in Fabric (demo)"),
     "text": ("Hală de cărămidă cu acoperiș refăcut; fără încălzire.",
              "A brick hall with a repaired roof; no heating.")},
    {"slug": "demo-teren-viran-calea-sagului", "kind": "lot", "owner": "public", "condition": "good",
     "address": "Calea Șagului", "area_m2": 1200, "step_free": True, "uses": ["garden", "community", "events"],
     "title": ("Teren viran, Calea Șagului (demo)", "Vacant lot, Calea Șagului (demo)"),
     "text": ("Teren împrejmuit, acces la apă.", "A fenced lot with access to water.")},
]
FUNDING: list[dict[str, Any]] = [
    {"slug": "demo-apel-granturi-culturale-2027", "level": "local", "funder": "Primăria Municipiului Timișoara (demo)",
     "title": ("Granturi culturale de cartier (demo)", "Neighbourhood culture grants (demo)"),
     "summary": ("Apel exemplificativ: proiecte culturale în cartiere, până la 10.000 EUR.",
                 "An example call: cultural projects in neighbourhoods, up to EUR 10,000."),
     "kinds": ["ngo", "cultural", "citizens_group"], "purposes": ["culture", "social"], "min": 2000, "max": 10000,
     "cofinancing": 10, "days": 35},
    {"slug": "demo-apel-inovare-digitala-imm", "level": "regional", "funder": "ADR Vest (demo)",
     "title": ("Digitalizarea IMM-urilor din regiunea Vest (demo)", "Digitalisation of SMEs in the West region (demo)"),
     "summary": ("Apel exemplificativ pentru echipamente și software.", "An example call for equipment and software."),
     "kinds": ["company"], "purposes": ["digital", "business"], "min": 25000, "max": 200000, "cofinancing": 30,
     "days": 50},
    # Open to a person: the deadline falls in the next calendar month whatever the day of loading (issue 17:
    # "a citizen finds a funding call with a deadline next month").
    {"slug": "demo-microgranturi-locuitori", "level": "local", "funder": "Primăria Municipiului Timișoara (demo)",
     "title": ("Microgranturi pentru inițiativele locuitorilor (demo)",
               "Micro-grants for residents' initiatives (demo)"),
     "summary": ("Apel exemplificativ: până la 2.000 EUR pentru o acțiune în cartier (plantări, ateliere, "
                 "o stradă deschisă), depusă de o persoană sau de un grup de vecini.",
                 "An example call: up to EUR 2,000 for an action in your neighbourhood (planting, workshops, "
                 "an open street), proposed by a person or a group of neighbours."),
     "kinds": ["person", "citizens_group"], "purposes": ["environment", "social", "culture", "urban"], "min": 300,
     "max": 2000, "cofinancing": 0, "next_month_day": 20},
]
INITIATIVES: list[dict[str, Any]] = [
    {"slug": "demo-senzori-de-aer-in-curti", "kind": "citizen_science", "address": "Piața Victoriei",
     "title": "Senzori de aer în curțile școlilor (demo)",
     "description": "Elevi și profesori montează senzori de particule și publică măsurătorile."},
    {"slug": "demo-harta-copacilor", "kind": "community_science", "address": "Parcul Rozelor",
     "title": "Harta copacilor din cartier (demo)",
     "description": "Vecinii inventariază copacii stradali și starea lor, pentru plantări."},
    {"slug": "demo-living-lab-mobilitate", "kind": "living_lab", "address": "Bulevardul Take Ionescu",
     "title": "Living Lab: stație de mobilitate partajată (demo)",
     "description": "Pilot de șase luni: biciclete, trotinete și parcare sigură într-o singură stație."},
]


def _place(address: str) -> tuple[Any, Any, Any]:
    from resources.services import place

    return place(address)


def _demo_deadline(entry: dict[str, Any], today: dt.date) -> dt.date:
    if "next_month_day" in entry:
        return selectors.month_start(today, 1).replace(day=entry["next_month_day"])
    return today + dt.timedelta(days=entry["days"])


@transaction.atomic
def load_demo_data(stdout: Any) -> None:
    stdout.write(f"Resources: {reference.load_funding()} funding programmes, "
                 f"{reference.load_institutions()} institutions (reference data)")
    if Organisation.objects.filter(is_demo=True).exists():
        return
    now = timezone.now()
    organisations = []
    for entry in ORGANISATIONS:
        organisation = Organisation.objects.create(
            slug=entry["slug"], name=entry["name"], kind=entry["kind"], description=entry["description"],
            is_demo=True, verified=True, verified_at=now, source=Organisation.Source.CITY)
        latitude, longitude, neighbourhood = _place(entry["address"])
        location = Location.objects.create(organisation=organisation, address=entry["address"], latitude=latitude,
                                           longitude=longitude, neighbourhood=neighbourhood)
        for name, category, kind in entry["services"]:
            Service.objects.create(organisation=organisation, name=name, category=category,
                                   kind=kind).locations.add(location)
        index.refresh(organisation)
        organisations.append(organisation)
    for entry in SPACES:
        latitude, longitude, neighbourhood = _place(entry["address"])
        space = Space.objects.create(
            slug=entry["slug"], kind=entry["kind"], owner=entry["owner"], condition=entry["condition"],
            address=entry["address"], latitude=latitude or 45.7537, longitude=longitude or 21.2257,
            neighbourhood=neighbourhood, area_m2=entry["area_m2"], step_free=entry["step_free"],
            allowed_uses=entry["uses"], available_from=now.date(), available_until=now.date() + dt.timedelta(days=365),
            title=entry["title"][0], title_ro=entry["title"][0], title_en=entry["title"][1],
            description=entry["text"][0], description_ro=entry["text"][0], description_en=entry["text"][1],
            is_demo=True)
        index.refresh(space)
    application = SpaceApplication.objects.create(
        space=Space.objects.get(slug="demo-hala-industriala-fabric"), organisation=organisations[1],
        intended_use="maker", message="(demo)", status=SpaceApplication.Status.UNDER_REVIEW)
    ApplicationStep.objects.create(application=application, status="received", at=now - dt.timedelta(days=12))
    ApplicationStep.objects.create(application=application, status="under_review", at=now - dt.timedelta(days=5),
                                   public_note="Vizită la fața locului programată. / Site visit scheduled.")
    for entry in FUNDING:
        programme = FundingProgramme.objects.create(
            slug=entry["slug"], level=entry["level"], funder=entry["funder"], title=entry["title"][0],
            title_ro=entry["title"][0], title_en=entry["title"][1], summary=entry["summary"][0],
            summary_ro=entry["summary"][0], summary_en=entry["summary"][1], eligible_kinds=entry["kinds"],
            purposes=entry["purposes"], min_amount=entry["min"], max_amount=entry["max"],
            cofinancing_percent=entry["cofinancing"], opens_on=now.date() - dt.timedelta(days=10),
            deadline=_demo_deadline(entry, timezone.localdate()), source="demo", is_demo=True)
        index.refresh(programme)
    for entry in INITIATIVES:
        latitude, longitude, neighbourhood = _place(entry["address"])
        initiative = Initiative.objects.create(
            slug=entry["slug"], kind=entry["kind"], title=entry["title"], description=entry["description"],
            address=entry["address"], latitude=latitude, longitude=longitude, neighbourhood=neighbourhood,
            status=Initiative.Status.PUBLISHED, is_demo=True)
        initiative.organisations.add(organisations[0])
        index.refresh(initiative)
    audit.record(ACTOR, "resources.demo.loaded", None, {"organisations": len(organisations)})
    stdout.write(f"Resources demo: {len(ORGANISATIONS)} organisations, {len(SPACES)} spaces, {len(FUNDING)} calls, "
                 f"{len(INITIATIVES)} initiatives")


@transaction.atomic
def remove_demo_data(stdout: Any) -> None:
    counts: dict[str, int] = {}
    for model in (Initiative, FundingProgramme, Space, Organisation):
        counts[str(model._meta.model_name)] = model.objects.filter(is_demo=True).count()
        model.objects.filter(is_demo=True).delete()
    MapItem.objects.filter(is_demo=True).delete()
    from resources.mapdata import bump_version

    transaction.on_commit(bump_version)
    audit.record(ACTOR, "resources.demo.removed", None, counts)
    stdout.write(f"Resources demo removed: {counts}")
