"""What staff read about how an opinion map was made (issue 18 part 4): the method, parameters and the
quality figures (coverage and silhouette), in the page's language with its own number format."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from participation import services
from participation.models import Conversation, Statement

pytestmark = pytest.mark.django_db


def test_staff_read_the_maps_coverage_and_silhouette_in_romanian(client: Client, strategy_data: None,
                                                                 make_verified: Any, moderator: Any) -> None:
    now = timezone.now()
    conversation = Conversation.objects.create(
        slug="harta", title_en="How should Timișoara move?", title_ro="Cum ar trebui să se miște Timișoara?",
        opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=9), published=True, min_votes=3)
    statements = [Statement.objects.create(conversation=conversation, text=text, status=Statement.Status.ACCEPTED)
                  for text in ("Mai multe linii de tramvai", "Mai puține mașini", "Parcare mai ieftină",
                               "Piste de biciclete")]
    for i in range(16):
        voter = make_verified(email=f"camp{i}@example.org")
        for j, statement in enumerate(statements):
            services.vote_on_statement(voter, statement, 1 if (j < 2) == (i < 8) else -1)
    # Below the vote threshold (16 reach it, more than 15, so no top-up): counted, not placed.
    few = make_verified(email="one-vote@example.org")
    services.vote_on_statement(few, statements[0], 1)

    client.force_login(moderator)
    body = client.get(f"/ro/participare/opinii/{conversation.slug}/harta/").content.decode()
    assert "Cum a fost făcută harta (personal)" in body
    assert "Acoperire: 16 din 17 votanți sunt pe hartă (94%)." in body
    # Numbers as Romanian writes them: a decimal comma, never a point.
    assert re.search(r"Silueta celor 2 grupuri afișate: -?\d+(,\d+)? \(", body)
    assert re.search(r"k=2: -?\d+(,\d+)?", body) and not re.search(r"k=\d: -?\d\.\d", body)
    assert "Cele două axe arată" in body
    assert "(cel mai bun la 1 actualizare la rând)" in body and "actualizare(ări)" not in body
