"""The accounts room's part of a person's data (accounts.personal_data; docs/identity.md): the profile,
e-mail addresses, verifications, identity-provider links (with the claims the provider sent), roles,
consents, second factors (their kind and dates, never their secrets), API tokens (names and dates, never
the keys) and what the audit trail records the person doing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from accounts.models import Consent, User, Verification
from accounts.personal_data import Section, register, section
from accounts.roles import ROLE_LABELS
from core.models import ApiToken, AuditEntry

DELETED_LABEL = "deleted participant"


def _provider_names() -> dict[str, str]:
    """The identity providers' names ("ROeID") for their ids ("eid") on the readable page."""
    apps = (getattr(settings, "SOCIALACCOUNT_PROVIDERS", None) or {}).get("openid_connect", {}).get("APPS") or []
    return {str(app.get("provider_id")): str(app.get("name") or app.get("provider_id")) for app in apps}


def export(user: Any) -> list[Section]:
    providers = {"provider": _provider_names()}
    profile = {"id": user.pk, "email": user.email, "display_name": user.display_name,
               "preferred_language": user.preferred_language, "date_joined": user.date_joined,
               "last_login": user.last_login, "is_staff": user.is_staff}
    return [
        section("profile", _("Profile"), [profile],
                {"id": _("account number"), "email": _("e-mail address"), "display_name": _("public name"),
                 "preferred_language": _("preferred language"), "date_joined": _("account created"),
                 "last_login": _("last sign-in"), "is_staff": _("staff account")}),
        section("email_addresses", _("E-mail addresses"), EmailAddress.objects.filter(user=user).order_by("pk"),
                {"email": _("address"), "verified": _("confirmed"), "primary": _("primary")}),
        section("verifications", _("Verifications"), Verification.objects.filter(user=user).order_by("verified_at"),
                {"level": _("level"), "method": _("method"), "provider": _("identity provider"),
                 "neighbourhood__name": _("neighbourhood"), "verified_at": _("verified"),
                 "expires_at": _("expires"), "revoked_at": _("revoked")}, displays=providers,
                note=_("Your pseudonymous person key, which lets you vote once, is not shown: it is a keyed "
                       "digest that means nothing outside the platform.")),
        section("identity_providers", _("Sign-in through identity providers"),
                SocialAccount.objects.filter(user=user).order_by("pk"),
                {"provider": _("identity provider"), "uid": _("your identifier there"),
                 "date_joined": _("linked"), "last_login": _("last sign-in"),
                 "extra_data": _("what the provider sent")}, displays=providers),
        section("roles", _("Roles"), user.groups.order_by("name"), {"name": _("role")},
                displays={"name": {role.value: label for role, label in ROLE_LABELS.items()}}),
        section("consents", _("Consents"), Consent.objects.filter(user=user),
                {"kind": _("consent to"), "given": _("given (off: withdrawn)"), "version": _("version"),
                 "text": _("text shown"), "language": _("language"), "context": _("where"),
                 "recorded_at": _("recorded")}),
        section("authenticators", _("Second factors (sign-in)"),
                Authenticator.objects.filter(user=user).order_by("created_at"),
                {"type": _("kind"), "created_at": _("set up"), "last_used_at": _("last used")}),
        section("api_tokens", _("API tokens"), ApiToken.objects.filter(owner=user).order_by("created_at"),
                {"name": _("name"), "prefix": _("first characters"), "scopes": _("scopes"),
                 "created_at": _("created"), "last_used_at": _("last used"), "revoked_at": _("revoked")}),
        section("audit", _("What the audit trail records you doing"),
                AuditEntry.objects.filter(actor=user).order_by("created_at"),
                {"created_at": _("when"), "action": _("action"), "target_label": _("object")}),
    ]


def erase(user: Any) -> Mapping[str, int]:
    """Runs last: the account row goes, and with it (CASCADE) its addresses, consents, second factors and
    tokens. The audit trail keeps what happened but no longer who: the label that held the e-mail address
    and the label of entries about this account are rewritten."""
    counts = {
        "email_addresses_erased": EmailAddress.objects.filter(user=user).delete()[0],
        "authenticators_erased": Authenticator.objects.filter(user=user).delete()[0],
        "api_tokens_erased": ApiToken.objects.filter(owner=user).delete()[0],
        "consents_erased": Consent.objects.filter(user=user).delete()[0],
        "verifications_erased": Verification.objects.filter(user=user).delete()[0],
        "identity_provider_links_erased": SocialAccount.objects.filter(user=user).delete()[0],
        "audit_entries_anonymised": AuditEntry.objects.filter(actor=user).update(
            actor=None, actor_label=DELETED_LABEL),
        "audit_targets_anonymised": AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(User), target_id=str(user.pk)).update(
            target_label=DELETED_LABEL),
    }
    user.delete()
    counts["accounts_erased"] = 1
    return counts


def register_own() -> None:
    register("accounts", _("Account"), export, erase, order=10)
