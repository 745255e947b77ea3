"""The algorithm register (OASC MIM5): a page in Romanian and English listing every algorithm with its
parameters in force, and the same register as an open dataset (JSON + CSV); axe-clean in both languages."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client

from budgeting.models import Edition
from opendata import algorithms, registry
from participation import opinion, themes
from reports import services as report_services
from tests.a11y import assert_accessible

KEYS = {"budgeting-rules", "open-answer-themes", "opinion-groups", "air-quality-index", "report-duplicate-detection"}


def test_the_parameters_in_force_are_the_code_constants() -> None:
    by_key = {a.key: {p.name: p.value for p in a.parameters} for a in algorithms.algorithms()}
    assert set(by_key) == KEYS
    assert by_key["opinion-groups"]["MOST_ACTIVE"] == str(opinion.MOST_ACTIVE)
    assert by_key["opinion-groups"]["min_votes"] == str(opinion.build_map.__kwdefaults__["min_votes"])
    assert by_key["open-answer-themes"]["MERGE_SIMILARITY"] == str(themes.MERGE_SIMILARITY)
    assert by_key["open-answer-themes"]["MIN_SIMILARITY"] == str(themes.MIN_SIMILARITY)
    assert by_key["report-duplicate-detection"]["DUPLICATE_RADIUS_M"] == f"{report_services.DUPLICATE_RADIUS_M:g}"
    assert by_key["budgeting-rules"]["default rule"] == Edition._meta.get_field("rule").default
    with pytest.raises(LookupError):
        algorithms.constant("participation/opinion.py", "NO_SUCH_CONSTANT")


def test_every_code_and_doc_path_exists() -> None:
    for algorithm in algorithms.algorithms():
        for path in algorithm.code + algorithm.docs:
            assert (algorithms.REPOSITORY / path).is_file(), path


@pytest.mark.django_db
@pytest.mark.parametrize("lang, url", [("ro", "/ro/date-deschise/algoritmi/"), ("en", "/en/open-data/algorithms/")])
def test_the_page_lists_every_algorithm(lang: str, url: str) -> None:
    client = Client()
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    for algorithm in algorithms.algorithms():
        assert algorithm.name.get(lang) in html and algorithm.oversight.get(lang) in html
        assert algorithm.code[0] in html
    assert ("Registrul algoritmilor" if lang == "ro" else "Algorithm register") in html
    catalogue = client.get("/ro/date-deschise/" if lang == "ro" else "/en/open-data/").content.decode()
    assert f'href="{url}"' in catalogue


@pytest.mark.django_db
def test_the_register_is_a_dataset_with_json_and_csv() -> None:
    dataset = registry.get_dataset("algorithm-register")
    assert dataset is not None and dataset.room == "opendata"
    client = Client()
    by_type = {d.file_type: d for d in dataset.distributions}
    response = client.get(by_type["JSON"].url)
    assert response.status_code == 200 and response["Content-Type"].split(";")[0] == "application/json"
    body = json.loads(response.content)
    assert {entry["key"] for entry in body["algorithms"]} == KEYS
    assert all(entry["purpose"]["ro"] and entry["purpose"]["en"] for entry in body["algorithms"])
    response = client.get(by_type["CSV"].url)
    assert response.status_code == 200 and response["Content-Type"].split(";")[0] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["key"] for row in rows} == KEYS
    assert "MOST_ACTIVE=15" in next(r for r in rows if r["key"] == "opinion-groups")["parameters"]
    assert client.get("/en/open-data/algorithm-register/").status_code == 200
    assert client.post(by_type["JSON"].url).status_code == 405


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", ["/ro/date-deschise/algoritmi/", "/en/open-data/algorithms/"])
def test_the_page_is_accessible_and_fits_a_phone(browser: Any, page: Any, live_server: Any, url: str) -> None:
    assert_accessible(page, live_server.url + url)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.goto(live_server.url + url, wait_until="load")
    width = phone.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 390, width
