"""Publishing, updating and cancelling: one transaction each, an audit row, an event for the
notifications room matched by place, neighbourhoods and streets computed from the drawing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from announcements import services
from announcements.models import Announcement, MessageType
from core.models import AuditEntry
from tests.announcements.conftest import CIRCUMVALATIUNII_BOX, draft

pytestmark = pytest.mark.django_db


def test_publish_computes_neighbourhoods_and_streets_and_audits(closure: Any) -> None:
    assert closure.message_type == MessageType.ALERT and closure.is_latest and closure.thread_id is None
    assert {n.slug for n in closure.neighbourhoods.all()} >= {"complex_studentesc"} or closure.neighbourhoods.exists()
    assert closure.streets[0] == "Bulevardul Vasile Pârvan"
    assert closure.title_ro == "Bulevardul Vasile Pârvan închis" and closure.title_en.endswith("closed")
    entry = AuditEntry.objects.get(action="announcements.announcement.published", target_id=str(closure.pk))
    assert entry.actor_id == closure.author_id


def test_publish_tells_subscribers_in_the_affected_area_only(neighbourhoods: None, staff: Any,
                                                             make_user: Any) -> None:
    from core.models import Neighbourhood
    from notifications import subscriptions
    from notifications.models import EventRecord
    from notifications.pipeline import matching_subscriptions

    inside = make_user(email="inside@example.org")
    outside = make_user(email="outside@example.org")
    circumvalatiunii = Neighbourhood.objects.get(slug="circumvalatiunii")
    mine = subscriptions.subscribe(inside, neighbourhood=circumvalatiunii)
    subscriptions.subscribe(outside, neighbourhood=Neighbourhood.objects.get(slug="fratelia"))
    announcement = services.publish(staff, draft(category="water_outage", geometry=json.dumps(CIRCUMVALATIUNII_BOX)))
    record = EventRecord.objects.get(subject=f"announcements.announcement:{announcement.pk}")
    assert record.kind == "announcements.published" and record.room == "announcements"
    assert record.url == f"/announcements/{announcement.pk}/"
    assert "announcements.category:water_outage" in record.topics
    assert record.title["ro"] == announcement.title_ro and record.title["en"] == announcement.title_en
    assert record.actor_user_id == staff.pk
    assert [s.pk for s in matching_subscriptions(record)] == [mine.pk]
    assert "circumvalatiunii" in record.data["neighbourhoods"]


def test_update_and_cancel_continue_the_thread(closure: Any, staff: Any) -> None:
    later = closure.ends_at + dt.timedelta(days=1)
    updated = services.update(staff, closure, draft(ends_at=later, title_ro="Închidere prelungită",
                                                    title_en="Closure extended"))
    closure.refresh_from_db()
    assert not closure.is_latest and updated.is_latest
    assert updated.thread_id == closure.pk and updated.replaces_id == closure.pk
    assert updated.message_type == MessageType.UPDATE
    changes = AuditEntry.objects.get(action="announcements.announcement.updated").changes
    assert changes["replaces"] == closure.pk and "ends_at" in changes
    # Updating an older message of the thread updates its newest one.
    cancelled = services.cancel(staff, closure, reason_ro="Lucrare amânată.", reason_en="Work postponed.")
    assert cancelled.replaces_id == updated.pk and cancelled.message_type == MessageType.CANCEL
    assert [m.pk for m in services.thread_of(cancelled)] == [closure.pk, updated.pk, cancelled.pk]
    assert Announcement.objects.filter(is_latest=True).count() == 1
    with pytest.raises(services.AnnouncementError) as error:
        services.cancel(staff, cancelled, reason_ro="x", reason_en="y")
    assert error.value.field == "announcement"
    with pytest.raises(services.AnnouncementError):
        services.update(staff, closure, draft())
    from notifications.models import EventRecord

    kinds = list(EventRecord.objects.order_by("occurred_at").values_list("kind", flat=True))
    assert kinds == ["announcements.published", "announcements.updated", "announcements.cancelled"]
    cancel_event = EventRecord.objects.get(kind="announcements.cancelled")
    assert cancel_event.title["en"].startswith("Cancelled: ") and cancel_event.title["ro"].startswith("Anulat")


def test_phases(closure: Any, staff: Any) -> None:
    now = timezone.now()
    planned = services.publish(staff, draft(starts_at=now + dt.timedelta(days=1), ends_at=None))
    past = services.publish(staff, draft(starts_at=now - dt.timedelta(days=3), ends_at=now - dt.timedelta(days=1)))
    assert list(Announcement.objects.current(now)) == [closure]
    assert list(Announcement.objects.planned(now)) == [planned]
    assert list(Announcement.objects.past(now)) == [past]
    assert planned.phase(now) == "planned" and past.phase(now) == "past" and closure.phase(now) == "current"


@pytest.mark.parametrize(("changes", "field"), [
    ({"geometry": '{"type": "Point", "coordinates": [0, 0]}'}, "geometry"),
    ({"geometry": "not json"}, "geometry"),
    ({"title_en": "  "}, "title_en"),
    ({"body_ro": "x" * 5001}, "body_ro"),
    ({"category": "alien_invasion"}, "category"),
    ({"severity": "apocalyptic"}, "severity"),
    ({"direction": "SIDEWAYS"}, "direction"),
    ({"ends_at": timezone.now() - dt.timedelta(days=30)}, "ends_at"),
    ({"starts_at": dt.datetime(2026, 1, 1)}, "starts_at"),
])
def test_bad_input_names_the_field_and_writes_nothing(neighbourhoods: None, staff: Any, changes: dict[str, Any],
                                                      field: str) -> None:
    with pytest.raises(services.AnnouncementError) as error:
        services.publish(staff, draft(**changes))
    assert error.value.field == field
    assert not Announcement.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="announcements").exists()


def test_a_failing_notification_rolls_the_announcement_back(neighbourhoods: None, staff: Any,
                                                          monkeypatch: Any) -> None:
    def broken(event: Any) -> None:
        raise RuntimeError("notifications down")

    monkeypatch.setattr("notifications.events.publish", broken)
    with pytest.raises(RuntimeError):
        services.publish(staff, draft())
    assert not Announcement.objects.exists()


def test_demo_loads_and_is_removed(neighbourhoods: None) -> None:
    from io import StringIO

    from announcements import demo

    now = timezone.now()
    demo.load_demo_data(StringIO(), now=now)
    demo.load_demo_data(StringIO(), now=now)  # idempotent
    assert Announcement.objects.filter(is_demo=False).count() == 0
    assert Announcement.objects.current(now).filter(category="street_closure").count() == 1
    assert Announcement.objects.planned(now).filter(category="water_outage").count() == 1
    assert Announcement.objects.planned(now).filter(category="works").count() == 1
    assert Announcement.objects.past(now).filter(message_type="cancel").count() == 1
    water = Announcement.objects.get(category="water_outage")
    assert [n.slug for n in water.neighbourhoods.all()] == ["circumvalatiunii"]
    closure = Announcement.objects.current(now).get(category="street_closure")
    assert closure.streets[0] == "Bulevardul Vasile Pârvan" and closure.message_type == "update"
    demo.remove_demo_data(StringIO())
    assert not Announcement.objects.exists()
    assert AuditEntry.objects.filter(action="announcements.demo.removed").count() == 5


def test_an_announcements_editor_publishes_updates_and_cancels_and_others_may_not(
        neighbourhoods: None, make_user: Any) -> None:
    """The role for publishing without being a department's staff; the services check the permission
    (not only the pages) and audit who acted."""
    from django.core.exceptions import PermissionDenied

    from accounts.roles import Role

    editor = make_user(Role.ANNOUNCEMENTS_EDITOR)
    assert editor.is_staff and not editor.has_perm("reports.change_report")  # staff, but only for this
    first = services.publish(editor, draft())
    second = services.update(editor, first, draft(title_en="Bulevardul Vasile Pârvan still closed"))
    services.cancel(editor, second, reason_ro="Lucrările s-au încheiat.", reason_en="The works are over.")
    actions = list(AuditEntry.objects.filter(action__startswith="announcements.announcement.")
                   .order_by("pk").values_list("action", "actor_id"))
    assert actions == [(f"announcements.announcement.{verb}", editor.pk) for verb in ("published", "updated",
                                                                                     "cancelled")]
    for outsider in (make_user(Role.CITIZEN), make_user(Role.STRATEGY_EDITOR), make_user(Role.MODERATOR)):
        with pytest.raises(PermissionDenied):
            services.publish(outsider, draft())
        with pytest.raises(PermissionDenied):
            services.update(outsider, first, draft())
        with pytest.raises(PermissionDenied):
            services.cancel(outsider, first, reason_ro="x", reason_en="x")
    assert Announcement.objects.count() == 3
