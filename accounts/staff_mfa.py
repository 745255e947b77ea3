"""Staff sign in with a second factor (settings.STAFF_MFA_REQUIRED; docs/identity.md).

One mechanism for every staff entry point: the back office (/ro/admin/) and the rooms' staff pages
(reports' inbox, budgeting's and participation's staff actions, environment's sensor pages) all sit behind
this middleware, so no view can forget the check. A staff account (is_staff: the back-office roles of
accounts/roles.py get it from accounts.services.assign_role; superusers have it) whose session was not
completed with a second factor reaches only the MFA pages, sign-out and re-authentication:

- without a TOTP app or a WebAuthn key it is sent to set one up (allauth's /accounts/2fa/);
- with one, but signed in before it was set up (or by a path that skipped it), it is asked for it again.

allauth's sign-in asks an account that has a second factor for it, and records the step in the session
("mfa" among the authentication records); that record, or a factor added during this very session, lets
the request through. Reading is_staff and the session costs no query, so citizens' pages pay nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import STAFF_ROLES

# A second factor added in this session counts as this session's second factor.
ENROLLED_SESSION_KEY = "staff_mfa_enrolled"
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
# What a staff member without a second factor may still open: allauth's MFA pages (names mfa_*), sign-out,
# re-authentication, the language switch and what pages need to draw (the brand stylesheet).
ALLOWED_URL_NAMES = {"account_logout", "account_reauthenticate", "set_language", "brand_css", "healthz"}


def needs_staff_mfa(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def session_has_second_factor(request: HttpRequest) -> bool:
    if request.session.get(ENROLLED_SESSION_KEY) == request.user.pk:
        return True
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


def _allowed(request: HttpRequest) -> bool:
    try:
        name = resolve(request.path_info).url_name or ""
    except Resolver404:
        return True  # a 404 reveals nothing
    return name.startswith("mfa_") or name in ALLOWED_URL_NAMES


class StaffMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self.refusal(request)
        return refusal if refusal is not None else self.get_response(request)

    def refusal(self, request: HttpRequest) -> HttpResponse | None:
        if not getattr(settings, "STAFF_MFA_REQUIRED", False) or not needs_staff_mfa(request.user):
            return None
        if session_has_second_factor(request) or _allowed(request):
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": _("Staff accounts must sign in with a second factor.")}, status=403)
        query = urlencode({"next": request.get_full_path()})
        if is_mfa_enabled(request.user, SECOND_FACTORS):
            return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
        messages.warning(request, _("Staff accounts need a second factor: set up an authenticator app or a "
                                    "security key to continue."))
        return HttpResponseRedirect(f"{reverse('mfa_index')}?{query}")


@receiver(m2m_changed, sender=User.groups.through)
def staff_roles_make_staff(sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None,
                           **kwargs: Any) -> None:
    """The rooms' staff pages check roles (rules.py), this middleware checks is_staff: a staff role given
    any way (the back office's group field, a script) marks the account as staff, so it needs a second
    factor too. accounts.services.assign_role does the same explicitly."""
    if action != "post_add" or not pk_set:
        return
    staff_names = {role.value for role in STAFF_ROLES}
    if reverse:  # a group's users were added to
        if instance.name in staff_names:
            User.objects.filter(pk__in=pk_set, is_staff=False).update(is_staff=True)
    elif not instance.is_staff and Group.objects.filter(pk__in=pk_set, name__in=staff_names).exists():
        User.objects.filter(pk=instance.pk).update(is_staff=True)
        instance.is_staff = True


@receiver(authenticator_added)
def remember_enrolment(sender: Any, request: HttpRequest | None, user: Any, authenticator: Authenticator,
                       **kwargs: Any) -> None:
    """Setting a factor up proves it is in hand (allauth checks a TOTP code or a WebAuthn signature)."""
    if request is not None and authenticator.type in SECOND_FACTORS:
        request.session[ENROLLED_SESSION_KEY] = user.pk


def admin_login(request: HttpRequest) -> HttpResponse:
    """One sign-in page for citizens and staff: the back office's login sends to allauth's."""
    next_url = request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_staff and request.user.is_active:
            return HttpResponseRedirect(next_url)
        # Signed in but not staff: sending back to the sign-in page would loop.
        raise PermissionDenied(_("This account has no back-office role."))
    return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
