"""The participation room's notices, published to the notifications pipeline (issue 15).

Nothing is delivered from here. `notify` publishes one Event inside the service's transaction, its
text written now in every language; the pipeline delivers it after commit to each recipient's
channels: the notice list on the site (the inbox channel), e-mail at once or in the daily digest
(each person's choice), and push, SMS or webhooks if they added them. Follows are subscriptions in
the notifications room, to the subject `participation.<model>:<pk>`.

Someone who never chose (no notifications Preferences) gets participation's notices in the daily
digest, as participation always did (its old e-mail setting defaulted to "daily"); the other rooms'
default, at once, holds for them elsewhere. Choosing on *My notifications* (or the notifications page)
sets the person's own preference, which then holds here too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from notifications import subscriptions
from notifications.events import Event, language_free, publish
from notifications.models import Digest, Endpoint, Preferences

EMAIL_OFF_REASON = "e-mails turned off by their owner"
DEFAULT_DIGEST = Digest.DAILY  # for whoever never chose: participation's default since its first release


class EmailMode(models.TextChoices):
    """participation's e-mail choice (its page "My notifications"), kept as notifications preferences."""

    IMMEDIATE = "immediate", _("Immediately, one email per notification")
    DAILY = "daily", _("Once a day, as a digest")
    NEVER = "never", _("Never; only on the site")


def subject(target: Any) -> str:
    """What followers of `target` follow: "participation.proposal:12"."""
    return f"{target._meta.app_label}.{target._meta.model_name}:{target.pk}"


def notify(users: Iterable[Any], event: str, message: Callable[[], str], url: str = "",
           *, exclude: Any = None, target: Any = None) -> int:
    """Notify each user once (never `exclude`, the person who acted). `message` is called in each of the
    site's languages now, so every recipient reads the state at this moment. Returns how many recipients."""
    excluded = getattr(exclude, "pk", None)
    recipients = tuple(dict.fromkeys(
        user.pk for user in users if user is not None and user.is_active and user.pk != excluded))
    if not recipients:
        return 0
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(message())[:500]
    publish(Event(kind=f"participation.{event}", room="participation",
                  subject=subject(target) if target is not None else f"participation.{event}",
                  title=texts, body={}, url=_link(url)[:500], recipient_user_ids=recipients,
                  actor_user_id=excluded, data={"event": event}, default_digest=DEFAULT_DIGEST))
    return len(recipients)


def _link(url: str) -> str:
    """A page under a language prefix becomes language-free (each recipient gets their language); a path
    outside the translated pages (the back office) is made absolute so that no prefix is put before it."""
    free = language_free(url)
    if free != url or not url.startswith("/"):
        return free
    from notifications.pipeline import absolute_url

    return absolute_url(url)


def followers(target: Any) -> list[Any]:
    return list(subscriptions.followers(subject(target)))


def follow(user: Any, target: Any) -> None:
    subscriptions.follow(user, subject(target))


def unfollow(user: Any, target: Any) -> None:
    subscriptions.unfollow(user, subject(target))


def is_following(user: Any, target: Any) -> bool:
    return subscriptions.is_following(user, subject(target))


@transaction.atomic
def set_email_mode(user: Any, mode: str) -> None:
    """participation's e-mail choice, kept in the notifications room for every room: "immediate" and
    "daily" are the person's digest preference; "never" turns their account's e-mail endpoint off (the
    notices stay on the site) until they choose e-mails again."""
    from notifications.pipeline import ensure_default_endpoints

    ensure_default_endpoints([user.pk])
    emails = Endpoint.objects.filter(user=user, kind=Endpoint.Kind.EMAIL)
    if mode == "never":
        emails.filter(disabled_at__isnull=True).update(disabled_at=timezone.now(), disabled_reason=EMAIL_OFF_REASON)
        return
    emails.filter(disabled_reason=EMAIL_OFF_REASON).update(disabled_at=None, disabled_reason="")
    Preferences.objects.update_or_create(user=user, defaults={
        "digest": Digest.DAILY if mode == "daily" else Digest.IMMEDIATE})


def email_mode(user: Any) -> str:
    if Endpoint.objects.filter(user=user, kind=Endpoint.Kind.EMAIL, disabled_reason=EMAIL_OFF_REASON).exists():
        return "never"
    digest = Preferences.objects.filter(user=user).values_list("digest", flat=True).first()
    if digest is None:  # never chose: participation's default
        return EmailMode.DAILY if DEFAULT_DIGEST == Digest.DAILY else EmailMode.IMMEDIATE
    return "daily" if digest in (Digest.DAILY, Digest.WEEKLY) else "immediate"
