"""The e-mail channel: RFC 8058 one-click unsubscribe (headers, POST without login or CSRF, GET harmless,
forged tokens refused) and subscriptions without an account confirmed by a signed link."""

from __future__ import annotations

import email
import email.policy
import re
from typing import Any

import pytest
from django.test import Client

from notifications import subscriptions
from notifications.events import Event, publish
from notifications.models import Delivery, Endpoint, Subscription

pytestmark = pytest.mark.django_db
SUBJECT = "tests.thing:5"


def _event(n: int = 1) -> Event:
    return Event(kind="tests.changed", room="tests", subject=SUBJECT, title={"ro": f"Titlu {n}", "en": f"Title {n}"},
                 body={"ro": "Text", "en": "Text"}, url="/tests/5/")


def _last_message(smtp: Any) -> email.message.EmailMessage:
    return email.message_from_bytes(smtp.envelopes[-1].original_content, policy=email.policy.default)  # type: ignore[return-value]


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_rfc8058_one_click_unsubscribe(make_user: Any, smtp_server: Any,
                                       django_capture_on_commit_callbacks: Any) -> None:
    reader = make_user()
    subscriptions.follow(reader, SUBJECT)
    with django_capture_on_commit_callbacks(execute=True):
        publish(_event())
    message = _last_message(smtp_server)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = message["List-Unsubscribe"].strip()
    match = re.fullmatch(r"<(https?://[^>]+/notifications/unsubscribe/[^>]+)>", header)
    assert match, header
    url = _path(match.group(1))
    browser = Client(enforce_csrf_checks=True)  # a mail client: no session, no CSRF token
    # A link scanner's GET changes nothing.
    assert browser.get(url).status_code == 200
    assert subscriptions.is_following(reader, SUBJECT)
    forged = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    assert browser.post(forged, {"List-Unsubscribe": "One-Click"}).status_code == 400
    response = browser.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not subscriptions.is_following(reader, SUBJECT)
    # Other channels and the e-mail address itself stay: only that subscription ended.
    assert Endpoint.objects.get(user=reader, kind="email").disabled_at is None
    # Posting again is harmless.
    assert browser.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200


def test_mailto_alternative_when_configured(make_user: Any, smtp_server: Any, settings: Any,
                                            django_capture_on_commit_callbacks: Any) -> None:
    settings.NOTIFICATIONS_UNSUBSCRIBE_MAILTO = "unsubscribe@example.org"
    subscriptions.follow(make_user(), SUBJECT)
    with django_capture_on_commit_callbacks(execute=True):
        publish(_event())
    header = _last_message(smtp_server)["List-Unsubscribe"].strip()
    assert re.fullmatch(r"<https?://[^>]+>, <mailto:unsubscribe@example\.org\?subject=unsubscribe%20[^>]+>", header)


def test_a_digest_unsubscribe_stops_the_address(make_user: Any, smtp_server: Any,
                                                django_capture_on_commit_callbacks: Any) -> None:
    from django.utils import timezone

    from notifications.models import Preferences
    from notifications.pipeline import send_digests

    reader = make_user()
    Preferences.objects.create(user=reader, digest="weekly")
    subscriptions.follow(reader, SUBJECT)
    with django_capture_on_commit_callbacks(execute=True):
        publish(_event(1))
        publish(_event(2))
    Delivery.objects.update(next_attempt_at=timezone.now())
    assert send_digests() == 1
    url = _path(re.findall(r"<([^>]+)>", _last_message(smtp_server)["List-Unsubscribe"])[0])
    assert Client(enforce_csrf_checks=True).post(url).status_code == 200
    assert Endpoint.objects.get(user=reader, kind="email").disabled_at is not None


def test_subscription_without_an_account_is_confirmed_by_a_signed_link(
        smtp_server: Any, client: Client, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        subscription = subscriptions.subscribe_email("Anon@Example.org", SUBJECT, "en")
    confirmation = _last_message(smtp_server)
    assert confirmation["To"] == "Anon@Example.org"
    link = re.search(r"https?://\S+/confirm/\S+/", confirmation.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert link, confirmation.get_body(("plain",))
    # Unconfirmed: nothing is sent to the address.
    with django_capture_on_commit_callbacks(execute=True):
        publish(_event(1))
    assert not Delivery.objects.filter(endpoint__address="Anon@Example.org").exists()
    assert client.get(_path(link.group(0)[:-5] + "xx/")).status_code == 400
    assert client.get(_path(link.group(0))).status_code == 200
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None
    before = len(smtp_server.envelopes)
    with django_capture_on_commit_callbacks(execute=True):
        publish(_event(2))
    assert len(smtp_server.envelopes) == before + 1
    assert _last_message(smtp_server)["Subject"] == "Title 2"  # the language chosen when subscribing
    # Subscribing twice keeps one subscription; a bad address is refused naming the field.
    subscriptions.subscribe_email("anon@example.org", SUBJECT, "en")
    assert Subscription.objects.filter(endpoint__address__iexact="anon@example.org").count() == 1
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        subscriptions.subscribe_email("not an address", SUBJECT, "ro")
    assert "email" in error.value.message_dict
