"""Web Push end to end: a push service started by the test on 127.0.0.1 receives the request; the test
decrypts the body with the subscription's private key and auth secret (http_ece, RFC 8291 aes128gcm)
and verifies the VAPID JWT's ES256 signature against the server's public key (RFC 8292)."""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.test import Client
from django.utils import timezone

from notifications import push, subscriptions, vapid
from notifications.events import Event, publish
from notifications.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db
SUBJECT = "tests.thing:9"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PushService:
    """A minimal push service: records each request and answers with the status the test chooses."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server's hook name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                service.requests.append({"path": self.path, "headers": dict(self.headers.items()), "body": body})
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def push_service(settings: Any) -> Iterator[PushService]:
    pair = vapid.generate()
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = pair.public_key, pair.private_key
    settings.VAPID_SUBJECT = "mailto:city@example.org"
    # The push service runs on loopback: allowed here as an operator would allow a local receiver.
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True
    service = PushService()
    yield service
    service.close()


def browser_subscription(service: PushService) -> tuple[dict[str, Any], ec.EllipticCurvePrivateKey, bytes]:
    """What a browser's PushManager.subscribe() returns, with the private half it keeps."""
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
    auth = os.urandom(16)
    return ({"endpoint": f"{service.url}/push/device-1", "keys": {"p256dh": b64url(public), "auth": b64url(auth)}},
            private, auth)


def verify_vapid(authorization: str, expected_key: str, audience: str) -> dict[str, Any]:
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert fields["k"] == expected_key
    header_b64, claims_b64, signature_b64 = fields["t"].split(".")
    assert json.loads(unb64url(header_b64)) == {"typ": "JWT", "alg": "ES256"}
    signature = unb64url(signature_b64)
    assert len(signature) == 64  # JOSE ES256: r || s
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(fields["k"]))
    public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    claims = json.loads(unb64url(claims_b64))
    assert claims["aud"] == audience and claims["sub"] == "mailto:city@example.org"
    assert claims["exp"] > timezone.now().timestamp()
    return claims


def test_a_push_message_is_encrypted_for_the_browser_and_signed_by_the_server(
        make_user: Any, push_service: PushService, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    reader = make_user()
    subscriptions.follow(reader, SUBJECT)
    info, private, auth = browser_subscription(push_service)
    client = Client()
    client.force_login(reader)
    response = client.post("/ro/notifications/push/", {"action": "add", "subscription": info},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    with django_capture_on_commit_callbacks(execute=True):
        publish(Event(kind="tests.changed", room="tests", subject=SUBJECT,
                      title={"ro": "Apă oprită", "en": "Water off"},
                      body={"ro": "Strada Mărășești, 10–14", "en": "Mărășești street, 10–14"}, url="/tests/9/"))
    [request] = push_service.requests
    assert request["path"] == "/push/device-1"
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["content-encoding"] == "aes128gcm" and int(headers["ttl"]) > 0
    verify_vapid(headers["authorization"], settings.VAPID_PUBLIC_KEY, push_service.url)
    plaintext = http_ece.decrypt(request["body"], private_key=private, auth_secret=auth, version="aes128gcm")
    message = json.loads(plaintext)
    assert message["title"] == "Apă oprită" and "Mărășești" in message["body"]
    assert message["url"].endswith("/ro/tests/9/")
    assert Delivery.objects.get(user=reader, channel="push").status == "sent"
    # Tampering with the ciphertext is detected (AES-GCM), i.e. the test really decrypts.
    tampered = bytearray(request["body"])
    tampered[-1] ^= 1
    with pytest.raises(http_ece.ECEException, match="InvalidTag"):
        http_ece.decrypt(bytes(tampered), private_key=private, auth_secret=auth, version="aes128gcm")


def test_a_gone_subscription_disables_the_device(make_user: Any, push_service: PushService,
                                                 django_capture_on_commit_callbacks: Any) -> None:
    reader = make_user()
    subscriptions.follow(reader, SUBJECT)
    info, _private, _auth = browser_subscription(push_service)
    endpoint = push.add_push_endpoint(reader, info)
    push_service.status = 410
    with django_capture_on_commit_callbacks(execute=True):
        publish(Event(kind="tests.changed", room="tests", subject=SUBJECT, title={"ro": "x", "en": "x"},
                      body={"ro": "x", "en": "x"}, url="/tests/9/"))
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.last_error) == ("failed", "gone")
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None


def test_a_push_service_error_is_retried(make_user: Any, push_service: PushService,
                                         django_capture_on_commit_callbacks: Any) -> None:
    reader = make_user()
    subscriptions.follow(reader, SUBJECT)
    endpoint = push.add_push_endpoint(reader, browser_subscription(push_service)[0])
    push_service.status = 503
    with django_capture_on_commit_callbacks(execute=True):
        publish(Event(kind="tests.changed", room="tests", subject=SUBJECT, title={"ro": "x", "en": "x"},
                      body={"ro": "x", "en": "x"}, url="/tests/9/"))
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts) == ("queued", 1) and delivery.next_attempt_at > timezone.now()


