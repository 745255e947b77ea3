"""Importing an irregular Pabulib file as an edition keeps what was irregular (never silently)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from budgeting import services
from tests.budgeting.test_pb_pabulib_irregular import APPROVAL

pytestmark = pytest.mark.django_db

REPEATED = APPROVAL.replace("a;1,2;30", "a;1,2,1;30").replace("num_votes;3", "num_votes;4")


def test_the_edition_keeps_the_warnings_and_the_audit_counts_them() -> None:
    from core.models import AuditEntry

    edition = services.import_pabulib("tests", REPEATED, slug="irregular")
    assert edition.pabulib_meta["warning_count"] == 2
    assert edition.pabulib_meta["warnings"] == [
        "VOTES line 15: field 'vote': project '1' appears twice; counted once, at its first place (as pabutools does)",
        "META line 7: field 'num_votes': says '4' but VOTES has 3 rows; set to 3",
    ]
    event = AuditEntry.objects.filter(action="budgeting.edition.imported").latest("pk")
    assert event.changes["pabulib_warnings"] == 2


def test_the_command_prints_them(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "irregular.pb"
    path.write_text(REPEATED, encoding="utf-8")
    err = io.StringIO()
    call_command("import_pabulib", str(path), "--slug", "irregular", stdout=io.StringIO(), stderr=err)
    assert "warning: irregular.pb: VOTES line 15: field 'vote': project '1' appears twice" in err.getvalue()
