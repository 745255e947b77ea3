"""The public catalogue pages: every dataset by publishing room, and a page per dataset."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.apps import apps
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.charts import PAD_LEFT, PAD_RIGHT, Point, Series, line_chart, svg_number
from opendata import preview, registry, timeseries
from opendata import vocabularies as voc
from opendata.ckan import actions, search


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
        "hvd": (voc.HVD_CATEGORIES_RO if language.startswith("ro") else voc.HVD_CATEGORIES).get(
            dataset.hvd_category or ""),
        "room": room_label(dataset.room),
    }


PAGE_SIZE = 20
# The catalogue's facets: (query parameter, CKAN search field). A dataset matches when it has one of the values
# ticked in a facet (OR) and does so in every facet with a tick (AND); counts follow that rule (each facet is
# counted with the other facets' ticks applied, not its own), so a count says what ticking the box adds.
FACETS = (("theme", "groups"), ("org", "organization"), ("format", "res_format"), ("licence", "license_id"))
MAX_TICKS = 30  # values per facet read from the query string; more is not a person using the page
MAX_QUERY = 500  # characters of q (the search box's maxlength); CKAN's own limit is 10,000


def _phrase(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _filter_clause(field_name: str, values: list[str]) -> str:
    return f"{field_name}:({' OR '.join(_phrase(value) for value in values)})"


def _url_value(parameter: str, search_value: str) -> str:
    """The value as the page's query string spells it: theme codes in capitals, as before facets existed."""
    return search_value.upper() if parameter == "theme" else search_value


def _search_value(parameter: str, url_value: str) -> str:
    return url_value.lower() if parameter == "theme" else url_value


