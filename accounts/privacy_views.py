"""A person's own data: see it, download it, manage consents, delete the account (docs/identity.md)."""

from __future__ import annotations

import json

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import consents, personal_data, services
from accounts.forms import ConsentForm, DeleteAccountForm


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """Everything the platform holds about the person, readable (GDPR article 15)."""
    rooms = [{"room": room, "sections": [s for s in sections if s.rows],
              "empty": ", ".join(str(s.title) for s in sections if not s.rows)}
             for room, sections in personal_data.collect(request.user)]
    return render(request, "accounts/my_data.html", {"rooms": rooms})


@login_required
def my_data_json(request: HttpRequest) -> HttpResponse:
    """The same, machine-readable, as a download (GDPR article 20)."""
    data = personal_data.export_json(request.user)
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="my-data-{timezone.localdate():%Y-%m-%d}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def my_consents(request: HttpRequest) -> HttpResponse:
    latest = consents.current(request.user)
    notifications = latest.get(consents.NOTIFICATIONS.kind)
    given = bool(notifications and notifications.given)
    form = ConsentForm(request.POST if request.method == "POST" else None, initial={"email_notifications": given})
    if request.method == "POST" and form.is_valid():
        wanted = form.cleaned_data["email_notifications"]
        if wanted != given:
            services.set_consent(request.user, consents.NOTIFICATIONS, wanted, context="my_data")
            messages.success(request, _("Your choice is recorded."))
        return HttpResponseRedirect(request.path)
    return render(request, "accounts/my_consents.html", {"form": form, "latest": latest})


def _needs_reauthentication(request: HttpRequest) -> bool:
    # With a password the form asks for it; without one (identity provider) allauth re-authenticates.
    return request.user.is_authenticated and not request.user.has_usable_password()


@login_required
@reauthentication_required(enabled=_needs_reauthentication, allow_get=True)
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        services.delete_account(user)  # type: ignore[arg-type]
        logout(request)  # the session goes; other sessions die with the account row
        messages.success(request, _("Your account is deleted. Your public contributions stay, without your "
                                    "name."))
        return HttpResponseRedirect("/")
    return render(request, "accounts/delete_account.html", {"form": form},
                  status=400 if request.method == "POST" else 200)
