"""Forms of the public pages. Each rejects bad input field by field; services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.uploads import MAX_DOCUMENT_BYTES
from participation.models import Flag, GroupDocument, Membership, Organisation, Proposal
from participation.notifications import EmailMode


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), min_length=10, max_length=150,
                            help_text=_("10 to 150 characters: what should change?"))
    body = forms.CharField(label=_("Your proposal"), min_length=30, max_length=5000, widget=forms.Textarea(
        attrs={"rows": 8}), help_text=_("30 to 5,000 characters: the problem, your idea, who benefits."))
    ambition: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Ambition of the strategy"), queryset=None,  # type: ignore[arg-type]
        empty_label=_("Choose an ambition"))
    organisation = forms.ModelChoiceField(label=_("Submit on behalf of"), queryset=Organisation.objects.none(),
                                          required=False, empty_label=_("Myself"))

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from strategy.models import Ambition

        self.fields["ambition"].queryset = Ambition.objects.order_by("number")  # type: ignore[attr-defined]
        if user is not None and user.is_authenticated:
            self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
                representatives__user=user)
        if not self.fields["organisation"].queryset.exists():  # type: ignore[attr-defined]
            del self.fields["organisation"]

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if title.isupper() and len(title) > 15:
            raise forms.ValidationError(_("Please do not write the title in capitals only."))
        return title


class OfficialAnswerForm(forms.Form):
    state = forms.ChoiceField(label=_("Answer"), choices=[c for c in Proposal.OfficialAnswer.choices if c[0]])
    text = forms.CharField(label=_("Explanation"), min_length=10, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 5}))


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), min_length=2, max_length=3000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why should a moderator look at it?"), choices=Flag.Reason.choices)


class NotificationSettingsForm(forms.Form):
    email_mode = forms.ChoiceField(label=_("Send me emails"), choices=EmailMode.choices,
                                   widget=forms.RadioSelect)


class OrganisationForm(forms.ModelForm):
    position = forms.CharField(label=_("Your position in the organisation"), max_length=120, required=False)
    listed_publicly = forms.BooleanField(label=_("Show my public name as a representative"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Organisation
        fields = ["name", "kind", "description", "website", "neighbourhood"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if len(name) < 3:
            raise forms.ValidationError(_("Enter the organisation's full name."))
        if Organisation.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(_("This organisation is already in the registry."))
        return name


class InterestForm(forms.Form):
    role = forms.ChoiceField(label=_("Role you would like"), choices=Membership.Role.choices)
    expertise = forms.CharField(label=_("Your expertise"), min_length=10, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 4}),
                                help_text=_("What you can bring to the group (10 to 2,000 characters)."))
    availability = forms.CharField(label=_("Availability"), min_length=3, max_length=300,
                                   help_text=_("E.g. two hours a month, weekday evenings."))
    organisation = forms.ModelChoiceField(label=_("On behalf of"), queryset=Organisation.objects.none(),
                                          required=False, empty_label=_("Myself"))
    listed_publicly = forms.BooleanField(label=_("List my public name on the group page"), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated:
            self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
                representatives__user=user)


class DecisionForm(forms.Form):
    membership = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    note = forms.CharField(label=_("Note to the applicant"), max_length=500, required=False)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=GroupDocument.Kind.choices)
    meeting_date = forms.DateField(label=_("Meeting date"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    public = forms.BooleanField(label=_("Visible to everyone (otherwise only to members)"), required=False,
                                initial=True)
    file = forms.FileField(label=_("File"), help_text=_("PDF, OpenDocument, Office, PNG, JPEG or plain text; "
                                                        "at most %(mb)d MB.") % {"mb": MAX_DOCUMENT_BYTES // 2**20})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == GroupDocument.Kind.MINUTES and not data.get("meeting_date"):
            self.add_error("meeting_date", _("Minutes need the date of the meeting."))
        return data


class OutcomesForm(forms.Form):
    outcomes = forms.CharField(label=_("Outcomes"), min_length=10, max_length=10000,
                               widget=forms.Textarea(attrs={"rows": 6}))


class ThemeRenameForm(forms.Form):
    label = forms.CharField(label=_("New label"), max_length=200)


class ThemeMergeForm(forms.Form):
    target = forms.IntegerField(label=_("Merge into"))


class MoveAnswerForm(forms.Form):
    answer = forms.IntegerField(widget=forms.HiddenInput)
    theme = forms.IntegerField(label=_("Move to theme"))
