"""The dataset's Romanian: every text has one, and a reload brings it in without touching live monitoring."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from strategy.dataset import Text, read
from tests.conftest import DATASET


def _texts(node: Any, path: str) -> list[tuple[str, Text]]:
    if isinstance(node, Text):
        return [(path, node)]
    if isinstance(node, BaseModel):
        return [t for name in type(node).model_fields for t in _texts(getattr(node, name), f"{path}.{name}")]
    if isinstance(node, list):
        return [t for i, item in enumerate(node) for t in _texts(item, f"{path}[{i}]")]
    return []


def test_every_text_of_the_dataset_has_a_romanian_translation() -> None:
    texts = _texts(read(DATASET), "")
    assert len(texts) > 300
    missing = [path for path, text in texts if text.en and not text.ro]
    assert not missing, missing[:20]


@pytest.mark.django_db
def test_a_reload_updates_romanian_texts_and_keeps_live_status_and_progress(strategy_data: None, editor: Any) -> None:
    from strategy.loading import load_dataset
    from strategy.models import KPI, Project
    from strategy.services import change_project_status, set_project_progress

    project = Project.objects.get(code="A1.O1.P1")
    change_project_status(editor, project, "in_progress", note="Started.")
    set_project_progress(editor, Project.objects.get(code="A1.O1.P1"), 40)

    data = read(DATASET)
    entry = data.ambitions[0].objectives[0].projects[0]
    assert entry.code == "A1.O1.P1" and entry.description is not None and entry.notes is not None
    entry.description.ro = "Descriere revizuită."
    entry.notes.ro = "Notă revizuită."
    data.ambitions[0].kpis[0].notes = Text(en="Kind not marked.", ro="Tipul nu este marcat.")
    load_dataset(data, actor="tests")

    project = Project.objects.get(code="A1.O1.P1")
    assert (project.description_ro, project.notes_ro) == ("Descriere revizuită.", "Notă revizuită.")
    assert project.description_en.startswith("the new paradigm")
    assert (project.status, project.progress) == ("in_progress", 40)
    kpi = KPI.objects.get(code=data.ambitions[0].kpis[0].code)
    assert (kpi.notes_en, kpi.notes_ro) == ("Kind not marked.", "Tipul nu este marcat.")
