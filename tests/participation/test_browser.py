"""Every public page of the participation room passes axe-core (WCAG 2.1 AA) in headless Chromium,
in Romanian and English; forms work with the keyboard and conditional questions show and hide."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.a11y import assert_accessible
from tests.addresses import localized
from tests.conftest import load_real_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(live_server: Any, make_verified: Any) -> dict[str, Any]:
    load_real_dataset()
    from participation import services, theming
    from participation.demo import load_demo_data
    from participation.models import Organisation
    from strategy.models import Ambition
    from tests.participation.conftest import build_consultation
    from tests.participation.romanian_answers import answers
    from tests.participation.test_results import answer

    load_demo_data(io.StringIO())
    consultation = build_consultation("mobility-2026", audience="anyone")
    for i in range(6):
        answer(consultation, make_verified(email=f"r{i}@example.org"),
               **{f"q{consultation.questions.get(order=7).pk}": answers()[i * 20][1]})
    staff = make_verified(email="staff@example.org")
    from accounts.roles import Role
    from accounts.services import assign_role

    assign_role("tests", staff, Role.DEPARTMENT_STAFF)
    theming.analyse_question(staff, consultation.questions.get(order=7))
    author = make_verified(display_name="Ana")
    proposal = services.create_proposal(author, title="Shade trees on Bulevardul Revoluției",
                                        body="Plant trees along the boulevard to cool it in summer heat waves.",
                                        ambition=Ambition.objects.get(number=5))
    services.add_comment(make_verified(), proposal, "Yes, and water points.")
    organisation = Organisation(slug="asociatia-test", name="Asociația Test", kind="ngo")
    services.register_organisation(author, organisation)
    import datetime as dt

    from django.utils import timezone

    from participation.models import Conversation, Statement

    now = timezone.now()
    conversation = Conversation.objects.create(slug="mobility-map", title_en="How should Timișoara move?",
                                               title_ro="Cum ar trebui să se miște Timișoara?", published=True,
                                               opens_at=now - dt.timedelta(days=1),
                                               closes_at=now + dt.timedelta(days=5), min_votes=2)
    statements = [Statement.objects.create(conversation=conversation, text=text, status="accepted")
                  for text in ("More tram lines", "Fewer cars in the centre", "Cheaper parking")]
    for i in range(8):
        voter = make_verified(email=f"v{i}@example.org")
        for j, statement in enumerate(statements):
            services.vote_on_statement(voter, statement, 1 if (j == 2) == (i < 4) else -1)
    from participation.models import WorkingGroup

    group = WorkingGroup.objects.get(slug="action-group-1")
    group.coordinators.add(staff)
    services.express_interest(author, group, role="expert", expertise="Open data and civic tech",
                              availability="Monthly", listed_publicly=True)
    return {"url": live_server.url, "consultation": consultation, "proposal": proposal, "author": author,
            "staff": staff}


def login(page: Any, user: Any, base: str) -> None:
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])


PAGES = ["/{lang}/participation/", "/{lang}/participation/processes/", "/{lang}/participation/processes/?state=past",
         "/{lang}/participation/processes/strategy-co-design-2021/", "/{lang}/participation/processes/co-design-c1/",
         "/{lang}/participation/consultations/", "/{lang}/participation/consultations/mobility-2026/",
         "/{lang}/participation/consultations/mobility-2026/results/",
         "/{lang}/participation/consultations/mobility-2026/results/?breakdown=age_group",
         "/{lang}/participation/proposals/", "/{lang}/participation/proposals/{proposal}/",
         "/{lang}/participation/events/", "/{lang}/participation/events/?when=past",
         "/{lang}/participation/events/co-design-e1/", "/{lang}/participation/groups/",
         "/{lang}/participation/groups/action-group-1/", "/{lang}/participation/opinion/mobility-map/",
         "/{lang}/participation/opinion/mobility-map/map/"]


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_public_pages_have_no_axe_violations(page: Any, seeded: dict[str, Any], lang: str) -> None:
    for path in PAGES:
        assert_accessible(page, seeded["url"] + localized(path.format(lang=lang, proposal=seeded["proposal"].pk)))


def test_signed_in_pages_have_no_axe_violations(page: Any, seeded: dict[str, Any], make_verified: Any) -> None:
    login(page, seeded["author"], seeded["url"])
    for path in ("/en/participation/proposals/new/", "/en/participation/notifications/",
                 f"/en/participation/proposals/{seeded['proposal'].pk}/", "/en/participation/groups/action-group-2/",
                 "/en/participation/consultations/mobility-2026/",
                 "/en/participation/opinion/mobility-map/"):
        assert_accessible(page, seeded["url"] + path)
    # Error states are accessible too.
    page.goto(seeded["url"] + "/en/participation/proposals/new/")
    page.click("button.primary")
    assert page.locator(".error-summary").count() == 1
    from tests.a11y import _axe

    result = _axe.run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a",
                                                                           "wcag21aa"]}})
    assert not result.response["violations"], result.response["violations"]


def test_staff_pages_have_no_axe_violations(page: Any, seeded: dict[str, Any]) -> None:
    login(page, seeded["staff"], seeded["url"])
    question = seeded["consultation"].questions.get(order=7)
    for path in (f"/en/participation/consultations/mobility-2026/questions/{question.pk}/themes/",
                 f"/ro/participare/consultari/mobility-2026/intrebari/{question.pk}/teme/?theme=none",
                 "/en/participation/consultations/mobility-2026/results/",
                 "/en/participation/groups/action-group-1/manage/",
                 f"/en/participation/proposals/{seeded['proposal'].pk}/",
                 "/en/participation/events/co-design-e1/"):
        assert_accessible(page, seeded["url"] + path)


def test_conditional_question_and_keyboard_answering(page: Any, seeded: dict[str, Any]) -> None:
    consultation = seeded["consultation"]
    single = consultation.questions.get(order=1)
    conditional = consultation.questions.get(order=8)
    page.goto(seeded["url"] + "/en/participation/consultations/mobility-2026/")
    block = page.locator(f"#q{conditional.pk}-block")
    assert block.is_hidden()
    car = single.options.get(text_en="Car")
    page.focus(f"#q{single.pk}-{car.pk}")
    page.keyboard.press("Space")
    assert block.is_visible()
    page.fill(f"#q{conditional.pk}", "No tram near me")
    page.click("button[value=save]")
    page.wait_for_url("**/mobility-2026/")
    assert "Draft saved" in page.inner_text("main")
    assert page.input_value(f"#q{conditional.pk}") == "No tram near me"
