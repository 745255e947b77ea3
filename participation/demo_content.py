"""Invented example content of the participation room, so that a fresh install looks lived in.

Everything here is demonstration data: the rows carry `is_demo`, their titles end in "(demo)", the
example people have addresses at demo.invalid (a reserved domain: no e-mail can reach it) and never
receive e-mails. Written in Romanian and English where the city writes (processes, consultations,
questions, groups, events); proposals and comments are in Romanian, as citizens of Timișoara write.

* a process "Timișoara on two wheels" (demo) with three phases around today, open to proposals;
* a closed consultation with 48 anonymous answers, its results and a theme analysis of the open
  question, and an open one with its first answers;
* three upcoming events with registrations, two working groups with members, six proposals with
  supports, comments and official answers.

Dates are relative to the day of loading. `remove_demo_data` deletes all of it (audited).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import audit
from participation import services, theming
from participation.models import (
    ActorType,
    AgeGroup,
    Comment,
    Consultation,
    Event,
    Membership,
    Option,
    Phase,
    Process,
    Proposal,
    Question,
    WorkingGroup,
)
from participation.notifications import set_email_mode

ACTOR = "loader:participation.demo"
DEMO_EMAIL_DOMAIN = "demo.invalid"
PROCESS_SLUG = "demo-timisoara-pe-doua-roti"
CLOSED_SLUG = "demo-cum-va-deplasati"
OPEN_SLUG = "demo-rastele-acoperite"

PEOPLE = ["Ana Popescu", "Mihai Ionescu", "Ioana Stan", "Andrei Muntean", "Elena Dobre", "Radu Vlad",
          "Maria Toma", "Bogdan Lazăr", "Cristina Marin", "Vlad Georgescu", "Alina Pop", "Sorin Tudor",
          "Diana Ilie", "Florin Matei", "Gabriela Barbu", "Paul Nistor", "Irina Rusu", "Dan Oprea",
          "Roxana Moldovan", "Tudor Sârbu", "Oana Cristea", "Lucian Avram", "Simona Neagu", "Ovidiu Crăciun"]

# Open answers to "What should the city change first?", in four recognisable themes (lanes, parking,
# safety, shade), none identical, as 48 people would write them.
OPEN_ANSWERS = [
    "Piste de biciclete separate de mașini pe bulevardele mari, nu doar marcaje pe trotuar.",
    "O rețea continuă de piste de biciclete: acum se termină brusc în intersecții.",
    "Piste de biciclete pe Calea Șagului și pe Bulevardul Liviu Rebreanu.",
    "Pistele de biciclete să lege cartierele între ele, fără întreruperi.",
    "Pistă de biciclete până la Complexul Studențesc, separată de trotuar.",
    "Piste separate pe Calea Aradului, acolo circulă mulți bicicliști.",
    "Mai multe piste de biciclete și mai late, marcate clar.",
    "Piste de biciclete continue pe drumul spre serviciu, prin Fabric.",
    "Pistele de biciclete să nu mai treacă prin stațiile de autobuz.",
    "O pistă de biciclete separată pe Bulevardul Cetății.",
    "Pistele existente să fie legate într-o rețea, acum sunt bucăți.",
    "Piste de biciclete în Lipovei și în Circumvalațiunii.",
    "Parcări sigure pentru biciclete la stațiile de tramvai și la piețe.",
    "Rastele acoperite la școli și la blocuri, ca să nu ne fie furate bicicletele.",
    "Mai multe rastele pentru biciclete în centru, lângă magazine.",
    "Parcare păzită pentru biciclete la gară.",
    "Rastele pentru biciclete la fiecare stație mare de tramvai.",
    "Parcări acoperite pentru biciclete la universitate.",
    "Rastele sigure la spitale și la policlinici.",
    "Parcare pentru biciclete în curtea fiecărei școli.",
    "Boxe închise pentru biciclete lângă blocuri, ne sunt furate de pe scară.",
    "Rastele în care se poate prinde și roata și cadrul, nu doar roata.",
    "Parcări pentru biciclete la piețele Badea Cârțan și Iosefin.",
    "Rastele acoperite la primărie și la instituții.",
    "Viteză mai mică a mașinilor pe străzile din cartiere, 30 km/h lângă școli.",
    "Treceri de pietoni mai sigure și semafoare pentru biciclete la intersecții.",
    "Mașinile parcate pe pistă și pe trotuar să fie amendate.",
    "Intersecțiile mari sunt periculoase pentru bicicliști, mai ales seara.",
    "Controale de viteză pe străzile unde se circulă cu 70 km/h.",
    "Intersecția de la Piața Maria este periculoasă pentru biciclete.",
    "Semafoare cu verde pentru biciclete înaintea mașinilor.",
    "Șoferii nu respectă bicicliștii în sensurile giratorii.",
    "Treceri pentru biciclete vopsite și iluminate în intersecții.",
    "Mai puține mașini parcate pe trotuar și pe pistă.",
    "Viteza mașinilor în jurul școlilor trebuie redusă.",
    "Siguranța în intersecții: oglinzi și semafoare pentru bicicliști.",
    "Umbră: copaci de-a lungul pistelor, vara nu se poate merge ziua.",
    "Copaci și spații verzi pe traseele de bicicletă de-a lungul Begăi.",
    "Mai mulți copaci pe străzi, pentru umbră și aer curat.",
    "Alei pentru biciclete pe malul Begăi, cu iluminat și copaci.",
    "Copaci plantați lângă piste, vara asfaltul e fierbinte.",
    "Umbră în stații și pe trasee, cu copaci, nu doar cu copertine.",
    "Mai mult verde pe bulevarde, copaci între pistă și carosabil.",
    "Malul Begăi să devină un parc continuu pentru pietoni și biciclete.",
    "Copaci în curțile școlilor și pe străzile din jur.",
    "Spații verzi și umbră pe drumul spre parcuri.",
    "Copacii tăiați să fie înlocuiți, străzile au rămas fără umbră.",
    "Pădurea Verde legată de oraș printr-o alee cu copaci.",
]


def _people() -> list[Any]:
    """The example accounts (verified addresses at demo.invalid, no password, no e-mails)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    users = []
    for number, name in enumerate(PEOPLE, start=1):
        email = f"demo-{number:02d}@{DEMO_EMAIL_DOMAIN}"
        user = user_model.objects.filter(email=email).first()
        if user is None:
            user = user_model.objects.create_user(email=email, password=None, display_name=f"{name} (demo)")
            audit.record(ACTOR, "accounts.user.demo_created", user)
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        set_email_mode(user, "never")  # example people receive notices on the site only
        users.append(user)
    return users


