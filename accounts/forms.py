"""Forms of the accounts room: the consent at sign-up and the confirmation of an account's deletion."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts import consents


class SignupConsentForm(forms.Form):
    """allauth's sign-up form gains these fields (ACCOUNT_SIGNUP_FORM_CLASS); the consents are recorded with
    the account, in the same transaction, with the exact text shown."""

    # After the password, just above the button (allauth applies field_order once it has added its fields).
    field_order = ["email", "password1", "password2", "accept_terms", "email_notifications"]
    accept_terms = forms.BooleanField(required=True, label=consents.TERMS.text)
    email_notifications = forms.BooleanField(required=False, label=consents.NOTIFICATIONS.text)

    def signup(self, request: HttpRequest, user: Any) -> None:
        consents.record(user, consents.TERMS, context="signup")
        if self.cleaned_data.get("email_notifications"):
            consents.record(user, consents.NOTIFICATIONS, context="signup")


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}), strip=False)
    confirm = forms.BooleanField(required=True, label=_(
        "I understand: my account and private data are erased for good; my public contributions stay, "
        "without my name."))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            # Accounts made through an identity provider re-authenticate instead (the view asks for it).
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."), code="wrong_password")
        return str(password)


class ConsentForm(forms.Form):
    """Notifications by e-mail: given or withdrawn from "My data"; each change is a new record."""

    email_notifications = forms.BooleanField(required=False, label=consents.NOTIFICATIONS.text)
