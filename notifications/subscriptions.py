"""Following objects and subscribing by topic or place.

Interface (stable; fields may be added, never renamed or removed):

    follow(user, subject)            # subject: "<app_label>.<model>:<pk>", e.g. "reports.report:42"
    unfollow(user, subject)
    is_following(user, subject) -> bool
    followers(subject) -> QuerySet of users
    subscribe_email(email, subject, language) -> Subscription
        # a person without an account (e.g. an anonymous reporter): the subscription is confirmed by
        # a signed link e-mailed to them; until then it matches nothing.
    subscribe_email_place(email, *, language, topic="", neighbourhood=None, lat=None, lon=None,
                          radius_m=None, polygon=None) -> Subscription | None
        # the public alerts page: an address without an account, one place, confirmed by e-mail
    subscribe(user, *, topic="", neighbourhood=None, lat=None, lon=None, radius_m=None, polygon=None,
              label="", digest="") -> Subscription        # by topic and/or place; ValidationError naming the field
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from core import audit
from notifications import geometry as geo
from notifications import tokens
from notifications.models import Digest, Endpoint, Subscription

# Unconfirmed place subscriptions one address may gather in a day from the public alerts page.
MAX_PENDING_PER_ADDRESS = 3
NO_PLACE: dict[str, Any] = {"neighbourhood__isnull": True, "radius_m__isnull": True, "polygon__isnull": True}


def _check_subject(subject: str) -> None:
    if not subject or len(subject) > 200 or any(c.isspace() for c in subject):
        raise ValidationError({"subject": "must be '<app_label>.<model>:<pk>' or a topic key, at most 200 characters"})


@transaction.atomic
def follow(user: Any, subject: str) -> None:
    _check_subject(subject)
    from notifications.pipeline import ensure_default_endpoints

    ensure_default_endpoints([user.pk])
    _subscription, created = Subscription.objects.get_or_create(
        user=user, topic=subject, **NO_PLACE, defaults={"confirmed_at": timezone.now()})
    if created:
        audit.record(user, "notifications.follow", _subscription, {"subject": subject})


@transaction.atomic
def unfollow(user: Any, subject: str) -> None:
    deleted, _ = Subscription.objects.filter(user=user, topic=subject, **NO_PLACE).delete()
    if deleted:
        audit.record(user, "notifications.unfollow", None, {"subject": subject})


def is_following(user: Any, subject: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Subscription.objects.filter(user=user, topic=subject, **NO_PLACE).exists()


def followers(subject: str) -> QuerySet[Any]:
    return get_user_model().objects.filter(notification_subscriptions__topic=subject, is_active=True,
                                           notification_subscriptions__radius_m__isnull=True,
                                           notification_subscriptions__polygon__isnull=True,
                                           notification_subscriptions__neighbourhood__isnull=True).distinct()


@transaction.atomic
def subscribe_email(email: str, subject: str, language: str, *, confirmed: bool = False) -> Subscription:
    """Subscribe an address without an account; a confirmation link is e-mailed after commit.

    `confirmed=True` when the room has just proved the address itself (e.g. a report confirmed from the
    link the reports room e-mailed): no second confirmation e-mail, the subscription matches at once."""
    email = _checked_email(email)
    _check_subject(subject)
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    endpoint = _email_endpoint(email, language)
    subscription, created = Subscription.objects.get_or_create(endpoint=endpoint, topic=subject, **NO_PLACE)
    if created:
        audit.record("anonymous", "notifications.subscribe_email", subscription, {"subject": subject})
    if subscription.confirmed_at is None and confirmed:
        now = timezone.now()
        subscription.confirmed_at = now
        subscription.save(update_fields=["confirmed_at"])
        if endpoint.verified_at is None:
            endpoint.verified_at = now
            endpoint.save(update_fields=["verified_at"])
    if subscription.confirmed_at is None:
        send_confirmation(subscription.pk, language)  # rendered now, sent after commit
    return subscription


def _checked_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": "is not a valid e-mail address"}) from error
    return email


def _email_endpoint(email: str, language: str) -> Endpoint:
    """The one account-less e-mail endpoint of an address (matched without regard to case)."""
    return (Endpoint.objects.filter(user__isnull=True, kind=Endpoint.Kind.EMAIL, address__iexact=email).first()
            or Endpoint.objects.create(kind=Endpoint.Kind.EMAIL, address=email, language=language))


def _same_place(a: Subscription, b: Subscription) -> bool:
    return (a.topic, a.neighbourhood_id, a.lat, a.lon, a.radius_m, a.polygon) == (
        b.topic, b.neighbourhood_id, b.lat, b.lon, b.radius_m, b.polygon)


@transaction.atomic
def subscribe_email_place(email: str, *, language: str, topic: str = "", neighbourhood: Any = None,
                          lat: Any = None, lon: Any = None, radius_m: Any = None,
                          polygon: Any = None) -> Subscription | None:
    """An address without an account subscribes to a place (the public alerts page), confirmed by the
    signed link e-mailed after commit; until then it matches nothing.

    None when nothing was written: the address already has this subscription (a pending one gets its link
    again), or it has MAX_PENDING_PER_ADDRESS unconfirmed subscriptions from the last day. The page answers
    the same in every case, so it never tells whether an address is subscribed."""
    email = _checked_email(email)
    if topic:
        _check_subject(topic)
    if not any(_check_place(topic, neighbourhood, radius_m, polygon)):
        raise ValidationError({"place": "choose a neighbourhood, a point with a radius, or a drawn area"})
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    candidate = Subscription(topic=topic)
    _place(candidate, neighbourhood=neighbourhood, lat=lat, lon=lon, radius_m=radius_m, polygon=polygon)
    endpoint = _email_endpoint(email, language)
    # One request at a time per address from here (on PostgreSQL; SQLite writes one at a time anyway), so
    # that requests arriving together cannot each see fewer than MAX_PENDING_PER_ADDRESS and all write.
    Endpoint.objects.select_for_update().filter(pk=endpoint.pk).first()
    existing = [s for s in Subscription.objects.filter(endpoint=endpoint) if _same_place(s, candidate)]
    if existing:
        if existing[0].confirmed_at is None:
            send_confirmation(existing[0].pk, language)
        return None
    since = timezone.now() - timedelta(days=1)
    if Subscription.objects.filter(endpoint=endpoint, confirmed_at__isnull=True,
                                   created_at__gte=since).count() >= MAX_PENDING_PER_ADDRESS:
        return None
    candidate.endpoint = endpoint
    candidate.save()
    audit.record("anonymous", "notifications.subscribe_email_place", candidate,
                 {"topic": topic, "neighbourhood": candidate.neighbourhood_id,
                  "radius_m": candidate.radius_m, "area": candidate.polygon is not None})
    send_confirmation(candidate.pk, language)
    return candidate


@transaction.atomic
def remove_email_subscription(endpoint_id: int, subscription_id: int) -> bool:
    """From the signed "manage my e-mail alerts" page: end one of the address's own subscriptions."""
    deleted, _ = Subscription.objects.filter(pk=subscription_id, endpoint_id=endpoint_id,
                                             endpoint__user__isnull=True).delete()
    if deleted:
        audit.record("email-link", "notifications.unsubscribe", None,
                     {"subscription": subscription_id, "endpoint": endpoint_id})
    return bool(deleted)