class _BadParameter(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _search(catalogue: actions.Catalogue, q: str, ticked: dict[str, list[str]], *, leave_out: str = "",
            facets: tuple[str, ...] = (), rows: int = 0, start: int = 0) -> dict[str, Any]:
    """CKAN's package_search itself (what /api/3/action/package_search answers), with the ticks as fq."""
    fq_list = [_filter_clause(field_name, [_search_value(parameter, v) for v in ticked[parameter]])
               for parameter, field_name in FACETS if ticked[parameter] and parameter != leave_out]
    try:
        return actions.package_search(catalogue, {"q": q, "fq_list": fq_list, "rows": rows, "start": start,
                                                  "facet.field": list(facets), "facet.limit": -1})
    except (search.SearchQueryError, search.SearchError, actions.ValidationError) as error:
        raise _BadParameter(400, _("q: the search could not be understood (%(reason)s). Try plain words.")
                            % {"reason": str(error)[:200]}) from error


def _facet_label(parameter: str, value: str, display_name: str, language_index: int) -> str:
    if parameter == "theme":
        return voc.THEMES.get(value, (value, value))[language_index]
    if parameter == "org":
        if value in ("core", "external"):
            return room_label(value)
        try:
            return str(apps.get_app_config(value).verbose_name)
        except LookupError:
            return display_name  # a harvested portal's publisher: its own name
    if parameter == "licence":
        code = next((eu for eu, ckan in actions.EU_TO_CKAN_LICENCE.items() if ckan == value), None)
        return voc.LICENCES[code][0] if code else display_name
    return display_name


def _query_string(q: str, ticked: dict[str, list[str]], page: int = 1) -> str:
    pairs = [("q", q)] if q else []
    pairs += [(parameter, value) for parameter, _field in FACETS for value in ticked[parameter]]
    if page > 1:
        pairs.append(("page", str(page)))
    return urlencode(pairs)


def _page_number(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise _BadParameter(400, _("page: expected a whole number from 1."))
    return int(raw) if len(raw) <= 9 else 10**9


def _known_values(answer: dict[str, Any] | None) -> dict[str, dict[str, tuple[str, str]]]:
    """parameter → folded URL value → (URL value, display name), from a package_search answer's facets."""
    known: dict[str, dict[str, tuple[str, str]]] = {parameter: {} for parameter, _field in FACETS}
    for parameter, field_name in FACETS:
        for item in (answer or {}).get("search_facets", {}).get(field_name, {}).get("items", []):
            url_value = _url_value(parameter, item["name"])
            known[parameter][url_value.casefold()] = (url_value, item["display_name"])
    return known


def index(request: HttpRequest) -> HttpResponse:
    """The catalogue: search (q, as the CKAN API's package_search), facets, paging."""
    language = get_language() or "ro"
    language_index = 0 if language.startswith("ro") else 1
    catalogue = actions.Catalogue(request.build_absolute_uri("/").rstrip("/"))
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    facet_fields = tuple(field_name for _parameter, field_name in FACETS)
    # Only values that exist are kept (an unknown or hostile value is ignored, as before facets existed). With no
    # tick asked for, the page's own search gives the values to show, and this search over everything is spared.
    requested = any(request.GET.getlist(parameter) for parameter, _field in FACETS)
    known = _known_values(actions.package_search(catalogue, {
        "rows": 0, "facet.field": list(facet_fields), "facet.limit": -1})) if requested else _known_values(None)
    ticked: dict[str, list[str]] = {}
    for parameter, _field in FACETS:
        chosen = [known[parameter].get(value.strip()[:100].casefold()) for value in
                  request.GET.getlist(parameter)[:MAX_TICKS]]
        ticked[parameter] = sorted({entry[0] for entry in chosen if entry})
    context: dict[str, Any] = {"q": q, "page_size": PAGE_SIZE, "results": [], "count": 0, "error": "",
                               "facets": [], "chips": [], "pages": [], "page": 1, "last_page": 1}
    status = 200
    try:
        page = _page_number(request.GET.get("page", "1").strip())
        found = _search(catalogue, q, ticked, facets=() if any(ticked.values()) else facet_fields,
                        rows=PAGE_SIZE, start=min(page - 1, 10**6) * PAGE_SIZE)
        if not requested:
            known = _known_values(found)
        last_page = max(1, -(-found["count"] // PAGE_SIZE))
        context.update(count=found["count"], page=page, last_page=last_page)
        if page > last_page:
            context["last_page_url"] = "?" + _query_string(q, ticked, last_page)
            raise _BadParameter(404, _("page: there is no page %(page)s; the last page is %(last)s.")
                                % {"page": page, "last": last_page})
        counts = {field_name: found["facets"].get(field_name) for field_name in facet_fields}
        for parameter, field_name in FACETS:
            if counts[field_name] is None:  # ticks in some facet: count each facet without its own ticks
                counts[field_name] = _search(catalogue, q, ticked, leave_out=parameter, facets=(field_name,))[
                    "facets"][field_name]
    except _BadParameter as problem:
        status = problem.status
        context["error"] = problem.message
        counts = {field_name: {} for field_name in facet_fields}
        found = {"results": [], "count": 0}
    by_name = {dataset.name: dataset for dataset in catalogue.datasets}
    context["results"] = [_view(by_name[package["name"]], language) for package in found["results"]
                          if package["name"] in by_name]
    legends = {"theme": _("Theme"), "org": _("Publisher"), "format": _("Format"), "licence": _("Licence")}
    for parameter, field_name in FACETS:
        items = []
        for folded, (url_value, display_name) in known[parameter].items():
            count = counts[field_name].get(_search_value(parameter, url_value), 0)
            checked = url_value in ticked[parameter]
            if count or checked:
                items.append({"value": url_value, "count": count, "checked": checked, "id": f"{parameter}-{folded}",
                              "label": _facet_label(parameter, url_value, display_name, language_index)})
        items.sort(key=lambda item: (-item["count"], str(item["label"]).casefold()))
        context["facets"].append({"parameter": parameter, "legend": legends[parameter], "items": items})
        for url_value in ticked[parameter]:
            without = {key: [v for v in values if not (key == parameter and v == url_value)]
                       for key, values in ticked.items()}
            label = _facet_label(parameter, url_value, known[parameter][url_value.casefold()][1], language_index)
            context["chips"].append({"legend": legends[parameter], "label": label,
                                     "url": "?" + _query_string(q, without)})
    context["ticked_pairs"] = [(parameter, value) for parameter, _f in FACETS for value in ticked[parameter]]
    context["clear_url"] = "?" + _query_string(q, {parameter: [] for parameter, _f in FACETS})
    if context["last_page"] > 1 and not context["error"]:
        context["pages"] = [{"number": number, "url": "?" + _query_string(q, ticked, number),
                             "current": number == context["page"]} for number in range(1, context["last_page"] + 1)
                            if number in (1, context["last_page"]) or abs(number - context["page"]) <= 2]
        for before, after in zip(context["pages"], context["pages"][1:], strict=False):
            after["gap_before"] = after["number"] - before["number"] > 1
        if context["page"] > 1:
            context["previous_url"] = "?" + _query_string(q, ticked, context["page"] - 1)
        if context["page"] < context["last_page"]:
            context["next_url"] = "?" + _query_string(q, ticked, context["page"] + 1)
    context["first_shown"] = (context["page"] - 1) * PAGE_SIZE + 1
    context["last_shown"] = context["first_shown"] + len(context["results"]) - 1
    context["api_url"] = "/api/3/action/package_search?" + urlencode({"q": q}) if q else ""
    return render(request, "opendata/index.html", context, status=status)


CHART_ROWS = 2000  # rows read to find the first series of a time-series CSV (the preview shows the first few)
CSV_FILES_TRIED = 3  # CSV files of a dataset looked at for a time series (KPIs: the second is the measurements)
LOCAL_TIME = ZoneInfo("Europe/Bucharest")
CHART_WIDTH, CHART_HEIGHT = 480, 260  # drawing units: narrow enough that labels stay readable on a phone


def _local_time(series: timeseries.TimeSeries, point: timeseries.SeriesPoint) -> str:
    """A point's time as people here read it: the day, or the date and hour in Romania's time, in the page's
    language (the file's own cell, often UTC, stays in the table's `<time datetime>`)."""
    if series.dated:
        return date_format(point.time.date(), "DATE_FORMAT")
    return date_format(point.time.astimezone(LOCAL_TIME), "DATETIME_FORMAT")


def _drawing(series: timeseries.TimeSeries) -> dict[str, object]:
    """The site's line chart (core.charts) with the time axis named in local days or hours."""
    xs = [point.time.timestamp() for point in series.points]
    drawing = line_chart([Series(name=series.label or series.value_column, css_class="measured", points=[
        Point(x, point.value, f"{_local_time(series, point)}: {point.value_text}")
        for x, point in zip(xs, series.points, strict=True)])],
                         width=CHART_WIDTH, height=CHART_HEIGHT)
    plot_width = CHART_WIDTH - PAD_LEFT - PAD_RIGHT
    drawing["x_ticks"] = [{"x": svg_number(PAD_LEFT + (xs[index] - xs[0]) / (xs[-1] - xs[0]) * plot_width),
                           "label": label, "anchor": "end" if index == len(xs) - 1 else "middle"}  # kept inside
                          for index, label in timeseries.time_labels(series.points, LOCAL_TIME)]
    return drawing


def _preview_and_chart(dataset: registry.Dataset, language: str) -> dict[str, Any]:
    """The first rows of the first CSV file, and a chart of the first CSV file that is a time series."""
    # A harvested dataset's files belong to its portal: never read, even when its links look like our paths.
    files = [] if actions.is_harvested(dataset) else [d for d in dataset.distributions if d.file_type == "CSV"][
        :CSV_FILES_TRIED]
    context: dict[str, Any] = {"preview": None, "preview_unavailable": False, "chart": None}
    for position, distribution in enumerate(files):
        try:
            read = preview.read_rows(distribution.url, preview.PREVIEW_ROWS + 1, series_limit=CHART_ROWS)
        except preview.Unavailable:
            if position == 0:
                context["preview_unavailable"] = True
            continue
        if position == 0:
            context["preview"] = {"title": distribution.title.get(language), "url": distribution.url,
                                  "columns": [column.name for column in read.columns],
                                  "rows": read.rows[:preview.PREVIEW_ROWS],
                                  "more": len(read.rows) > preview.PREVIEW_ROWS}
        series = timeseries.find_time_series(read.columns, read.rows, primary_key=read.primary_key,
                                             schema_known=read.schema_known, tz=LOCAL_TIME)
        if series is not None:
            context["chart"] = {"drawing": _drawing(series), "series": series,
                                "rows": [{"cell": point.time_text, "local": _local_time(series, point),
                                          "value": point.value_text} for point in series.points],
                                "file_title": distribution.title.get(language), "file_url": distribution.url}
            break
    return context


def dataset_detail(request: HttpRequest, name: str) -> HttpResponse:
    dataset = registry.get_dataset(name)
    if dataset is None:
        raise Http404(_("No such dataset."))
    language = get_language() or "ro"
    context = _view(dataset, language)
    context["first_csv"] = next((d for d in dataset.distributions if d.file_type == "CSV"), None)
    context.update(_preview_and_chart(dataset, language))
    context["package_show_url"] = "/api/3/action/package_show?" + urlencode({"id": dataset.name})
    return render(request, "opendata/dataset.html", context)
