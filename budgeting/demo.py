"""Demonstration data of the budgeting room (`manage.py load_demo_data`; safe to run again).

* "Timișoara Decide! 2025 (demo)": an edition in its voting phase, with the parameters of the city's
  decision HCL 109/21.03.2023 (about 4.2 million lei, at most 15 projects funded, projects by votes,
  top-up of at most 100,000 lei for the next project), project ideas in real neighbourhoods and
  400 example ballots cast with voting codes. Marked as demonstration everywhere it appears.
* One finished edition imported from a real Pabulib file (Assen 2024, 14 projects, 84 voters), so
  that the results pages show real numbers; compared under the other rules as well.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from shapely.geometry import shape

from budgeting import services
from budgeting.models import BallotType, Category, Edition, Eligibility, Phase, Project, Rule
from core.models import Neighbourhood
from strategy.models import Project as StrategyProject

DEMO_SLUG = "timisoara-decide-2025-demo"
IMPORTED_SLUG = "pabulib-assen-2024"
PABULIB_DEMO_FILE = "Netherlands_Assen_2024.pb"
# Shipped with the repository (source and licence in data/demo/README.md).
PABULIB_DEMO_PATH = settings.BASE_DIR / "data" / "demo" / "pabulib" / PABULIB_DEMO_FILE
IMPORTED_DESCRIPTION_RO = (
    "Ediție demonstrativă încheiată: un buget participativ real (Assen, Țările de Jos, 2024, „Top Idee”: "
    "14 proiecte, 84 de votanți), preluat din biblioteca publică Pabulib pentru a arăta rezultatele și "
    "explicațiile lor. Nu sunt date ale Timișoarei. ")
IMPORTED_DESCRIPTION_EN = (
    "A finished demonstration edition: a real participatory budget (Assen, the Netherlands, 2024, “Top Idee”: "
    "14 projects, 84 voters), taken from the public Pabulib library to show results and their explanations. "
    "Not Timișoara's data. ")
ACTOR = "demo"
# The demo resident a newcomer signs in as to try the vote (docs/identity.md): verified as a resident, it
# votes only in demonstration editions (budgeting.services.account_may_vote); remove_demo_data deletes it.
DEMO_VOTER_EMAIL = "rezident@demo.invalid"
DEMO_VOTER_PASSWORD = "demo-timisoara-2025"  # noqa: S105 (published on purpose: demo only)

CATEGORIES = [
    ("mobilitate", "Mobilitate", "Mobility"),
    ("spatii-verzi", "Spații verzi", "Green spaces"),
    ("educatie", "Educație", "Education"),
    ("cultura", "Cultură", "Culture"),
    ("sport", "Sport și agrement", "Sport and leisure"),
    ("social", "Social", "Social"),
    ("siguranta", "Siguranță", "Safety"),
    ("digital", "Digital", "Digital"),
    ("infrastructura", "Infrastructură urbană", "Urban infrastructure"),
]

# (title, description, neighbourhood slug or None for city-wide, category, cost in lei, popularity)
PROJECTS: list[tuple[str, str, str | None, str, int, int]] = [
    ("Pistă de biciclete pe Calea Șagului",
     "O pistă de biciclete separată de carosabil pe Calea Șagului, între Piața Badea Cârțan și Calea Martirilor, "
     "cu treceri semnalizate la intersecții.", "sagului", "mobilitate", 850_000, 9),
    ("Grădină comunitară în cartierul Soarelui",
     "Straturi înălțate, un compostor și un punct de apă pe un teren al Primăriei, îngrijite de locatarii "
     "blocurilor din jur.", "soarelui", "spatii-verzi", 180_000, 6),
    ("Loc de joacă incluziv în Centru",
     "Echipamente de joacă accesibile copiilor în scaun rulant și copiilor cu deficiențe de vedere, cu suprafață "
     "de cauciuc turnat.", "centru", "social", 420_000, 8),
    ("Stații de reparat biciclete în zece puncte din oraș",
     "Stâlpi cu unelte prinse în lanț și pompă, lângă parcuri și stații de tramvai.", None, "mobilitate",
     95_000, 7),
    ("Fântâni de apă potabilă în parcurile din Fabric",
     "Patru cișmele cu apă potabilă și bol pentru câini în parcurile din cartierul Fabric.", "fabric",
     "spatii-verzi", 140_000, 6),
    ("Iluminat pietonal pe aleile din Complexul Studențesc",
     "Stâlpi de iluminat cu LED pe aleile dintre cămine și malul Begăi, unde seara este întuneric.",
     "complex_studentesc", "siguranta", 380_000, 7),
    ("Copaci de aliniament în cartierul Aradului",
     "Plantarea a 120 de arbori cu balot pe străzile fără umbră, cu trei ani de întreținere inclusă.",
     "aradului", "spatii-verzi", 260_000, 8),
    ("Skatepark în Dâmbovița",
     "Un skatepark din beton pentru role, trotinete și skateboard, cu bănci și iluminat.", "dambovita", "sport",
     650_000, 5),
    ("Mini-biblioteci de stradă",
     "Cincisprezece cutii cu cărți pentru schimb liber, instalate lângă școli și stații de transport.", None,
     "cultura", 60_000, 5),
    ("Treceri de pietoni iluminate lângă școlile din Mehala",
     "Iluminat dedicat și semnalizare luminoasă la trecerile de pietoni din fața a patru școli.", "mehala",
     "siguranta", 310_000, 7),
    ("Parc de buzunar în Ronaț",
     "Amenajarea unui teren viran ca parc mic: gazon, arbori, bănci, un loc de joacă și alei.", "ronat",
     "spatii-verzi", 540_000, 5),
    ("Sală de fitness în aer liber în Circumvalațiunii",
     "Aparate de exerciții pentru adulți și vârstnici, cu panouri explicative.", "circumvalatiunii", "sport",
     150_000, 6),
    ("Rastele acoperite pentru biciclete la licee",
     "Rastele sigure și acoperite pentru 400 de biciclete la zece licee.", None, "mobilitate", 230_000, 6),
    ("Cinema în aer liber în Piața Traian",
     "Un ecran și un sistem de sunet pentru proiecții gratuite de vară, organizate cu asociațiile din cartier.",
     "fabric", "cultura", 120_000, 4),
    ("Senzori de calitate a aerului în fiecare cartier",
     "Treizeci de senzori de particule, cu datele publicate deschis pe platformă.", None, "digital", 270_000, 6),
    ("Toalete publice ecologice în Centru",
     "Două toalete publice automate, accesibile, lângă zonele pietonale.", "centru", "infrastructura",
     360_000, 5),
    ("Club pentru vârstnici în zona Lipovei",
     "Amenajarea unui spațiu al Primăriei pentru activități, cursuri și întâlniri ale vârstnicilor.", "lipovei",
     "social", 480_000, 4),
    ("Zonă de agrement pentru câini în Girocului",
     "Un țarc împrejmuit cu obstacole, bănci și dozatoare de pungi.", "girocului", "spatii-verzi", 110_000, 5),
    ("Stații de autobuz cu acoperiș verde în Steaua",
     "Cinci stații cu acoperiș plantat, care rețin apa de ploaie și răcoresc zona.", "steaua", "spatii-verzi",
     200_000, 4),
    ("Internet wireless gratuit în piețele agroalimentare",
     "Acces Wi-Fi gratuit în cele patru piețe mari ale orașului.", None, "digital", 90_000, 3),
    ("Teren de baschet reabilitat în Tipografilor",
     "Suprafață nouă, panouri, plase și iluminat pentru terenul de baschet dintre blocuri.", "tipografilor",
     "sport", 170_000, 4),
    ("Mural și iluminat artistic în pasajul din Iosefin",
     "Un mural realizat de artiști locali și iluminat ambiental în pasajul pietonal.", "iosefin", "cultura",
     75_000, 4),
]

REJECTED: list[tuple[str, str, str | None, str, int, str]] = [
    ("Telegondolă între Gara de Nord și Centru",
     "O telegondolă care să lege gara de centrul orașului, pentru turiști și navetiști.", None, "mobilitate",
     25_000_000,
     "Costul estimat depășește de câteva ori întregul buget participativ, iar lucrarea ar necesita studii de "
     "fezabilitate și avize care nu se pot obține în durata unei ediții."),
    ("Parcare subterană sub Piața Unirii",
     "O parcare subterană cu 300 de locuri sub Piața Unirii.", "centru", "infrastructura", 3_900_000,
     "Piața Unirii face parte din zona protejată a centrului istoric; săpăturile necesită descărcare de sarcină "
     "arheologică, iar lucrarea depășește durata de implementare a bugetului participativ."),
]


def _categories() -> dict[str, Category]:
    found = {}
    for order, (slug, name_ro, name_en) in enumerate(CATEGORIES):
        category, _created = Category.objects.update_or_create(
            slug=slug, defaults={"name_ro": name_ro, "name_en": name_en, "order": order})
        found[slug] = category
    return found


def _point(neighbourhood: Neighbourhood | None, rng: random.Random) -> tuple[float | None, float | None]:
    if neighbourhood is None:
        return None, None
    point = shape(neighbourhood.geometry).representative_point()
    return round(point.y, 6), round(point.x, 6)


def _demo_edition(stdout: Any, ballots: int = 400) -> None:
    if Edition.objects.filter(slug=DEMO_SLUG).exists():
        stdout.write(f"Budgeting: demo edition {DEMO_SLUG} exists")
        return
    now = timezone.now()
    rng = random.Random(2025)
    categories = _categories()
    neighbourhoods = {n.slug: n for n in Neighbourhood.objects.all()}
    with transaction.atomic():
        edition = services.create_edition(
            ACTOR, slug=DEMO_SLUG, title="Timișoara Decide! 2025 (demo)", budget=Decimal("4200000"),
            is_demo=True, ballot_type=BallotType.APPROVAL, min_choices=1, max_choices=3, rule=Rule.TIMISOARA,
            max_selected_projects=15, topup_limit=Decimal("100000"), eligibility=Eligibility.ACCOUNTS_AND_CODES,
            strategy_parent=StrategyProject.objects.filter(code=services.STRATEGY_PARENT_CODE).first(),
            submission_start=now - dt.timedelta(days=1))
        edition.title_en = "Timișoara Decide! 2025 (demo)"  # type: ignore[attr-defined]
        edition.description_ro = (  # type: ignore[attr-defined]
            "Ediție demonstrativă a bugetului participativ „Timișoara Decide!”, cu regulile din HCL 109/21.03.2023: "
            "aproximativ 4,2 milioane lei, cel mult 15 proiecte finanțate, în ordinea voturilor până la epuizarea "
            "banilor; dacă următorul proiect nu încape și diferența este de cel mult 100.000 lei, bugetul poate fi "
            "suplimentat pentru a-l finanța. În această demonstrație, fiecare votant poate alege cel mult 3 "
            "proiecte. Proiectele și voturile sunt exemple.")
        edition.description_en = (  # type: ignore[attr-defined]
            "A demonstration edition of the “Timișoara Decide!” participatory budget, with the rules of council "
            "decision HCL 109/21.03.2023: about 4.2 million lei, at most 15 projects funded, in order of votes "
            "until the money runs out; when the next project does not fit and the shortfall is at most 100,000 "
            "lei, the budget may be topped up to fund it. In this demonstration each voter may choose up to 3 "
            "projects. The projects and votes are examples.")
        edition.save(update_fields=["title_en", "description_ro", "description_en"])
        services.set_phase(ACTOR, edition, Phase.SUBMISSION)
        submitted: list[tuple[Project, int]] = []
        for title, description, district, category, cost, popularity in PROJECTS:
            neighbourhood = neighbourhoods.get(district) if district else None
            latitude, longitude = _point(neighbourhood, rng)
            project = services.submit_project(ACTOR, edition, services.ProjectInput(
                title=title, description=description, cost_estimate=Decimal(cost), neighbourhood=neighbourhood,
                category=categories[category], latitude=latitude, longitude=longitude))
            submitted.append((project, popularity))
        rejected = []
        for title, description, district, category, cost, reason in REJECTED:
            neighbourhood = neighbourhoods.get(district) if district else None
            project = services.submit_project(ACTOR, edition, services.ProjectInput(
                title=title, description=description, cost_estimate=Decimal(cost), neighbourhood=neighbourhood,
                category=categories[category]))
            rejected.append((project, reason))
        services.set_phase(ACTOR, edition, Phase.REVIEW)
        for position, (project, _popularity) in enumerate(submitted):
            # Reviewers correct some estimates, as the city's technical review does.
            corrected = (project.cost_estimate * Decimal("1.1")).quantize(Decimal(1)) if position % 5 == 0 else None
            services.review_project(ACTOR, project, feasible=True, corrected_cost=corrected)
        for project, reason in rejected:
            services.review_project(ACTOR, project, feasible=False, rejection_reason=reason)
        services.set_phase(ACTOR, edition, Phase.VOTING)
        Edition.objects.filter(pk=edition.pk).update(
            submission_start=now - dt.timedelta(days=90), submission_end=now - dt.timedelta(days=60),
            review_end=now - dt.timedelta(days=15), voting_start=now - dt.timedelta(days=10),
            voting_end=now + dt.timedelta(days=20))
        edition.refresh_from_db()
        codes = services.generate_codes(ACTOR, edition, ballots, batch="demo")
        numbers = [project.number for project, _p in submitted]
        weights = [popularity for _project, popularity in submitted]
        for code in codes:
            wanted = 1 + min(2, int(rng.random() * 3.2))
            choice: set[int] = set()
            while len(choice) < wanted:
                choice.add(rng.choices(numbers, weights=weights)[0])
            services.cast_code_ballot(edition, code, dict.fromkeys(choice, 1))
    stdout.write(f"Budgeting: demo edition {DEMO_SLUG} in voting, {len(PROJECTS)} projects, {ballots} ballots")


def _imported_edition(stdout: Any) -> None:
    if Edition.objects.filter(slug=IMPORTED_SLUG).exists():
        stdout.write(f"Budgeting: imported edition {IMPORTED_SLUG} exists")
        return
    path = PABULIB_DEMO_PATH
    with transaction.atomic():
        edition = services.import_pabulib(ACTOR, path.read_text(encoding="utf-8-sig"), slug=IMPORTED_SLUG,
                                          title="Assen 2024 — Top Idee (Pabulib, demo)",
                                          compare=[Rule.GREEDY, Rule.MES, Rule.PHRAGMEN], is_demo=True)
        edition.description_ro = IMPORTED_DESCRIPTION_RO + edition.description_ro  # type: ignore[attr-defined]
        edition.description_en = IMPORTED_DESCRIPTION_EN + edition.description_en  # type: ignore[attr-defined]
        edition.save(update_fields=["description_ro", "description_en"])
    stdout.write(f"Budgeting: imported {PABULIB_DEMO_FILE} as {edition.slug} "
                 f"({edition.projects.filter(selected=True).count()} projects selected)")


def _demo_voter(stdout: Any) -> None:
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from accounts.verification import verify_demo_resident
    from core import audit

    with transaction.atomic():
        user = get_user_model().objects.filter(email=DEMO_VOTER_EMAIL).first()
        if user is None:
            user = get_user_model().objects.create_user(email=DEMO_VOTER_EMAIL, password=DEMO_VOTER_PASSWORD,
                                                        display_name="Rezident demo")
            audit.record(ACTOR, "accounts.user.demo_created", user)
        EmailAddress.objects.update_or_create(user=user, email=DEMO_VOTER_EMAIL,
                                              defaults={"verified": True, "primary": True})
        verify_demo_resident(user)
    stdout.write(f"Budgeting: demo resident {DEMO_VOTER_EMAIL} (password {DEMO_VOTER_PASSWORD}) may vote in "
                 f"{DEMO_SLUG}")


def load_demo_data(stdout: Any, *, ballots: int = 400) -> None:
    _categories()
    _demo_edition(stdout, ballots)
    _imported_edition(stdout)
    _demo_voter(stdout)


@transaction.atomic
def remove_demo_data(stdout: Any) -> None:
    """Delete the demo editions (the one in voting and the imported one) with their projects, ballots and
    results; categories stay (they are reference data). One audit entry per edition."""
    from django.core.files.storage import default_storage

    from budgeting.models import Photo
    from core import audit

    editions = list(Edition.objects.filter(is_demo=True).order_by("slug"))
    files = list(Photo.objects.filter(project__edition__in=editions).values_list("image", flat=True))
    for edition in editions:
        audit.record(ACTOR, "budgeting.edition.demo_removed", edition,
                     {"slug": edition.slug, "projects": edition.projects.count(), "ballots": edition.ballots.count()})
    Edition.objects.filter(pk__in=[edition.pk for edition in editions]).delete()
    from django.contrib.auth import get_user_model

    voter = get_user_model().objects.filter(email=DEMO_VOTER_EMAIL).first()
    if voter is not None:
        audit.record(ACTOR, "accounts.user.demo_removed", voter)
        voter.delete()

    def delete_files() -> None:
        for name in files:
            if name:
                default_storage.delete(name)

    transaction.on_commit(delete_files)
    stdout.write(f"Budgeting: removed {len(editions)} demo editions")
