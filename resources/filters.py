"""What the map, the list, the map data and the downloads may be filtered by (one form for all, so a
bad parameter is always a 400 naming it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from resources import search
from resources.models import FundingProgramme, Initiative, MapItem, Organisation, Space

KIND_CHOICES = [*Organisation.Kind.choices, *Space.Kind.choices, *FundingProgramme.Level.choices,
                *Initiative.Kind.choices]
MAX_BBOX_DEGREES = 5.0


class MapFilters(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    layer = forms.MultipleChoiceField(label=_("Show"), required=False, choices=MapItem.Layer.choices,
                                      widget=forms.CheckboxSelectMultiple)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *KIND_CHOICES])
    neighbourhood = forms.SlugField(label=_("Neighbourhood"), required=False, max_length=80)
    verified = forms.BooleanField(label=_("Only organisations checked by the city"), required=False)

    def apply(self, queryset: QuerySet[MapItem]) -> QuerySet[MapItem]:
        data: dict[str, Any] = self.cleaned_data
        if data.get("layer"):
            queryset = queryset.filter(layer__in=data["layer"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("neighbourhood"):
            queryset = queryset.filter(neighbourhood_slug=data["neighbourhood"])
        if data.get("verified"):
            queryset = queryset.filter(layer=MapItem.Layer.ORGANISATION, verified=True)
        if data.get("q"):
            queryset = search.matching(queryset, data["q"])
        return queryset


class BoundingBox(forms.Form):
    bbox = forms.CharField(required=False, max_length=120,
                           help_text="west,south,east,north in degrees (WGS 84)")
    zoom = forms.IntegerField(required=False, min_value=0, max_value=20)

    def clean_bbox(self) -> tuple[float, float, float, float] | None:
        raw = self.cleaned_data.get("bbox") or ""
        if not raw:
            return None
        try:
            west, south, east, north = (float(part) for part in raw.split(","))
        except ValueError as error:
            raise forms.ValidationError(_("Give four numbers: west,south,east,north.")) from error
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise forms.ValidationError(_("The corners are outside the world or in the wrong order."))
        if east - west > MAX_BBOX_DEGREES or north - south > MAX_BBOX_DEGREES:
            raise forms.ValidationError(_("The area is too large (at most %(n)s degrees a side).") % {
                "n": MAX_BBOX_DEGREES})
        return west, south, east, north


def errors_as_text(*forms_: forms.Form) -> dict[str, str]:
    """{field: first message} for a 400 answer."""
    errors: dict[str, str] = {}
    for form in forms_:
        for field, messages in form.errors.items():
            errors[field] = str(messages[0])
    return errors
