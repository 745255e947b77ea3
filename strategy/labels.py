"""Words the strategy dataset writes in English as plain strings (units, funding categories, sources),
shown in the page's language.

The dataset and the API keep them as written in the file ("persons", "MEUR"); pages show
`unit_label(unit)`, `funding_category_label(category)` and `source_label(source)`. A value not listed
here is shown as written (symbols such as "%", "MWh"; proper names such as "Smart Cities Marketplace").
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

UNIT_LABELS = {
    "number": _("number"),
    "persons": _("persons"),
    "cities": _("cities"),
    "votes": _("votes"),
    "tourists": _("tourists"),
    "rank": _("rank"),
    "months": _("months"),
    "investors": _("investors"),
    "answers": _("answers"),
    "ratio": _("ratio"),
    "MEUR": _("million €"),
    "per capita": _("per capita"),
    "m3 per capita": _("m³ per capita"),
    "kg per capita": _("kg per capita"),
    "mg/m3": "mg/m³",
    "µg/m3": "µg/m³",
    "m3": "m³",
}


def unit_label(unit: str) -> str:
    """The unit in the active language ('persoane' for 'persons' on a Romanian page)."""
    return str(UNIT_LABELS.get(unit, unit))


FUNDING_CATEGORY_LABELS = {
    "EU grants managed at regional and national levels": _("EU grants managed at regional and national levels"),
    "EU grants managed directly by the European Commission": _(
        "EU grants managed directly by the European Commission"),
    "EU loans": _("EU loans"),
    "Private investors": _("Private investors"),
}


def funding_category_label(category: str) -> str:
    return str(FUNDING_CATEGORY_LABELS.get(category, category))


SOURCE_LABELS = {
    "DESI Timișoara (West University of Timișoara)": _("DESI Timișoara (West University of Timișoara)"),
    "West University of Timișoara": _("West University of Timișoara"),
    "First Smart City consultation, September 2021": _("First Smart City consultation, September 2021"),
    "Third online consultation (Dec 2021 – Jan 2022)": _("Third online consultation (Dec 2021 – Jan 2022)"),
    "Horizon Europe Missions": _("Horizon Europe Missions"),
    "ICC The Intelligent Cities Challenge": _("ICC The Intelligent Cities Challenge"),
    'Strategy "A Europe Ready for the Digital Age"': _('Strategy "A Europe Ready for the Digital Age"'),
    "Urad & ETA sensors": _("Urad & ETA sensors"),
}


def source_label(source: str) -> str:
    """A source or author named in the dataset (a KPI's source, who conducted a survey)."""
    return str(SOURCE_LABELS.get(source, source))
