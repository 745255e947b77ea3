"""The room's page addresses: Romanian paths under /ro/ (/ro/participare/...), English ones under /en/
(/en/participation/...), a permanent redirect from every old English address under /ro/ (query kept), and the
language-free calendar feed and API that do not move. Links the room writes elsewhere (notices and e-mails,
the open-data catalogue) carry the right language."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from participation import services
from participation.urls import urlpatterns
from tests.addresses import assert_both_addresses, assert_every_page_is_listed, assert_old_address_redirects

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(strategy_data: None) -> None:
    from participation.demo import load_demo_data

    load_demo_data(io.StringIO())

# Every page of the room: its name, arguments, English and Romanian paths (after the language prefix).
PAGES = [
    ("index", [], "participation/", "participare/"),
    ("processes", [], "participation/processes/", "participare/procese/"),
    ("process", ["p"], "participation/processes/p/", "participare/procese/p/"),
    ("consultations", [], "participation/consultations/", "participare/consultari/"),
    ("consultation", ["c"], "participation/consultations/c/", "participare/consultari/c/"),
    ("results", ["c"], "participation/consultations/c/results/", "participare/consultari/c/rezultate/"),
    ("results_csv", ["c"], "participation/consultations/c/results.csv", "participare/consultari/c/rezultate.csv"),
    ("responses_csv", ["c"], "participation/consultations/c/responses.csv",
     "participare/consultari/c/raspunsuri.csv"),
    ("themes", ["c", 4], "participation/consultations/c/questions/4/themes/",
     "participare/consultari/c/intrebari/4/teme/"),
    ("themes_queue", ["c", 4], "participation/consultations/c/questions/4/themes/queue/",
     "participare/consultari/c/intrebari/4/teme/analiza/"),
    ("proposals", [], "participation/proposals/", "participare/propuneri/"),
    ("proposal_new", [], "participation/proposals/new/", "participare/propuneri/noua/"),
    ("proposal", [7], "participation/proposals/7/", "participare/propuneri/7/"),
    ("proposal_support", [7], "participation/proposals/7/support/", "participare/propuneri/7/sustinere/"),
    ("proposal_answer", [7], "participation/proposals/7/answer/", "participare/propuneri/7/raspuns/"),
    ("proposal_withdraw", [7], "participation/proposals/7/withdraw/", "participare/propuneri/7/retragere/"),
    ("proposal_moderate", [7], "participation/proposals/7/moderate/", "participare/propuneri/7/moderare/"),
    ("comment_flag", [3], "participation/comments/3/flag/", "participare/comentarii/3/semnalare/"),
    ("comment_moderate", [3], "participation/comments/3/moderate/", "participare/comentarii/3/moderare/"),
    ("comment_add", ["proposal", "7"], "participation/comments/proposal/7/", "participare/comentarii/proposal/7/"),
    ("follow", ["proposal", "7"], "participation/follow/proposal/7/", "participare/urmarire/proposal/7/"),
    ("notifications", [], "participation/notifications/", "participare/notificari/"),
    ("organisations", [], "participation/organisations/", "participare/organizatii/"),
    ("organisation_new", [], "participation/organisations/new/", "participare/organizatii/noua/"),
    ("organisation", ["o"], "participation/organisations/o/", "participare/organizatii/o/"),
    ("groups", [], "participation/groups/", "participare/grupuri/"),
    ("group", ["g"], "participation/groups/g/", "participare/grupuri/g/"),
    ("group_manage", ["g"], "participation/groups/g/manage/", "participare/grupuri/g/administrare/"),
    ("group_membership", ["g"], "participation/groups/g/membership/", "participare/grupuri/g/apartenenta/"),
    ("group_document", ["g", 2], "participation/groups/g/documents/2/", "participare/grupuri/g/documente/2/"),
    ("events", [], "participation/events/", "participare/evenimente/"),
    ("event", ["e"], "participation/events/e/", "participare/evenimente/e/"),
    ("event_register", ["e"], "participation/events/e/register/", "participare/evenimente/e/inscriere/"),
    ("event_outcomes", ["e"], "participation/events/e/outcomes/", "participare/evenimente/e/rezultate/"),
    ("event_ics", ["e"], "participation/events/e/event.ics", "participare/evenimente/e/eveniment.ics"),
    ("conversation", ["m"], "participation/opinion/m/", "participare/opinii/m/"),
    ("conversation_vote", ["m"], "participation/opinion/m/vote/", "participare/opinii/m/vot/"),
    ("conversation_map", ["m"], "participation/opinion/m/map/", "participare/opinii/m/harta/"),
    ("statement_moderate", ["m", 5], "participation/opinion/m/statements/5/moderate/",
     "participare/opinii/m/afirmatii/5/moderare/"),
]


def test_the_list_names_every_page_of_the_room() -> None:
    assert_every_page_is_listed(PAGES, urlpatterns)


@pytest.mark.parametrize(("name", "args", "english", "romanian"), PAGES)
def test_each_page_has_a_romanian_and_an_english_address(name: str, args: list[Any], english: str,
                                                          romanian: str) -> None:
    assert_both_addresses("participation", name, args, english, romanian)


@pytest.mark.parametrize(("name", "args", "english", "romanian"), PAGES)
def test_every_old_address_redirects_permanently_with_its_query(client: Client, name: str, args: list[Any],
                                                                english: str, romanian: str) -> None:
    assert_old_address_redirects(client, english, romanian)


def test_english_addresses_stay_and_romanian_ones_answer(client: Client, demo: None) -> None:
    pages = ["participation/", "participation/processes/", "participation/processes/strategy-co-design-2021/",
             "participation/consultations/", "participation/proposals/", "participation/events/",
             "participation/events/co-design-e1/", "participation/events/co-design-e1/event.ics",
             "participation/groups/", "participation/groups/action-group-1/"]
    for page in pages:
        assert client.get(f"/en/{page}").status_code == 200, page
    for page in ("participare/", "participare/procese/", "participare/procese/strategy-co-design-2021/",
                 "participare/consultari/", "participare/propuneri/", "participare/evenimente/",
                 "participare/evenimente/co-design-e1/", "participare/evenimente/co-design-e1/eveniment.ics",
                 "participare/grupuri/", "participare/grupuri/action-group-1/"):
        assert client.get(f"/ro/{page}").status_code == 200, page
    # The Romanian paths are not English pages, and an English address of no page is a plain 404.
    assert client.get("/en/participare/").status_code == 404
    assert client.get("/en/participation/nowhere/").status_code == 404
    assert client.get("/ro/participation/nowhere/").status_code == 404
    # The registry's oldest address reaches the resources room's page through the room's own redirect.
    chain = client.get("/ro/participation/organisations/new/?x=1", follow=True).redirect_chain
    assert chain[:2] == [("/ro/participare/organizatii/noua/?x=1", 301), ("/ro/resurse/organizatii/noua/", 301)]
    # An old address of a page whose object does not exist redirects, and the new address answers 404.
    moved = client.get("/ro/participation/processes/nope/")
    assert moved.status_code == 301 and client.get(moved["Location"]).status_code == 404


def test_links_in_pages_are_in_the_page_language(client: Client, demo: None) -> None:
    romanian = client.get("/ro/participare/").content.decode()
    assert 'href="/ro/participare/consultari/"' in romanian and "/ro/participation/" not in romanian
    english = client.get("/en/participation/").content.decode()
    assert 'href="/en/participation/consultations/"' in english and "/participare/" not in english
    # The menu leads to the translated page too.
    assert 'href="/ro/participare/"' in client.get("/ro/").content.decode()


def test_language_free_endpoints_do_not_move(client: Client, demo: None) -> None:
    assert client.get("/participation/events.ics")["Content-Type"].startswith("text/calendar")
    assert client.get("/api/v1/participation/processes").status_code == 200
    assert client.get("/api/v1/participation/events").status_code == 200
    assert client.get("/ro/participation/events.ics").status_code == 404  # not a page: no redirect into a language


def test_api_links_follow_the_request_language(client: Client, demo: None) -> None:
    romanian = client.get("/api/v1/participation/processes", HTTP_ACCEPT_LANGUAGE="ro").json()["items"]
    english = client.get("/api/v1/participation/processes", HTTP_ACCEPT_LANGUAGE="en").json()["items"]
    assert romanian and all(row["url"].startswith("/ro/participare/procese/") for row in romanian)
    assert english and all(row["url"].startswith("/en/participation/processes/") for row in english)


def test_the_open_data_landing_pages_are_the_romanian_page() -> None:
    from participation.opendata import _landing_page

    with translation.override("en"):
        assert _landing_page() == "/ro/participare/"


@pytest.mark.parametrize(("language", "page"), [("ro", "/ro/participare/grupuri/action-group-1/administrare/"),
                                                ("en", "/en/participation/groups/action-group-1/manage/")])
def test_a_notice_links_the_page_in_the_recipients_language(client: Client, strategy_data: None,
                                                             make_verified: Any, language: str, page: str,
                                                             django_capture_on_commit_callbacks: Any) -> None:
    from participation.demo import load_action_groups
    from participation.models import WorkingGroup

    load_action_groups()
    group = WorkingGroup.objects.get(slug="action-group-1")
    coordinator = make_verified(display_name="Coordinator")
    coordinator.preferred_language = language
    coordinator.save()
    group.coordinators.add(coordinator)
    services.set_email_mode(coordinator, "immediate")
    mail.outbox.clear()
    with translation.override("ro" if language == "en" else "en"), \
            django_capture_on_commit_callbacks(execute=True):  # whatever the request's language was
        services.express_interest(make_verified(), group, role="expert", expertise="Urban data analysis, 10 years",
                                  availability="Two evenings a month", listed_publicly=True)
    assert any(page in message.body for message in mail.outbox), [m.body for m in mail.outbox]
    client.force_login(coordinator)
    assert client.get(page).status_code == 200


def test_switching_language_keeps_the_page(client: Client) -> None:
    to_english = client.post("/i18n/setlang/", {"language": "en", "next": "/ro/participare/propuneri/7/?x=1"})
    assert to_english.status_code == 302 and to_english["Location"] == "/en/participation/proposals/7/?x=1"
    to_romanian = client.post("/i18n/setlang/", {"language": "ro", "next": "/en/participation/opinion/m/map/"})
    assert to_romanian["Location"] == "/ro/participare/opinii/m/harta/"
