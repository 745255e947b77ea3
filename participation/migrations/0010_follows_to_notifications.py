"""Follows move to the notifications room (issue 15): each participation Follow becomes a confirmed
subscription of its user to `participation.<model>:<pk>`, which is what participation now follows and
publishes to. The Follow rows are left in place (removed with the model in a later release)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Follow = apps.get_model("participation", "Follow")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Subscription = apps.get_model("notifications", "Subscription")
    models = dict(ContentType.objects.filter(
        pk__in=Follow.objects.values("target_type_id")).values_list("pk", "model"))
    existing = set(Subscription.objects.filter(user__isnull=False, neighbourhood__isnull=True, radius_m__isnull=True,
                                               polygon__isnull=True).values_list("user_id", "topic"))
    rows = []
    for user_id, type_id, target_id, created_at in Follow.objects.values_list(
            "user_id", "target_type_id", "target_id", "created_at").iterator():
        topic = f"participation.{models[type_id]}:{target_id}"
        if (user_id, topic) in existing:
            continue
        existing.add((user_id, topic))
        rows.append(Subscription(user_id=user_id, topic=topic, confirmed_at=created_at, created_at=created_at))
    Subscription.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0009_person_keys_and_verification_level"),
        ("notifications", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
