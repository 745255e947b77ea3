"""SMS: numbers in E.164, the generic HTTP gateway adapter against a local receiver, end to end
through the pipeline, and the owner's number verified with a code."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from notifications import endpoints
from notifications.channels.base import DeliveryFailed
from notifications.channels.sms import HttpGatewayConfig, HttpSmsGateway, normalise_phone
from notifications.events import Event, publish
from notifications.models import Delivery, Endpoint
from notifications.subscriptions import follow
from tests.notifications.receivers import http_receiver

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("raw", "expected"), [
    ("0722 123 456", "+40722123456"), ("+40 722-123-456", "+40722123456"), ("0040722123456", "+40722123456"),
    ("(0744) 55 66 77", "+40744556677"), ("+36 20 123 4567", "+36201234567"),
])
def test_numbers_are_written_in_e164(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "07", "0722 123", "abc", "0256 123 456", "+40 722 123 456 789 000",
                                 "1" * 40, "+999 123", "0722123456; DROP TABLE"])
def test_malformed_or_fixed_line_numbers_are_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(ValidationError) as refused:
        normalise_phone(raw, field="phone")
    assert list(refused.value.message_dict) == ["phone"]


def test_json_template_escapes_the_text_and_sends_the_token() -> None:
    with http_receiver("/api/sms") as gateway_server:
        gateway = HttpSmsGateway(HttpGatewayConfig(url=gateway_server.url, token="s3cret", sender="Timisoara"))
        gateway.send("+40722123456", 'Strada "Gheorghe Lazăr" închisă\nazi', reference="42")
    [request] = gateway_server.requests
    assert request.method == "POST" and request.path == "/api/sms"
    assert request.headers["Authorization"] == "Bearer s3cret"
    assert json.loads(request.body) == {"to": "+40722123456", "from": "Timisoara",
                                        "text": 'Strada "Gheorghe Lazăr" închisă\nazi', "reference": "42"}


def test_get_gateway_with_a_query_template() -> None:
    with http_receiver("/send") as gateway_server:
        gateway = HttpSmsGateway(HttpGatewayConfig(url=gateway_server.url + "?user=city", method="GET",
                                                   template="to=$to&msg=$text&key=$token", token="k&1"))
        gateway.send("+40722123456", "Apă oprită & reluată", reference="1")
    [request] = gateway_server.requests
    query = parse_qs(urlsplit(request.path).query)
    assert query == {"user": ["city"], "to": ["+40722123456"], "msg": ["Apă oprită & reluată"], "key": ["k&1"]}


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (503, True), (429, True), (400, False),
                                                   (401, False)])
def test_gateway_failures_say_whether_to_retry(status: int, retryable: bool) -> None:
    with http_receiver() as gateway_server:
        gateway_server.status = status
        gateway = HttpSmsGateway(HttpGatewayConfig(url=gateway_server.url))
        with pytest.raises(DeliveryFailed) as failed:
            gateway.send("+40722123456", "x", reference="1")
    assert failed.value.retryable is retryable and str(status) in failed.value.reason


def test_an_unreachable_gateway_is_retried_later() -> None:
    with http_receiver() as gateway_server:
        url = gateway_server.url
    with pytest.raises(DeliveryFailed) as failed:
        HttpSmsGateway(HttpGatewayConfig(url=url)).send("+40722123456", "x", reference="1")
    assert failed.value.retryable


def test_a_citizen_adds_a_number_verifies_it_and_receives_a_followed_event(
        make_user: Any, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    citizen = make_user(Role.CITIZEN)
    with http_receiver("/sms") as gateway_server:
        settings.SMS_GATEWAY_URL = gateway_server.url
        settings.SMS_SENDER = "PrimariaTM"
        with django_capture_on_commit_callbacks(execute=True):
            endpoint = endpoints.add_phone(citizen, "0722 123 456", "ro")
        assert endpoint.address == "+40722123456" and endpoint.verified_at is None
        [code_request] = gateway_server.requests
        code = endpoints.verification_code(endpoint)
        assert code in json.loads(code_request.body)["text"]
        with pytest.raises(ValidationError) as wrong:
            endpoints.verify_phone(citizen, endpoint.pk, "000000" if code != "000000" else "111111")
        assert "code" in wrong.value.message_dict
        endpoints.verify_phone(citizen, endpoint.pk, code)
        follow(citizen, "tests.thing:1")
        with django_capture_on_commit_callbacks(execute=True):
            publish(Event(kind="tests.changed", room="tests", subject="tests.thing:1",
                          title={"ro": "Lucrare terminată", "en": "Works finished"},
                          body={"ro": "Strada e redeschisă.", "en": "The street is open again."},
                          url="/tests/1/"))
    sent = json.loads(gateway_server.requests[-1].body)
    assert sent["to"] == "+40722123456" and sent["from"] == "PrimariaTM"
    assert sent["text"].startswith("Lucrare terminată Strada e redeschisă.")
    assert sent["text"].rstrip().endswith("/ro/tests/1/")
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.status == Delivery.Status.SENT and sent["reference"] == str(delivery.pk)


def test_someone_elses_number_cannot_be_verified_or_removed(make_user: Any, settings: Any) -> None:
    owner, other = make_user(Role.CITIZEN), make_user(Role.CITIZEN)
    settings.SMS_GATEWAY_URL = ""
    endpoint = endpoints.add_phone(owner, "+40 744 556 677")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        endpoints.verify_phone(other, endpoint.pk, endpoints.verification_code(endpoint))
    with pytest.raises(PermissionDenied):
        endpoints.remove(other, endpoint.pk)
    assert Endpoint.objects.get(pk=endpoint.pk).verified_at is None
    with pytest.raises(ValidationError) as twice:
        endpoints.add_phone(owner, "0744556677")
    assert "phone" in twice.value.message_dict
