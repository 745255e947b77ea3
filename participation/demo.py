"""Timișoara reference data for the participation room (idempotent).

- The strategy's co-design history (strategy.models.CoDesignActivity) as past processes: one
  umbrella process with the three phases the seed describes (diagnosis → proposals → validation),
  one past process per online consultation and survey (with its respondents where the seed gives
  them), and the workshops and events as past events of the umbrella process.
- One working group per PartnerTeaM action group (strategy.models.GovernanceBody).
Nothing here is invented beyond dates and titles the seed gives. Besides this reference data, the
invented example content of participation/demo_content.py (flagged demo, removable) is loaded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from core import audit
from participation import demo_content
from participation.models import Event, Phase, Process, WorkingGroup
from participation.selectors import action_group_bodies
from strategy.labels import source_label

UMBRELLA = "strategy-co-design-2021"
ACTOR = "loader:participation.demo"

PHASES = [
    # (order, en, ro, start, end, en description, ro description)
    (1, "Diagnosis: problems, needs and vision", "Diagnoză: probleme, nevoi și viziune",
     dt.date(2021, 8, 13), dt.date(2021, 9, 20),
     "First Steering Group workshop and first online consultation (problems and needs, validation of the "
     "vision and objectives).",
     "Primul atelier al Grupului de coordonare și prima consultare online (probleme și nevoi, validarea "
     "viziunii și a obiectivelor)."),
    (2, "Proposals: open actions and strategic projects", "Propuneri: acțiuni deschise și proiecte strategice",
     dt.date(2021, 9, 16), dt.date(2021, 11, 18),
     "Second workshop, second consultation (open actions, validation of strategic projects) and the ideation "
     "event around the 7 ambitions.",
     "Al doilea atelier, a doua consultare (acțiuni deschise, validarea proiectelor strategice) și evenimentul "
     "de ideație în jurul celor 7 ambiții."),
    (3, "Validation: strategic and operational framework", "Validare: cadrul strategic și operațional",
     dt.date(2021, 11, 18), dt.date(2022, 1, 27),
     "Third workshop, third consultation (with expressions of interest in the working groups) and the "
     "international peer-review event.",
     "Al treilea atelier, a treia consultare (cu exprimări de interes pentru grupurile de lucru) și "
     "evenimentul internațional de evaluare inter pares."),
]

EVENT_KINDS = {"workshop": Event.Kind.WORKSHOP, "event": Event.Kind.IDEATION}


def _in_romanian(name: str) -> str:
    """A name the strategy dataset gives in English ("West University of Timișoara"), in Romanian."""
    with translation.override("ro"):
        return source_label(name)


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@transaction.atomic
def load_co_design_history() -> tuple[int, int]:
    from strategy.models import Ambition, CoDesignActivity, Objective, Project

    activities = list(CoDesignActivity.objects.all())
    if not activities:
        return 0, 0
    ambitions = list(Ambition.objects.all())
    top_projects = list(Project.objects.filter(parent__isnull=True))
    umbrella, created = Process.objects.get_or_create(slug=UMBRELLA, defaults={
        "title_en": "Co-design of the Smart City and Digital Transformation Strategy 2022–2027",
        "title_ro": "Co-crearea Strategiei de Smart City și Transformare Digitală 2022–2027",
        "summary_en": "Workshops with the Steering Group, three online consultations with local actors, a public "
                      "survey and two events shaped the strategy between August 2021 and January 2022.",
        "summary_ro": "Ateliere cu Grupul de coordonare, trei consultări online cu actorii locali, un sondaj public "
                      "și două evenimente au dat formă strategiei între august 2021 și ianuarie 2022.",
        "proposals_open": False, "created_at": _aware(dt.date(2021, 8, 13), 9),
    })
    if created:
        audit.record(ACTOR, "participation.process.created", umbrella)
    for order, en, ro, start, end, description_en, description_ro in PHASES:
        Phase.objects.update_or_create(process=umbrella, order=order, defaults={
            "title_en": en, "title_ro": ro, "start": start, "end": end,
            "description_en": description_en, "description_ro": description_ro})
    umbrella.ambitions.set(ambitions)
    umbrella.projects.set(top_projects)

    processes = events = 0
    for activity in activities:
        first_day = activity.start or activity.end
        last_day = activity.end or activity.start
        if first_day is None or last_day is None:
            continue
        start, end = first_day, last_day
        title_en = getattr(activity, "title_en", "") or activity.title  # modeltranslation fields
        title_ro = getattr(activity, "title_ro", "") or ""
        if activity.kind in (CoDesignActivity.Kind.CONSULTATION, CoDesignActivity.Kind.SURVEY):
            process, created = Process.objects.update_or_create(co_design_activity=activity, defaults={
                "slug": f"co-design-{activity.code.lower()}",
                "title_en": title_en, "title_ro": title_ro,
                "respondents": activity.respondents, "proposals_open": False,
                "created_at": _aware(start, 9),
                "summary_en": f"Conducted by {activity.conducted_by}." if activity.conducted_by else "",
                "summary_ro": f"Realizat de {_in_romanian(activity.conducted_by)}." if activity.conducted_by else "",
            })
            Phase.objects.update_or_create(process=process, order=1, defaults={
                "title_en": "Online consultation" if activity.kind == "consultation" else "Survey",
                "title_ro": "Consultare online" if activity.kind == "consultation" else "Sondaj",
                "start": start, "end": end})
            process.ambitions.set(ambitions)
            if activity.code == "C1":  # problems and needs, validation of the vision and objectives
                process.objectives.set(Objective.objects.all())
            if activity.code in ("C2", "C3"):  # validation of strategic projects; interest in working groups
                process.projects.set(top_projects)
            if created:
                audit.record(ACTOR, "participation.process.created", process, {"activity": activity.code})
            processes += 1
        else:
            event, created = Event.objects.update_or_create(co_design_activity=activity, defaults={
                "slug": f"co-design-{activity.code.lower()}", "process": umbrella,
                "kind": EVENT_KINDS.get(activity.kind, Event.Kind.WORKSHOP),
                "title_en": title_en, "title_ro": title_ro,
                "starts_at": _aware(start, 10), "ends_at": _aware(end, 13), "location": "Timișoara",
                "registration_open": False, "published": True,
            })
            if created:
                audit.record(ACTOR, "participation.event.created", event, {"activity": activity.code})
            events += 1
    return processes, events


@transaction.atomic
def load_action_groups() -> int:
    count = 0
    for body in action_group_bodies():
        ambition = body.ambition
        group, created = WorkingGroup.objects.update_or_create(governance_body=body, defaults={
            "slug": f"action-group-{ambition.number}" if ambition else body.code,
            "kind": WorkingGroup.Kind.ACTION_GROUP, "ambition": ambition,
            "name_en": body.name_en or body.name, "name_ro": body.name_ro or "",
            "description_en": "One of PartnerTeaM's 7 action groups, one per strategic ambition: it initiates "
                              "project concepts and technology terms of reference. Individuals and "
                              "organisations can join.",
            "description_ro": "Unul dintre cele 7 grupuri de acțiune PartnerTeaM, câte unul pentru fiecare ambiție "
                              "strategică: inițiază concepte de proiect și termeni de referință tehnologici. Pot "
                              "adera atât persoane, cât și organizații.",
            "order": ambition.number if ambition else 0,
        })
        if created:
            audit.record(ACTOR, "participation.working_group.created", group)
        count += 1
    return count


def load_demo_data(stdout: Any) -> None:
    processes, events = load_co_design_history()
    groups = load_action_groups()
    stdout.write(f"Participation: {processes} past processes and {events} past events from the co-design "
                 f"history, {groups} action groups")
    demo_content.load(stdout)


def remove_demo_data(stdout: Any) -> None:
    """Only the invented example content goes; the co-design history and the action groups are the strategy's."""
    demo_content.remove(stdout)
