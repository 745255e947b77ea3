"""Forms of the reports room. Validation that matters for every channel lives in services.py;
these forms add the web-only parts (honeypot, "it is a new problem", file inputs)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.images import MAX_UPLOAD_BYTES
from reports import addresses
from reports.models import Category, Channel, Flag, Priority, Question, ResponseTemplate, Status
from reports.services import MAX_DESCRIPTION, MAX_TITLE, MAX_UPDATE_TEXT, TRANSITIONS

HONEYPOT = "website"


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


def grouped_category_choices(categories: list[Category]) -> list[Any]:
    """<optgroup> per category group, in the categories' order."""
    groups: OrderedDict[str, list[tuple[str, str]]] = OrderedDict()
    for category in categories:
        groups.setdefault(category.group or "", []).append((category.code, category.name))
    choices: list[Any] = [("", _("Choose a category…"))]
    for group, items in groups.items():
        if group:
            choices.append((group, items))
        else:
            choices.extend(items)
    return choices


class ReportForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"))
    # Without a pin (no JavaScript, or none placed) the typed address is placed on submit.
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90, required=False,
                           widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180, required=False,
                           widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    address = forms.CharField(label=_("Address or landmark"), required=False, max_length=300,
                              help_text=_("e.g. Strada Gheorghe Lazăr 2, or “in front of the Iulius Town entrance”. "
                                          "Without a pin on the map, the address is placed for you."))
    title = forms.CharField(label=_("Short title"), max_length=MAX_TITLE,
                            help_text=_("e.g. “Deep pothole in the right lane”."))
    description = forms.CharField(label=_("Description"), max_length=MAX_DESCRIPTION,
                                  widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=_("What is wrong, since when, how dangerous it is. Do not write "
                                              "names, phone numbers or car number plates: the text is public."))
    photo1 = forms.FileField(label=_("Photo 1"), required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    photo2 = forms.FileField(label=_("Photo 2"), required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    photo3 = forms.FileField(label=_("Photo 3"), required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    name = forms.CharField(label=_("Your name"), required=False, max_length=120)
    show_name = forms.BooleanField(label=_("Show my name on the report"), required=False,
                                   help_text=_("Unticked, the report is shown without any name."))
    email = forms.EmailField(label=_("Your email address"), required=False, max_length=254,
                             help_text=_("Never shown in public. We send a link to confirm the report and an "
                                         "email at each change of its status."))
    phone = forms.CharField(label=_("Phone (optional)"), required=False, max_length=40,
                            help_text=_("Never shown in public; only the department may call you about it."))
    not_duplicate = forms.BooleanField(label=_("None of these: my report is about a different problem"),
                                       required=False)
    channel = forms.ChoiceField(label=_("Received by"), choices=Channel.choices, required=False,
                                initial=Channel.WEB)
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args: Any, categories: list[Category], user: Any, staff: bool = False,
                 questions: list[Question] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = {c.code: c for c in categories}
        category_field: Any = self.fields["category"]
        category_field.choices = grouped_category_choices(categories)
        # htmx swaps in the category's extra questions when it changes.
        self.fields["category"].widget.attrs.update({
            "hx-get": reverse("reports:questions"), "hx-target": "#questions", "hx-trigger": "change"})
        # htmx asks for matching streets and addresses as the citizen types (see views.geocode).
        self.fields["address"].widget.attrs.update({
            "hx-get": reverse("reports:geocode"), "hx-target": "#geocode-results",
            "hx-trigger": "input changed delay:400ms, search", "autocomplete": "off",
            "aria-controls": "geocode-results"})
        self.placed_address: Any = None
        self.user = user
        self.staff = staff
        if not staff:
            del self.fields["channel"]
        if staff:
            self.fields["email"].label = _("Reporter's email address")
            self.fields["email"].initial = user.email if user is not None else ""
        elif user is not None and user.is_authenticated:
            self.fields["email"].help_text = _("Updates go to %(email)s, your account's address.") % {
                "email": user.email}
            self.fields["email"].disabled = True
            self.fields["email"].initial = user.email
            self.fields["name"].initial = getattr(user, "display_name", "")
        self.questions = questions or []
        for question in self.questions:
            self.fields[f"q_{question.code}"] = question_field(question)

    @property
    def question_fields(self) -> list[Any]:
        return [self[f"q_{q.code}"] for q in self.questions]

    def clean_website(self) -> str:
        value = self.cleaned_data.get(HONEYPOT, "")
        if value:
            raise forms.ValidationError(_("This field must stay empty."))
        return value

    def clean_category(self) -> Category:
        code = self.cleaned_data["category"]
        category = self.categories.get(code)
        if category is None:
            raise forms.ValidationError(_("Choose a category from the list."))
        return category

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._place(data)
        for name in ("photo1", "photo2", "photo3"):
            upload = data.get(name)
            if upload and upload.size > MAX_UPLOAD_BYTES:
                self.add_error(name, _("The photo is too large (at most 8 MB)."))
        return data

    def _place(self, data: dict[str, Any]) -> None:
        """Coordinates from the pin, else from the typed address (street index or Nominatim)."""
        if "lat" in self.errors or "lon" in self.errors:
            return
        lat, lon = data.get("lat"), data.get("lon")
        if lat is not None and lon is not None:
            return
        if lat is not None or lon is not None:
            self.add_error("lon" if lon is None else "lat", _("Give both latitude and longitude, or neither."))
            return
        typed = (data.get("address") or "").strip()
        if not typed:
            self.add_error("lat", _("Put a pin on the map, use your location, or type an address."))
            return
        place = addresses.place_typed(typed)
        if place is None:
            self.add_error("address", _("This address could not be found in Timișoara; check the street name "
                                        "or put a pin on the map."))
            return
        data["lat"], data["lon"] = place.lat, place.lon
        self.placed_address = place

    def answers(self) -> dict[str, Any]:
        return {q.code: self.cleaned_data.get(f"q_{q.code}") for q in self.questions
                if self.cleaned_data.get(f"q_{q.code}") not in (None, "", [])}


def question_field(question: Question) -> forms.Field:
    common: dict[str, Any] = {"label": question.text, "required": question.required,
                              "help_text": question.help_text}
    choices = [(c.key, c.name) for c in question.choices.all()]
    datatype = question.datatype
    if datatype == Question.Datatype.SINGLE:
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if datatype == Question.Datatype.MULTI:
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    if datatype == Question.Datatype.NUMBER:
        return forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}), max_length=30, **common)
    if datatype == Question.Datatype.DATETIME:
        return forms.CharField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), max_length=40,
                               **common)
    if datatype == Question.Datatype.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, **common)
    return forms.CharField(max_length=200, **common)


class FollowForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), required=False, max_length=254,
                             help_text=_("Never shown in public."))
    support = forms.BooleanField(label=_("I have this problem too (support the report)"), required=False)


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong with this report?"), choices=Flag.Reason.choices)
    text = forms.CharField(label=_("Details"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(forms.Form):
    text = forms.CharField(label=_("What is still wrong?"), max_length=MAX_UPDATE_TEXT,
                           widget=forms.Textarea(attrs={"rows": 3}))


# --- staff ---------------------------------------------------------------------------------------


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    template: forms.ModelChoiceField[ResponseTemplate] = forms.ModelChoiceField(
        label=_("Response template"), queryset=ResponseTemplate.objects.none(),
                                      required=False, empty_label=_("(write the text yourself)"))
    text = forms.CharField(label=_("Public update text"), required=False, max_length=MAX_UPDATE_TEXT,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Published on the report page and emailed to its followers. Empty: the "
                                       "template's text, or a standard sentence for the status."))
    reason = forms.CharField(label=_("Reason (for “closed, not fixed”)"), required=False, max_length=300)
    responsible_party = forms.CharField(label=_("Who is responsible (for “not the city's responsibility”)"),
                                        required=False, max_length=200)
    duplicate_of = forms.IntegerField(label=_("Original report number (for “duplicate”)"), required=False,
                                      min_value=1)

    def __init__(self, *args: Any, report: Any, templates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS[report.status]
        status_field: Any = self.fields["status"]
        status_field.choices = [(value, label) for value, label in Status.choices if value in allowed]
        template_field: Any = self.fields["template"]
        template_field.queryset = templates


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Public update (no status change)"), max_length=MAX_UPDATE_TEXT,
                           widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Internal note (never public)"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    assignee: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=None, required=False, empty_label=_("(nobody)"))  # type: ignore[arg-type]

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee_field: Any = self.fields["assignee"]
        assignee_field.queryset = members


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)


class CategoryForm(forms.Form):
    category: forms.ModelChoiceField[Category] = forms.ModelChoiceField(
        label=_("Move to category"), queryset=Category.objects.filter(active=True))


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approved", _("Publish")),
                                                               ("rejected", _("Reject"))])
    title = forms.CharField(label=_("Title (edit to remove personal data)"), max_length=MAX_TITLE)
    description = forms.CharField(label=_("Description"), max_length=MAX_DESCRIPTION,
                                  widget=forms.Textarea(attrs={"rows": 5}))


class BulkForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=[
        ("acknowledge", _("Mark acknowledged")), ("in_progress", _("Mark in progress")),
        ("fixed", _("Mark fixed")), ("priority", _("Set priority")), ("assign", _("Assign"))])
    text = forms.CharField(label=_("Public text (for status changes)"), required=False, max_length=MAX_UPDATE_TEXT)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=[("", "—"), *Priority.choices], coerce=int,
                                      required=False, empty_value=None)
    assignee = forms.IntegerField(required=False, widget=forms.HiddenInput)
