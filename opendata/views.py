"""The public catalogue pages: every dataset by publishing room, and a page per dataset."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.apps import apps
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from opendata import registry
from opendata import vocabularies as voc


def room_label(room: str) -> str:
    """The publishing room's name in the page's language (its AppConfig's verbose name)."""
    special = {"core": _("Neighbourhoods"), "external": _("Other portals")}
    if room in special:
        return special[room]
    try:
        return str(apps.get_app_config(room).verbose_name)
    except LookupError:
        return room


def _view(dataset: registry.Dataset, language: str) -> dict[str, Any]:
    index = 0 if language.startswith("ro") else 1
    formats = sorted({d.file_type for d in dataset.distributions})
    licence_label, licence_url = voc.LICENCES.get(dataset.licence, voc.LICENCES[voc.DEFAULT_LICENCE])
    return {
        "dataset": dataset, "title": dataset.title.get(language), "description": dataset.description.get(language),
        "formats": formats, "themes": [voc.THEMES.get(code, (code, code))[index] for code in dataset.themes],
        "frequency": voc.FREQUENCIES.get(dataset.frequency, (dataset.frequency, dataset.frequency))[index],
        "licence_label": licence_label, "licence_url": licence_url,
        "attribution": dataset.attribution.get(language) if dataset.attribution else "",
        "distributions": [{"title": d.title.get(language), "url": d.url, "file_type": d.file_type,
                           "media_type": d.media_type, "byte_size": d.byte_size, "modified": d.modified,
                           "description": d.description.get(language) if d.description else ""}
                          for d in dataset.distributions],
        "services": [{"title": s.title.get(language), "url": s.endpoint_url,
                      "description_url": s.endpoint_description_url, "conforms_to": s.conforms_to}
                     for s in dataset.services],
        "hvd": voc.HVD_CATEGORIES.get(dataset.hvd_category or ""),
        "room": room_label(dataset.room),
    }


def index(request: HttpRequest) -> HttpResponse:
    language = get_language() or "ro"
    datasets = registry.all_datasets()
    chosen_format = request.GET.get("format", "")[:20].upper()
    chosen_theme = request.GET.get("theme", "")[:10].upper()
    all_formats = sorted({d.file_type for dataset in datasets for d in dataset.distributions})
    all_themes = sorted({code for dataset in datasets for code in dataset.themes})
    if chosen_format in all_formats:
        datasets = [d for d in datasets if any(x.file_type == chosen_format for x in d.distributions)]
    else:
        chosen_format = ""
    if chosen_theme in all_themes:
        datasets = [d for d in datasets if chosen_theme in d.themes]
    else:
        chosen_theme = ""
    by_room: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for dataset in datasets:
        by_room[dataset.room].append(_view(dataset, language))
    index_of = 0 if language.startswith("ro") else 1
    return render(request, "opendata/index.html", {
        "rooms": [{"room": room, "label": room_label(room), "datasets": rows} for room, rows in by_room.items()],
        "count": len(datasets), "formats": all_formats, "chosen_format": chosen_format,
        "themes": [(code, voc.THEMES.get(code, (code, code))[index_of]) for code in all_themes],
        "chosen_theme": chosen_theme,
    })


def dataset_detail(request: HttpRequest, name: str) -> HttpResponse:
    dataset = registry.get_dataset(name)
    if dataset is None:
        raise Http404(_("No such dataset."))
    language = get_language() or "ro"
    context = _view(dataset, language)
    context["first_csv"] = next((d for d in dataset.distributions if d.file_type == "CSV"), None)
    return render(request, "opendata/dataset.html", context)
