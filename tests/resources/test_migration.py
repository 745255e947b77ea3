"""Participation's organisations move to resources with their ids, and participation's rows keep
pointing at them (resources 0002 + participation 0008)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("participation", "0007_map_state_and_theme_run_details"), ("resources", "0001_initial")]
AFTER = [("participation", "0008_organisations_moved_to_resources"), ("resources", "0003_full_text_search")]


@pytest.mark.django_db(transaction=True)
def test_organisations_and_their_links_survive_the_move(make_user: Any, strategy_data: None) -> None:
    user = make_user()
    executor = MigrationExecutor(connection)
    try:
        _move(executor, user)
    finally:  # back to the latest state whatever happened, so the database can be flushed
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def _move(executor: MigrationExecutor, user: Any) -> None:
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    organisation = old.get_model("participation", "Organisation").objects.create(
        slug="asociatia-veche", name="Asociația Veche", kind="ngo", description="Grădini comunitare", verified=True)
    old.get_model("participation", "Representative").objects.create(
        organisation_id=organisation.pk, user_id=user.pk, position="președintă", listed_publicly=True)
    ambition = old.get_model("strategy", "Ambition").objects.first()
    proposal = old.get_model("participation", "Proposal").objects.create(
        ambition_id=ambition.pk, title="Bănci în parc", body="…", organisation_id=organisation.pk)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    moved = new.get_model("resources", "Organisation").objects.get(pk=organisation.pk)
    assert (moved.slug, moved.name, moved.kind, moved.verified) == ("asociatia-veche", "Asociația Veche", "ngo", True)
    assert moved.verified_at is not None
    representative = new.get_model("resources", "Representative").objects.get(organisation_id=moved.pk)
    assert (representative.user_id, representative.position) == (user.pk, "președintă")
    assert new.get_model("participation", "Proposal").objects.get(pk=proposal.pk).organisation_id == moved.pk
    # The id sequence moved past the copied rows: a new organisation gets a fresh id.
    fresh = new.get_model("resources", "Organisation").objects.create(slug="noua", name="Nouă", kind="ngo")
    assert fresh.pk > moved.pk
