from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailUserManager(UserManager["User"]):
    """Accounts are identified by email; the username is kept internal and equal to it."""

    def _create_user(self, username: Any, email: Any, password: Any, **extra_fields: Any) -> User:  # type: ignore[override]
        # Lower-cased whole, as allauth stores and looks up addresses: an account made with
        # `createsuperuser --email Ana@Example.org` signs in as ana@example.org too.
        email = self.normalize_email(email or username).lower()
        return super()._create_user(email, email, password, **extra_fields)  # type: ignore[misc]

    def create_user(self, email: Any = None, password: Any = None, **extra_fields: Any) -> User:  # type: ignore[override]
        username = extra_fields.pop("username", None)
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(username, email, password, **extra_fields)

    def create_superuser(self, email: Any = None, password: Any = None, **extra_fields: Any) -> User:  # type: ignore[override]
        username = extra_fields.pop("username", None)
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        user = self._create_user(username, email, password, **extra_fields)
        # allauth lets only verified addresses sign in (citizens confirm theirs by e-mail). The operator who
        # runs `createsuperuser` on the server vouches for the address typed there, so it is recorded as
        # verified and primary: the account signs in on the public site at once, as in the back office.
        from allauth.account.models import EmailAddress

        EmailAddress.objects.update_or_create(user=user, email=user.email,
                                              defaults={"verified": True, "primary": True})
        return user


class User(AbstractUser):
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("public name"), max_length=120, blank=True,
                                    help_text=_("Shown only where you choose to sign with your name."))
    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    objects = EmailUserManager()  # type: ignore[misc,assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.username:
            self.username = self.email
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.display_name or f"user #{self.pk}"


class Consent(models.Model):
    """A consent given or withdrawn: when, and the exact text the person saw (accounts/consents.py)."""

    class Kind(models.TextChoices):
        TERMS = "terms", _("Terms of use and privacy notice")
        NOTIFICATIONS = "notifications", _("E-mail notifications")
        NEWSLETTER = "newsletter", _("Newsletter")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents", verbose_name=_("user"))
    kind = models.CharField(_("consent to"), max_length=20, choices=Kind.choices)
    version = models.CharField(_("version of the text"), max_length=40)
    text = models.TextField(_("text shown"))
    language = models.CharField(_("language of the text"), max_length=8)
    given = models.BooleanField(_("given"), default=True, help_text=_("Off: the consent was withdrawn."))
    context = models.CharField(_("where"), max_length=80, blank=True,
                               help_text=_("The page or form where the text was shown."))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]
        indexes = [models.Index(fields=["user", "kind", "recorded_at"])]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.kind} {self.version} ({'given' if self.given else 'withdrawn'})"
