"""The catalogue's search, facets and paging (the same answers as the CKAN API's package_search), and the dataset
page's preview table and time-series chart, read in-process from the live data."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from html import unescape as html_unescape
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.formats import date_format

from opendata import preview, tables, views
from tests.opendata.test_harvest import RemotePortal, harvest

CARD = re.compile(r'<li class="dataset-card">\s*<h3><a href="/en/open-data/([a-z0-9_-]+)/">')
FACET = re.compile(r'name="(theme|org|format|licence)" value="([^"]+)"( checked)?>\s*<label for="[^"]+">[^<]*'
                   r'<span class="facet-count">\((\d+)\)</span>')
FIELD_OF = dict(views.FACETS)


def api_search(client: Client, **data: Any) -> dict[str, Any]:
    params = {key: json.dumps(value) if isinstance(value, list) else value for key, value in data.items()}
    response = client.get("/api/3/action/package_search", {"rows": 1000, **params})
    assert response.status_code == 200, response.content
    return dict(response.json()["result"])


def names_on(html: str) -> list[str]:
    return CARD.findall(html)


def facets_on(html: str) -> dict[tuple[str, str], tuple[int, bool]]:
    return {(parameter, value): (int(count), bool(checked)) for parameter, value, checked, count in FACET.findall(html)}


@pytest.mark.django_db
def test_search_facets_and_paging_answer_as_package_search(demo_everywhere: None, monkeypatch: Any) -> None:
    client = Client()
    for q in ("", "calitatea", "strategie OR aerului", '"date deschise"', "-strategie", "title:buget*", "Primăria"):
        html = client.get("/en/open-data/", {"q": q}).content.decode()
        expected = api_search(client, q=q)
        assert names_on(html) == [package["name"] for package in expected["results"]], q
        assert f"{expected['count']} dataset" in html, q
    # Facet counts without a tick are package_search's facets, value for value.
    html = client.get("/en/open-data/").content.decode()
    shown = facets_on(html)
    everything = api_search(client, rows=0, **{"facet.field": list(FIELD_OF.values()), "facet.limit": -1})
    expected_counts = {(parameter, value.upper() if parameter == "theme" else value): count
                       for parameter, field_name in FIELD_OF.items()
                       for value, count in everything["facets"][field_name].items()}
    assert {key: count for key, (count, _checked) in shown.items()} == expected_counts
    assert ("licence", "ODbL-1.0") in shown and ("org", "environment") in shown
    # Ticks: OR within a facet, AND across facets; each facet is counted with the other facets' ticks only.
    html = client.get("/en/open-data/", {"theme": ["ENVI", "GOVE"], "format": "JSON"}).content.decode()
    combined = api_search(client, fq_list=['groups:("envi" OR "gove")', 'res_format:("JSON")'])
    assert names_on(html) == [package["name"] for package in combined["results"]] and combined["count"] >= 1
    shown = facets_on(html)
    assert shown[("theme", "ENVI")][1] and shown[("format", "JSON")][1]
    formats_without_own_tick = api_search(client, rows=0, fq_list=['groups:("envi" OR "gove")'],
                                          **{"facet.field": ["res_format"]})["facets"]["res_format"]
    assert {value: count for (parameter, value), (count, _c) in shown.items() if parameter == "format"} == \
        formats_without_own_tick
    # Each chosen value can be removed on its own; unknown values are ignored, known ones matched without case.
    assert 'href="?theme=GOVE&amp;format=JSON"' in html and 'href="?theme=ENVI&amp;theme=GOVE"' in html
    assert names_on(client.get("/en/open-data/", {"theme": ["envi", "NOPE"], "org": "../../etc"}).content.decode()) \
        == names_on(client.get("/en/open-data/", {"theme": "ENVI"}).content.decode())
    # Paging: page numbers in the query string, aria-current on the page shown, every dataset once.
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    total = api_search(client)["count"]
    last = -(-total // 4)
    seen: list[str] = []
    for number in range(1, last + 1):
        html = client.get("/en/open-data/", {"page": number}).content.decode()
        seen += names_on(html)
        assert f'aria-current="page"><span class="visually-hidden">Page </span>{number}</a>' in html
        assert ('rel="prev"' in html) == (number > 1) and ('rel="next"' in html) == (number < last)
    assert seen == [package["name"] for package in api_search(client)["results"]] and len(seen) == total
    beyond = client.get("/en/open-data/", {"page": last + 1})
    assert beyond.status_code == 404 and f'href="?page={last}"' in beyond.content.decode()


@pytest.mark.django_db
def test_hostile_queries_answer_4xx_or_a_page_never_an_error(demo_everywhere: None) -> None:
    client = Client()
    for params in ({"page": "-1"}, {"page": "abc"}, {"page": "0"}, {"page": "1e3"}):
        response = client.get("/ro/date-deschise/", params)
        assert response.status_code == 400 and "page:" in response.content.decode(), params
    assert client.get("/ro/date-deschise/", {"page": "9" * 40}).status_code == 404
    for q in ('"unterminated', "((((", "title:[a TO", "\\", "a AND (b"):
        response = client.get("/ro/date-deschise/", {"q": q})
        assert response.status_code == 400 and "q: " in response.content.decode(), q
    for q in ("<script>alert(1)</script>", "*:*", "AND", "' OR 1=1 --", "ñ" * 400, "NOT NOT x", "a:b:c",
              "x" * 20_000):  # the box takes 500 characters: a longer q is cut, as the browser would
        response = client.get("/ro/date-deschise/", {"q": q})
        assert response.status_code in (200, 400), q
        assert "<script>alert" not in response.content.decode()
    html = client.get("/ro/date-deschise/", {"q": "nimicnimic"}).content.decode()
    assert "0 seturi de date" in html and "Niciun set de date" in html


@pytest.mark.django_db
def test_the_catalogue_reads_the_rooms_once_whatever_is_ticked(demo_everywhere: None) -> None:
    client = Client()
    client.get("/en/open-data/")  # warm: translations, content types
    with CaptureQueriesContext(connection) as plain:
        client.get("/en/open-data/")
    with CaptureQueriesContext(connection) as searched:
        response = client.get("/en/open-data/", {"q": "date", "theme": "GOVE", "format": ["CSV", "JSON"],
                                                 "licence": "CC-BY-4.0"})
    assert response.status_code == 200
    # Facet counts and the page are searches in memory over one read of the registry.
    assert len(searched.captured_queries) == len(plain.captured_queries) <= 30


@pytest.mark.django_db
def test_a_dataset_page_previews_its_first_csv_and_charts_a_time_series(demo_everywhere: None,
                                                                       monkeypatch: Any) -> None:
    client = Client()
    html = client.get("/ro/date-deschise/problem-reports/").content.decode()
    table = html[html.index('<table class="preview-table">'):html.index("</table>", html.index("preview-table"))]
    assert '<th scope="col">' in table and "primele" in table.lower()
    assert 0 < table.count("<tr>") - 1 <= preview.PREVIEW_ROWS
    assert "<svg" not in html  # problem reports are not a time series
    # The use-it box: the CSV link for a spreadsheet, three lines for pandas and R, the CKAN call.
    assert 'href="/data/reports/problem-reports.csv">http://testserver/data/reports/problem-reports.csv' in html
    assert "print(df.head())" in html and "head(df)" in html
    assert 'href="/api/3/action/package_show?id=problem-reports"' in html
    assert client.get("/api/3/action/package_show?id=problem-reports").status_code == 200
    # A file served by a room's own view (not a declared table) is read through that view, capped; what is not
    # a CSV file of this site is not read.
    read = preview.read_rows("/resources/resources.csv", 3)
    assert read.columns[0].name == "layer" and len(read.rows) <= 3 and not read.schema_known
    for url in ("https://example.org/data.csv", "//example.org/a.csv", "/no/such/file.csv",
                "/data/opendata/algorithms.json", "/data/reports/nope.csv"):
        with pytest.raises(preview.Unavailable):
            preview.read_rows(url, 3)
    # Air quality: the hourly means of the first sensor and quantity, drawn and tabled with the same numbers.
    html = client.get("/en/open-data/air-quality-aggregates/").content.decode()
    assert '<svg viewBox="0 0 480 260" role="img" aria-labelledby="chart-caption chart-desc"' in html
    data = html[html.index('<table class="chart-data">'):]
    data = data[:data.index("</table>")]
    values = re.findall(r'<th scope="row"><time datetime="([^"]+)">([^<]+)</time></th><td>([^<]+)</td>', data)
    assert len(values) >= 2 and '<th scope="col">mean (' in data
    # The table names each hour in Romania's time, as the axis does; the file's own cell (UTC) is kept.
    with translation.override("en"):
        for cell, local, _value in values:
            moment = dt.datetime.fromisoformat(cell.replace("Z", "+00:00"))
            expected = date_format(moment.astimezone(ZoneInfo("Europe/Bucharest")), "DATETIME_FORMAT")
            assert html_unescape(local) == expected and cell not in local
    assert html.count("<polyline") >= 1 and "hour" in data
    # A room's table that fails gives a note, not an error page.
    def failing_rows(part: str | None) -> list[list[Any]]:
        raise RuntimeError("the room's database is away")

    real = tables.get_table("reports", "problem-reports")
    assert real is not None
    broken = tables.Table("reports", "problem-reports", real.schema, failing_rows)
    monkeypatch.setattr(preview.tables, "get_table", lambda room, key: broken)
    response = client.get("/en/open-data/problem-reports/")
    assert response.status_code == 200 and "preview-note" in response.content.decode()


@pytest.fixture
def remote_portal() -> Iterator[RemotePortal]:
    remote = RemotePortal()  # the CKAN portal of test_harvest.py, on loopback
    yield remote
    remote.close()


@pytest.mark.django_db
def test_a_harvested_portal_is_a_publisher_facet_and_its_files_are_not_read(remote_portal: RemotePortal) -> None:
    portal = remote_portal
    harvest(portal)
    client = Client()
    html = client.get("/ro/date-deschise/").content.decode()
    assert ("org", "primariatm") in facets_on(html) and "Primăria Timișoara" in html
    html = client.get("/ro/date-deschise/", {"org": "primariatm", "q": "transport"}).content.decode()
    expected = api_search(client, q="transport", fq_list=['organization:("primariatm")'])
    assert expected["count"] >= 1 and re.findall(r'<h3><a href="/ro/date-deschise/([a-z0-9_-]+)/">', html) == [
        package["name"] for package in expected["results"]]
    requests_before = len(portal.requests)
    page = client.get("/ro/date-deschise/transportul-public/")
    assert page.status_code == 200 and "preview-table" not in page.content.decode()
    assert len(portal.requests) == requests_before  # the page asked the portal nothing