def _ambition(number: int) -> Any:
    from strategy.models import Ambition

    return Ambition.objects.filter(number=number).first() or Ambition.objects.order_by("number").first()


def _process(today: dt.date) -> Process:
    process = Process.objects.create(
        slug=PROCESS_SLUG, is_demo=True, proposals_open=True, support_threshold=30,
        title_ro="Timișoara pe două roți: planul de mobilitate activă (demo)",
        title_en="Timișoara on two wheels: the active-mobility plan (demo)",
        summary_ro="Exemplu de proces participativ: locuitorii spun cum se deplasează, propun trasee și rastele, "
                   "iar grupul de lucru pregătește planul. Datele sunt demonstrative.",
        summary_en="An example participatory process: residents say how they get around, propose routes and bike "
                   "racks, and the working group prepares the plan. The data are for demonstration.",
        created_at=timezone.now() - dt.timedelta(days=75))
    phases = [
        (1, "Diagnoză: cum ne deplasăm", "Diagnosis: how we get around", -70, -20),
        (2, "Propuneri și ateliere", "Proposals and workshops", -19, 30),
        (3, "Planul și bugetul", "The plan and its budget", 31, 90),
    ]
    for order, title_ro, title_en, start, end in phases:
        Phase.objects.create(process=process, order=order, title_ro=title_ro, title_en=title_en,
                             start=today + dt.timedelta(days=start), end=today + dt.timedelta(days=end))
    ambition = _ambition(5)
    if ambition is not None:
        process.ambitions.set([ambition])
    audit.record(ACTOR, "participation.process.created", process, {"demo": True})
    return process


def _question(consultation: Consultation, order: int, kind: str, text_ro: str, text_en: str,
              options: list[tuple[str, str]] | None = None, **fields: Any) -> Question:
    question = Question.objects.create(consultation=consultation, order=order, kind=kind, text_ro=text_ro,
                                       text_en=text_en, **fields)
    for position, (option_ro, option_en) in enumerate(options or []):
        Option.objects.create(question=question, order=position, text_ro=option_ro, text_en=option_en)
    return question


