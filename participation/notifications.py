"""In-site notifications, and emails sent at once or as a daily digest (each user chooses).

Notification rows are written inside the service's transaction; emails leave only after it
commits (transaction.on_commit → django-tasks → Huey).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from participation.models import Follow, Notification, NotificationSettings

User = get_user_model()


def email_mode(user: Any) -> str:
    found = NotificationSettings.objects.filter(user=user).values_list("email_mode", flat=True).first()
    return found or NotificationSettings.EmailMode.DAILY


def notify(users: Iterable[Any], event: str, message: Callable[[], str], url: str = "",
           *, exclude: Any = None) -> list[Notification]:
    """Notify each user once. `message` is called in each recipient's language."""
    seen: set[int] = set()
    created = []
    excluded = getattr(exclude, "pk", None)
    for user in users:
        if user is None or user.pk in seen or user.pk == excluded or not user.is_active:
            continue
        seen.add(user.pk)
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            text = str(message())[:500]
        created.append(Notification(user=user, event=event, message=text, url=url[:300]))
    Notification.objects.bulk_create(created)
    immediate = set(NotificationSettings.objects.filter(
        user_id__in=seen, email_mode=NotificationSettings.EmailMode.IMMEDIATE).values_list("user_id", flat=True))
    ids = [n.pk for n in created if n.user_id in immediate and n.pk is not None]
    if not ids and immediate:
        # Databases without RETURNING on bulk insert: look the new rows up again.
        ids = list(Notification.objects.filter(user_id__in=immediate, event=event, emailed_at__isnull=True)
                   .values_list("id", flat=True))
    if ids:
        from participation.tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.enqueue(ids))
    return created


def followers(target: Any) -> list[Any]:
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(type(target))
    return list(User.objects.filter(participation_follows__target_type=content_type,
                                    participation_follows__target_id=target.pk))


def follow(user: Any, target: Any) -> None:
    from django.contrib.contenttypes.models import ContentType

    Follow.objects.get_or_create(user=user, target_type=ContentType.objects.get_for_model(type(target)),
                                 target_id=target.pk)


def _absolute(url: str) -> str:
    """Links in e-mails need the host: the site's domain (django.contrib.sites, set in the back office)."""
    if not url.startswith("/"):
        return url
    from django.contrib.sites.models import Site

    scheme = "https" if getattr(settings, "SESSION_COOKIE_SECURE", False) else "http"
    return f"{scheme}://{Site.objects.get_current().domain}{url}"


def deliver_immediate(notification_ids: list[int]) -> int:
    """Send one email per notification not yet emailed. Returns how many were sent."""
    sent = 0
    pending = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("user")
    for notification in pending:
        with translation.override(notification.user.preferred_language or settings.LANGUAGE_CODE):
            subject = _("[Timișoara Smart City] %(message)s") % {"message": notification.message[:80]}
            body = "\n\n".join(filter(None, [notification.message, _absolute(notification.url),
                                             _("You can change how you receive emails in your notification "
                                               "settings.")]))
        send_mail(subject, body, None, [notification.user.email])
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def deliver_daily_digests() -> int:
    """One email per user on daily mode, listing the notifications not yet emailed. Returns emails sent."""
    daily_or_default = User.objects.filter(participation_notifications__emailed_at__isnull=True).exclude(
        participation_notification_settings__email_mode__in=[NotificationSettings.EmailMode.IMMEDIATE,
                                                              NotificationSettings.EmailMode.NEVER]).distinct()
    sent = 0
    for user in daily_or_default:
        items = list(Notification.objects.filter(user=user, emailed_at__isnull=True).order_by("created_at"))
        if not items:
            continue
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            subject = _("[Timișoara Smart City] Your daily digest: %(n)d notifications") % {"n": len(items)}
            lines = [f"- {n.message}\n  {_absolute(n.url)}" for n in items]
            body = "\n".join([_("What happened in the processes you follow:"), "", *lines, "",
                              _("You can change how you receive emails in your notification settings.")])
        send_mail(subject, body, None, [user.email])
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=timezone.now())
        sent += 1
    # Users who chose "never" have nothing queued for email.
    Notification.objects.filter(emailed_at__isnull=True, user__participation_notification_settings__email_mode=(
        NotificationSettings.EmailMode.NEVER)).update(emailed_at=timezone.now())
    return sent
