"""OpenID Connect sign-in: django-allauth's `openid_connect` provider, with what it lacks added here.

What allauth's provider does (65.x): discovery (`<issuer>/.well-known/openid-configuration`), the
authorisation code flow, `state` (a random id for a server-side record, used once), PKCE when enabled
(we enable it for every provider), and checks of the ID token's `iss`, `aud` and `exp` with PyJWT.

What it lacks, added below:
- **Signature**: allauth skips the ID token's signature check when the token came straight from the
  token endpoint (OIDC Core 3.1.3.7 allows it over TLS). We always check it against the provider's JWKS,
  so a token from a compromised or misconfigured endpoint is refused too.
- **Nonce**: allauth sends none. We send a fresh random nonce with every authorisation request, keep it
  in the one-time state record, and refuse an ID token whose nonce differs or was seen before.
- **Clear refusals**: each failure (signature, audience, expiry, nonce, issuer) gets its own message in
  the reader's language instead of allauth's generic "third-party login failure".
- **A language-free callback** (`/oidc/<provider id>/callback/`): the address a city registers with the
  provider must not change with the reader's language.
"""

from __future__ import annotations

import secrets
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.socialaccount.signals import social_account_added
from allauth.utils import build_absolute_uri
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.models import Verification

NONCE_STATE_KEY = "oidc_nonce"
LANGUAGE_SESSION_KEY = "oidc_language"
# A nonce is remembered this long after use; an ID token older than this is refused by `exp` anyway.
NONCE_MEMORY_SECONDS = 24 * 3600


