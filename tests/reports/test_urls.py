"""The room's page addresses: Romanian paths under /ro/ (/ro/sesizari/...), English ones under /en/
(/en/reports/...), a permanent redirect from every old English address under /ro/, and language-free
standard endpoints (Open311, the map's data, photos) that do not move. Links the room writes elsewhere (e-mails,
the JSON API, Open311 extensions, the open-data catalogue, the map's popups) carry the right language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from reports import services, tokens
from reports.models import Photo
from reports.urls import urlpatterns
from tests.addresses import assert_both_addresses, assert_every_page_is_listed, assert_old_address_redirects
from tests.reports.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db

# Every page of the room: its name, arguments, English and Romanian paths (after the language prefix).
PAGES = [
    ("index", [], "reports/", "sesizari/"),
    ("new", [], "reports/new/", "sesizari/noua/"),
    ("questions", [], "reports/new/questions/", "sesizari/noua/intrebari/"),
    ("nearby", [], "reports/new/nearby/", "sesizari/noua/in-apropiere/"),
    ("thanks", [], "reports/thanks/", "sesizari/multumim/"),
    ("geocode", [], "reports/geocode/", "sesizari/adrese/"),
    ("areas", [], "reports/areas.geojson", "sesizari/cartiere.geojson"),
    ("about", [], "reports/about/", "sesizari/despre/"),
    ("confirm", ["tok"], "reports/confirm/tok/", "sesizari/confirmare/tok/"),
    ("confirm_follow", ["tok"], "reports/follow/tok/", "sesizari/urmarire/tok/"),
    ("unsubscribe", ["tok"], "reports/unsubscribe/tok/", "sesizari/dezabonare/tok/"),
    ("detail", [7], "reports/7/", "sesizari/7/"),
    ("follow", [7], "reports/7/follow/", "sesizari/7/urmarire/"),
    ("flag", [7], "reports/7/flag/", "sesizari/7/semnalare/"),
    ("reopen", [7], "reports/7/reopen/", "sesizari/7/redeschidere/"),
    ("reopen_link", [7, "tok"], "reports/7/reopen/tok/", "sesizari/7/redeschidere/tok/"),
    ("feed_all", [], "reports/feeds/all.atom", "sesizari/fluxuri/toate.atom"),
    ("feed_area", ["centru"], "reports/feeds/area/centru.atom", "sesizari/fluxuri/zona/centru.atom"),
    ("feed_category", ["potholes"], "reports/feeds/category/potholes.atom",
     "sesizari/fluxuri/categorie/potholes.atom"),
    ("dashboard", [], "reports/dashboard/", "sesizari/statistici/"),
    ("dashboard_csv", [], "reports/dashboard.csv", "sesizari/statistici.csv"),
    ("inbox", [], "reports/staff/", "sesizari/birou/"),
    ("bulk", [], "reports/staff/bulk/", "sesizari/birou/in-bloc/"),
    ("moderation", [], "reports/staff/moderation/", "sesizari/birou/moderare/"),
    ("export", [], "reports/staff/export.csv", "sesizari/birou/export.csv"),
    ("staff_report", [7], "reports/staff/7/", "sesizari/birou/7/"),
    ("moderate_photo", [3], "reports/staff/photos/3/", "sesizari/birou/fotografii/3/"),
]


def test_the_list_names_every_page_of_the_room() -> None:
    assert_every_page_is_listed(PAGES, urlpatterns)


@pytest.mark.parametrize(("name", "args", "english", "romanian"), PAGES)
def test_each_page_has_a_romanian_and_an_english_address(name: str, args: list[Any], english: str,
                                                          romanian: str) -> None:
    assert_both_addresses("reports", name, args, english, romanian)


@pytest.mark.parametrize(("name", "args", "english", "romanian"), PAGES)
def test_every_old_address_redirects_permanently_with_its_query(client: Client, name: str, args: list[Any],
                                                                english: str, romanian: str) -> None:
    assert_old_address_redirects(client, english, romanian)


def test_english_addresses_stay_and_do_not_redirect(client: Client, make_report: Any) -> None:
    report = make_report()
    assert report.is_public
    for path in ("/en/reports/", "/en/reports/new/", "/en/reports/about/", "/en/reports/dashboard/",
                 f"/en/reports/{report.pk}/", "/en/reports/feeds/all.atom", "/en/reports/areas.geojson"):
        assert client.get(path).status_code == 200, path
    for path in ("/ro/sesizari/", "/ro/sesizari/noua/", "/ro/sesizari/despre/", "/ro/sesizari/statistici/",
                 f"/ro/sesizari/{report.pk}/", "/ro/sesizari/fluxuri/toate.atom", "/ro/sesizari/cartiere.geojson"):
        assert client.get(path).status_code == 200, path
    # The Romanian paths are not English pages, and an English address of no page is a plain 404.
    assert client.get("/en/sesizari/").status_code == 404
    assert client.get("/en/reports/nowhere/").status_code == 404
    assert client.get("/ro/reports/nowhere/").status_code == 404


def test_a_form_posted_to_the_romanian_address_works(client: Client, reference: Any) -> None:
    page = client.get("/ro/sesizari/noua/").content.decode()
    assert 'hx-get="/ro/sesizari/noua/intrebari/"' in page and 'hx-get="/ro/sesizari/adrese/"' in page
    response = client.post("/ro/sesizari/noua/", {
        "category": "potholes", "q_size": "large", "lat": "45.7537", "lon": "21.2257", "title": "Groapă mare",
        "description": "Adâncă, lângă trotuar.", "email": "ana@example.org", "name": "", "website": ""})
    assert response.status_code == 302 and response["Location"].startswith("/ro/sesizari/multumim/")


def test_language_free_endpoints_do_not_move(client: Client, make_report: Any) -> None:
    report = make_report()
    assert client.get("/open311/v2/discovery.json").status_code == 200
    assert client.get(f"/open311/v2/requests/{report.pk}.json").status_code == 200
    assert client.get("/reports/map.json", {"bbox": "21.1,45.7,21.3,45.8"}).status_code == 200
    assert client.get("/api/v1/reports").status_code == 200
    # A photo that does not exist is a 404 where it is asked for, not a redirect into a language.
    missing = client.get("/reports/photos/999999.jpg")
    assert missing.status_code == 404
    assert client.get("/ro/reports/photos/1.jpg").status_code == 404


def test_links_in_the_api_and_open311_follow_the_request_language(client: Client, make_report: Any) -> None:
    report = make_report()
    item = client.get(f"/api/v1/reports/{report.pk}", HTTP_ACCEPT_LANGUAGE="ro").json()
    assert item["url"] == f"http://testserver/ro/sesizari/{report.pk}/"
    item = client.get(f"/api/v1/reports/{report.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert item["url"] == f"http://testserver/en/reports/{report.pk}/"
    for locale, page in (("ro", f"/ro/sesizari/{report.pk}/"), ("en", f"/en/reports/{report.pk}/")):
        request = client.get(f"/open311/v2/requests/{report.pk}.json",
                             {"extensions": "true", "locale": locale}).json()[0]
        assert request["extended_attributes"]["url"] == f"http://testserver{page}"
    discovery = client.get("/open311/v2/discovery.json").json()
    assert discovery["key_service"] == "http://testserver/en/reports/about/#open311"


def test_the_open_data_landing_page_and_the_map_link_the_romanian_pages(client: Client, reference: Any) -> None:
    from reports.opendata import _landing_page

    assert _landing_page() == "/ro/sesizari/"
    assert 'data-report="/ro/sesizari/0/"' in client.get("/ro/sesizari/").content.decode()
    assert 'data-report="/en/reports/0/"' in client.get("/en/reports/").content.decode()


@pytest.mark.parametrize(("language", "confirm", "follow"), [
    ("ro", "/ro/sesizari/confirmare/", "/ro/sesizari/urmarire/"),
    ("en", "/en/reports/confirm/", "/en/reports/follow/"),
])
def test_links_in_e_mails_are_in_the_recipients_language(reference: Any, django_capture_on_commit_callbacks: Any,
                                                          language: str, confirm: str, follow: str) -> None:
    other = "/en/" if language == "ro" else "/ro/"
    request_language = translation.override("ro" if language == "en" else "en")  # whatever the request's was
    with request_language, django_capture_on_commit_callbacks(execute=True):
        report = services.submit_report(None, services.NewReport(
            category=reference["potholes"], title="Groapă", description="Adâncă", lat=45.7537, lon=21.2257,
            answers={"size": "large"}, email="ana@example.org", language=language))
    body = mail.outbox[-1].body
    assert confirm in body and other not in body
    token = re.search(rf"{confirm}(\S+?)/", body)
    assert token
    services.confirm_report(token.group(1))
    report.refresh_from_db()
    with translation.override("ro" if language == "en" else "en"), django_capture_on_commit_callbacks(execute=True):
        services.follow(None, report, email="vecin@example.org", language=language)
    body = mail.outbox[-1].body
    assert follow in body and other not in body


def test_the_department_is_written_to_in_the_site_language(reference: Any, django_capture_on_commit_callbacks: Any
                                                           ) -> None:
    department = reference["potholes"].department
    department.email = "drumuri@primariatm.ro"
    department.save()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        report = services.submit_report(None, services.NewReport(
            category=reference["potholes"], title="Groapă", description="Adâncă", lat=45.7537, lon=21.2257,
            answers={"size": "large"}, email="ana@example.org", language="en"))
        services.confirm_report(tokens.make(tokens.CONFIRM_REPORT, report.pk))
    to_department = [m for m in mail.outbox if m.to == ["drumuri@primariatm.ro"]]
    assert to_department
    body = to_department[-1].body
    assert f"/ro/sesizari/birou/{report.pk}/" in body and f"/ro/sesizari/{report.pk}/" in body


def test_the_photo_of_a_report_is_served_at_its_language_free_address(client: Client, reference: Any) -> None:
    report = services.submit_report("tests", services.NewReport(
        category=reference["potholes"], title="Groapă", description="Adâncă", lat=45.7537, lon=21.2257,
        answers={"size": "large"}, photos=[jpeg_bytes()], preconfirmed=True))
    photo = Photo.objects.get(report=report)
    with translation.override("ro"):
        assert photo.get_absolute_url() == f"/reports/photos/{photo.pk}.jpg"


def test_switching_language_keeps_the_page(client: Client, make_report: Any) -> None:
    report = make_report()
    to_english = client.post("/i18n/setlang/", {"language": "en", "next": f"/ro/sesizari/{report.pk}/?x=1"})
    assert to_english.status_code == 302 and to_english["Location"] == f"/en/reports/{report.pk}/?x=1"
    to_romanian = client.post("/i18n/setlang/", {"language": "ro", "next": "/en/reports/staff/moderation/"})
    assert to_romanian["Location"] == "/ro/sesizari/birou/moderare/"
