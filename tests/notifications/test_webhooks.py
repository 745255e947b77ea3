"""Webhooks: Standard Webhooks signatures verified with the reference library, no request forgery
towards private addresses (checked again at delivery), disabled after repeated failures with the
reason, re-enabled by the owner."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from standardwebhooks import Webhook

from accounts.roles import Role
from core import safe_http
from notifications import endpoints
from notifications.channels import webhook
from notifications.events import Event, publish
from notifications.models import Delivery, Endpoint
from notifications.subscriptions import follow
from tests.notifications.receivers import http_receiver

pytestmark = pytest.mark.django_db
SUBJECT = "tests.thing:7"


def _publish(capture: Any, n: int = 1) -> None:
    with capture(execute=True):
        publish(Event(kind="tests.changed", room="tests", subject=SUBJECT,
                      title={"ro": f"Schimbare {n}", "en": f"Change {n}"}, body={"ro": "Detalii", "en": "Details"},
                      url="/tests/7/", geometry={"type": "Point", "coordinates": [21.2257, 45.7537]},
                      severity="warning", data={"n": n}))


@pytest.fixture
def owner(make_user: Any) -> Any:
    user = make_user(Role.CITIZEN)
    follow(user, SUBJECT)
    return user


def test_a_delivery_is_signed_per_the_standard_webhooks_specification(
        owner: Any, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True  # the receiver is on this machine
    with http_receiver("/hooks/city") as consumer:
        endpoint, secret = endpoints.add_webhook(owner, consumer.url, "en")
        _publish(django_capture_on_commit_callbacks)
    assert secret.startswith("whsec_") and endpoint.secret == secret
    [request] = consumer.requests
    assert request.path == "/hooks/city"
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert request.headers["webhook-id"] == f"msg_{delivery.pk}"
    assert request.headers["webhook-signature"].startswith("v1,")
    verified = Webhook(secret).verify(request.body, request.headers)  # raises when the signature is wrong
    assert verified["type"] == "tests.changed"
    data = verified["data"]
    assert data["subject"] == SUBJECT and data["title"] == {"ro": "Schimbare 1", "en": "Change 1"}
    assert data["geometry"]["type"] == "Point" and data["data"] == {"n": 1}
    assert data["language"] == (owner.preferred_language or "ro")  # the person's language
    with pytest.raises(Exception):  # noqa: B017 (the library's own verification error)
        Webhook(webhook.new_secret()).verify(request.body, request.headers)
    tampered = request.body.replace(b"Change 1", b"Change 2")
    with pytest.raises(Exception):  # noqa: B017
        Webhook(secret).verify(tampered, request.headers)
    assert delivery.status == Delivery.Status.SENT


def test_our_signature_matches_the_reference_implementation() -> None:
    import datetime as dt

    secret = webhook.new_secret()
    body = json.dumps({"type": "x", "data": {"ă": 1}}, ensure_ascii=False).encode()
    moment = dt.datetime(2026, 12, 6, 18, 0, tzinfo=dt.UTC)
    assert webhook.sign(secret, "msg_1", int(moment.timestamp()), body) == Webhook(secret).sign("msg_1", moment, body)


@pytest.mark.parametrize("url", [
    "http://93.184.215.14/hook",          # plain http
    "https://127.0.0.1/hook", "https://10.1.2.3/x", "https://192.168.0.5/", "https://169.254.169.254/latest",
    "https://172.16.0.1/", "https://[::1]/x", "https://[::ffff:127.0.0.1]/x", "https://[fe80::1]/x",
    "https://[fd00::1]/x", "https://100.64.0.1/", "https://0.0.0.0/", "https://224.0.0.1/",
    "https://localhost/x", "https://user:pw@93.184.215.14/", "ftp://93.184.215.14/", "https:///nohost",
    "https://93.184.215.14:99999/", "not a url", "", "https://" + "a" * 600 + ".org/",
])
def test_webhook_addresses_that_are_refused_name_the_field(url: str, owner: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        endpoints.add_webhook(owner, url)
    assert list(refused.value.message_dict) == ["webhook_url"]
    assert not Endpoint.objects.filter(kind=Endpoint.Kind.WEBHOOK).exists()


def test_a_public_address_literal_is_accepted() -> None:
    target = safe_http.validate_url("https://93.184.215.14:8443/hooks?x=1", field="webhook_url")
    assert target.addresses == ("93.184.215.14",) and target.port == 8443 and target.path == "/hooks?x=1"


def test_the_address_is_checked_again_at_delivery(owner: Any, settings: Any,
                                                  django_capture_on_commit_callbacks: Any) -> None:
    """Registered while the operator allowed private addresses; once they no longer are (as when a
    public name is re-pointed at an internal address), nothing is sent and the log says why."""
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True
    with http_receiver() as consumer:
        endpoint, _secret = endpoints.add_webhook(owner, consumer.url)
        settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False
        _publish(django_capture_on_commit_callbacks)
    assert consumer.requests == []
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.status == Delivery.Status.FAILED and "https" in delivery.last_error


def test_repeated_failures_disable_the_endpoint_and_its_owner_re_enables_it(
        owner: Any, make_user: Any, settings: Any, client: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True
    settings.NOTIFICATIONS_MAX_CONSECUTIVE_FAILURES = 3
    with http_receiver() as consumer:
        endpoint, _secret = endpoints.add_webhook(owner, consumer.url)
        consumer.status = 410  # permanent: no retry, one failure per event
        for n in range(3):
            _publish(django_capture_on_commit_callbacks, n)
        endpoint.refresh_from_db()
        assert endpoint.disabled_at is not None and endpoint.consecutive_failures == 3
        assert "HTTP 410" in endpoint.disabled_reason
        assert len(consumer.requests) == 3
        _publish(django_capture_on_commit_callbacks, 4)  # disabled: not even tried
        assert len(consumer.requests) == 3
        with pytest.raises(PermissionDenied):
            endpoints.reenable(make_user(Role.CITIZEN), endpoint.pk)
        client.force_login(owner)
        answer = client.post(f"/en/notifications/endpoints/{endpoint.pk}/enable/")
        assert answer.status_code == 302
        endpoint.refresh_from_db()
        assert endpoint.disabled_at is None and endpoint.consecutive_failures == 0
        consumer.status = 204
        _publish(django_capture_on_commit_callbacks, 5)
        assert len(consumer.requests) == 4


def test_the_form_refuses_a_private_url_with_a_4xx_naming_the_field(owner: Any, client: Any) -> None:
    client.force_login(owner)
    answer = client.post("/en/notifications/endpoints/webhook/", {"webhook_url": "https://10.0.0.8/hook"})
    assert answer.status_code == 400
    assert "webhook_url" in answer.content.decode() and "private or reserved" in answer.content.decode()
    answer = client.post("/en/notifications/endpoints/sms/", {"phone": "0256 123"})
    assert answer.status_code == 400 and "phone" in answer.content.decode()
    assert not Endpoint.objects.filter(kind__in=["sms", "webhook"]).exists()


def test_the_secret_is_shown_once_and_the_page_lists_the_webhook(owner: Any, client: Any, settings: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True
    client.force_login(owner)
    created = client.post("/ro/notifications/endpoints/webhook/", {"webhook_url": "http://127.0.0.1:9/hook"})
    assert created.status_code == 200
    endpoint = Endpoint.objects.get(user=owner, kind="webhook")
    assert endpoint.secret in created.content.decode() and "webhook-signature" in created.content.decode()
    page = client.get("/ro/notificari/").content.decode()
    assert "127.0.0.1:9/hook" in page and endpoint.secret not in page
    assert client.post(f"/ro/notifications/endpoints/{endpoint.pk}/remove/").status_code == 302
    assert not Endpoint.objects.filter(pk=endpoint.pk).exists()
