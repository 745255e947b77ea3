"""Organisations registry, working groups (interest, decisions, consented listing, documents checked by
content) and events (registration, waiting list, reminders, iCalendar, outcomes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from participation import ical, services
from participation.demo import load_action_groups
from participation.models import Event, GroupDocument, Membership, Organisation, Proposal, Registration
from participation.models import WorkingGroup as Group
from tests.participation.notices import notices, notified

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def group(strategy_data: None, make_verified: Any) -> Group:
    load_action_groups()
    group = Group.objects.get(slug="action-group-1")
    group.coordinators.add(make_verified(display_name="Coordinator"))
    return group


def coordinator(group: Group) -> Any:
    return group.coordinators.get()


def test_the_seven_action_groups_come_from_the_governance_bodies(group: Group) -> None:
    groups = Group.objects.filter(kind=Group.Kind.ACTION_GROUP)
    assert groups.count() == 7
    assert sorted(groups.values_list("ambition__number", flat=True)) == list(range(1, 8))
    assert load_action_groups() == 7 and Group.objects.filter(kind="action_group").count() == 7  # idempotent


def test_interest_decision_and_consented_listing(client: Client, group: Group, make_verified: Any) -> None:
    listed = make_verified(display_name="Ioana Popescu")
    hidden = make_verified(display_name="Secret Person")
    client.force_login(listed)
    url = group.get_absolute_url()
    bad = client.post(url, {"role": "boss", "expertise": "short", "availability": ""})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "Select a valid choice" in body and "at least 10 characters" in body and "This field is required" in body
    assert client.post(url, {"role": "expert", "expertise": "Urban data analysis, 10 years", "availability":
                             "Two evenings a month", "listed_publicly": "on"}).status_code == 302
    membership = Membership.objects.get(user=listed)
    assert membership.status == Membership.Status.PENDING
    assert notified(coordinator(group), "membership.requested")
    with pytest.raises(ValidationError):
        services.express_interest(listed, group, role="member", expertise="Again and again", availability="x",
                                  listed_publicly=True)
    services.express_interest(hidden, group, role="member", expertise="Community organising",
                              availability="weekends", listed_publicly=False)
    with pytest.raises(PermissionDenied):
        services.decide_membership(listed, membership, accept=True)
    for m in Membership.objects.all():
        services.decide_membership(coordinator(group), m, accept=True, note="Welcome")
    with pytest.raises(ValidationError):
        services.decide_membership(coordinator(group), membership, accept=False)
    page = client.get(url).content.decode()
    assert "Ioana Popescu" in page and "Secret Person" not in page
    assert listed.email not in page and hidden.email not in page
    assert "2 members" in page and "1 of them chose not to be listed" in page
    api = client.get("/api/v1/participation/groups").json()
    assert next(g for g in api if g["slug"] == group.slug)["members"] == 2
    assert "Ioana" not in str(api)


def test_coordinator_page_is_for_coordinators_only(client: Client, group: Group, citizen: Any) -> None:
    url = f"{group.get_absolute_url()}manage/"
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    client.force_login(coordinator(group))
    assert client.get(url).status_code == 200


def upload(client: Client, group: Group, content: bytes, name: str, **extra: Any) -> Any:
    data = {"action": "upload", "title": "Minutes of the first meeting", "kind": "minutes",
            "meeting_date": "2026-03-02", "public": "on", "file": SimpleUploadedFile(name, content)}
    data.update(extra)
    return client.post(f"{group.get_absolute_url()}manage/", data)


def test_documents_are_checked_by_content_and_size(client: Client, group: Group, settings: Any) -> None:
    client.force_login(coordinator(group))
    assert upload(client, group, PDF, "minutes.pdf").status_code == 302
    document = GroupDocument.objects.get()
    assert document.mime_type == "application/pdf" and document.extension == "pdf"
    assert not str(document.file.name).endswith("minutes.pdf")  # never the uploader's name
    fake = upload(client, group, b"MZ\x90\x00 this is an executable", "minutes.pdf")
    assert fake.status_code == 400 and "Upload a PDF" in fake.content.decode()
    html = upload(client, group, b"<script>alert(1)</script>", "notes.html")
    assert html.status_code == 400
    empty = upload(client, group, b"", "empty.pdf")
    assert empty.status_code == 400
    no_date = upload(client, group, PDF, "m.pdf", meeting_date="")
    assert no_date.status_code == 400 and "Minutes need the date of the meeting" in no_date.content.decode()
    from core import uploads

    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (uploads.MAX_DOCUMENT_BYTES + 1))
    with pytest.raises(ValidationError, match="larger than"):
        uploads.check_document(big)
    text = uploads.check_document(SimpleUploadedFile("agenda.md", b"# Ordinea de zi\n- Buget"))
    assert text.mime_type == "text/markdown"
    assert GroupDocument.objects.count() == 1
    download: Any = client.get(f"{group.get_absolute_url()}documents/{document.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_members_only_documents_are_hidden_from_the_public(client: Client, group: Group) -> None:
    client.force_login(coordinator(group))
    upload(client, group, PDF, "internal.pdf", public="")
    document = GroupDocument.objects.get()
    client.logout()
    assert client.get(f"{group.get_absolute_url()}documents/{document.pk}/").status_code == 404
    assert "Minutes of the first meeting" not in client.get(group.get_absolute_url()).content.decode()


def test_the_registry_moved_to_the_resources_organisation_page(client: Client, group: Group, verified: Any) -> None:
    """Organisations are resources' (one page per organisation); participation's old registry addresses
    answer 301 there, and that page lists what the organisation does here: groups and proposals."""
    from strategy.models import Ambition

    organisation = Organisation.objects.create(slug="asociatia-pietonilor", name="Asociația Pietonilor", kind="ngo")
    Membership.objects.create(group=group, user=verified, organisation=organisation, expertise="Streets",
                              status=Membership.Status.ACCEPTED)
    Proposal.objects.create(title="Pietonal pe Alba Iulia", body="Mai mult spațiu.", author=verified,
                            organisation=organisation, ambition=Ambition.objects.order_by("number")[0])
    for old, new in (("/en/participation/organisations/asociatia-pietonilor/", organisation.get_absolute_url()),
                     ("/en/participation/organisations/new/", "/en/resources/organisations/new/"),
                     ("/en/participation/organisations/?kind=ngo&q=pieton",
                      "/en/resources/?layer=organisation&kind=ngo&q=pieton")):
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == new, old
    page = client.get(organisation.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert group.name in page and "Pietonal pe Alba Iulia" in page and verified.email not in page


@pytest.fixture
def event(strategy_data: None) -> Event:
    start = timezone.now() + dt.timedelta(hours=20)
    return Event.objects.create(slug="living-lab-workshop", title_en="Living Lab workshop", title_ro="Atelier",
                                starts_at=start, ends_at=start + dt.timedelta(hours=2), location="Bastion, Timișoara",
                                capacity=2)


def test_registration_waiting_list_and_promotion(client: Client, event: Event, make_verified: Any,
                                                 unverified: Any) -> None:
    first, second, third = make_verified(), make_verified(), make_verified()
    assert services.register_for_event(first, event).status == Registration.Status.CONFIRMED
    assert services.register_for_event(second, event).status == Registration.Status.CONFIRMED
    assert services.register_for_event(third, event).status == Registration.Status.WAITING
    with pytest.raises(ValidationError):
        services.register_for_event(first, event)
    with pytest.raises(PermissionDenied):
        services.register_for_event(unverified, event)
    client.force_login(third)
    assert "number 1 on the waiting list" in client.get(event.get_absolute_url()).content.decode()
    promoted = services.cancel_registration(first, event)
    assert promoted is not None and promoted.user == third and promoted.status == Registration.Status.CONFIRMED
    assert notified(third, "event.promoted")
    # Registering again after cancelling goes to the end of the queue (the event is full again).
    assert services.register_for_event(first, event).status == Registration.Status.WAITING


def test_registration_closes_when_the_event_started_or_is_cancelled(event: Event, verified: Any) -> None:
    Event.objects.filter(pk=event.pk).update(cancelled=True)
    event.refresh_from_db()
    with pytest.raises(ValidationError):
        services.register_for_event(verified, event)


def test_reminders_are_sent_once_the_day_before(event: Event, make_verified: Any) -> None:
    attendee = make_verified()
    services.register_for_event(attendee, event)
    assert services.send_event_reminders() == 1
    assert services.send_event_reminders() == 0
    assert len(notices(attendee, "event.reminder")) == 1


def test_icalendar_export(client: Client, event: Event) -> None:
    response = client.get(f"{event.get_absolute_url()}event.ics")
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and "SUMMARY:Living Lab workshop" in body
    assert "LOCATION:Bastion\\, Timișoara" in body and body.endswith("END:VCALENDAR\r\n")
    feed = client.get("/participation/events.ics").content.decode()
    assert feed.count("BEGIN:VEVENT") == 1


def test_ical_folding_and_escaping() -> None:
    start = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
    text = ical.calendar([ical.CalendarEvent(uid="x@y", start=start, end=start, summary="Ș" * 80,
                                             description="a;b,c\nd")], name="T", now=start)
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
    assert "DESCRIPTION:a\\;b\\,c\\nd" in text
    with pytest.raises(ValueError):
        ical.calendar([ical.CalendarEvent(uid="x", start=dt.datetime(2026, 1, 1), end=start, summary="s")],
                      name="T", now=start)


def test_outcomes_attached_after_the_event(client: Client, event: Event, staff: Any, make_verified: Any,
                                           citizen: Any) -> None:
    attendee = make_verified()
    services.register_for_event(attendee, event)
    url = f"{event.get_absolute_url()}outcomes/"
    client.force_login(citizen)
    assert client.post(url, {"outcomes": "Three pilots were chosen."}).status_code == 403
    client.force_login(staff)
    client.post(url, {"outcomes": "Three pilots were chosen for the Living Lab."})
    event.refresh_from_db()
    assert event.outcomes == "Three pilots were chosen for the Living Lab."
    assert notified(attendee, "event.outcomes")


def test_event_list_query_count_is_constant(client: Client, event: Event, make_verified: Any,
                                            django_assert_num_queries: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/en/participation/events/")
    with CaptureQueriesContext(connection) as first:
        client.get("/en/participation/events/")
    for i in range(5):
        start = timezone.now() + dt.timedelta(days=i + 2)
        other = Event.objects.create(slug=f"e{i}", title_en=f"Event {i}", starts_at=start, ends_at=start)
        services.register_for_event(make_verified(), other)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get("/en/participation/events/")


def test_group_page_query_count_is_constant(client: Client, group: Group, make_verified: Any,
                                            django_assert_num_queries: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(group.get_absolute_url())
    with CaptureQueriesContext(connection) as first:
        client.get(group.get_absolute_url())
    for i in range(4):
        member = make_verified(display_name=f"Member {i}")
        membership = services.express_interest(member, group, role="member", expertise="Lots of expertise",
                                               availability="weekly", listed_publicly=True)
        services.decide_membership(coordinator(group), membership, accept=True)
        GroupDocument.objects.create(group=group, title=f"Doc {i}", file="x.pdf", extension="pdf",
                                     mime_type="application/pdf", size=10)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(group.get_absolute_url())



def test_an_image_document_is_stored_without_its_metadata() -> None:
    """Group documents go through core.images like every other upload: GPS and other EXIF removed."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from core import uploads

    exif = Image.Exif()
    exif[0x010F] = "Camera maker with a serial number"
    original = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(original, format="JPEG", exif=exif)
    checked = uploads.check_document(SimpleUploadedFile("photo.jpg", original.getvalue()))
    assert checked.mime_type == "image/jpeg" and checked.content is not None
    with Image.open(io.BytesIO(checked.content)) as stored:
        assert not stored.getexif() and stored.size == (64, 48)
