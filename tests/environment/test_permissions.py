"""Who may do what: public data for everyone, the registry and quarantine for staff, one's own
subscriptions for signed-in people. The back office works for the roles allowed in."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from accounts.roles import Role
from core.models import AuditEntry
from environment import services
from environment.ingest.mqtt import Incoming, IngestWorker, WorkerConfig
from environment.models import QuarantinedReading, Sensor

pytestmark = pytest.mark.django_db

ADMIN_PAGES = ["station", "sensor", "quarantinedreading", "alertevent"]


@pytest.mark.parametrize(("role", "allowed"), [
    (Role.ADMINISTRATOR, True), (Role.DEPARTMENT_STAFF, True), (Role.STRATEGY_EDITOR, False),
    (Role.MODERATOR, False), (Role.CITIZEN, False), (Role.STEERING_GROUP, False), (Role.ORGANISATION_REP, False),
])
def test_registering_sensors_and_reviewing_quarantine_is_for_staff(make_user: Any, role: Role,
                                                                  allowed: bool) -> None:
    user = make_user(role)
    assert user.has_perm("environment.add_sensor") is allowed
    assert user.has_perm("environment.view_quarantinedreading") is allowed
    assert user.has_perm("environment.view_data") is True
    if allowed:
        registered = services.register_sensor(user, f"by-{role.value}", latitude=45.75, longitude=21.22,
                                              kind="SDS011")
        assert AuditEntry.objects.filter(action="environment.sensor.registered",
                                         target_id=str(registered.sensor.pk), actor=user).exists()
    else:
        with pytest.raises(PermissionDenied):
            services.register_sensor(user, "nope", latitude=45.75, longitude=21.22, kind="SDS011")


def test_back_office_pages_for_staff(client: Any, make_user: Any, register: Any) -> None:
    register("bo-1")
    staff = make_user(Role.DEPARTMENT_STAFF)
    client.force_login(staff)
    for model in ADMIN_PAGES[:3]:
        assert client.get(f"/en/admin/environment/{model}/").status_code == 200, model
    sensor = Sensor.objects.get(sensor_id="bo-1")
    assert client.get(f"/en/admin/environment/sensor/{sensor.pk}/change/").status_code == 200
    administrator = make_user(Role.ADMINISTRATOR)
    client.force_login(administrator)
    for model in ADMIN_PAGES:
        assert client.get(f"/en/admin/environment/{model}/").status_code == 200, model
    citizen = make_user(Role.CITIZEN)
    client.force_login(citizen)
    assert client.get("/en/admin/environment/sensor/").status_code in (302, 403)


def test_a_sensor_with_data_cannot_be_deleted_but_an_unused_one_can(client: Any, make_user: Any, register: Any,
                                                                    push: Any) -> None:
    used, key = register("bo-used")
    push(used.sensor_id, key, {"P2": "4"})
    unused, _key = register("bo-unused")
    client.force_login(make_user(Role.ADMINISTRATOR))
    assert client.get(f"/en/admin/environment/sensor/{used.pk}/delete/").status_code == 403
    assert client.post(f"/en/admin/environment/sensor/{unused.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Sensor.objects.filter(pk=unused.pk).exists()
    assert Sensor.objects.filter(pk=used.pk).exists()


def test_staff_issue_a_new_credential_from_the_back_office(client: Any, make_user: Any, register: Any) -> None:
    sensor, old_key = register("bo-2")
    client.force_login(make_user(Role.DEPARTMENT_STAFF))
    response = client.post("/en/admin/environment/sensor/", {"action": "issue_credential",
                                                             "_selected_action": [sensor.pk]}, follow=True)
    assert response.status_code == 200
    sensor.refresh_from_db()
    assert not sensor.key_matches(old_key)
    assert AuditEntry.objects.filter(action="environment.sensor.credential_issued").exists()


def test_quarantine_shows_the_reason_to_staff_and_can_be_marked_reviewed(client: Any, make_user: Any,
                                                                         register: Any, push: Any) -> None:
    sensor, key = register("bo-3", kind="BME280")
    push(sensor.sensor_id, key, {"temperature": "400", "humidity": "50"}, pin="11")
    client.force_login(make_user(Role.DEPARTMENT_STAFF))
    page = client.get("/ro/admin/environment/quarantinedreading/")
    assert "70" in page.content.decode()  # the reason names the physical maximum (°C)
    record = QuarantinedReading.objects.get()
    client.post("/ro/admin/environment/quarantinedreading/", {"action": "mark_reviewed",
                                                              "_selected_action": [record.pk]})
    record.refresh_from_db()
    assert record.reviewed


def test_subscriptions_are_private(make_user: Any, client: Any) -> None:
    owner = make_user(Role.CITIZEN, email="owner@example.org")
    subscription = services.subscribe(owner, kind="aqi", place="city")  # kept in the notifications room
    other = make_user(Role.CITIZEN)
    with pytest.raises(PermissionDenied):
        services.unsubscribe(other, subscription.pk)
    for url in ("/en/air/", "/en/air/city/", "/api/v1/sensors", "/api/v1/air-quality/now"):
        assert "owner@example.org" not in client.get(url).content.decode()
    assert services.alert_subscriptions(owner) == [subscription]
    assert services.alert_subscriptions(other) == []


def test_mqtt_garbage_and_unknown_senders_are_quarantined_once_a_minute(register: Any) -> None:
    """The worker's batch processing on hostile messages (no broker needed for this part)."""
    import threading

    sensor, _key = register("mq-hostile")
    worker = IngestWorker(WorkerConfig(url="mqtt://127.0.0.1:1"))
    now = dt.datetime.now(dt.UTC)
    batch = [Incoming(0, i, 0, f"smartcity/sensors/ghost-{i % 2}", b'{"readings": []}', now) for i in range(50)]
    batch += [Incoming(0, 100, 0, "smartcity/sensors/mq-hostile", b"\x00\xff" * 100, now),
              Incoming(0, 101, 0, "smartcity/sensors/mq-hostile", b'{"readings": [' + b"[" * 10_000 + b"]]}", now),
              Incoming(0, 102, 0, "smartcity/sensors/../../etc", b"{}", now),
              Incoming(0, 103, 0, "smartcity/sensors/mq-hostile", b"x" * (3 * 1024 * 1024), now)]
    assert worker.process(batch, threading.Event())
    reasons = sorted(QuarantinedReading.objects.values_list("claimed_sensor", "reason_code"))
    assert reasons.count(("ghost-0", "unknown_sensor")) == 1 and reasons.count(("ghost-1", "unknown_sensor")) == 1
    malformed = QuarantinedReading.objects.filter(sensor=sensor, reason_code="malformed")
    assert malformed.count() == 3 and all(q.field == "body" for q in malformed)
