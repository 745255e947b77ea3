"""The map's data, the list and the search cost a fixed number of queries, however many items there are
(the 50,000-item timings are in bench/resources.py)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.test import Client

from resources.models import MapItem
from resources.text import fold
from tests.resources.pages import page_url

pytestmark = pytest.mark.django_db
CITY = "21.12,45.68,21.38,45.82"
SQUARE = "21.220,45.750,21.240,45.762"


def _items(count: int) -> None:
    rng = random.Random(count)
    MapItem.objects.bulk_create([MapItem(
        layer="organisation", object_id=n + 1, kind="ngo", title=f"Asociația {n}", slug=f"a-{n}",
        latitude=rng.uniform(45.68, 45.82), longitude=rng.uniform(21.12, 21.38),
        search_text=fold(f"Asociația {n} grădină comunitară")) for n in range(count)])


@pytest.mark.parametrize("count", [50, 900])
def test_map_data_takes_at_most_two_queries_at_any_size(count: int, django_assert_num_queries: Any) -> None:
    _items(count)
    client = Client()
    # How many are in view, then the points themselves or (many) the grid's cell counts.
    with django_assert_num_queries(2):
        body = client.get("/resources/map.json", {"bbox": CITY}).json()
    assert body["clustered"] is (count > 400) and body["total"] == count
    if count > 400:
        assert sum(feature["properties"]["count"] for feature in body["features"]) == count
        with django_assert_num_queries(1):  # the cell counts are cached until the index changes
            client.get("/resources/map.json", {"bbox": CITY})
    with django_assert_num_queries(2):
        zoomed = client.get("/resources/map.json", {"bbox": SQUARE, "q": "gradina"}).json()
    assert zoomed["clustered"] is False


@pytest.mark.parametrize("count", [5, 200])
def test_list_page_and_search_take_a_fixed_number_of_queries(count: int, django_assert_max_num_queries: Any) -> None:
    _items(count)
    with django_assert_max_num_queries(6):  # neighbourhoods, count, page, demo flag (+ session/page cache)
        response = Client().get(page_url("map"), {"q": "comunitara"})
    assert response.context["page"].paginator.count == count
