"""The catalogue pages in Romanian and English: every dataset, filters, a page per dataset with its
downloads, licence and demo note; axe-clean and 390 px wide without sideways scrolling."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.test import Client

from opendata import registry
from tests.a11y import assert_accessible
from tests.opendata.conftest import load_room_demos

PHONE = {"width": 390, "height": 844}


@pytest.mark.django_db
@pytest.mark.parametrize("lang, index", [("ro", "/ro/date-deschise/"), ("en", "/en/open-data/")])
def test_the_catalogue_lists_every_dataset_with_its_downloads(demo_everywhere: None, lang: str, index: str) -> None:
    client = Client()
    response = client.get(index)
    assert response.status_code == 200
    html = response.content.decode()
    datasets = registry.all_datasets()
    for dataset in datasets:
        assert dataset.title.get(lang) in html.replace("&#x27;", "'").replace("&quot;", '"'), dataset.name
        for distribution in dataset.distributions:
            assert f'href="{distribution.url}"' in html
    assert 'href="/catalog.ttl"' in html and ("Date deschise" if lang == "ro" else "Open data") in html
    filtered = client.get(index, {"format": "ICS"}).content.decode()
    assert "/participation/events.ics" in filtered and "/data/strategy/kpis.csv" not in filtered
    assert client.get(index, {"theme": "ENVI"}).content.decode().count("dataset-card") == 2
    assert client.get(index, {"format": "<script>"}).status_code == 200  # unknown filters are ignored


@pytest.mark.django_db
def test_a_dataset_page_shows_licence_downloads_and_the_demo_note(demo_everywhere: None,
                                                                  django_assert_max_num_queries: Any) -> None:
    client = Client()
    # Every provider is read once per page: a bounded number of queries, however many rows the rooms hold.
    with django_assert_max_num_queries(30):
        assert client.get("/en/open-data/").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get("/en/open-data/strategy-kpis/").status_code == 200
    html = client.get("/ro/date-deschise/problem-reports/").content.decode()
    assert "Creative Commons Attribution 4.0" in html and "rânduri demonstrative" in html
    assert 'href="/data/reports/problem-reports.csv"' in html and 'href="/open311/v2/"' in html
    assert 'href="/dataset/problem-reports.ttl"' in html and "pd.read_csv" in html
    html = client.get("/en/open-data/neighbourhoods/").content.decode()
    assert "Open Database License" in html and "© OpenStreetMap contributors" in html
    html = client.get("/en/open-data/air-quality-aggregates/").content.decode()
    assert "2023/138" in html
    assert client.get("/en/open-data/no-such-dataset/").status_code == 404
    assert client.get("/ro/date-deschise/Not_A-Slug!/").status_code == 404


@pytest.fixture
def seeded(live_server: Any, strategy_data: None) -> str:
    load_room_demos()
    return str(live_server.url)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["ro", "en"])
def test_the_pages_are_accessible_and_fit_a_phone(browser: Any, page: Any, seeded: str, lang: str) -> None:
    base = "/ro/date-deschise/" if lang == "ro" else "/en/open-data/"
    # The catalogue with a facet ticked and a search; air quality has a chart and its data table.
    paths = [base, f"{base}?theme=ENVI&format=CSV&q=aer*", f"{base}problem-reports/", f"{base}air-quality-aggregates/",
             f"{base}neighbourhoods/", f"{base}strategy-kpis/"]
    for path in paths:
        assert_accessible(page, seeded + path)
    context = browser.new_context(viewport=PHONE)
    phone = context.new_page()
    problems = []
    for path in paths:
        phone.goto(seeded + path, wait_until="load")
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{path}: {width} px")
    if lang == "ro" and os.environ.get("OPENDATA_SCREENSHOTS"):  # for a person to look at
        phone.goto(seeded + base)
        phone.screenshot(path=os.path.join(os.environ["OPENDATA_SCREENSHOTS"], "catalogue-390.png"), full_page=True)
        wide = context.new_page()
        wide.set_viewport_size({"width": 1280, "height": 900})
        wide.goto(seeded + f"{base}air-quality-aggregates/")
        wide.screenshot(path=os.path.join(os.environ["OPENDATA_SCREENSHOTS"], "dataset-1280.png"), full_page=True)
        phone.goto(seeded + f"{base}air-quality-aggregates/")
        phone.screenshot(path=os.path.join(os.environ["OPENDATA_SCREENSHOTS"], "dataset-390.png"), full_page=True)
    context.close()
    assert not problems, problems
