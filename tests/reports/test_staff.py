"""The staff side per role: inbox, handling a report, bulk actions, moderation, export, back office."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from accounts.roles import Role
from core.models import AuditEntry
from reports import services
from reports.models import Moderation, Report, ResponseTemplate, Status
from tests.reports.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_reports(make_report: Any) -> tuple[Report, Report]:
    return make_report(title="Roads one", phone="0700 000 001", email="road.reporter@example.org"), \
        make_report("street-lighting", title="Lights one")


def test_anonymous_and_citizens_have_no_inbox(client: Client, citizen: Any, two_reports: Any) -> None:
    road, _light = two_reports
    for url in ("/en/reports/staff/", f"/en/reports/staff/{road.pk}/", "/en/reports/staff/moderation/",
                "/en/reports/staff/export.csv"):
        assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(citizen)
    for url in ("/en/reports/staff/", f"/en/reports/staff/{road.pk}/", "/en/reports/staff/moderation/",
                "/en/reports/staff/export.csv"):
        assert client.get(url).status_code == 403, url
    assert client.post("/en/reports/staff/bulk/", {"report": [road.pk], "action": "fixed"}).status_code == 403


def test_department_staff_see_only_their_departments(client: Client, roads_staff: Any, two_reports: Any) -> None:
    _road, light = two_reports
    client.force_login(roads_staff)
    inbox = client.get("/en/reports/staff/").content.decode()
    assert "Roads one" in inbox and "Lights one" not in inbox
    assert client.get(f"/en/reports/staff/{light.pk}/").status_code == 403
    assert client.get("/en/reports/staff/moderation/").status_code == 403
    exported = client.get("/en/reports/staff/export.csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [row["title"] for row in rows] == ["Roads one"]
    assert "road.reporter" not in exported and "0700" not in exported  # no contact details in exports


def test_handling_a_report(client: Client, roads_staff: Any, two_reports: Any) -> None:
    road, _light = two_reports
    client.force_login(roads_staff)
    page = client.get(f"/en/reports/staff/{road.pk}/").content.decode()
    assert "road.reporter@example.org" not in page  # contact details only on request
    shown = client.get(f"/en/reports/staff/{road.pk}/?contact=1").content.decode()
    assert "road.reporter@example.org" in shown and "0700 000 001" in shown
    assert AuditEntry.objects.filter(action="reports.report.contact_viewed", target_id=str(road.pk)).exists()
    template = ResponseTemplate.objects.get(status=Status.ACKNOWLEDGED, department__isnull=True)
    response = client.post(f"/en/reports/staff/{road.pk}/", {"action": "status", "status": "acknowledged",
                                                              "template": template.pk, "text": ""})
    assert response.status_code == 302
    road.refresh_from_db()
    assert road.status == Status.ACKNOWLEDGED and road.status_note == template.text
    bad = client.post(f"/en/reports/staff/{road.pk}/", {"action": "status", "status": "closed_not_fixed"})
    assert bad.status_code == 400 and "reason" in bad.context["forms"]["status"].errors
    client.post(f"/en/reports/staff/{road.pk}/", {"action": "note", "note": "Call contractor"})
    client.post(f"/en/reports/staff/{road.pk}/", {"action": "priority", "priority": "4"})
    client.post(f"/en/reports/staff/{road.pk}/", {"action": "assign", "assignee": roads_staff.pk})
    client.post(f"/en/reports/staff/{road.pk}/", {"action": "comment", "text": "Crew on site tomorrow"})
    road.refresh_from_db()
    assert road.priority == 4 and road.assignee == roads_staff
    assert road.internal_notes.count() == 1 and road.updates.filter(kind="comment").count() == 1
    assert "Call contractor" not in client.get(f"/en/reports/{road.pk}/").content.decode()


def test_merge_from_the_staff_page(client: Client, roads_staff: Any, make_report: Any) -> None:
    original, duplicate = make_report(title="First"), make_report(title="Second")
    client.force_login(roads_staff)
    missing = client.post(f"/en/reports/staff/{duplicate.pk}/", {"action": "status", "status": "duplicate",
                                                                 "duplicate_of": 99999})
    assert missing.status_code == 400
    client.post(f"/en/reports/staff/{duplicate.pk}/", {"action": "status", "status": "duplicate",
                                                       "duplicate_of": original.pk})
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of == original


def test_bulk_actions(client: Client, roads_staff: Any, make_report: Any) -> None:
    reports = [make_report(), make_report()]
    client.force_login(roads_staff)
    response = client.post("/en/reports/staff/bulk/", {"report": [r.pk for r in reports], "action": "in_progress",
                                                       "text": "Scheduled for Monday"})
    assert response.status_code == 302
    assert set(Report.objects.values_list("status", flat=True)) == {Status.IN_PROGRESS}
    client.post("/en/reports/staff/bulk/", {"report": [r.pk for r in reports], "action": "assign",
                                            "assignee_id": roads_staff.pk})
    assert set(Report.objects.values_list("assignee", flat=True)) == {roads_staff.pk}


def test_moderation_queue(client: Client, moderator: Any, make_report: Any) -> None:
    pending = make_report("abandoned-vehicle", title="Car with plate TM-01-AAA", photos=[jpeg_bytes()])
    client.force_login(moderator)
    queue = client.get("/en/reports/staff/moderation/").content.decode()
    assert "Car with plate" in queue
    response = client.post(f"/en/reports/staff/{pending.pk}/", {
        "action": "moderate", "decision": "approved", "title": "Abandoned car", "description": "No wheels"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.is_public and pending.title == "Abandoned car" and pending.moderation == Moderation.APPROVED
    photo = pending.photos.get()
    client.post(f"/en/reports/staff/photos/{photo.pk}/", {"decision": "rejected"})
    photo.refresh_from_db()
    pending.refresh_from_db()
    assert photo.moderation == Moderation.REJECTED and pending.first_photo is None
    client.logout()
    assert client.get(f"/reports/photos/{photo.pk}.jpg").status_code == 404


def test_administrator_sees_everything_and_the_back_office(client: Client, administrator: Any,
                                                           two_reports: Any) -> None:
    client.force_login(administrator)
    inbox = client.get("/en/reports/staff/").content.decode()
    assert "Roads one" in inbox and "Lights one" in inbox
    category_id = two_reports[0].category_id
    for url in ("/en/admin/reports/category/", "/en/admin/reports/department/", "/en/admin/reports/report/",
                "/en/admin/reports/open311key/add/", f"/en/admin/reports/category/{category_id}/change/"):
        assert client.get(url).status_code == 200, url
    response = client.post("/en/admin/reports/open311key/add/", {"name": "City app", "contact": "",
                                                                 "requests_per_hour": 100}, follow=True)
    assert b"shown only this once" in response.content


def test_department_staff_cannot_edit_categories_in_the_back_office(client: Client, roads_staff: Any,
                                                                   reference: Any) -> None:
    client.force_login(roads_staff)
    assert client.get("/en/admin/reports/category/").status_code == 403
    assert client.get("/en/admin/reports/open311key/").status_code == 403


def test_staff_record_a_phone_report(client: Client, roads_staff: Any, reference: Any) -> None:
    client.force_login(roads_staff)
    page = client.get("/en/reports/new/").content.decode()
    assert 'name="channel"' in page
    response = client.post("/en/reports/new/", {
        "category": "potholes", "q_size": "small", "lat": "45.7537", "lon": "21.2257", "title": "Phoned in",
        "description": "Caller says", "email": "caller@example.org", "channel": "phone", "website": ""})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.channel == "phone" and report.reporter is None and report.reporter_email == "caller@example.org"
    assert report.is_public


def test_citizen_form_has_no_channel(client: Client, make_user: Any, reference: Any) -> None:
    client.force_login(make_user(Role.CITIZEN))
    assert b'name="channel"' not in client.get("/en/reports/new/").content


def test_staff_page_query_count_is_constant(no_response_cache: None, client: Client, roads_staff: Any, make_report: Any,
                                           django_assert_max_num_queries: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report = make_report()
    client.force_login(roads_staff)

    def count(url: str) -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    urls = ["/en/reports/staff/", f"/en/reports/staff/{report.pk}/"]
    before = [count(url) for url in urls]
    for _ in range(10):
        other = make_report()
        services.change_status(roads_staff, other, Status.ACKNOWLEDGED)
        services.add_internal_note(roads_staff, report, "note")
        services.post_public_update(roads_staff, report, "update")
    assert [count(url) for url in urls] == before
