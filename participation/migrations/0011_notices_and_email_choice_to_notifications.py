"""The notices people already had on the site, and their e-mail choice, move to the notifications room
(issue 15), so *My notifications* keeps its history and its read marks:

- each participation Notification becomes an event (its text as written then, in the language it was
  written in) delivered to the person's inbox endpoint, sent, read if it was read;
- a person without endpoints gets the two the pipeline would give them (the site inbox and their
  account's e-mail address);
- an explicit e-mail choice is kept: "never" turns the account's e-mail endpoint off, "daily" and
  "immediate" become the person's digest preference. (People who never chose had the daily digest in
  participation; they keep it for participation's notices: participation/notifications.py publishes
  them with a daily default for whoever has no preference.)
The old rows are left in place."""

from django.db import migrations
from django.utils import timezone

LANGUAGES = ("ro", "en")
EMAIL_OFF_REASON = "e-mails turned off by their owner"  # participation/notifications.py


def _language_free(url):
    for code in LANGUAGES:
        if url.startswith(f"/{code}/"):
            return url[len(code) + 1:]
    return url


def forwards(apps, schema_editor):
    Notification = apps.get_model("participation", "Notification")
    NotificationSettings = apps.get_model("participation", "NotificationSettings")
    User = apps.get_model("accounts", "User")
    Endpoint = apps.get_model("notifications", "Endpoint")
    EventRecord = apps.get_model("notifications", "EventRecord")
    Delivery = apps.get_model("notifications", "Delivery")
    Preferences = apps.get_model("notifications", "Preferences")
    user_ids = set(Notification.objects.values_list("user_id", flat=True)) | set(
        NotificationSettings.objects.values_list("user_id", flat=True))
    if not user_ids:
        return
    now = timezone.now()
    have = set(Endpoint.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))
    languages = {}
    rows = []
    for pk, email, language in User.objects.filter(pk__in=user_ids).values_list("pk", "email", "preferred_language"):
        languages[pk] = language if language in LANGUAGES else "ro"
        if pk in have:
            continue
        rows.append(Endpoint(user_id=pk, kind="inbox", language=languages[pk], verified_at=now))
        if email:
            rows.append(Endpoint(user_id=pk, kind="email", address=email, language=languages[pk], verified_at=now))
    Endpoint.objects.bulk_create(rows)
    inbox = dict(Endpoint.objects.filter(user_id__in=user_ids, kind="inbox").values_list("user_id", "pk"))
    for notice in Notification.objects.order_by("pk").iterator():
        endpoint_id = inbox.get(notice.user_id)
        if endpoint_id is None:
            continue
        language = languages.get(notice.user_id, "ro")
        if EventRecord.objects.filter(data__participation_notification=notice.pk).exists():
            continue  # migrated already
        record = EventRecord.objects.create(
            kind=f"participation.{notice.event}"[:80], room="participation",
            subject=f"participation.{notice.event}"[:200], title={language: notice.message}, body={},
            url=_language_free(notice.url), topics=[], data={"participation_notification": notice.pk},
            recipient_user_ids=[notice.user_id], occurred_at=notice.created_at, fanned_out_at=notice.created_at)
        Delivery.objects.create(event=record, endpoint_id=endpoint_id, user_id=notice.user_id, channel="inbox",
                                language=language, status="sent", attempts=1, created_at=notice.created_at,
                                sent_at=notice.created_at, read_at=notice.read_at)
    for user_id, mode in NotificationSettings.objects.values_list("user_id", "email_mode"):
        if mode == "never":
            Endpoint.objects.filter(user_id=user_id, kind="email", disabled_at__isnull=True).update(
                disabled_at=now, disabled_reason=EMAIL_OFF_REASON)
        else:
            Preferences.objects.update_or_create(user_id=user_id, defaults={
                "digest": "daily" if mode == "daily" else "immediate"})


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0010_follows_to_notifications"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
