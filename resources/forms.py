from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from resources.models import FundingProgramme, Initiative, Organisation, Service, Space, SpaceApplication


class OrganisationForm(forms.ModelForm):
    address = forms.CharField(label=_("Address in Timișoara"), required=False, max_length=300,
                              help_text=_("Shown on the map. Leave empty to stay off the map."))
    position = forms.CharField(label=_("Your position in the organisation"), required=False, max_length=120)
    listed_publicly = forms.BooleanField(label=_("Show my public name on the organisation's page"), required=False)

    class Meta:
        model = Organisation
        fields = ["name", "kind", "description", "website", "public_email", "public_phone"]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        others = Organisation.objects.filter(name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("An organisation with this name is already in the registry."))
        return name


class OrganisationEditForm(OrganisationForm):
    position = None  # type: ignore[assignment]
    listed_publicly = None  # type: ignore[assignment]


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["name", "kind", "category", "description", "url", "email"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's e-mail address"))


class ApplicationForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("On behalf of"), queryset=Organisation.objects.none())
    intended_use = forms.ChoiceField(label=_("Intended use"), choices=Space.Use.choices)
    message = forms.CharField(label=_("What you would do there, when and for how long"), max_length=3000,
                              widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, user: Any, space: Space | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(representatives__user=user, hidden=False)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        represented = list(organisations.values_list("pk", flat=True)[:2])
        if len(represented) == 1:  # one organisation: chosen already
            self.fields["organisation"].initial = represented[0]
        if space is not None and space.allowed_uses:  # only the uses the owner allows
            allowed = [(value, label) for value, label in Space.Use.choices if value in space.allowed_uses]
            self.fields["intended_use"].choices = allowed  # type: ignore[attr-defined]


class StepForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=SpaceApplication.Status.choices)
    public_note = forms.CharField(label=_("Public note (no personal data)"), required=False, max_length=500)


WHO_CHOICES = [("", _("Anyone")), *Organisation.Kind.choices, ("person", _("A person"))]


class FundingFinder(forms.Form):
    who = forms.ChoiceField(label=_("I am"), required=False, choices=WHO_CHOICES)
    purpose = forms.ChoiceField(label=_("I need money for"), required=False,
                                choices=[("", _("Anything")), *FundingProgramme.Purpose.choices])
    level = forms.ChoiceField(label=_("Funder"), required=False,
                              choices=[("", _("Any funder")), *FundingProgramme.Level.choices])
    deadline_in = forms.ChoiceField(label=_("Deadline"), required=False, choices=[
        ("", _("Any time")), ("this_month", _("This month")), ("next_month", _("Next month")),
        ("three_months", _("In the next three months"))])
    open_only = forms.BooleanField(label=_("Only calls with a deadline ahead"), required=False)


class ReminderForm(forms.Form):
    days_before = forms.IntegerField(label=_("Days before the deadline"), min_value=1, max_value=90, initial=7)


class InitiativeForm(forms.ModelForm):
    class Meta:
        model = Initiative
        fields = ["title", "kind", "description", "address", "url"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
