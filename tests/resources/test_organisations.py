"""Organisations end to end: an NGO registers (geocoded onto the map), staff verify it, it shows on the
map, in search and in the downloads; representatives invite colleagues; moderation hides an entry."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client

from accounts.roles import Role
from core.models import AuditEntry
from resources import services
from resources.models import Invitation, MapItem, Organisation, Representative
from tests.resources.pages import page_url

pytestmark = pytest.mark.django_db


def _register(client: Client, **extra: str) -> Any:
    data = {"name": "Asociația Grădina Urbană", "kind": "ngo", "description": "Grădini comunitare în Fabric.",
            "website": "https://gradina.example.org", "public_email": "contact@gradina.example.org",
            "public_phone": "", "address": "Strada Paris 2", "position": "președintă", **extra}
    return client.post(page_url("organisation_new", lang="en"), data)


def test_an_ngo_registers_is_verified_and_appears_on_the_map(make_verified: Any) -> None:
    founder = make_verified(email="founder@example.org")
    client = Client()
    client.force_login(founder)
    response = _register(client)
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert response["Location"] == page_url("organisation", organisation.slug, lang="en")
    assert not organisation.verified and organisation.source == "self"
    assert Representative.objects.filter(organisation=organisation, user=founder).exists()
    assert Role.ORGANISATION_REP.value in set(founder.groups.values_list("name", flat=True))
    location = organisation.locations.get()
    assert location.latitude == pytest.approx(45.7558, abs=0.01)  # geocoded by core.geocoder
    item = MapItem.objects.get(layer="organisation", object_id=organisation.pk)
    assert (item.title, item.verified) == ("Asociația Grădina Urbană", False)

    staff = make_verified(Role.DEPARTMENT_STAFF)
    services.verify_organisation(staff, organisation, verified=True)
    assert MapItem.objects.get(object_id=organisation.pk, layer="organisation").verified
    assert AuditEntry.objects.filter(action="resources.organisation.verified").exists()

    page = Client().get(page_url("organisation", organisation.slug, lang="en"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "verified by the city" in html and "contact@gradina.example.org" in html
    assert "founder@example.org" not in html  # the representative's address is not published

    data = Client().get("/resources/map.json?verified=on&bbox=21.1,45.7,21.3,45.8").json()
    assert [f["properties"]["title"] for f in data["features"]] == ["Asociația Grădina Urbană"]
    assert data["features"][0]["properties"]["url"] == page_url("organisation", organisation.slug)
    # The page links its entry in the HSDS API (by its HSDS identifier), which answers with it.
    hsds_link = re.search(r'href="(/hsds/organizations/[^"]+)"', html)
    assert hsds_link is not None
    entry = Client().get(hsds_link.group(1))
    assert entry.status_code == 200 and entry.json()["name"] == "Asociația Grădina Urbană"


def test_staff_verify_from_the_page_and_reference_entries_name_their_source(
        make_verified: Any, place_organisation: Any) -> None:
    organisation = place_organisation("Filarmonica", kind="cultural", source="city",
                                      source_ref="https://www.filarmonicabanatul.ro/")
    staff = make_verified(Role.DEPARTMENT_STAFF)
    client = Client()
    client.force_login(staff)
    assert "Mark as verified" in client.get(page_url("organisation", organisation.slug, lang="en")).content.decode()
    client.post(page_url("organisation_verify", organisation.slug, lang="en"), {"verified": "1"})
    organisation.refresh_from_db()
    assert organisation.verified
    html = Client().get(page_url("organisation", organisation.slug, lang="en")).content.decode()
    assert 'href="https://www.filarmonicabanatul.ro/"' in html and "Source of this entry:" in html
    representative = make_verified()
    client.force_login(representative)
    assert client.post(page_url("organisation_verify", organisation.slug, lang="en"),
                       {"verified": "0"}).status_code == 403


def test_registration_needs_a_confirmed_address_and_rejects_duplicates(make_user: Any, make_verified: Any) -> None:
    client = Client()
    client.force_login(make_user())
    assert _register(client).status_code == 403
    client.force_login(make_verified())
    assert _register(client).status_code == 302
    again = _register(client, name="asociația grădina  urbană")
    assert again.status_code == 400
    assert "already in the registry" in again.content.decode()
    bad = _register(client, name="Alta", kind="pirates", website="javascript:alert(1)")
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"kind", "website"}
    assert Organisation.objects.count() == 1


def test_only_representatives_and_staff_edit_and_invitations_make_representatives(
        make_verified: Any, place_organisation: Any, django_capture_on_commit_callbacks: Any) -> None:
    organisation = place_organisation("Teatrul de Stradă")
    representative = make_verified()
    Representative.objects.create(organisation=organisation, user=representative)
    stranger = make_verified()
    client = Client()
    client.force_login(stranger)
    assert client.get(f"/en/resources/organisations/{organisation.slug}/edit/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.update_organisation(stranger, organisation, {"description": "hijacked"})

    client.force_login(representative)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/resources/organisations/{organisation.slug}/invite/",
                               {"invite-email": "Colleague@Example.org"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "colleague@example.org"
    assert invitation.token in mail.outbox[-1].body and mail.outbox[-1].to == ["colleague@example.org"]
    assert client.post(f"/en/resources/organisations/{organisation.slug}/invite/",
                       {"invite-email": "not an address"}).status_code == 400

    colleague = make_verified()
    client.force_login(colleague)
    assert client.post(f"/en/resources/invitations/{invitation.token}/").status_code == 302
    assert Representative.objects.filter(organisation=organisation, user=colleague).exists()
    assert client.post(f"/en/resources/invitations/{invitation.token}/").status_code == 400  # used once
    assert client.post("/en/resources/invitations/forged/").status_code == 400

    response = client.post(f"/en/resources/organisations/{organisation.slug}/edit/", {
        "name": "Teatrul de Stradă", "kind": "cultural", "description": "Spectacole în cartiere.",
        "website": "", "public_email": "", "public_phone": "0256 000 000", "address": "Piața Victoriei 1"})
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.kind == "cultural" and organisation.public_phone == "0256 000 000"
    assert MapItem.objects.get(object_id=organisation.pk).kind == "cultural"


def test_moderation_hides_an_entry_everywhere(make_verified: Any, place_organisation: Any) -> None:
    organisation = place_organisation("Firma Dubioasă", kind="company")
    moderator = make_verified(Role.MODERATOR)
    services.moderate_organisation(moderator, organisation, hidden=True)
    assert not MapItem.objects.filter(object_id=organisation.pk, layer="organisation").exists()
    assert Client().get(page_url("organisation", organisation.slug, lang="en")).status_code == 404
    with pytest.raises(PermissionDenied):
        services.verify_organisation(make_verified(), organisation, verified=True)


def test_search_ignores_diacritics_and_case_and_cannot_be_injected(place_organisation: Any) -> None:
    place_organisation("Biblioteca Județeană Timiș", kind="public", description="Împrumut de cărți")
    place_organisation("Cinema Timiș", kind="cultural")
    place_organisation("Asociația Vecinilor", kind="ngo")
    client = Client()

    def titles(query: str) -> list[str]:
        response = client.get(page_url("map", lang="en"), {"q": query})
        assert response.status_code == 200
        return sorted(item.title for item, _title, _summary in response.context["rows"])

    assert titles("timis") == ["Biblioteca Județeană Timiș", "Cinema Timiș"]
    assert titles("JUDETEANA timiș") == ["Biblioteca Județeană Timiș"]
    assert titles("carti") == ["Biblioteca Județeană Timiș"]
    assert titles("cine") == ["Cinema Timiș"]  # word prefixes
    assert titles('timis" OR "x') == []  # quotes and operators are plain words here
    assert titles("NEAR(a b) * ^ :") == []
    assert titles("cultural operator") == ["Cinema Timiș"]  # the kind's label, in English
    assert titles("operator cultural") == ["Cinema Timiș"]


def test_downloads_carry_both_languages_and_no_personal_data(make_verified: Any, place_organisation: Any) -> None:
    organisation = place_organisation("Muzeul Satului", kind="cultural")
    Representative.objects.create(organisation=organisation, user=make_verified(email="secret@example.org"))
    client = Client()
    response = client.get("/resources/resources.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows[0]["title_ro"] == "Muzeul Satului"
    assert rows[0]["url_en"].startswith("/en/resources/organisations/")
    assert "secret@example.org" not in body
    geojson = json.loads(client.get("/resources/resources.geojson").content)
    assert geojson["features"][0]["geometry"]["coordinates"] == [21.2257, 45.7537]
    assert "OpenStreetMap" in geojson["licence"]


@pytest.mark.parametrize(("query", "field"), [
    ({"bbox": "a,b,c,d"}, "bbox"), ({"bbox": "21.3,45.7,21.1,45.8"}, "bbox"), ({"bbox": "0,0,90,45"}, "bbox"),
    ({"layer": "secret"}, "layer"), ({"kind": "x" * 30}, "kind"), ({"zoom": "99"}, "zoom"),
    ({"q": "x" * 300}, "q"), ({"neighbourhood": "../etc"}, "neighbourhood"),
])
def test_bad_map_parameters_get_a_400_naming_the_field(query: dict[str, str], field: str) -> None:
    response = Client().get("/resources/map.json", query)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_map_page_filters_answer_400_on_bad_input() -> None:
    assert Client().get(page_url("map", lang="en"), {"layer": "nope"}).status_code == 400
    assert Client().get("/resources/resources.csv", {"kind": "nope"}).status_code == 400


def test_representatives_list_their_services_which_reach_the_page_and_hsds(
        make_verified: Any, place_organisation: Any) -> None:
    organisation = place_organisation("Asociația Reparăm", kind="ngo")
    representative = make_verified()
    Representative.objects.create(organisation=organisation, user=representative)
    client = Client()
    client.force_login(representative)
    add = page_url("organisation_service_add", organisation.slug, lang="en")
    bad = client.post(add, {"service-name": "", "service-kind": "magic", "service-category": "other",
                            "service-url": "javascript:alert(1)"})
    assert bad.status_code == 400 and {"name", "kind", "url"} <= set(bad.context["service_form"].errors)
    assert client.post(add, {"service-name": "Repair café", "service-kind": "programme",
                             "service-category": "environment", "service-description": "Sâmbăta, lunar.",
                             "service-url": "", "service-email": ""}).status_code == 302
    service = organisation.services.get()
    assert list(service.locations.all()) == list(organisation.locations.all())  # at its place on the map
    assert AuditEntry.objects.filter(action="resources.service.added").exists()
    assert "Repair café" in Client().get(page_url("organisation", organisation.slug, lang="en")).content.decode()
    hsds_services = Client().get("/hsds/service_at_locations", {"full": "true"}).json()
    assert [row["location"]["name"] for row in hsds_services["contents"]] == ["Asociația Reparăm"]
    assert MapItem.objects.filter(object_id=organisation.pk, search_text__contains="repair cafe").exists()

    stranger = make_verified()
    client.force_login(stranger)
    assert client.post(add, {"service-name": "Spam", "service-kind": "service",
                             "service-category": "other"}).status_code == 403
    remove = page_url("organisation_service_remove", organisation.slug, service.pk, lang="en")
    assert client.post(remove).status_code == 403
    client.force_login(representative)
    assert client.post(remove).status_code == 302
    assert not organisation.services.exists()
