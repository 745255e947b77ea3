"""Forms of the budgeting room. They check the shape of the input; the rules of the process
(phases, budgets, ballot limits) are checked by budgeting.services, whose errors are added back
to the form field they name."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from budgeting.models import BallotType, Category, Edition, Pool, Project, Rule
from budgeting.services import ProjectInput
from core.images import MAX_UPLOAD_BYTES
from core.models import Neighbourhood


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Attach a service's {field: [messages]} to the form (unknown fields become form-wide errors)."""
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, min_length=5)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 8}),
                                  min_length=20, max_length=5000,
                                  help_text=_("What should be done, where, and who benefits."))
    cost_estimate = forms.DecimalField(label=_("Estimated cost (lei)"), min_value=Decimal("1"),
                                       max_value=Decimal("100000000"), decimal_places=2, max_digits=14)
    category: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False, empty_label=_("— none —"))
    neighbourhood = forms.ModelChoiceField(
        label=_("District"), queryset=Neighbourhood.objects.only("slug", "name"), required=False,
        empty_label=_("— city-wide / not in a mapped neighbourhood —"), to_field_name="slug",
        help_text=_("Left empty, it is found from the location on the map when there is one."))
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90,
                                widget=forms.NumberInput(attrs={"step": "any"}))
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180,
                                 widget=forms.NumberInput(attrs={"step": "any"}))
    signed = forms.BooleanField(label=_("Show my public name with the project"), required=False)

    def to_input(self, language: str) -> ProjectInput:
        data = self.cleaned_data
        return ProjectInput(title=data["title"], description=data["description"],
                            cost_estimate=data["cost_estimate"], neighbourhood=data["neighbourhood"],
                            category=data["category"], latitude=data["latitude"], longitude=data["longitude"],
                            signed=data["signed"], language=language)

    @classmethod
    def initial_for(cls, project: Project) -> dict[str, Any]:
        return {"title": project.title, "description": project.description, "cost_estimate": project.cost_estimate,
                "category": project.category, "neighbourhood": project.neighbourhood,
                "latitude": project.latitude, "longitude": project.longitude, "signed": project.signed}


class PhotoField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        uploaded = super().clean(data, initial)
        if uploaded and uploaded.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The photo is too large (at most 8 MB)."))
        return uploaded


class ProposeForm(ProjectForm):
    photo_1 = PhotoField(label=_("Photo"), required=False,
                         widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
                         help_text=_("JPEG, PNG or WebP, at most 8 MB. Location data in the file is removed."))
    photo_1_alt = forms.CharField(label=_("What the photo shows"), max_length=250, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("photo_1") and not (data.get("photo_1_alt") or "").strip():
            self.add_error("photo_1_alt", _("Describe what the photo shows (for people who cannot see it)."))
        return data

    def photos(self) -> list[tuple[bytes, str]]:
        upload = self.cleaned_data.get("photo_1")
        return [(upload.read(), self.cleaned_data.get("photo_1_alt", ""))] if upload else []


class PhotoForm(forms.Form):
    photo = PhotoField(label=_("Photo"), widget=forms.ClearableFileInput(
        attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, at most 8 MB. Location data in the file is removed."))
    alt_text = forms.CharField(label=_("What the photo shows"), max_length=250)


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    signed = forms.BooleanField(label=_("Show my public name"), required=False)


class ReviewForm(forms.Form):
    feasible = forms.TypedChoiceField(
        label=_("Decision"), coerce=lambda value: value == "yes", widget=forms.RadioSelect,
        choices=[("yes", _("Feasible: put it on the ballot")), ("no", _("Not feasible"))])
    corrected_cost = forms.DecimalField(label=_("Cost after review (lei)"), required=False, min_value=Decimal("1"),
                                        max_digits=14, decimal_places=2,
                                        help_text=_("Leave empty to keep the author's estimate."))
    pool: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Budget"), queryset=Pool.objects.none(), required=False, empty_label=_("— keep —"))
    rejection_reason = forms.CharField(label=_("Public reason (when not feasible)"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    review_note = forms.CharField(label=_("Internal note"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  max_length=2000)

    def __init__(self, *args: Any, edition: Edition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pool"].queryset = edition.pools.all()  # type: ignore[attr-defined]


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Voting code"), max_length=40,
                           help_text=_("As printed on your sheet, e.g. ABCD-EFGH-JKLM-NPQR."),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                         "autocapitalize": "characters"}))


class GenerateCodesForm(forms.Form):
    count = forms.IntegerField(label=_("Number of codes"), min_value=1, max_value=50_000, initial=100)
    batch = forms.CharField(label=_("Batch (where they are handed out)"), max_length=80, required=False)
    neighbourhood = forms.ModelChoiceField(label=_("Valid only in the district"), required=False,
                                           queryset=Neighbourhood.objects.only("slug", "name"), to_field_name="slug")


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Pabulib file (.pb)"), help_text=_("At most 20 MB, UTF-8 text."))
    slug = forms.SlugField(label=_("Short name of the edition"), max_length=50)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    rule = forms.ChoiceField(label=_("Counting rule"), required=False,
                             choices=[("", _("— the rule the file names —")), *Rule.choices])
    compare = forms.MultipleChoiceField(label=_("Also compare with"), required=False, choices=Rule.choices,
                                        widget=forms.CheckboxSelectMultiple)

    MAX_BYTES = 20 * 1024 * 1024

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError(_("The file is too large (at most 20 MB)."))
        try:
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text.")) from None


class PhaseForm(forms.Form):
    phase = forms.CharField(max_length=20)


def ballot_field_name(number: int) -> str:
    return f"project_{number}"


def parse_ballot(edition: Edition, data: Any, numbers: list[int]) -> tuple[dict[int, int], dict[str, str]]:
    """Read the ballot form: {project number: value} and per-field errors (field name → message)."""
    choices: dict[int, int] = {}
    errors: dict[str, str] = {}
    approval = edition.ballot_type in (BallotType.KNAPSACK, BallotType.APPROVAL)
    for number in numbers:
        name = ballot_field_name(number)
        raw = (data.get(name) or "").strip()
        if not raw or (raw == "0" and not approval):
            continue
        if approval:
            if raw not in ("1", "on"):
                errors[name] = str(_("A project is either chosen or not."))
                continue
            choices[number] = 1
            continue
        if not raw.isdigit() or len(raw) > 6:
            errors[name] = str(_("Enter a whole number."))
            continue
        choices[number] = int(raw)
    unknown = [key for key in data if key.startswith("project_") and
               (not key[8:].isdigit() or int(key[8:]) not in numbers)]
    for key in unknown:
        errors[key[:40]] = str(_("This project is not on the ballot."))
    return choices, errors