class OIDCRefused(OAuth2Error):
    """The provider's answer was refused; `code` selects the message shown to the person."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class CityOIDCAdapter(OpenIDConnectOAuth2Adapter):
    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict[str, Any]:
        try:
            return self._verify(app, id_token)
        except (KeyError, ValueError) as error:  # no key id in the header, a token that is not a JWT
            raise OIDCRefused("signature") from error

    def _verify(self, app: SocialApp, id_token: str) -> dict[str, Any]:
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,  # always, see the module's docstring
        )

    def complete_login(self, request: HttpRequest, app: SocialApp, token: Any, **kwargs: Any) -> Any:
        if not kwargs["response"].get("id_token"):
            raise OIDCRefused("no_id_token")
        login = super().complete_login(request, app, token, **kwargs)
        id_claims = login.account.extra_data.get("id_token") or {}
        userinfo = login.account.extra_data.get("userinfo") or {}
        # OIDC Core 5.3.2: the userinfo answer must be about the person the ID token names.
        if userinfo and str(userinfo.get("sub")) != str(id_claims.get("sub")):
            raise OIDCRefused("subject_mismatch")
        return login

    def get_callback_url(self, request: HttpRequest, app: SocialApp) -> str:
        return build_absolute_uri(request, reverse("oidc_callback", kwargs={"provider_id": self.provider_id}),
                                  self.redirect_uri_protocol)


class CityOpenIDConnectProvider(OpenIDConnectProvider):
    oauth2_adapter_class = CityOIDCAdapter
    pkce_enabled_default = True

    @classmethod
    def get_package(cls) -> str:
        # allauth mounts `<package>.urls` for each provider: allauth's login/callback paths, not accounts.urls.
        return "allauth.socialaccount.providers.openid_connect"

    def redirect(self, request: HttpRequest, process: Any, next_url: Any = None, data: Any = None,
                 **kwargs: Any) -> Any:
        nonce = secrets.token_urlsafe(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params["nonce"] = nonce
        kwargs[NONCE_STATE_KEY] = nonce  # kept in allauth's one-time state record
        # The callback address carries no language: remember the one the person started in.
        request.session[LANGUAGE_SESSION_KEY] = translation.get_language()
        return super().redirect(request, process, next_url, data, auth_params=auth_params, **kwargs)

    def get_callback_url(self) -> str:
        return reverse("oidc_callback", kwargs={"provider_id": self.app.provider_id})


def check_nonce(state: dict[str, Any], id_claims: dict[str, Any]) -> None:
    """The ID token must carry the nonce sent with this sign-in, and no nonce is accepted twice."""
    expected = state.get(NONCE_STATE_KEY)
    received = id_claims.get("nonce")
    if not expected or not received or not secrets.compare_digest(str(expected), str(received)):
        raise OIDCRefused("nonce")
    if not cache.add(f"oidc-nonce:{received}", 1, timeout=NONCE_MEMORY_SECONDS):
        raise OIDCRefused("nonce")


def refusal_code(exception: BaseException | None) -> str:
    """Which refusal an exception from the sign-in means (for the message)."""
    import jwt

    seen: set[int] = set()
    while exception is not None and id(exception) not in seen:
        seen.add(id(exception))
        if isinstance(exception, OIDCRefused):
            return exception.code
        if isinstance(exception, jwt.ExpiredSignatureError):
            return "expired"
        if isinstance(exception, jwt.InvalidAudienceError):
            return "audience"
        if isinstance(exception, jwt.InvalidSignatureError):
            return "signature"
        if isinstance(exception, jwt.InvalidIssuerError):
            return "issuer"
        if isinstance(exception, jwt.ImmatureSignatureError | jwt.InvalidIssuedAtError):
            return "not_yet_valid"
        if isinstance(exception, OAuth2Error) and "kid" in str(exception):
            return "signature"
        exception = exception.__cause__ or exception.__context__
    return "unknown"


def refusal_message(code: str) -> str:
    messages = {
        "signature": _("The identity provider's answer is not signed with its published key, so it was "
                       "refused. Nothing was changed; please try again later."),
        "audience": _("The identity provider's answer was issued for another service, so it was refused."),
        "expired": _("The identity provider's answer has expired. Please sign in again."),
        "nonce": _("This sign-in answer was already used or belongs to another sign-in attempt, so it was "
                   "refused. Please start the sign-in again."),
        "issuer": _("The identity provider's answer comes from an unexpected issuer, so it was refused."),
        "not_yet_valid": _("The identity provider's answer is not valid yet (check the clocks), so it was "
                           "refused."),
        "subject_mismatch": _("The identity provider described two different people in one answer, so it "
                              "was refused."),
        "no_id_token": _("The identity provider did not send an identity token, so the sign-in was refused."),
        "cancelled": _("The sign-in was cancelled at the identity provider."),
        "state": _("This sign-in was not started in this browser, or it took too long. Please start the sign-in "
                   "again."),
    }
    return messages.get(code, _("The sign-in with the identity provider did not succeed. Please try again."))


def render_refusal(request: HttpRequest, provider: Any, code: str) -> HttpResponse:
    return render(request, "accounts/oidc_refused.html",
                  {"code": code, "message": refusal_message(code),
                   "provider_name": getattr(getattr(provider, "app", None), "name", "")}, status=400)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: Any) -> bool:
        """A first sign-in with a provider shows the sign-up form once (the e-mail address filled in from the
        provider, the terms to accept, the optional e-mail consent), so that an account made through an
        identity provider has its consents recorded like any other (accounts/forms.py)."""
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        if not isinstance(getattr(sociallogin, "provider", None), CityOpenIDConnectProvider):
            return
        try:
            check_nonce(sociallogin.state or {}, sociallogin.account.extra_data.get("id_token") or {})
        except OIDCRefused as refused:
            raise ImmediateHttpResponse(render_refusal(request, sociallogin.provider, refused.code)) from None
        if sociallogin.is_existing and (not request.user.is_authenticated or sociallogin.user == request.user):
            verify_resident_from_claims(request, sociallogin)

    def save_user(self, request: HttpRequest, sociallogin: Any, form: Any = None) -> Any:
        user = super().save_user(request, sociallogin, form)
        record_provider_confirmed_email(user, sociallogin)
        verify_resident_from_claims(request, sociallogin)
        return user

    def on_authentication_error(self, request: HttpRequest, provider: Any, error: Any = None,
                                exception: Any = None, extra_context: Any = None) -> None:
        code = "cancelled" if error == "cancelled" else refusal_code(exception)
        if code == "unknown" and exception is None and "state_id" in (extra_context or {}) \
                and "state" not in (extra_context or {}):
            code = "state"  # allauth found no sign-in started in this browser under that state
        raise ImmediateHttpResponse(render_refusal(request, provider, code))


def record_provider_confirmed_email(user: Any, sociallogin: Any) -> None:
    """An address the provider vouched for (`email_verified`) and the person kept on the sign-up form is
    confirmed without a link: the e-mail level is recorded, dated, with the provider as its method."""
    from allauth.account.models import EmailAddress

    from accounts.verification import record_email_confirmation

    confirmed = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True).first()
    if confirmed:
        record_email_confirmation(user, confirmed, method=Verification.Method.EID,
                                  provider=sociallogin.provider.app.provider_id)


def verify_resident_from_claims(request: HttpRequest, sociallogin: Any) -> None:
    """After an eID sign-in: a provider trusted for residence (OIDC_VERIFIES_RESIDENCE) whose address claim
    lies in the city makes the account a verified resident (accounts/verification.py)."""
    from accounts.verification import verify_by_eid

    provider = sociallogin.provider
    if not provider.app.settings.get("verifies_residence"):
        return
    extra = sociallogin.account.extra_data
    id_claims = extra.get("id_token") or {}
    claims = {**id_claims, **(extra.get("userinfo") or {})}
    try:
        verified = verify_by_eid(sociallogin.user, provider_id=provider.app.provider_id,
                                 issuer=str(id_claims.get("iss", "")), subject=str(id_claims.get("sub", "")),
                                 claims=claims)
    except ValidationError as error:
        # e.g. the identity already verifies another account: signed in, not verified, and told why.
        messages.warning(request, " ".join(error.messages))
        return
    if verified is None:
        # Signed in, but told why the votes for residents stay closed (no address sent, or one elsewhere).
        messages.info(request, _("%(provider)s did not send an address in %(city)s, so your account is not a "
                                 "verified resident. You can still verify with the residents register or at a "
                                 "city office (My verification).")
                      % {"provider": provider.app.name, "city": getattr(settings, "CITY_NAME", "Timișoara")})


@receiver(social_account_added)
def verify_on_connect(sender: Any, request: HttpRequest, sociallogin: Any, **kwargs: Any) -> None:
    """A signed-in person linked the eID provider to their existing account ("Verify with ROeID" on My
    verification): the address claim verifies them as for a sign-in."""
    if isinstance(getattr(sociallogin, "provider", None), CityOpenIDConnectProvider):
        verify_resident_from_claims(request, sociallogin)


@never_cache
def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    """The provider's redirect back to us (language-free), through our adapter, in the person's language."""
    language = request.session.get(LANGUAGE_SESSION_KEY)
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language
    try:
        view = OAuth2CallbackView.adapter_view(CityOIDCAdapter(request, provider_id))
        response: HttpResponse = view(request)
        return response
    except SocialApp.DoesNotExist:
        raise Http404 from None
