"""Confirmed followers of reports become subscriptions in the notifications room (issue 15): users follow
`reports.report:<pk>`, e-mail-only followers get an e-mail endpoint subscribed to it, reporters follow
`reports.report:<pk>:reporter`. reports.Subscription stays as the record of support and of the reporter."""

from django.db import migrations


def forwards(apps, schema_editor):
    ReportSubscription = apps.get_model("reports", "Subscription")
    Endpoint = apps.get_model("notifications", "Endpoint")
    NotificationSubscription = apps.get_model("notifications", "Subscription")
    no_place = {"neighbourhood__isnull": True, "radius_m__isnull": True, "polygon__isnull": True}
    endpoints = {}
    for row in ReportSubscription.objects.filter(confirmed_at__isnull=False).select_related("user").iterator():
        topic = f"reports.report:{row.report_id}" + (":reporter" if row.is_reporter else "")
        if row.user_id is not None:
            if not NotificationSubscription.objects.filter(user_id=row.user_id, topic=topic, **no_place).exists():
                NotificationSubscription.objects.create(user_id=row.user_id, topic=topic,
                                                        confirmed_at=row.confirmed_at)
            continue
        if not row.email:
            continue
        address = row.email.strip().lower()
        endpoint = endpoints.get(address)
        if endpoint is None:
            endpoint = (Endpoint.objects.filter(user__isnull=True, kind="email", address__iexact=address).first()
                        or Endpoint.objects.create(kind="email", address=address, language=row.language or "ro",
                                                   verified_at=row.confirmed_at))
            endpoints[address] = endpoint
        if not NotificationSubscription.objects.filter(endpoint=endpoint, topic=topic, **no_place).exists():
            NotificationSubscription.objects.create(endpoint=endpoint, topic=topic, confirmed_at=row.confirmed_at)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_nearest_address"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
