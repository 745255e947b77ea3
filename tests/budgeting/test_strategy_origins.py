"""A budgeting project selected for funding becomes a strategic sub-project whose page says where it came
from (strategy.origins, filled by budgeting), and the budgeting page links to it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from budgeting.models import Project
from tests.budgeting.conftest import finish, make_edition
from tests.budgeting.test_results import vote_codes

pytestmark = pytest.mark.django_db


def test_a_selected_project_links_both_ways(client: Client, strategy_data: None) -> None:
    edition = make_edition(slug="pb-origins")
    vote_codes(edition, [{1: 1}, {1: 1}, {2: 1}])
    finish(edition)
    selected = Project.objects.select_related("strategy_project").get(edition=edition, number=1)
    assert selected.selected and selected.strategy_project is not None
    with translation.override("en"):
        strategy_url, budgeting_url = selected.strategy_project.get_absolute_url(), selected.get_absolute_url()
    strategy_page = client.get(strategy_url).content.decode()
    assert "Participatory budget: selected for funding" in strategy_page
    assert budgeting_url in strategy_page and "2 votes" in strategy_page
    assert strategy_url in client.get(budgeting_url).content.decode()