def _answer(consultation: Consultation, raw: dict[int, Any], rng: random.Random, neighbourhoods: list[str]) -> None:
    response = services.start_response(None, consultation)
    profile = {"age_group": rng.choice([*AgeGroup.values, ""]), "actor_type": rng.choice(ActorType.values),
               "neighbourhood": rng.choice([*neighbourhoods, ""]) if neighbourhoods else ""}
    errors = services.save_response(None, response, raw, profile, submit=True)
    if errors:  # the demo's own answers are valid by construction: this is a bug in this module
        raise RuntimeError(f"demo answers refused: {errors}")


def _closed_consultation(process: Process, rng: random.Random, neighbourhoods: list[str]) -> Consultation:
    now = timezone.now()
    consultation = Consultation.objects.create(
        process=process, slug=CLOSED_SLUG, is_demo=True, published=True, audience=Consultation.Audience.ANYONE,
        opens_at=now - dt.timedelta(days=60), closes_at=now + dt.timedelta(hours=1),
        title_ro="Cum vă deplasați prin oraș? (demo)", title_en="How do you get around town? (demo)",
        description_ro="Chestionar demonstrativ despre deplasările zilnice și despre ce ar face mersul pe bicicletă "
                       "mai ușor. Răspunsurile sunt exemple.",
        description_en="A demonstration questionnaire about daily trips and what would make cycling easier. The "
                       "answers are examples.")
    mode = _question(consultation, 1, Question.Kind.SINGLE, "Cum ajungeți de obicei la serviciu sau la școală?",
                     "How do you usually get to work or school?",
                     [("Pe jos", "On foot"), ("Cu bicicleta sau trotineta", "By bike or scooter"),
                      ("Cu tramvaiul, troleibuzul sau autobuzul", "By tram, trolleybus or bus"),
                      ("Cu mașina", "By car")], required=True)
    safety = _question(consultation, 2, Question.Kind.SCALE, "Cât de în siguranță vă simțiți pe bicicletă în oraș?",
                       "How safe do you feel on a bike in town?", scale_min=1, scale_max=5,
                       scale_min_label_ro="Deloc", scale_min_label_en="Not at all",
                       scale_max_label_ro="Pe deplin", scale_max_label_en="Completely")
    wishes = _question(consultation, 3, Question.Kind.MULTIPLE, "Ce v-ar face să mergeți mai des cu bicicleta?",
                       "What would make you cycle more often?",
                       [("Piste separate de mașini", "Lanes separated from cars"),
                        ("Parcări sigure pentru biciclete", "Safe bike parking"),
                        ("Mai puțin trafic și viteză mai mică", "Less traffic and lower speeds"),
                        ("Umbră și copaci pe trasee", "Shade and trees along the routes"),
                        ("Biciclete de închiriat", "Bikes to rent")], max_choices=3)
    change = _question(consultation, 4, Question.Kind.LONG_TEXT,
                       "Ce ar trebui să schimbe orașul mai întâi? Spuneți-ne cu cuvintele dumneavoastră.",
                       "What should the city change first? Tell us in your own words.")
    mode_options = list(mode.options.values_list("pk", flat=True))
    wish_options = list(wishes.options.values_list("pk", flat=True))
    for position in range(48):
        raw: dict[int, Any] = {
            mode.pk: rng.choices(mode_options, weights=[3, 4, 5, 4])[0],
            safety.pk: rng.choices([1, 2, 3, 4, 5], weights=[3, 5, 4, 2, 1])[0],
            wishes.pk: rng.sample(wish_options, k=rng.randint(1, 3)),
            change.pk: OPEN_ANSWERS[position],
        }
        _answer(consultation, raw, rng, neighbourhoods)
    Consultation.objects.filter(pk=consultation.pk).update(closes_at=now - dt.timedelta(days=20))
    consultation.refresh_from_db()
    theming.analyse_question(ACTOR, change)
    audit.record(ACTOR, "participation.consultation.created", consultation, {"demo": True, "responses": 48})
    return consultation


