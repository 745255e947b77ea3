"""The data migrations of issue 15 still carry old rows after the old models were deleted: participation
0010/0011 and environment 0005 copy follows, notices, the e-mail choice and air-quality alert subscriptions
to the notifications room with historical models (apps.get_model), so they run without the classes.
(The drops, participation 0012 and environment 0006, run whenever the test database is built.) Here the
old tables come back for a moment, as the migration state before the drops describes them, with rows
in them; the copying migrations run on them, then the tables go again."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

BEFORE_THE_DROPS = [("participation", "0011_notices_and_email_choice_to_notifications"),
                    ("environment", "0005_alert_subscriptions_to_notifications")]
OLD_MODELS = [("participation", "Follow"), ("participation", "Notification"),
              ("participation", "NotificationSettings"), ("environment", "AlertSubscription"),
              ("environment", "Notification")]
COPYING = ["participation.migrations.0010_follows_to_notifications",
           "participation.migrations.0011_notices_and_email_choice_to_notifications",
           "environment.migrations.0005_alert_subscriptions_to_notifications"]


@pytest.mark.django_db(transaction=True)  # SQLite alters its schema outside a transaction only
def test_old_rows_move_to_the_notifications_room() -> None:
    from accounts.models import User
    from environment.models import Sensor, Station
    from notifications.models import Delivery, Endpoint, Subscription

    old = MigrationLoader(connection).project_state(BEFORE_THE_DROPS).apps
    tables = [old.get_model(app, name) for app, name in OLD_MODELS]
    with connection.schema_editor() as editor:
        for model in tables:
            editor.create_model(model)
    try:
        reader = User.objects.create(username="reader", email="reader@example.org", preferred_language="ro")
        quiet = User.objects.create(username="quiet", email="quiet@example.org", preferred_language="en")
        proposal_type = old.get_model("contenttypes", "ContentType").objects.get_or_create(
            app_label="participation", model="proposal")[0]
        old.get_model("participation", "Follow").objects.create(user_id=reader.pk, target_type=proposal_type,
                                                                target_id=7)
        old.get_model("participation", "Notification").objects.create(
            user_id=reader.pk, event="comment.created", message="Comentariu nou", url="/ro/participation/proposals/7/")
        old.get_model("participation", "NotificationSettings").objects.create(user_id=quiet.pk, email_mode="never")
        station = Station.objects.create(slug="s1", name="S1", network="official", latitude=45.75, longitude=21.22)
        sensor = Sensor.objects.create(station=station, sensor_id="esp-1", kind="SDS011")
        alerts = old.get_model("environment", "AlertSubscription")
        alerts.objects.create(user_id=reader.pk, sensor_id=sensor.pk, kind="aqi", min_level=4, channel="email")
        alerts.objects.create(user_id=quiet.pk, sensor=None, kind="limit", channel="webhook",
                              webhook_url="https://93.184.215.14/hook", webhook_secret="ab" * 32)
        for module in COPYING:
            importlib.import_module(module).forwards(old, None)
        importlib.import_module(COPYING[0]).forwards(old, None)  # idempotent
    finally:
        with connection.schema_editor() as editor:
            for model in reversed(tables):
                editor.delete_model(model)
    assert set(Subscription.objects.values_list("user__email", "topic", "radius_m")) == {
        ("reader@example.org", "participation.proposal:7", None),
        ("reader@example.org", "environment.aqi.level:4", 500),
        ("quiet@example.org", "environment.city.limit", None)}
    notice: Any = Delivery.objects.select_related("event").get(user=reader, channel="inbox")
    assert notice.status == "sent" and notice.event.title == {"ro": "Comentariu nou"}
    assert notice.event.url == "/participation/proposals/7/"
    # "never": no working e-mail endpoint for them (the webhook made by 0005 was the only endpoint they had).
    assert not Endpoint.objects.filter(user=quiet, kind="email", disabled_at=None).exists()
    assert Endpoint.objects.get(user=quiet, kind="webhook").secret.startswith("whsec_")
