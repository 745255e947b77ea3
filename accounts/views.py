"""Pages of accounts: a person's verification levels, the residents-register check, the office check."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from accounts import verification
from accounts.models import ResidentsRegister, User
from core import ratelimit

# Attempts at the register check: per account and per client address (CONSUL allows 5 per account).
REGISTER_CHECK_RATES = {"account": "5/h/key,10/d/key", "address": "20/h/ip"}


class RegisterCheckForm(forms.Form):
    document_number = forms.CharField(label=_("Identity card series and number"), max_length=30,
                                      help_text=_("As printed on the card, e.g. TM 123456."))
    birth_date = forms.CharField(label=_("Birth date"), max_length=10, help_text=_("DD.MM.YYYY"))


class InPersonForm(RegisterCheckForm):
    email = forms.EmailField(label=_("The person's account (e-mail address)"))


class RegisterUploadForm(forms.Form):
    file = forms.FileField(label=_("Hashed residents register (CSV)"),
                           help_text=_("The file made by manage.py hash_residents_register: digest,neighbourhood "
                                       "lines, never document numbers or birth dates. It replaces the current "
                                       "register."))


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@login_required
def my_verification(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/my_verification.html", {
        "rows": verification.levels_for(request.user),
        "email_confirmed": verification.email_confirmed(request.user),
        "resident": verification.active_resident(request.user),
        "register_form": RegisterCheckForm(),
    })


@login_required
def register_check(request: HttpRequest) -> HttpResponse:
    form = RegisterCheckForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        per_account = ratelimit.hit(request, "register_check:account", key=str(request.user.pk),
                                    rate=REGISTER_CHECK_RATES["account"])
        per_address = ratelimit.hit(request, "register_check:address", rate=REGISTER_CHECK_RATES["address"])
        if not (per_account.allowed and per_address.allowed):
            form.add_error(None, _("Too many attempts. Try again later, or verify in person at a city office."))
            status = 429
        else:
            try:
                verification.verify_by_register(request.user, document=form.cleaned_data["document_number"],
                                                birth_date=form.cleaned_data["birth_date"])
            except ValidationError as error:
                _apply_errors(form, error)
                status = 400
            else:
                messages.success(request, _("You are now a verified resident."))
                return redirect("accounts_verification")
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/register_check.html", {"form": form}, status=status)


@login_required
def in_person(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("accounts.verify_in_person"):
        raise PermissionDenied
    form = InPersonForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        person = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        if person is None:
            form.add_error("email", _("No account has this e-mail address."))
            status = 400
        else:
            try:
                verification.verify_in_person(request.user, person, document=form.cleaned_data["document_number"],
                                              birth_date=form.cleaned_data["birth_date"])
            except ValidationError as error:
                _apply_errors(form, error)
                status = 400
            else:
                messages.success(request, _("The account is now a verified resident."))
                return redirect("accounts_in_person")
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/in_person.html", {"form": form}, status=status)


@login_required
def register_upload(request: HttpRequest) -> HttpResponse:
    """Staff upload the hashed residents register (the page twin of manage.py load_residents_register)."""
    if not request.user.has_perm("accounts.upload_register"):
        raise PermissionDenied
    posted = request.method == "POST"  # a POST without any field is still a submission to refuse with a 400
    form = RegisterUploadForm(request.POST if posted else None, request.FILES if posted else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        if uploaded.size > verification.MAX_REGISTER_BYTES:  # before reading it into memory
            form.add_error("file", _("The file is larger than 100 MB."))
            status = 400
        else:
            try:
                register = verification.upload_register(request.user, uploaded.read(), file_name=uploaded.name)
            except ValidationError as error:
                _apply_errors(form, error)
                status = 400
            else:
                messages.success(request, _("The residents register now holds %(rows)d residents.")
                                 % {"rows": register.rows})
                return redirect("accounts_register_upload")
    elif request.method == "POST":
        status = 400
    current = ResidentsRegister.objects.filter(active=True).select_related("uploaded_by").first()
    return render(request, "accounts/register_upload.html", {"form": form, "current": current}, status=status)
