"""Timișoara reference data for the reports room, and clearly marked demo reports.

Departments and categories are plausible for the city hall of Timișoara (the real routing is the
city's to set in the back office). The 60 sample reports are invented: each says so in its
description ("DATE DEMONSTRATIVE / DEMO DATA"), is flagged `is_demo`, and is left out of the
strategy's indicators. Safe to run again: nothing is duplicated.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from PIL import Image, ImageDraw
from shapely.geometry import Point, shape

from core import audit
from core.models import Neighbourhood
from reports import services
from reports.models import Category, Channel, Choice, Department, Moderation, Question, Report, ResponseTemplate, Status

ACTOR = "loader:reports-demo"
DEMO_MARK = "DATE DEMONSTRATIVE / DEMO DATA — raport fictiv, nu a fost trimis de un cetățean."

DEPARTMENTS = [
    ("drumuri", "Direcția Drumuri și Poduri", "Roads and Bridges Directorate"),
    ("iluminat", "Serviciul Iluminat Public", "Street Lighting Service"),
    ("salubrizare", "Direcția de Mediu — Serviciul Salubrizare", "Environment Directorate — Sanitation"),
    ("politia-locala", "Poliția Locală Timișoara", "Timișoara Local Police"),
    ("spatii-verzi", "Serviciul Spații Verzi și Locuri de Joacă", "Green Spaces and Playgrounds Service"),
    ("stpt", "Societatea de Transport Public Timișoara (STPT)", "Timișoara Public Transport Company (STPT)"),
]

GROUPS = {
    "roads": ("Drumuri și trotuare", "Roads and pavements"),
    "lighting": ("Iluminat", "Lighting"),
    "clean": ("Curățenie", "Cleanliness"),
    "order": ("Ordine publică", "Public order"),
    "green": ("Spații verzi și locuri de joacă", "Green spaces and playgrounds"),
    "transport": ("Transport public", "Public transport"),
}

# code, ro, en, group, department, target days, target ack hours, photo required, premoderation,
# description ro, description en, keywords, questions
# question: code, datatype, required, public, text ro, text en, help ro, help en, [(key, ro, en)]
CATEGORIES: list[dict[str, Any]] = [
    {"code": "potholes", "ro": "Groapă în carosabil", "en": "Pothole", "group": "roads", "dept": "drumuri",
     "days": 14, "ack": 48, "desc_ro": "Gropi și denivelări în carosabil sau pe pista de biciclete.",
     "desc_en": "Potholes and sunken patches on the road or the bike lane.", "keywords": "road,asphalt,pothole",
     "questions": [
         ("size", "singlevaluelist", True, True, "Cât de mare este groapa?", "How big is the pothole?", "", "",
          [("small", "Mică (sub 30 cm)", "Small (under 30 cm)"), ("medium", "Medie (30–100 cm)", "Medium (30–100 cm)"),
           ("large", "Mare (peste 1 m)", "Large (over 1 m)")]),
         ("lane", "singlevaluelist", False, True, "Unde se află?", "Where is it?", "", "",
          [("carriageway", "Pe carosabil", "On the carriageway"), ("bike_lane", "Pe pista de biciclete",
                                                                   "On the bike lane"),
           ("parking", "În parcare", "In a car park")]),
     ]},
    {"code": "damaged-pavement", "ro": "Trotuar deteriorat", "en": "Damaged pavement", "group": "roads",
     "dept": "drumuri", "days": 30, "ack": 72, "desc_ro": "Dale sparte, borduri căzute, trotuare surpate.",
     "desc_en": "Broken paving slabs, fallen kerbs, sunken pavements.", "keywords": "pavement,sidewalk,kerb",
     "questions": [
         ("hazard", "singlevaluelist", True, True, "Ce fel de pericol este?", "What kind of hazard is it?", "", "",
          [("trip", "Te poți împiedica", "Trip hazard"), ("access", "Blochează căruciorul sau scaunul rulant",
                                                          "Blocks prams or wheelchairs"),
           ("minor", "Deteriorare minoră", "Minor damage")]),
     ]},
    {"code": "street-lighting", "ro": "Iluminat public defect", "en": "Street light not working",
     "group": "lighting", "dept": "iluminat", "days": 7, "ack": 48,
     "desc_ro": "Stâlpi de iluminat stinși, care pâlpâie sau ard ziua.",
     "desc_en": "Street lights that are out, flicker or stay on in daylight.", "keywords": "lamp,light,lighting",
     "questions": [
         ("pole_number", "string", False, True, "Numărul stâlpului", "Pole number",
          "Numărul vopsit pe stâlp, dacă se vede.", "The number painted on the pole, if visible.", []),
         ("pattern", "singlevaluelist", True, True, "Ce se întâmplă?", "What happens?", "", "",
          [("off", "Nu se aprinde", "It stays off"), ("flicker", "Pâlpâie", "It flickers"),
           ("day", "Arde și ziua", "It is on during the day")]),
         ("lamps_out", "number", False, True, "Câte lămpi sunt stinse?", "How many lamps are out?", "", "", []),
     ]},
    {"code": "garbage", "ro": "Gunoi necolectat", "en": "Uncollected rubbish", "group": "clean",
     "dept": "salubrizare", "days": 3, "ack": 24,
     "desc_ro": "Containere pline sau necolectate, gunoi împrăștiat lângă puncte de colectare.",
     "desc_en": "Full or uncollected bins, rubbish scattered around collection points.",
     "keywords": "bin,rubbish,waste,garbage",
     "questions": [
         ("container", "singlevaluelist", True, True, "Ce tip de container?", "Which kind of bin?", "", "",
          [("household", "Menajer", "Household waste"), ("recycling", "Reciclabile (plastic, hârtie)",
                                                         "Recycling (plastic, paper)"),
           ("glass", "Sticlă", "Glass"), ("street_bin", "Coș stradal", "Street litter bin")]),
     ]},
    {"code": "illegal-dumping", "ro": "Depozitare ilegală de deșeuri", "en": "Illegal dumping", "group": "clean",
     "dept": "salubrizare", "days": 10, "ack": 48, "photo": True,
     "desc_ro": "Deșeuri aruncate pe terenuri virane, pe marginea drumului sau lângă blocuri.",
     "desc_en": "Waste dumped on wasteland, by the roadside or next to blocks of flats.",
     "keywords": "dumping,fly-tipping,waste,moloz",
     "questions": [
         ("waste_type", "multivaluelist", True, True, "Ce fel de deșeuri?", "What kind of waste?", "", "",
          [("construction", "Moloz din construcții", "Construction rubble"), ("household", "Menajere", "Household"),
           ("furniture", "Mobilier", "Furniture"), ("tyres", "Anvelope", "Tyres"),
           ("hazardous", "Periculoase (azbest, vopsele)", "Hazardous (asbestos, paint)")]),
         ("quantity", "singlevaluelist", False, True, "Cât de mult?", "How much?", "", "",
          [("bags", "Câțiva saci", "A few bags"), ("car", "Cât un portbagaj", "A car load"),
           ("truck", "Cât un camion", "A truck load")]),
     ]},
    {"code": "abandoned-vehicle", "ro": "Vehicul abandonat", "en": "Abandoned vehicle", "group": "order",
     "dept": "politia-locala", "days": 30, "ack": 72, "premoderation": True,
     "desc_ro": "Mașini fără plăcuțe sau nemișcate de mult timp pe domeniul public. Fotografiile sunt "
                "verificate înainte de publicare (numerele de înmatriculare).",
     "desc_en": "Cars without plates or unmoved for a long time on public land. Photos are checked before "
                "publication (number plates).",
     "keywords": "car,vehicle,abandoned,wreck",
     "questions": [
         ("plate", "string", False, False, "Numărul de înmatriculare", "Registration number",
          "Văzut doar de Poliția Locală, nu este public.", "Seen only by the Local Police, never public.", []),
         ("since", "singlevaluelist", False, True, "De cât timp stă acolo?", "How long has it been there?", "", "",
          [("month", "Sub o lună", "Under a month"), ("half_year", "1–6 luni", "1–6 months"),
           ("longer", "Peste 6 luni", "Over 6 months")]),
     ]},
    {"code": "graffiti", "ro": "Graffiti și vandalism", "en": "Graffiti and vandalism", "group": "order",
     "dept": "politia-locala", "days": 30, "ack": 72, "photo": True,
     "desc_ro": "Inscripții pe clădiri publice, monumente, mobilier urban vandalizat.",
     "desc_en": "Tags on public buildings and monuments, vandalised street furniture.",
     "keywords": "graffiti,vandalism,tag",
     "questions": [
         ("offensive", "singlevaluelist", False, True, "Conținutul este ofensator?", "Is the content offensive?",
          "", "", [("yes", "Da", "Yes"), ("no", "Nu", "No")]),
     ]},
    {"code": "playground", "ro": "Loc de joacă deteriorat", "en": "Broken playground equipment", "group": "green",
     "dept": "spatii-verzi", "days": 14, "ack": 24,
     "desc_ro": "Leagăne, tobogane, bănci sau garduri rupte în locurile de joacă.",
     "desc_en": "Broken swings, slides, benches or fences in playgrounds.", "keywords": "playground,swing,children",
     "questions": [
         ("dangerous", "singlevaluelist", True, True, "Este periculos pentru copii?",
          "Is it dangerous for children?", "", "", [("yes", "Da", "Yes"), ("no", "Nu", "No")]),
     ]},
    {"code": "trees-green", "ro": "Copaci și spații verzi", "en": "Trees and green areas", "group": "green",
     "dept": "spatii-verzi", "days": 14, "ack": 48,
     "desc_ro": "Copaci periculoși sau căzuți, crengi peste drum, iarbă necosită, spații verzi distruse.",
     "desc_en": "Dangerous or fallen trees, branches over the road, uncut grass, damaged lawns.",
     "keywords": "tree,branch,grass,park",
     "questions": [
         ("issue", "singlevaluelist", True, True, "Ce problemă este?", "What is the problem?", "", "",
          [("fallen", "Copac căzut sau periculos", "Fallen or dangerous tree"),
           ("branches", "Crengi peste drum sau fire", "Branches over the road or wires"),
           ("grass", "Iarbă necosită", "Grass not cut"), ("lawn", "Spațiu verde distrus", "Damaged green area")]),
     ]},
    {"code": "transport-stop", "ro": "Stație de transport public", "en": "Public transport stop",
     "group": "transport", "dept": "stpt", "days": 10, "ack": 48,
     "desc_ro": "Stații de autobuz, tramvai sau troleibuz: adăposturi sparte, afișaje defecte, lipsă bănci.",
     "desc_en": "Bus, tram and trolleybus stops: broken shelters, faulty displays, missing seats.",
     "keywords": "bus,tram,trolleybus,stop,STPT",
     "questions": [
         ("stop_name", "string", False, True, "Numele stației", "Stop name", "", "", []),
         ("issue", "singlevaluelist", True, True, "Ce nu este în regulă?", "What is wrong?", "", "",
          [("shelter", "Adăpost deteriorat", "Damaged shelter"), ("display", "Afișaj de timp real defect",
                                                                  "Real-time display not working"),
           ("seats", "Lipsesc băncile", "No seats"), ("dirty", "Murdară", "Dirty")]),
     ]},
]

TEMPLATES = [
    (Status.ACKNOWLEDGED, None, "Preluat", "Acknowledged",
     "Am preluat sesizarea și o vom analiza în termenul anunțat.",
     "We have received the report and will look into it within the announced time."),
    (Status.IN_PROGRESS, None, "Programat", "Scheduled",
     "Intervenția a fost programată; echipa va ajunge în zilele următoare.",
     "The work has been scheduled; the team will come in the next few days."),
    (Status.FIXED, "drumuri", "Groapă plombată", "Pothole filled",
     "Groapa a fost plombată. Vă mulțumim pentru sesizare!", "The pothole has been filled. Thank you for reporting!"),
    (Status.FIXED, "iluminat", "Lampă înlocuită", "Lamp replaced",
     "Lampa a fost înlocuită și iluminatul funcționează.", "The lamp has been replaced and the light works."),
    (Status.NOT_RESPONSIBLE, None, "Teren privat", "Private land",
     "Terenul este proprietate privată; proprietarul a fost notificat.",
     "The land is private property; the owner has been notified."),
    (Status.CLOSED_NOT_FIXED, None, "Nu a fost găsită problema", "Problem not found",
     "Echipa nu a găsit problema la adresa indicată.", "The team did not find the problem at the given place."),
]

TITLES = {
    "potholes": ["Groapă adâncă pe banda din dreapta", "Gropi multiple după iarnă", "Capac de canal scufundat"],
    "damaged-pavement": ["Dale sparte în fața blocului", "Bordură căzută la trecerea de pietoni"],
    "street-lighting": ["Stâlp de iluminat stins", "Lampă care pâlpâie toată noaptea", "Iluminatul arde ziua"],
    "garbage": ["Containere pline de trei zile", "Gunoi împrăștiat la punctul de colectare"],
    "illegal-dumping": ["Moloz aruncat pe terenul viran", "Mobilier vechi lăsat lângă bloc"],
    "abandoned-vehicle": ["Mașină fără roți de câteva luni", "Autoturism abandonat, acoperit de frunze"],
    "graffiti": ["Inscripții pe fațada școlii", "Stație de autobuz vandalizată"],
    "playground": ["Leagăn rupt în parc", "Tobogan cu margini tăioase"],
    "trees-green": ["Creangă ruptă deasupra trotuarului", "Iarbă necosită în scuarul dintre blocuri"],
    "transport-stop": ["Afișajul din stație nu funcționează", "Geamul adăpostului este spart"],
}

STATUS_MIX = ([Status.SUBMITTED] * 12 + [Status.ACKNOWLEDGED] * 9 + [Status.IN_PROGRESS] * 9 + [Status.FIXED] * 21
              + [Status.CLOSED_NOT_FIXED] * 3 + [Status.NOT_RESPONSIBLE] * 3 + [Status.REOPENED] * 1
              + [Status.DUPLICATE] * 2)
SAMPLE_SIZE = 60
# Inside the municipality but outside the mapped neighbourhood polygons (e.g. the outskirts).
OUTSIDE_POINTS = [(45.7962, 21.2205), (45.7010, 21.2390)]


def _demo_photo(label: str, colour: tuple[int, int, int]) -> bytes:
    image = Image.new("RGB", (800, 600), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 240, 760, 360), fill=(255, 255, 255))
    draw.text((60, 270), f"DEMO — {label}", fill=(0, 0, 0))
    draw.text((60, 300), "Fotografie demonstrativa / demo photo", fill=(0, 0, 0))
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def _point_in(geometry: Any, rng: random.Random) -> tuple[float, float]:
    polygon = shape(geometry)
    min_lon, min_lat, max_lon, max_lat = polygon.bounds
    for _attempt in range(200):
        lon, lat = rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)
        if polygon.contains(Point(lon, lat)):
            return lat, lon
    point = polygon.representative_point()
    return point.y, point.x


@transaction.atomic
def load_reference_data() -> dict[str, Category]:
    departments = {}
    for slug, ro, en in DEPARTMENTS:
        department, created = Department.objects.update_or_create(slug=slug, defaults={"name_ro": ro, "name_en": en})
        if created:
            audit.record(ACTOR, "reports.department.created", department)
        departments[slug] = department
    categories = {}
    for order, spec in enumerate(CATEGORIES):
        group_ro, group_en = GROUPS[spec["group"]]
        category, created = Category.objects.update_or_create(code=spec["code"], defaults={
            "name_ro": spec["ro"], "name_en": spec["en"], "group_ro": group_ro, "group_en": group_en,
            "description_ro": spec["desc_ro"], "description_en": spec["desc_en"], "keywords": spec["keywords"],
            "department": departments[spec["dept"]], "target_days": spec["days"],
            "target_acknowledge_hours": spec["ack"], "photo_required": spec.get("photo", False),
            "premoderation": spec.get("premoderation", False), "order": order})
        if created:
            audit.record(ACTOR, "reports.category.created", category)
        for position, (code, datatype, required, public, text_ro, text_en, help_ro, help_en, choices) in enumerate(
                spec["questions"]):
            question, _created = Question.objects.update_or_create(category=category, code=code, defaults={
                "datatype": datatype, "required": required, "public": public, "text_ro": text_ro,
                "text_en": text_en, "help_text_ro": help_ro, "help_text_en": help_en, "order": position})
            for choice_order, (key, name_ro, name_en) in enumerate(choices):
                Choice.objects.update_or_create(question=question, key=key, defaults={
                    "name_ro": name_ro, "name_en": name_en, "order": choice_order})
        categories[spec["code"]] = category
    for status, department_slug, title_ro, title_en, text_ro, text_en in TEMPLATES:
        ResponseTemplate.objects.update_or_create(
            status=status, title_ro=title_ro,
            department=departments[department_slug] if department_slug else None,
            defaults={"title_en": title_en, "text_ro": text_ro, "text_en": text_en})
    return categories


def _answers(category: Category, rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in category.questions.prefetch_related("choices"):
        keys = [c.key for c in question.choices.all()]
        if question.datatype == Question.Datatype.SINGLE and keys:
            answers[question.code] = rng.choice(keys)
        elif question.datatype == Question.Datatype.MULTI and keys:
            answers[question.code] = sorted(rng.sample(keys, k=min(2, len(keys))))
        elif question.datatype == Question.Datatype.NUMBER and question.required:
            answers[question.code] = str(rng.randint(1, 4))
    return answers


@transaction.atomic
def load_sample_reports(categories: dict[str, Category], *, count: int = SAMPLE_SIZE, seed: int = 311) -> int:
    if Report.objects.filter(is_demo=True).exists():
        return 0
    rng = random.Random(seed)
    areas = list(Neighbourhood.objects.values_list("geometry", flat=True))
    codes = list(categories)
    now = timezone.now()
    statuses = list(STATUS_MIX)
    rng.shuffle(statuses)
    created: list[Report] = []
    for position in range(count):
        category = categories[codes[position % len(codes)]]
        if position < len(OUTSIDE_POINTS) or not areas:
            lat, lon = OUTSIDE_POINTS[position % len(OUTSIDE_POINTS)]
        else:
            lat, lon = _point_in(areas[position % len(areas)], rng)
        title = rng.choice(TITLES[category.code])
        submitted = now - dt.timedelta(days=rng.uniform(1, 120), hours=rng.uniform(0, 12))
        photos = [_demo_photo(category.code, (rng.randint(60, 200), rng.randint(60, 200), rng.randint(60, 200)))] \
            if category.photo_required or rng.random() < 0.2 else []
        report = services.submit_report(ACTOR, services.NewReport(
            category=category, title=title,
            description=f"{title}. {DEMO_MARK}\n\nDescriere de probă pentru demonstrarea platformei.",
            lat=lat, lon=lon, address="", answers=_answers(category, rng), photos=photos,
            channel=rng.choice([Channel.WEB, Channel.WEB, Channel.WEB, Channel.OPEN311, Channel.PHONE]),
            preconfirmed=True, created_at=submitted, language="ro"))
        Report.objects.filter(pk=report.pk).update(is_demo=True)
        if report.moderation == Moderation.PENDING and rng.random() < 0.8:
            services.moderate_report(ACTOR, report, Moderation.APPROVED)
        report.refresh_from_db()
        _history(report, statuses[position % len(statuses)], submitted, rng, created)
        created.append(report)
    return len(created)


def _history(report: Report, final: str, submitted: dt.datetime, rng: random.Random,
             earlier: list[Report]) -> None:
    """Walk the report to its final status with plausible, backdated steps."""
    if final == Status.SUBMITTED or not report.is_public:
        return
    now = timezone.now()
    acknowledged = min(now, submitted + dt.timedelta(hours=rng.uniform(2, 96)))
    services.change_status(ACTOR, report, Status.ACKNOWLEDGED, "", at=acknowledged, notify=False)
    if final == Status.ACKNOWLEDGED:
        return
    if final == Status.DUPLICATE:
        originals = [r for r in earlier if r.category_id == report.category_id and r.is_public and r.is_open]
        if originals:
            services.merge_duplicate(ACTOR, report, originals[0], at=acknowledged + dt.timedelta(hours=1))
        return
    if final in (Status.CLOSED_NOT_FIXED, Status.NOT_RESPONSIBLE):
        services.change_status(
            ACTOR, report, final, "", at=min(now, acknowledged + dt.timedelta(days=rng.uniform(1, 10))),
            reason="Terenul aparține unei proprietăți private (demo)." if final == Status.CLOSED_NOT_FIXED else "",
            responsible_party="Aquatim S.A. (apă și canalizare)" if final == Status.NOT_RESPONSIBLE else "",
            notify=False)
        return
    started = min(now, acknowledged + dt.timedelta(days=rng.uniform(0.5, 5)))
    services.change_status(ACTOR, report, Status.IN_PROGRESS, "", at=started, notify=False)
    if final == Status.IN_PROGRESS:
        return
    fixed = min(now, started + dt.timedelta(days=rng.uniform(0.5, report.category.target_days * 1.5)))
    services.change_status(ACTOR, report, Status.FIXED, "", at=fixed, notify=False)
    if final == Status.REOPENED:
        reopened_at = min(now, fixed + dt.timedelta(days=1))
        services.change_status(ACTOR, report, Status.REOPENED, "Problema a reapărut după o săptămână (demo).",
                               at=reopened_at, notify=False)


def load_demo_data(stdout: Any) -> None:
    categories = load_reference_data()
    with translation.override("ro"):  # texts written by the loader are in the city's language
        created = load_sample_reports(categories)
    stdout.write(f"Reports: {len(categories)} categories, {created} new demo reports")


@transaction.atomic
def remove_demo_data(stdout: Any) -> None:
    """Delete the invented reports with their history and photos (departments and categories stay: they are
    the city's reference data). One audit entry per report."""
    from django.core.files.storage import default_storage

    from reports.models import Photo

    reports = list(Report.objects.filter(is_demo=True).order_by("pk"))
    files = [name for pair in Photo.objects.filter(report__in=reports).values_list("file", "thumbnail")
             for name in pair if name]
    for report in reports:
        audit.record(ACTOR, "reports.report.demo_removed", report, {"status": report.status})
    Report.objects.filter(pk__in=[report.pk for report in reports]).delete()
    def delete_files() -> None:
        for name in files:
            default_storage.delete(name)

    transaction.on_commit(delete_files)
    stdout.write(f"Reports: removed {len(reports)} demo reports")