def _open_consultation(process: Process, rng: random.Random, neighbourhoods: list[str]) -> Consultation:
    now = timezone.now()
    consultation = Consultation.objects.create(
        process=process, slug=OPEN_SLUG, is_demo=True, published=True, audience=Consultation.Audience.ANYONE,
        opens_at=now - dt.timedelta(days=5), closes_at=now + dt.timedelta(days=25),
        title_ro="Unde să punem primele 20 de rastele acoperite? (demo)",
        title_en="Where should the first 20 covered bike racks go? (demo)",
        description_ro="Consultare demonstrativă deschisă: alegeți locurile unde ați lăsa bicicleta în siguranță.",
        description_en="An open demonstration consultation: choose where you would leave your bike safely.")
    places = _question(consultation, 1, Question.Kind.MULTIPLE, "Unde v-ar folosi cel mai mult un rastel acoperit?",
                       "Where would a covered bike rack help you most?",
                       [("La stațiile de tramvai", "At tram stops"), ("La școli și licee", "At schools"),
                        ("La piețele agroalimentare", "At food markets"), ("La blocuri", "At blocks of flats"),
                        ("În centru", "In the city centre")], max_choices=2, required=True)
    where = _question(consultation, 2, Question.Kind.SHORT_TEXT, "Un loc anume? (stradă, stație, școală)",
                      "A particular place? (street, stop, school)")
    place_options = list(places.options.values_list("pk", flat=True))
    spots = ["Stația Piața Consiliul Europei", "Liceul Grigore Moisil", "Piața 700", "Piața Badea Cârțan",
             "Stația Gara de Nord", ""]
    for _position in range(14):
        _answer(consultation, {places.pk: rng.sample(place_options, k=rng.randint(1, 2)),
                               where.pk: rng.choice(spots)}, rng, neighbourhoods)
    audit.record(ACTOR, "participation.consultation.created", consultation, {"demo": True, "responses": 14})
    return consultation


def _groups(people: list[Any]) -> list[WorkingGroup]:
    specs = [
        ("demo-grup-piste-biciclete", "Grupul de lucru pentru piste de biciclete (demo)",
         "Cycle-lane working group (demo)",
         "Grup demonstrativ: locuitori, asociații de bicicliști și specialiști de la Primărie care pregătesc "
         "traseele planului de mobilitate activă.",
         "A demonstration group: residents, cycling associations and city-hall specialists preparing the routes "
         "of the active-mobility plan.", 5),
        ("demo-grup-date-deschise", "Grupul de lucru pentru date deschise (demo)", "Open-data working group (demo)",
         "Grup demonstrativ care alege ce seturi de date publică orașul mai întâi și cum le descrie.",
         "A demonstration group choosing which data sets the city publishes first and how it describes them.", 3),
    ]
    groups: list[WorkingGroup] = []
    cursor = 0
    for slug, name_ro, name_en, description_ro, description_en, ambition_number in specs:
        group = WorkingGroup.objects.create(slug=slug, kind=WorkingGroup.Kind.PROJECT, is_demo=True,
                                           name_ro=name_ro, name_en=name_en, description_ro=description_ro,
                                           description_en=description_en, ambition=_ambition(ambition_number),
                                           order=100 + len(groups))
        audit.record(ACTOR, "participation.working_group.created", group, {"demo": True})
        members = people[cursor:cursor + 7]
        cursor += 7
        group.coordinators.add(members[0])
        roles = [Membership.Role.MEMBER, Membership.Role.EXPERT, Membership.Role.MEMBER, Membership.Role.PARTNER,
                 Membership.Role.OBSERVER, Membership.Role.MEMBER]
        for position, (person, role) in enumerate(zip(members[1:], roles, strict=True)):
            membership = services.express_interest(
                person, group, role=role, expertise="Experiență ca utilizator zilnic și în proiecte locale (demo).",
                availability="Două seri pe lună", listed_publicly=position % 2 == 0)
            if position < 5:  # the last one still waits for the coordinators
                services.decide_membership(ACTOR, membership, accept=True)
        groups.append(group)
    return groups


