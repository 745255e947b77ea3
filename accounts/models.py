from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
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


class Verification(models.Model):
    """One verification of a person (accounts/verification.py): what it proves, how, when, until when.

    `person_key` is the pseudonymous key derived from the verified identity (accounts/person_key.py); it is
    empty for an e-mail confirmation, which proves an address, not a person. Rooms never read this table:
    they ask accounts.verification for a decision and a key scoped to their vote."""

    class Level(models.TextChoices):
        EMAIL = "email", _("E-mail address confirmed")
        RESIDENT = "resident", _("Verified resident")

    class Method(models.TextChoices):
        EMAIL = "email", _("Confirmation link sent by e-mail")
        EID = "eid", _("Electronic identity (eID) provider")
        REGISTER = "register", _("City's residents register")
        IN_PERSON = "in_person", _("In person at a city office")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verifications", verbose_name=_("user"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    verified_at = models.DateTimeField(_("verified"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    person_key = models.CharField(max_length=64, blank=True, editable=False)
    neighbourhood = models.ForeignKey("core.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("neighbourhood"))
    # The eID provider's id, or the staff member who checked the document in person.
    provider = models.CharField(_("identity provider"), max_length=40, blank=True)
    verified_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("checked by"))

    class Meta:
        ordering = ["-verified_at", "-pk"]
        indexes = [models.Index(fields=["user", "level"]), models.Index(fields=["person_key"])]
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")

    def __str__(self) -> str:
        return f"{self.get_level_display()} ({self.get_method_display()})"

    def is_active(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class ResidentsRegister(models.Model):
    """One upload of the city's residents register: salted digests only (never document numbers or dates)."""

    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("uploaded by"))
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    rows = models.PositiveIntegerField(_("residents"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("residents register")
        verbose_name_plural = _("residents registers")

    def __str__(self) -> str:
        return f"{self.file_name or 'register'} ({self.rows})"


class RegisterEntry(models.Model):
    register = models.ForeignKey(ResidentsRegister, on_delete=models.CASCADE, related_name="entries")
    digest = models.CharField(max_length=64)
    neighbourhood = models.ForeignKey("core.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["register", "digest"], name="accounts_register_digest_once")]
        indexes = [models.Index(fields=["digest"])]
        verbose_name = _("register entry")
        verbose_name_plural = _("register entries")

    def __str__(self) -> str:
        return f"{self.digest[:8]}…"


class SecondFactor(Authenticator):
    """allauth's Authenticator in the back office under a translated name (accounts/admin.py): an
    administrator removes the factors of a colleague who lost them, who then sets new ones up."""

    class Meta:
        proxy = True
        verbose_name = _("sign-in factor")
        verbose_name_plural = _("sign-in factors")