@transaction.atomic
def unsubscribe_email(email: str, subject: str) -> bool:
    """End an address's subscription to a subject (a room's own older unsubscribe links)."""
    address = (email or "").strip()
    deleted, _ = Subscription.objects.filter(endpoint__user__isnull=True, endpoint__address__iexact=address,
                                             topic=subject, **NO_PLACE).delete()
    if deleted:
        audit.record("email-link", "notifications.unsubscribe_email", None, {"subject": subject})
    return bool(deleted)


def send_confirmation(subscription_id: int, language: str) -> None:
    """The signed confirmation link, as a transactional e-mail (notifications/transactional.py)."""
    subscription = Subscription.objects.select_related("endpoint").get(pk=subscription_id)
    assert subscription.endpoint is not None
    from notifications.transactional import Template, absolute_url, send_transactional

    with translation.override(language):
        url = absolute_url(reverse("notifications:confirm", args=[tokens.confirm_token(subscription_id)]))
        manage_url = absolute_url(reverse("notifications:manage_alerts",
                                          args=[tokens.manage_token(subscription.endpoint.pk)]))
    send_transactional(subscription.endpoint.address, gettext_lazy("Confirm your subscription"),
                       Template("notifications/confirm_email.txt"), language=language,
                       kind="notifications.subscription_confirmation", context={"url": url, "manage_url": manage_url})