def _events(process: Process, groups: list[WorkingGroup], people: list[Any]) -> list[Event]:
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    specs = [
        ("demo-atelier-trasee", Event.Kind.WORKSHOP, groups[0], 9, 18, 2, 40,
         "Atelier: trasee de biciclete între cartiere (demo)", "Workshop: cycle routes between districts (demo)",
         "Lucrăm pe hartă traseele propuse în consultare. Atelier demonstrativ.",
         "We work on the map with the routes proposed in the consultation. A demonstration workshop.",
         "Centrul Multifuncțional Studențesc, Bulevardul Vasile Pârvan 4"),
        ("demo-intalnire-publica-mobilitate", Event.Kind.MEETING, None, 16, 17, 2, None,
         "Întâlnire publică: planul de mobilitate activă (demo)", "Public meeting: the active-mobility plan (demo)",
         "Prezentarea rezultatelor consultării și discuție deschisă. Întâlnire demonstrativă.",
         "The consultation's results presented, then an open discussion. A demonstration meeting.",
         "Sala de consiliu a Primăriei, Bulevardul C.D. Loga 1"),
        ("demo-intalnire-grup-date", Event.Kind.GROUP_MEETING, groups[1], 23, 17, 1, 15,
         "Întâlnirea grupului pentru date deschise (demo)", "Open-data group meeting (demo)",
         "Alegem primele trei seturi de date. Întâlnire demonstrativă.",
         "We choose the first three data sets. A demonstration meeting.", "Online și la Primărie"),
    ]
    events = []
    for slug, kind, group, days, hour, hours, capacity, title_ro, title_en, text_ro, text_en, place in specs:
        starts = (now + dt.timedelta(days=days)).replace(hour=hour)
        event = Event.objects.create(slug=slug, kind=kind, process=process, working_group=group, is_demo=True,
                                     title_ro=title_ro, title_en=title_en, description_ro=text_ro,
                                     description_en=text_en, starts_at=starts,
                                     ends_at=starts + dt.timedelta(hours=hours), location=place, capacity=capacity,
                                     registration_open=True, published=True)
        audit.record(ACTOR, "participation.event.created", event, {"demo": True})
        for person in people[days % 5::3]:
            services.register_for_event(person, event)
        events.append(event)
    return events


PROPOSALS = [
    ("Pistă de biciclete continuă pe malul Begăi", "O pistă fără întreruperi de la Pădurea Verde la Ronaț, pe "
     "ambele maluri, cu iluminat și treceri sigure la poduri.", 5, 22, Proposal.OfficialAnswer.ACCEPTED,
     "Propunerea intră în planul de mobilitate activă: primul tronson, între Podul Mihai Viteazu și Podul Decebal, "
     "va fi proiectat anul acesta. (răspuns demonstrativ)"),
    ("Rastele acoperite la toate liceele", "Fiecare liceu să aibă cel puțin 30 de locuri acoperite și sigure "
     "pentru biciclete, cu camere la intrare.", 5, 17, Proposal.OfficialAnswer.EVALUATING,
     "Direcția de Mobilitate verifică spațiul disponibil la fiecare liceu. (răspuns demonstrativ)"),
    ("Zona 30 în jurul școlilor", "Limita de viteză de 30 km/h pe străzile din jurul școlilor, cu denivelări și "
     "marcaje vizibile.", 2, 14, "", ""),
    ("Semafoare cu buton pentru bicicliști", "La intersecțiile mari, un buton și o fază de verde pentru "
     "bicicliști, ca în alte orașe.", 5, 9, Proposal.OfficialAnswer.REJECTED,
     "Semafoarele sunt gestionate de sistemul central de trafic, care nu permite acum o fază separată; "
     "propunerea va fi reanalizată la modernizarea sistemului. (răspuns demonstrativ)"),
    ("Hartă online a pistelor de biciclete", "O hartă actualizată, cu date deschise, a tuturor pistelor și a "
     "lucrărilor care le blochează.", 3, 6, "", ""),
    ("Biciclete de închiriat în cartiere", "Stații de biciclete de închiriat nu doar în centru, ci și în Soarelui, "
     "Dâmbovița și Lipovei.", 2, 4, "", ""),
]

COMMENTS = [
    "Susțin! Aș merge zilnic la serviciu pe acolo.",
    "Ar trebui gândit și iluminatul, seara e complet întuneric.",
    "Bună idee, dar cine o întreține iarna?",
    "Am văzut ceva asemănător la Cluj și funcționează foarte bine.",
]


def _proposals(process: Process, people: list[Any], rng: random.Random) -> list[Proposal]:
    proposals = []
    for position, (title, body, ambition, supports, answer, answer_text) in enumerate(PROPOSALS):
        author = people[position * 3 % len(people)]
        proposal = services.create_proposal(author, title=f"{title} (demo)", body=body, ambition=_ambition(ambition),
                                            process=process)
        Proposal.objects.filter(pk=proposal.pk).update(is_demo=True)
        supporters = [p for p in people if p.pk != author.pk]
        for supporter in rng.sample(supporters, k=supports):
            services.support_proposal(supporter, proposal)
        for number in range(position % 3 + 1):
            comment = services.add_comment(people[(position + 5 + number * 4) % len(people)], proposal,
                                           COMMENTS[(position + number) % len(COMMENTS)])
            if number == 0 and position % 2 == 0:
                services.add_comment(author, proposal, "Mulțumesc! Am adăugat detaliile în propunere.",
                                     parent=comment)
        if answer:
            services.answer_proposal(ACTOR, proposal, answer, answer_text)
        proposals.append(proposal)
    return proposals


