"""Every language right: drawings are machine-formatted, Romanian pages read in Romanian.

Two whole-site checks over the public pages with the strategy and every room's demo data loaded:

- every number written into a drawing (SVG attributes, CSS widths, data-* attributes) parses as a
  machine number in Romanian and in English (Romanian formats floats with a decimal comma, which
  SVG reads as two numbers);
- no page under /ro/ is mostly English, judged by the share of common English function words
  against Romanian ones in the visible text.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from tests.addresses import localized

pytestmark = pytest.mark.django_db

NUMERIC_ATTRIBUTES = {"x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry", "width", "height",
                      "stroke-width", "font-size"}
NUMERIC_DATA_ATTRIBUTES = {"data-lat", "data-lon", "data-budget", "data-cost", "data-value", "data-zoom"}


@pytest.fixture
def lived_in(strategy_data: None) -> None:
    """The strategy, every room's demo data and a KPI with measurements (so its chart is drawn)."""
    from strategy.models import KPI
    from strategy.services import record_measurement

    call_command("load_demo_data", stdout=StringIO())
    kpi = KPI.objects.get(code="A5.K3")
    record_measurement("tests", kpi, dt.date(2023, 12, 31), Decimal("19.15"))
    record_measurement("tests", kpi, dt.date(2024, 12, 31), Decimal("17.35"))


def public_pages(lang: str) -> list[str]:
    """The public pages of every room, with one or more instances of each kind of detail page."""
    from budgeting.models import Edition
    from environment.models import Sensor
    from participation.models import Consultation, Conversation, Event, Process, WorkingGroup
    from reports.models import Report
    from strategy.models import KPI, Ambition, Project

    pages = ["", "projects/", "kpis/", "governance/", f"report/{dt.date.today().year}/",
             f"report/{dt.date.today().year - 1}/",
             "participation/", "participation/processes/", "participation/consultations/",
             "participation/proposals/", "participation/groups/",
             "participation/events/", "budgeting/", "reports/", "reports/about/", "reports/dashboard/",
             "reports/new/", "air/", "air/city/", "accounts/login/", "accounts/signup/",
             "accounts/password/reset/"]
    pages += [f"ambitions/{a.number}/" for a in Ambition.objects.order_by("number")]
    pages += [f"projects/{p.code}/" for p in Project.objects.order_by("code")[::7]]
    pages += ["kpis/A5.K3/"] + [f"kpis/{k.code}/" for k in KPI.objects.order_by("code")[::5]]
    pages += [f"participation/processes/{p.slug}/" for p in Process.objects.filter(published=True)]
    for consultation in Consultation.objects.filter(published=True):
        pages += [f"participation/consultations/{consultation.slug}/",
                  f"participation/consultations/{consultation.slug}/results/"]
    pages += [f"participation/events/{e.slug}/" for e in Event.objects.filter(published=True)[:4]]
    pages += [f"participation/groups/{g.slug}/" for g in WorkingGroup.objects.all()[:3]]
    for conversation in Conversation.objects.filter(published=True):
        pages += [f"participation/opinion/{conversation.slug}/", f"participation/opinion/{conversation.slug}/map/"]
    for edition in Edition.objects.all():
        pages += [f"budgeting/{edition.slug}/", f"budgeting/{edition.slug}/projects/",
                  f"budgeting/{edition.slug}/projects/1/"]
        if edition.is_finished:
            pages.append(f"budgeting/{edition.slug}/results/")
    pages += [f"reports/{r.pk}/" for r in Report.objects.order_by("pk")[::20]]
    pages += [f"air/sensors/{s.sensor_id}/" for s in Sensor.objects.all()]
    return [localized(f"/{lang}/{page}") for page in pages]  # translated paths in Romanian (tests/addresses.py)


