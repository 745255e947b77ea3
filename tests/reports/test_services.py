"""State changes: submitting, confirming, the duplicate check, the status workflow, following,
reopening, flagging, moderation. Emails are real (SMTP to the tests' aiosmtpd server, run through django-tasks)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from PIL import Image

from core.models import AuditEntry
from reports import services, tokens
from reports.models import Channel, Flag, InternalNote, Moderation, Report, Status, Subscription, Update
from tests.reports.conftest import CENTRU, jpeg_bytes

pytestmark = pytest.mark.django_db(transaction=False)


def link_path(body: str, marker: str) -> str:
    match = re.search(rf"https?://[^/\s]+(/\S*{marker}\S*)", body)
    assert match, body
    return match.group(1)


def test_anonymous_web_report_waits_for_email_confirmation(reference: Any, django_capture_on_commit_callbacks: Any
                                                           ) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = services.submit_report(None, services.NewReport(
            category=reference["potholes"], title="Groapă", description="Adâncă", lat=CENTRU[0], lon=CENTRU[1],
            answers={"size": "large"}, email="Ana@Example.org", language="ro"))
    assert report.confirmed_at is None and not report.is_public
    assert report.neighbourhood is not None and report.neighbourhood.slug == "centru"
    assert report.department.slug == "drumuri"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ana@example.org"]
    assert "Confirmă" in mail.outbox[0].subject or "Confirm" in mail.outbox[0].subject
    token = link_path(mail.outbox[0].body, "/sesizari/confirmare/").split("/")[-2]
    confirmed = services.confirm_report(token)
    assert confirmed.is_public and confirmed.confirmed_at is not None
    assert Subscription.objects.get(report=report).confirmed_at is not None
    assert AuditEntry.objects.filter(action="reports.report.confirmed", target_id=str(report.pk)).exists()


def test_signed_in_and_open311_reports_are_public_at_once(reference: Any, citizen: Any) -> None:
    by_user = services.submit_report(citizen, services.NewReport(
        category=reference["garbage"], title="Containere pline", description="De trei zile", lat=CENTRU[0],
        lon=CENTRU[1], answers={"container": "household"}))
    assert by_user.is_public and by_user.reporter == citizen and by_user.reporter_email == citizen.email
    assert Subscription.objects.get(report=by_user).user == citizen


def test_validation_names_the_field(reference: Any) -> None:
    potholes = reference["potholes"]
    base = {"category": potholes, "title": "T", "description": "D", "lat": CENTRU[0], "lon": CENTRU[1],
            "answers": {"size": "small"}, "channel": Channel.OPEN311}
    cases = [
        ({"lat": "north"}, "lat"), ({"lat": 95}, "lat"), ({"lat": float("nan")}, "lat"),
        ({"lat": 44.43, "lon": 26.10}, "lat"),  # Bucharest: outside the city
        ({"title": ""}, "title"), ({"title": "x" * 121}, "title"),
        ({"description": "x" * 5001}, "description"), ({"description": "null\x00byte"}, "description"),
        ({"answers": {}}, "attribute[size]"), ({"answers": {"size": "gigantic"}}, "attribute[size]"),
        ({"answers": {"size": "small", "colour": "red"}}, "attribute[colour]"),
        ({"phone": "call me maybe"}, "phone"), ({"email": "not-an-email"}, "email"),
        ({"channel": Channel.WEB, "email": ""}, "email"),
        ({"show_name": True}, "name"),
        ({"photos": [b"1", b"2", b"3", b"4"]}, "photos"),
        ({"photos": [b"%PDF-1.4 fake"]}, "photo1"),
    ]
    for change, field in cases:
        with pytest.raises(ValidationError) as error:
            services.submit_report("tests", services.NewReport(**{**base, **change}))
        assert field in error.value.message_dict, (change, error.value.message_dict)
    assert not Report.objects.exists()


def test_photo_required_and_stored_without_exif(reference: Any, media_root: Path) -> None:
    dumping = reference["illegal-dumping"]
    data = {"category": dumping, "title": "Moloz", "description": "Mult", "lat": CENTRU[0], "lon": CENTRU[1],
            "answers": {"waste_type": ["construction"]}, "channel": Channel.OPEN311}
    with pytest.raises(ValidationError) as error:
        services.submit_report("tests", services.NewReport(**data))
    assert "photos" in error.value.message_dict
    report = services.submit_report("tests", services.NewReport(**data, photos=[jpeg_bytes((2400, 1800), gps=True)]))
    photo = report.photos.get()
    assert report.first_photo == photo
    with default_storage.open(photo.file, "rb") as stored:
        content = stored.read()
    image = Image.open(io.BytesIO(content))
    assert image.format == "JPEG" and max(image.size) == 1600
    assert not image.getexif() and b"SecretPhone" not in content
    # On disk, as in production (FileSystemStorage under this run's MEDIA_ROOT), holding the same bytes.
    assert (media_root / photo.file).read_bytes() == content


def test_sql_like_text_is_stored_verbatim(make_report: Any) -> None:
    text = "Robert'); DROP TABLE reports_report;-- <script>alert(1)</script>"
    report = make_report(title=text[:120], description=text)
    report.refresh_from_db()
    assert report.description == text and Report.objects.count() == 1


def test_nearby_open_reports_within_50_metres(make_report: Any, reference: Any) -> None:
    lat, lon = CENTRU
    near = make_report(lat=lat + 0.0003, lon=lon)        # ~33 m north
    make_report(lat=lat + 0.0006, lon=lon)               # ~67 m: too far
    make_report("street-lighting", lat=lat, lon=lon)     # another category
    closed = make_report(lat=lat, lon=lon + 0.0002)       # ~16 m, but fixed below
    services.change_status("tests", closed, Status.FIXED, "Done")
    found = services.nearby_open_reports(reference["potholes"], lat, lon)
    assert [report.pk for report, _distance in found] == [near.pk]
    assert found[0][1] == pytest.approx(33.4, abs=1)


def test_status_workflow_publishes_dated_updates_and_emails_followers(
        make_report: Any, roads_staff: Any, citizen: Any, django_capture_on_commit_callbacks: Any) -> None:
    report = make_report(email="reporter@example.org")
    services.follow(citizen, report, supports=True)
    report.refresh_from_db()
    assert report.supporters_count == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(roads_staff, report, Status.ACKNOWLEDGED, "")
    assert {m.to[0] for m in mail.outbox} == {"reporter@example.org", citizen.email}
    report.refresh_from_db()
    assert report.acknowledged_at is not None and report.is_open
    with pytest.raises(ValidationError) as error:
        services.change_status(roads_staff, report, Status.SUBMITTED)
    assert "status" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.change_status(roads_staff, report, Status.CLOSED_NOT_FIXED, "No")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.change_status(roads_staff, report, Status.NOT_RESPONSIBLE, "")
    assert "responsible_party" in error.value.message_dict
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(roads_staff, report, Status.FIXED, "Groapa a fost plombată.")
    report.refresh_from_db()
    assert report.status == Status.FIXED and not report.is_open and report.fixed_at and report.closed_at
    reporter_mail = next(m for m in mail.outbox if m.to == ["reporter@example.org"])
    assert "Groapa a fost plombată." in reporter_mail.body
    reopen_path = link_path(reporter_mail.body, f"/sesizari/{report.pk}/redeschidere/")
    citizen_mail = next(m for m in mail.outbox if m.to == [citizen.email])
    assert "/redeschidere/" not in citizen_mail.body  # only the reporter gets the reopen link
    kinds = list(report.updates.values_list("kind", "new_status"))
    assert kinds == [("created", "submitted"), ("status", "acknowledged"), ("status", "fixed")]
    # The reporter says it is not fixed, from the email link.
    token = reopen_path.rstrip("/").split("/")[-1]
    services.reopen(None, report, "Still there", via_token=token)
    report.refresh_from_db()
    assert report.status == Status.REOPENED and report.is_open and report.fixed_at is None
    assert report.reopened_count == 1


def test_unsubscribe_link_stops_emails(make_report: Any, roads_staff: Any, client: Any,
                                       django_capture_on_commit_callbacks: Any) -> None:
    report = make_report(email="reporter@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(roads_staff, report, Status.ACKNOWLEDGED)
    message = mail.outbox[-1]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"  # RFC 8058
    path = link_path(message.body, "/unsubscribe/")
    assert client.post(path).status_code == 200  # what a mail client's one-click POST does
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(roads_staff, report, Status.IN_PROGRESS)
    assert mail.outbox == []


def test_each_delayed_message_carries_the_state_at_the_moment_of_its_event(
        make_report: Any, roads_staff: Any, citizen: Any, django_capture_on_commit_callbacks: Any) -> None:
    """Issue 15: two messages delayed until after both changes ("in progress", then "fixed") used to both say
    "fixed", because the task read the report's current state. Now each says what happened at its moment."""
    report = make_report(email="reporter@example.org")
    services.follow(citizen, report)
    citizen.preferred_language = "en"
    citizen.save(update_fields=["preferred_language"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as delayed:
        services.change_status(roads_staff, report, Status.IN_PROGRESS, "Echipa e pe drum.")
        services.change_status(roads_staff, report, Status.FIXED, "Groapa a fost plombată.")
    assert mail.outbox == []  # nothing has left yet: the workers are behind
    report.refresh_from_db()
    assert report.status == Status.FIXED
    for callback in delayed:  # the workers catch up only now, after the report is already fixed
        callback()
    to_citizen = [m for m in mail.outbox if m.to == [citizen.email]]
    assert [m.subject for m in to_citizen] == [f"Report #{report.pk}: In progress", f"Report #{report.pk}: Fixed"]
    assert "Status: In progress" in to_citizen[0].body and "Echipa e pe drum." in to_citizen[0].body
    assert "Fixed" not in to_citizen[0].body and "plombată" not in to_citizen[0].body
    assert "Status: Fixed" in to_citizen[1].body and "Groapa a fost plombată." in to_citizen[1].body
    to_reporter = [m for m in mail.outbox if m.to == ["reporter@example.org"]]
    reopen = f"/ro/sesizari/{report.pk}/redeschidere/"  # the reporter's language: Romanian
    assert len(to_reporter) == 2 and reopen not in to_reporter[0].body and reopen in to_reporter[1].body
    # Each message links the page in its recipient's language.
    assert f"/ro/sesizari/{report.pk}/" in to_reporter[0].body and "/reports/" not in to_reporter[0].body
    assert f"/en/reports/{report.pk}/" in to_citizen[0].body and "/sesizari/" not in to_citizen[0].body


def test_staff_of_another_department_cannot_change_a_report(make_report: Any, lighting_staff: Any,
                                                            roads_staff: Any) -> None:
    report = make_report()
    for action in (lambda: services.change_status(lighting_staff, report, Status.ACKNOWLEDGED),
                   lambda: services.add_internal_note(lighting_staff, report, "x"),
                   lambda: services.assign(lighting_staff, report, lighting_staff)):
        with pytest.raises(PermissionDenied):
            action()
    with pytest.raises(ValidationError):  # only members of the report's department can be assigned
        services.assign(roads_staff, report, lighting_staff)
    services.assign(roads_staff, report, roads_staff)
    assert Report.objects.get(pk=report.pk).assignee == roads_staff


def test_merging_a_duplicate_moves_followers_and_supporters(make_report: Any, roads_staff: Any) -> None:
    original = make_report(email="first@example.org")
    duplicate = make_report(email="second@example.org")
    services.merge_duplicate(roads_staff, duplicate, original)
    duplicate.refresh_from_db()
    original.refresh_from_db()
    assert duplicate.status == Status.DUPLICATE and duplicate.duplicate_of == original and not duplicate.is_open
    assert original.supporters_count == 1
    assert set(original.subscriptions.values_list("email", flat=True)) == {"first@example.org", "second@example.org"}
    assert original.updates.filter(kind=Update.Kind.MERGED).exists()
    with pytest.raises(ValidationError):
        services.change_status(roads_staff, original, Status.DUPLICATE, duplicate_of=original)


def test_internal_notes_are_separate_from_public_updates(make_report: Any, roads_staff: Any) -> None:
    report = make_report()
    services.add_internal_note(roads_staff, report, "Contractor X is slow")
    assert InternalNote.objects.filter(report=report).count() == 1
    assert not report.updates.filter(text__contains="Contractor").exists()


def test_premoderated_category_is_hidden_until_approved(make_report: Any, moderator: Any, roads_staff: Any) -> None:
    report = make_report("abandoned-vehicle", answers={"plate": "TM-01-ABC"}, photos=[jpeg_bytes()])
    assert report.moderation == Moderation.PENDING and not report.is_public
    assert report.photos.get().moderation == Moderation.PENDING and report.first_photo is None
    with pytest.raises(PermissionDenied):
        services.moderate_report(roads_staff, report, Moderation.APPROVED)
    services.moderate_report(moderator, report, Moderation.APPROVED, title="Mașină abandonată",
                             description="Fără roți.")
    report.refresh_from_db()
    assert report.is_public and report.title == "Mașină abandonată"
    assert report.photos.get().moderation == Moderation.APPROVED and report.first_photo is not None
    entry = AuditEntry.objects.get(action="reports.report.moderated", target_id=str(report.pk))
    assert "title" in entry.changes  # the edited-away text stays in the (staff-only) audit trail


def test_flags_hide_a_report_until_a_moderator_decides(make_report: Any, moderator: Any) -> None:
    report = make_report()
    for source in ("a", "b"):
        services.flag_report(None, report, Flag.Reason.PERSONAL_DATA, "", source)
    assert services.flag_report(None, report, Flag.Reason.SPAM, "", "a") is None  # once per person
    report.refresh_from_db()
    assert report.is_public and report.flags_count == 2
    services.flag_report(None, report, Flag.Reason.OFFENSIVE, "", "c")
    report.refresh_from_db()
    assert not report.is_public and report.moderation == Moderation.HIDDEN
    with pytest.raises(ValidationError):
        services.flag_report(None, report, Flag.Reason.OTHER, "", "d")  # "other" needs details
    services.dismiss_flags(moderator, report)
    report.refresh_from_db()
    assert report.is_public and report.flags_count == 0


def test_following_by_email_needs_confirmation(make_report: Any, django_capture_on_commit_callbacks: Any) -> None:
    report = make_report()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        subscription = services.follow(None, report, email="neighbour@example.org", supports=True)
    assert subscription.confirmed_at is None
    report.refresh_from_db()
    assert report.supporters_count == 0
    token = link_path(mail.outbox[0].body, "/sesizari/urmarire/").rstrip("/").split("/")[-1]
    services.confirm_subscription(token)
    services.confirm_subscription(token)  # idempotent
    report.refresh_from_db()
    assert report.supporters_count == 1
    with pytest.raises(tokens.BadToken):
        services.confirm_subscription(tokens.make(tokens.UNSUBSCRIBE, subscription.pk))  # wrong purpose


def test_bulk_actions_are_all_or_nothing(make_report: Any, roads_staff: Any, lighting_staff: Any) -> None:
    mine = [make_report(), make_report()]
    theirs = make_report("street-lighting")
    with pytest.raises(PermissionDenied):
        services.bulk_apply(roads_staff, [*mine, theirs], "acknowledge")
    assert not Report.objects.filter(status=Status.ACKNOWLEDGED).exists()
    assert services.bulk_apply(roads_staff, mine, "acknowledge", text="Preluat") == 2
    assert services.bulk_apply(roads_staff, mine, "priority", priority=4) == 2
    assert set(Report.objects.filter(pk__in=[r.pk for r in mine]).values_list("priority", flat=True)) == {4}


def test_new_public_report_is_sent_to_the_department(make_report: Any, reference: Any,
                                                     django_capture_on_commit_callbacks: Any) -> None:
    department = reference["potholes"].department
    department.email = "drumuri@primariatm.example"
    department.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_report(email="private@example.org", phone="0722 123 456")
    sent = [m for m in mail.outbox if m.to == ["drumuri@primariatm.example"]]
    assert len(sent) == 1
    assert "private@example.org" not in sent[0].body and "0722" not in sent[0].body
    # Sent by the platform's one e-mail transport, and in its log with the address masked.
    from notifications.models import TransactionalMessage

    logged = TransactionalMessage.objects.get(kind="reports.department_notice")
    assert (logged.status, logged.to_masked, logged.to) == ("sent", "dr…@primariatm.example", "")


def test_open311_keys_and_command(db: Any, client: Any) -> None:
    from django.core.management import call_command

    output = io.StringIO()
    call_command("open311_key", "Primăria app", stdout=output)
    key = output.getvalue().strip().splitlines()[-1]
    assert key.startswith("o311_")
    from reports.models import Open311Key

    record = Open311Key.objects.get(name="Primăria app")
    assert record.key_hash == Open311Key.hash_key(key) and key not in str(record.__dict__)


def test_existing_followers_become_notification_subscriptions(make_report: Any, citizen: Any) -> None:
    """Data migration 0004: confirmed followers (account or e-mail only) and the reporter, as subjects."""
    import importlib

    from django.apps import apps
    from django.utils import timezone

    from notifications.models import Subscription as NotificationSubscription

    report = make_report(email="reporter@example.org")
    Subscription.objects.create(report=report, user=citizen, confirmed_at=timezone.now())
    Subscription.objects.create(report=report, email="neighbour@example.org", confirmed_at=timezone.now())
    Subscription.objects.create(report=report, email="unconfirmed@example.org")
    NotificationSubscription.objects.all().delete()  # as before the move
    migration = importlib.import_module("reports.migrations.0004_followers_to_notifications")
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # idempotent
    topics = sorted((str(s.user_id or s.endpoint.address), s.topic) for s in NotificationSubscription.objects.all())
    subject = f"reports.report:{report.pk}"
    assert topics == sorted([(str(citizen.pk), subject), ("neighbour@example.org", subject),
                             ("reporter@example.org", f"{subject}:reporter")])