def _link_to_strategy(closed: Consultation, proposals: list[Proposal]) -> None:
    """The accepted proposal and the closed consultation's outcome, carried out by the strategy's Urban Mobility
    Centre project: its page shows where it comes from (strategy.origins). Removed with the demo rows."""
    from strategy.models import Project as StrategyProject

    project = StrategyProject.objects.filter(code="A7.O2.P1").first()
    if project is None:
        return
    for proposal in proposals:
        if proposal.official_answer == Proposal.OfficialAnswer.ACCEPTED:
            services.link_to_strategy_project(ACTOR, proposal, project)
    services.link_to_strategy_project(
        ACTOR, closed, project,
        outcome="Rezultatele arată că lipsa pistelor continue îi oprește pe cei mai mulți: Centrul de Mobilitate "
                "Urbană începe cu traseul de pe malul Begăi. (rezultat demonstrativ)",
        outcome_en="The results show that the lack of continuous cycle lanes holds most people back: the Urban "
                   "Mobility Centre starts with the Bega riverside route. (demonstration outcome)")


def load(stdout: Any) -> None:
    """Create the example content once (all of it in one transaction); later runs leave it as it is."""
    if Process.objects.filter(slug=PROCESS_SLUG).exists():
        stdout.write("Participation: demo content exists")
        return
    from core.models import Neighbourhood

    rng = random.Random(2026)
    neighbourhoods = list(Neighbourhood.objects.order_by("slug").values_list("slug", flat=True))
    with transaction.atomic():
        people = _people()
        process = _process(timezone.localdate())
        closed = _closed_consultation(process, rng, neighbourhoods)
        _open_consultation(process, rng, neighbourhoods)
        groups = _groups(people)
        events = _events(process, groups, people)
        proposals = _proposals(process, people, rng)
        _link_to_strategy(closed, proposals)
        services.add_comment(people[4], closed, "Aștept rezultatele pe cartiere!")
    stdout.write(f"Participation: demo process with 2 consultations, {len(groups)} working groups, "
                 f"{len(events)} upcoming events and {len(proposals)} proposals by {len(people)} example people")


def _generic(model: Any, targets: dict[Any, list[int]]) -> Any:
    condition = Q(pk__in=[])
    for target_model, pks in targets.items():
        condition |= Q(target_type=ContentType.objects.get_for_model(target_model), target_id__in=pks)
    return model.objects.filter(condition)


@transaction.atomic
def remove(stdout: Any) -> None:
    """Delete every demo row of the room and the example people (one audit entry per removed item)."""
    from django.contrib.auth import get_user_model

    targets: dict[Any, list[int]] = {
        model: list(model.objects.filter(is_demo=True).values_list("pk", flat=True))
        for model in (Proposal, Consultation, Event, Process)}
    _generic(Comment, targets).delete()
    from notifications.models import Subscription as NotificationSubscription

    NotificationSubscription.objects.filter(topic__in=[
        f"participation.{model._meta.model_name}:{pk}" for model, pks in targets.items() for pk in pks]).delete()
    counts = {}
    for model, label in ((Proposal, "proposals"), (Consultation, "consultations"), (Event, "events"),
                         (WorkingGroup, "working groups"), (Process, "processes")):
        rows = list(model.objects.filter(is_demo=True))
        for row in rows:
            audit.record(ACTOR, f"participation.{model._meta.model_name}.demo_removed", row)
        model.objects.filter(pk__in=[row.pk for row in rows]).delete()
        counts[label] = len(rows)
    people = list(get_user_model().objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}"))
    for person in people:
        audit.record(ACTOR, "accounts.user.demo_removed", person)
    get_user_model().objects.filter(pk__in=[p.pk for p in people]).delete()
    stdout.write("Participation: removed " + ", ".join(f"{n} {name}" for name, n in counts.items())
                 + f" and {len(people)} example people")