@transaction.atomic
def confirm(subscription_id: int) -> Subscription | None:
    subscription = Subscription.objects.select_for_update(of=("self",)).select_related("endpoint").filter(
        pk=subscription_id).first()
    if subscription is None:
        return None
    now = timezone.now()
    if subscription.confirmed_at is None:
        subscription.confirmed_at = now
        subscription.save(update_fields=["confirmed_at"])
        audit.record("anonymous", "notifications.confirm", subscription)
    endpoint = subscription.endpoint
    if endpoint is not None and endpoint.verified_at is None:
        endpoint.verified_at = now
        endpoint.save(update_fields=["verified_at"])
    return subscription


@transaction.atomic
def subscribe(user: Any, *, topic: str = "", neighbourhood: Any = None, lat: Any = None, lon: Any = None,
              radius_m: Any = None, polygon: Any = None, label: str = "", digest: str = "") -> Subscription:
    """A subscription by topic and/or place. Exactly one kind of place (or none, with a topic)."""
    if topic:
        _check_subject(topic)
    if digest and digest not in Digest.values:
        raise ValidationError({"digest": f"must be one of {', '.join(Digest.values)}"})
    places = _check_place(topic, neighbourhood, radius_m, polygon)
    subscription = Subscription(user=user, topic=topic, label=label[:120], digest=digest, confirmed_at=timezone.now())
    _place(subscription, neighbourhood=neighbourhood, lat=lat, lon=lon, radius_m=radius_m, polygon=polygon)
    subscription.save()
    from notifications.pipeline import ensure_default_endpoints

    ensure_default_endpoints([user.pk])
    audit.record(user, "notifications.subscribe", subscription, {"topic": topic, "place": any(places)})
    return subscription


def _check_place(topic: str, neighbourhood: Any, radius_m: Any, polygon: Any) -> list[bool]:
    places = [neighbourhood is not None, radius_m not in (None, ""), polygon not in (None, "")]
    if sum(places) > 1:
        raise ValidationError({"place": "choose one: a neighbourhood, a point with a radius, or a drawn area"})
    if not topic and not any(places):
        raise ValidationError({"topic": "a subscription needs a topic or a place"})
    return places


def _place(subscription: Subscription, *, neighbourhood: Any, lat: Any, lon: Any, radius_m: Any,
           polygon: Any) -> None:
    """Set the subscription's place and its bounding box, or ValidationError naming the field."""
    box: tuple[float, float, float, float] | None = None
    if neighbourhood is not None:
        subscription.neighbourhood = neighbourhood
        box = (neighbourhood.min_lon, neighbourhood.min_lat, neighbourhood.max_lon, neighbourhood.max_lat)
    elif radius_m not in (None, ""):
        try:
            lat_f, lon_f = geo.check_point(lat, lon)
        except geo.GeometryError as error:
            raise ValidationError({"point": str(error)}) from error
        try:
            radius = int(radius_m)
        except (TypeError, ValueError) as error:
            raise ValidationError({"radius_m": "must be a whole number of metres"}) from error
        if not 50 <= radius <= geo.MAX_RADIUS_M:
            raise ValidationError({"radius_m": f"must be between 50 and {geo.MAX_RADIUS_M} metres"})
        subscription.lat, subscription.lon, subscription.radius_m = lat_f, lon_f, radius
        box = geo.circle_bbox(lat_f, lon_f, radius)
    elif polygon not in (None, ""):
        try:
            area = geo.parse_geometry(polygon, areas_only=True)
        except geo.GeometryError as error:
            raise ValidationError({"polygon": str(error)}) from error
        subscription.polygon = dict(polygon)
        box = geo.bbox(area)
    if box is not None:
        subscription.min_lon, subscription.min_lat, subscription.max_lon, subscription.max_lat = box


@transaction.atomic
def unsubscribe(user: Any, subscription_id: int) -> bool:
    deleted, _ = Subscription.objects.filter(user=user, pk=subscription_id).delete()
    if deleted:
        audit.record(user, "notifications.unsubscribe", None, {"subscription": subscription_id})
    return bool(deleted)