class _Drawing(HTMLParser):
    """Collects the numbers written into drawings and the visible text of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.numbers: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "svg", "title", "template"):
            self._hidden += 1
        for name, value in attrs:
            if value is None:
                continue
            if name in NUMERIC_ATTRIBUTES and tag not in ("img", "iframe", "video"):
                self.numbers.append((tag, name, value.removesuffix("px").removesuffix("%")))
            elif name in NUMERIC_DATA_ATTRIBUTES:
                self.numbers.append((tag, name, value))
            elif name == "viewbox":  # HTMLParser lowers attribute names
                self.numbers += [(tag, "viewBox", part) for part in value.split()]
            elif name == "points":
                for pair in value.split():
                    x_and_y = pair.split(",")
                    assert len(x_and_y) == 2, f"<{tag} points> pair {pair!r} is not 'x,y'"
                    self.numbers += [(tag, "points", part) for part in x_and_y]
            elif name == "transform":
                for inner in re.findall(r"\(([^)]*)\)", value):
                    self.numbers += [(tag, "transform", part) for part in inner.split()]
            elif name == "style":
                for prop, number in re.findall(r"\b(width|height|left|top)\s*:\s*([^;]+)", value):
                    self.numbers.append((tag, f"style {prop}", number.strip().removesuffix("px").removesuffix("%")))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style", "svg", "title", "template"):
            self._hidden -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "svg", "title", "template"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def _parse(html: str) -> _Drawing:
    parser = _Drawing()
    parser.feed(html)
    return parser


def test_every_number_in_a_drawing_is_machine_formatted_in_both_languages(client: Any, lived_in: None) -> None:
    drawn = {"svg": 0, "style": 0}
    for lang in ("ro", "en"):
        for path in public_pages(lang):
            response = client.get(path)
            assert response.status_code == 200, path
            html = response.content.decode()
            drawn["svg"] += html.count("<svg")
            drawn["style"] += html.count("style=\"width")
            for tag, attribute, value in _parse(html).numbers:
                try:
                    float(value)
                except ValueError:
                    pytest.fail(f"{path}: <{tag} {attribute}={value!r}> is not a machine number")
    # The check is not vacuous: the KPI chart, the sensor charts, the dashboard's bars and the meters are drawn.
    assert drawn["svg"] > 20 and drawn["style"] > 10, drawn
    kpi = client.get("/ro/indicatori/A5.K3/").content.decode()
    assert re.search(r'<polyline class="[^"]*" points="(\d+(\.\d)? ?,\d+(\.\d)? ?)+', kpi)
    assert not re.search(r'\b(x|y|cx|cy|x1|x2|y1|y2)="\d+,\d', kpi)


def test_svg_number_is_machine_formatted() -> None:
    from core.charts import svg_number

    assert [svg_number(v) for v in (244.0, 12.349, -0.04, 1234567.25, 0.05)] == [
        "244", "12.3", "0", "1234567.2", "0.1"]


# Words that are frequent in one language and do not occur as words in the other (not "are" or "an":
# Romanian words too).
ENGLISH_WORDS = {
    "the", "and", "of", "to", "is", "for", "with", "on", "by", "this", "that", "from", "at", "be",
    "as", "or", "it", "was", "will", "have", "has", "which", "their", "its", "these", "can", "been",
    "were", "into", "more", "than", "about", "your", "you", "our", "we",
}
ROMANIAN_WORDS = {
    "și", "de", "la", "în", "cu", "pe", "din", "care", "pentru", "este", "sunt", "un", "al", "ale", "lui",
    "nu", "mai", "sau", "prin", "între", "fi", "fost", "vor", "acest", "această", "ca", "dacă", "se", "ai",
    "fiecare", "după", "către",
}
# Bad translations seen before, and English plurals made by appending "s" to a Romanian word.
NEVER_ON_A_ROMANIAN_PAGE = ["Moderează", "Proiects", "Propuneres", "Comentarius", "persons", "Moderate"]


def language_counts(text: str) -> tuple[int, int]:
    words = re.findall(r"[^\W\d_]+", text.lower())
    return sum(w in ENGLISH_WORDS for w in words), sum(w in ROMANIAN_WORDS for w in words)


def test_no_romanian_page_is_mostly_english(client: Any, lived_in: None) -> None:
    english_pages = []
    for path in public_pages("ro"):
        response = client.get(path)
        assert response.status_code == 200, path
        text = " ".join(_parse(response.content.decode()).text)
        english, romanian = language_counts(text)
        # A name or a quoted title in English is fine; English running text is not.
        if english > max(3, romanian // 4):
            english_pages.append(f"{path}: {english} English and {romanian} Romanian function words")
        for wrong in NEVER_ON_A_ROMANIAN_PAGE:
            assert not re.search(rf"\b{wrong}\b", text), f"{path} shows {wrong!r}"
    assert not english_pages, "\n".join(english_pages)


def test_language_score_tells_english_from_romanian() -> None:
    english, romanian = language_counts("The city has a voice and every citizen is heard by the council.")
    assert english > romanian
    english, romanian = language_counts("Fiecare cetățean are o voce și este ascultat de consiliul local.")
    assert romanian > english


# Romanian written without its diacritics, as django-allauth's own catalogue has it.
WITHOUT_DIACRITICS = ["Conecteaza", "Inregistreaza", "Tine-ma", "Daca ", "te rugam", "Reseteaza", "parola sa fie",
                      "Deconecteaza"]


@pytest.mark.parametrize("path", ["/ro/accounts/login/", "/ro/accounts/signup/", "/ro/accounts/password/reset/",
                                  "/ro/accounts/password/reset/done/", "/ro/accounts/confirm-email/"])
def test_sign_up_and_sign_in_pages_are_written_with_diacritics(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    text = " ".join(_parse(response.content.decode()).text)
    for wrong in WITHOUT_DIACRITICS:
        assert wrong.lower() not in text.lower(), f"{path}: {wrong!r}"
    assert re.search(r"[ăâîșț]", text), path


def test_dates_and_numbers_in_text_follow_the_page_language() -> None:
    from django.utils import formats, translation

    day = dt.date(2026, 12, 26)
    with translation.override("ro"):
        assert formats.date_format(day) == "26 decembrie 2026"  # Romanian writes month names in lower case
        assert formats.date_format(day, "l") == "sâmbătă"
        assert formats.number_format(Decimal("1234.5"), force_grouping=True) == "1.234,5"
    with translation.override("en"):
        assert formats.date_format(day) == "Dec. 26, 2026"
        assert formats.number_format(Decimal("1234.5"), force_grouping=True) == "1,234.5"


def test_number_filter_writes_numbers_in_the_page_language() -> None:
    from django.utils import translation

    from core.templatetags.numbers import number

    with translation.override("ro"):
        assert [number(v) for v in (Decimal("325522"), Decimal("19.10"), Decimal("1E+3"), 0.5, None)] == [
            "325.522", "19,1", "1.000", "0,5", None]
    with translation.override("en"):
        assert number(Decimal("1234.50")) == "1,234.5"


def test_air_quality_band_names_read_in_romanian() -> None:
    """One catalogue's "Moderate" (a verb elsewhere: "Moderează") must not win over the band's "Moderat"."""
    from django.utils import translation
    from django.utils.translation import gettext

    from environment.airquality.bands import LEVEL_STYLES

    with translation.override("ro"):
        assert [gettext(style.label) for style in LEVEL_STYLES.values()] == [
            "Bun", "Acceptabil", "Moderat", "Slab", "Foarte slab", "Extrem de slab"]
