"""Spaces for temporary use (a company finds one and applies; staff move the application on in dated public
steps), funding (a citizen finds a call with a deadline next month and is reminded), initiatives (proposed,
moderated, followed)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from PIL import Image

from accounts.roles import Role
from resources import selectors, services
from resources.models import (
    FundingProgramme,
    FundingReminder,
    Initiative,
    MapItem,
    Organisation,
    Representative,
    Space,
    SpaceApplication,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def space() -> Space:
    from resources import index

    created = Space.objects.create(
        slug="parter-alba-iulia", title="Parter, Strada Alba Iulia", title_ro="Parter, Strada Alba Iulia",
        title_en="Ground floor, Strada Alba Iulia", kind="ground_floor", owner="public", condition="fair",
        address="Strada Alba Iulia", latitude=45.7558, longitude=21.2290, allowed_uses=["office", "events"])
    index.refresh(created)
    return created


def test_a_company_finds_a_space_applies_and_staff_answer_in_public_steps(
        space: Space, make_verified: Any, place_organisation: Any) -> None:
    company = place_organisation("Atelier Digital SRL", kind="company")
    founder = make_verified(email="founder@example.org")
    Representative.objects.create(organisation=company, user=founder)
    client = Client()
    found = client.get("/resources/map.json", {"layer": "space", "q": "birouri"}).json()  # "office" in Romanian
    assert [f["properties"]["title"] for f in found["features"]] == ["Parter, Strada Alba Iulia"]

    client.force_login(founder)
    message = "Birou pentru 6 oameni, un an, deschis publicului joia."
    response = client.post(f"/en/resources/spaces/{space.slug}/", {
        "organisation": company.pk, "intended_use": "office", "message": message})
    assert response.status_code == 302
    application = SpaceApplication.objects.get()
    assert application.steps.get().status == "received"
    again = client.post(f"/en/resources/spaces/{space.slug}/", {
        "organisation": company.pk, "intended_use": "office", "message": "again"})
    assert again.status_code == 400 and "already applied" in again.content.decode()

    stranger = make_verified()
    client.force_login(stranger)
    foreign = client.post(f"/en/resources/spaces/{space.slug}/", {
        "organisation": company.pk, "intended_use": "office", "message": "x"})
    assert foreign.status_code == 400 and "organisation" in foreign.context["form"].errors
    with pytest.raises(PermissionDenied):
        services.apply_for_space(stranger, space, company, intended_use="office", message="x")

    staff = make_verified(Role.DEPARTMENT_STAFF)
    with pytest.raises(PermissionDenied):
        services.advance_application(founder, application, "under_review")
    with pytest.raises(ValidationError) as error:
        services.advance_application(staff, application, "agreed")
    assert "status" in error.value.message_dict
    services.advance_application(staff, application, "under_review", public_note="Vizită pe 12 mai.")
    services.advance_application(staff, application, "offered")
    services.advance_application(staff, application, "agreed")
    with pytest.raises(ValidationError):
        services.advance_application(staff, application, "refused")

    page = Client().get(f"/en/resources/spaces/{space.slug}/").content.decode()
    assert "Atelier Digital SRL" in page and "Vizită pe 12 mai." in page and "Agreed" in page
    assert message not in page and "founder@example.org" not in page
    assert page.count("<time") == 4


@pytest.mark.parametrize(("today", "this_month_end", "next_start", "next_end"), [
    (dt.date(2026, 12, 7), dt.date(2026, 12, 31), dt.date(2027, 1, 1), dt.date(2027, 1, 31)),
    (dt.date(2027, 1, 31), dt.date(2027, 1, 31), dt.date(2027, 2, 1), dt.date(2027, 2, 28)),
    (dt.date(2028, 1, 15), dt.date(2028, 1, 31), dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
])
def test_deadline_windows_are_calendar_months(today: dt.date, this_month_end: dt.date, next_start: dt.date,
                                               next_end: dt.date) -> None:
    assert selectors.deadline_window("this_month", today) == (today, this_month_end)
    assert selectors.deadline_window("next_month", today) == (next_start, next_end)
    assert selectors.deadline_window("", today) is None


def test_the_application_form_offers_the_allowed_uses_and_the_one_organisation(
        space: Space, make_verified: Any, place_organisation: Any) -> None:
    company = place_organisation("Studio Lemn SRL", kind="company")
    founder = make_verified()
    Representative.objects.create(organisation=company, user=founder)
    client = Client()
    client.force_login(founder)
    form = client.get(f"/en/resources/spaces/{space.slug}/").context["form"]
    assert [value for value, _label in form.fields["intended_use"].choices] == ["office", "events"]
    assert form.fields["organisation"].initial == company.pk
    refused = client.post(f"/en/resources/spaces/{space.slug}/", {
        "organisation": company.pk, "intended_use": "garden", "message": "Grădină."})
    assert refused.status_code == 400 and "intended_use" in refused.context["form"].errors
    with pytest.raises(ValidationError) as error:
        services.apply_for_space(founder, space, company, intended_use="garden", message="Grădină.")
    assert "intended_use" in error.value.message_dict
    assert not SpaceApplication.objects.exists()


def test_space_photos_are_checked_and_stripped(space: Space, make_verified: Any) -> None:
    staff = make_verified(Role.DEPARTMENT_STAFF)
    buffer = io.BytesIO()
    image = Image.new("RGB", (40, 30), "orange")
    exif = Image.Exif()
    exif[0x010F] = "Camera maker with a secret"
    image.save(buffer, format="JPEG", exif=exif)
    photo = services.add_space_photo(staff, space, buffer.getvalue(), alt_text="Vitrina dinspre stradă")
    stored = photo.image.read()
    assert b"secret" not in stored and stored[:2] == b"\xff\xd8"
    with pytest.raises(ValidationError) as error:
        services.add_space_photo(staff, space, b"%PDF-1.4 not a photo", alt_text="x")
    assert "photo" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.add_space_photo(staff, space, buffer.getvalue(), alt_text=" ")
    with pytest.raises(PermissionDenied):
        services.add_space_photo(make_verified(), space, buffer.getvalue(), alt_text="x")


def _programme(slug: str, deadline: dt.date | None, **fields: Any) -> FundingProgramme:
    from resources import index

    values = {"title": slug, "title_ro": slug, "title_en": slug, "level": "local", "funder": "Primăria",
              "eligible_kinds": ["ngo"], "purposes": ["culture"], **fields}
    programme = FundingProgramme.objects.create(slug=slug, deadline=deadline, **values)
    index.refresh(programme)
    return programme


def test_a_citizen_finds_a_call_with_a_deadline_next_month_and_is_reminded(
        make_verified: Any, django_capture_on_commit_callbacks: Any) -> None:
    today = timezone.localdate()
    call = _programme("granturi-culturale", today + dt.timedelta(days=33), eligible_kinds=["ngo", "person"])
    _programme("granturi-inchise", today - dt.timedelta(days=3))
    _programme("pentru-firme", today + dt.timedelta(days=40), eligible_kinds=["company"], purposes=["digital"])
    _programme("fara-termen", None, eligible_kinds=[], purposes=[])
    client = Client()

    def finds(**params: str) -> list[str]:
        response = client.get("/en/resources/funding/", params)
        assert response.status_code == 200
        return [p.slug for p in response.context["programmes"]]

    assert finds(who="person", purpose="culture", open_only="on") == ["granturi-culturale"]
    assert finds(who="person", purpose="culture") == ["granturi-culturale", "fara-termen"]  # ngo-only one left out
    assert finds(who="ngo", purpose="culture") == ["granturi-inchise", "granturi-culturale", "fara-termen"]
    assert finds(who="company") == ["pentru-firme", "fara-termen"]
    next_month = selectors.deadline_window("next_month", today)
    assert next_month is not None
    in_next_month = _programme("luna-viitoare", next_month[0] + dt.timedelta(days=4), eligible_kinds=["person"])
    _programme("luna-de-dupa", next_month[1] + dt.timedelta(days=1), eligible_kinds=["person"])
    found = finds(who="person", deadline_in="next_month")
    assert in_next_month.slug in found and "luna-de-dupa" not in found and "fara-termen" not in found
    deadlines = [FundingProgramme.objects.get(slug=slug).deadline for slug in found]
    assert all(deadline is not None and next_month[0] <= deadline <= next_month[1] for deadline in deadlines)
    assert in_next_month.slug in finds(deadline_in="three_months")
    assert "granturi-inchise" not in finds(deadline_in="this_month")
    assert client.get("/en/resources/funding/", {"deadline_in": "yesterday"}).status_code == 400
    assert client.get("/en/resources/funding/", {"who": "dragon"}).status_code == 400
    detail = client.get(f"/en/resources/funding/{call.slug}/").content.decode()
    assert "deadline" in detail and "NGO, A person" in detail and "Culture" in detail  # who may apply, what for

    citizen = make_verified()
    client.force_login(citizen)
    assert client.post(f"/en/resources/funding/{call.slug}/", {"days_before": "500"}).status_code == 400
    assert client.post(f"/en/resources/funding/{call.slug}/", {"days_before": "7"}).status_code == 302
    reminder = FundingReminder.objects.get()
    assert call.deadline is not None
    assert services.send_funding_reminders(today=today) == 0  # 33 days ahead: not yet
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_funding_reminders(today=call.deadline - dt.timedelta(days=7)) == 1
    assert services.send_funding_reminders(today=call.deadline - dt.timedelta(days=6)) == 0  # once
    reminder.refresh_from_db()
    assert reminder.sent_at is not None
    from notifications.models import EventRecord

    event = EventRecord.objects.get(kind="resources.funding_deadline")
    assert "granturi-culturale" in event.title["en"] and event.url == "/resurse/finantare/granturi-culturale/"
    from core.legacy_urls import address_in_language

    # The link each reader gets is the page's address in their language (paths are translated).
    assert address_in_language(event.url, "en") == "/en/resources/funding/granturi-culturale/"
    with pytest.raises(ValidationError):
        services.ask_for_reminder(citizen, FundingProgramme.objects.get(slug="granturi-inchise"))


def test_initiatives_are_moderated_before_they_show_and_can_be_followed(make_verified: Any) -> None:
    proposer = make_verified()
    client = Client()
    client.force_login(proposer)
    response = client.post("/en/resources/initiatives/new/", {
        "title": "Harta copacilor", "kind": "community_science", "description": "Inventariem copacii stradali.",
        "address": "Strada Paris", "url": ""})
    assert response.status_code == 302
    initiative = Initiative.objects.get()
    assert initiative.status == "pending" and initiative.latitude is not None
    assert not MapItem.objects.filter(layer="initiative").exists()
    assert Client().get(initiative.get_absolute_url()).status_code == 404
    assert client.get(initiative.get_absolute_url()).status_code == 200  # the proposer sees it
    bad = client.post("/en/resources/initiatives/new/", {"title": "", "kind": "alchemy", "description": ""})
    assert bad.status_code == 400 and {"title", "kind", "description"} <= set(bad.context["form"].errors)

    with pytest.raises(PermissionDenied):
        services.moderate_initiative(proposer, initiative, status="published")
    moderator = make_verified(Role.MODERATOR)
    services.moderate_initiative(moderator, initiative, status="published")
    assert MapItem.objects.filter(layer="initiative", object_id=initiative.pk).exists()

    follower = make_verified()
    client.force_login(follower)
    assert client.post(f"/en/resources/initiatives/{initiative.slug}/follow/", {"follow": "1"}).status_code == 302
    page = client.get(initiative.get_absolute_url()).content.decode()
    assert "Stop following" in page and "1 follower" in page
    client.post(f"/en/resources/initiatives/{initiative.slug}/follow/", {"follow": "0"})
    assert "Follow this initiative" in client.get(initiative.get_absolute_url()).content.decode()


def test_organisation_kinds_cover_the_issue() -> None:
    assert set(Organisation.Kind.values) == {"ngo", "company", "university", "research", "public", "cultural",
                                             "citizens_group"}
