"""Staff forms: an announcement (or its update) and a cancellation. The geometry is a GeoJSON
textarea that the map's drawing tool fills; keyboard users can type or paste it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from announcements import geometry as geo
from announcements.models import Announcement, Category, Direction, Severity
from announcements.services import Draft


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AnnouncementForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.INFO)
    title_ro = forms.CharField(label=_("Title in Romanian"), max_length=200)
    title_en = forms.CharField(label=_("Title in English"), max_length=200)
    body_ro = forms.CharField(label=_("Text in Romanian"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    body_en = forms.CharField(label=_("Text in English"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    starts_at = forms.DateTimeField(label=_("Valid from"), widget=DateTimeInput(),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    ends_at = forms.DateTimeField(label=_("Valid until"), required=False, widget=DateTimeInput(),
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                  help_text=_("Leave empty for “until further notice”."))
    direction = forms.ChoiceField(label=_("Traffic affected (street closures)"), choices=Direction.choices,
                                  initial=Direction.BOTH)
    geometry = forms.CharField(
        label=_("Place (GeoJSON geometry)"), max_length=geo.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "class": "geojson"}),
        help_text=_("Draw on the map above, or type a GeoJSON geometry in longitude, latitude order, e.g. "
                    "{\"type\": \"Point\", \"coordinates\": [21.2257, 45.7537]}."))

    def clean_geometry(self) -> str:
        text = self.cleaned_data["geometry"]
        try:
            return geo.normalised(geo.parse(text))
        except geo.GeometryError as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The end must come after the start."))
        return data

    def draft(self) -> Draft:
        data = self.cleaned_data
        return Draft(category=data["category"], severity=data["severity"], title_ro=data["title_ro"],
                     title_en=data["title_en"], body_ro=data["body_ro"], body_en=data["body_en"],
                     starts_at=data["starts_at"], ends_at=data.get("ends_at"), geometry=data["geometry"],
                     direction=data["direction"])

    @classmethod
    def initial_from(cls, announcement: Announcement) -> dict[str, Any]:
        from django.utils import timezone

        return {"category": announcement.category, "severity": announcement.severity,
                "title_ro": announcement.title_ro, "title_en": announcement.title_en,
                "body_ro": announcement.body_ro, "body_en": announcement.body_en,
                "starts_at": timezone.localtime(announcement.starts_at),
                "ends_at": timezone.localtime(announcement.ends_at) if announcement.ends_at else None,
                "direction": announcement.direction, "geometry": announcement.geometry}


class CancelForm(forms.Form):
    reason_ro = forms.CharField(label=_("Why it is cancelled, in Romanian"), max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 3}))
    reason_en = forms.CharField(label=_("Why it is cancelled, in English"), max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 3}))