@pytest.mark.parametrize("mutate, field", [
    (lambda s: s.pop("endpoint"), "endpoint"),
    (lambda s: s.update(endpoint="ftp://push.example/x"), "endpoint"),
    (lambda s: s.update(keys="nope"), "keys"),
    (lambda s: s["keys"].update(p256dh="AAAA"), "keys.p256dh"),
    (lambda s: s["keys"].update(p256dh=b64url(b"\x04" + b"\x01" * 64)), "keys.p256dh"),  # not on the curve
    (lambda s: s["keys"].update(auth="short"), "keys.auth"),
    (lambda s: s["keys"].update(auth=12), "keys.auth"),
])
def test_a_malformed_subscription_is_a_400_naming_the_field(make_user: Any, push_service: PushService,
                                                            mutate: Any, field: str) -> None:
    info = browser_subscription(push_service)[0]
    mutate(info)
    client = Client()
    client.force_login(make_user())
    response = client.post("/en/notifications/push/", {"action": "add", "subscription": info},
                           content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert not Endpoint.objects.filter(kind="push").exists()


def test_a_push_endpoint_on_a_private_address_is_refused_without_the_operators_consent(
        make_user: Any, push_service: PushService, settings: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False
    client = Client()
    client.force_login(make_user())
    info = browser_subscription(push_service)[0]
    info["endpoint"] = "https://127.0.0.1/push/x"
    response = client.post("/en/notifications/push/", {"action": "add", "subscription": info},
                           content_type="application/json")
    assert response.status_code == 400 and "endpoint" in response.json()["errors"]


def test_the_service_worker_is_served_at_the_root_scope(client: Client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript") and response["Service-Worker-Allowed"] == "/"
    assert b"push" in b"".join(response.streaming_content)  # type: ignore[attr-defined]


def publish_to_followers() -> None:
    publish(Event(kind="tests.changed", room="tests", subject=SUBJECT, title={"ro": "x", "en": "x"},
                  body={"ro": "x", "en": "x"}, url="/tests/9/"))


def test_a_push_endpoint_whose_name_now_resolves_to_a_private_address_is_refused_at_delivery(
        make_user: Any, push_service: PushService, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    """Stored while it was acceptable (or the name's DNS changed since): the check at sending refuses it."""
    reader = make_user()
    subscriptions.follow(reader, SUBJECT)
    info = browser_subscription(push_service)[0]
    port = push_service.url.rsplit(":", 1)[1]
    endpoint = Endpoint.objects.create(user=reader, kind="push", address=f"https://localhost:{port}/push/device-1",
                                       secret=json.dumps(info["keys"]), verified_at=timezone.now())
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False
    with django_capture_on_commit_callbacks(execute=True):
        publish_to_followers()
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.status == "failed" and delivery.last_error.startswith("push endpoint refused")
    assert "127.0.0.1" in delivery.last_error and push_service.requests == []  # the address named


def test_a_push_request_goes_to_the_address_that_was_checked(
        make_user: Any, push_service: PushService, monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: Any) -> None:
    """DNS rebinding: the push service's name answers 127.0.0.1 (where the service listens) the first time
    and 127.0.0.2 (nothing listens there) afterwards, as a hostile name server would after the check. The
    request reaches the service: it was sent to the address checked, not to a second answer."""
    import socket

    real_getaddrinfo = socket.getaddrinfo
    answers: list[str] = []

    def rebinding_getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "push.rebinding.test":
            return real_getaddrinfo(host, port, *args, **kwargs)
        answers.append("127.0.0.1" if not answers else "127.0.0.2")
        return real_getaddrinfo(answers[-1], port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
    reader = make_user()
    subscriptions.follow(reader, SUBJECT)
    info, private, auth = browser_subscription(push_service)
    port = push_service.url.rsplit(":", 1)[1]
    endpoint = Endpoint.objects.create(user=reader, kind="push", address=f"http://push.rebinding.test:{port}/push/d",
                                       secret=json.dumps(info["keys"]), verified_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        publish_to_followers()
    assert Delivery.objects.get(endpoint=endpoint).status == "sent" and answers == ["127.0.0.1"]
    [request] = push_service.requests
    assert json.loads(http_ece.decrypt(request["body"], private_key=private, auth_secret=auth,
                                       version="aes128gcm"))["title"] == "x"
