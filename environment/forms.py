"""The alert subscription form: what (index band from a level, or the EU daily limits) and where (the whole
city, a neighbourhood, or a point on the map with a radius). Labels and help for screen readers included."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Neighbourhood
from environment.models import AlertKind, Sensor

LEVEL_CHOICES = [(1, _("1 – Good")), (2, _("2 – Fair")), (3, _("3 – Moderate")), (4, _("4 – Poor")),
                 (5, _("5 – Very poor")), (6, _("6 – Extremely poor"))]
PLACE_CHOICES = [("city", _("The whole city (median of the sensors)")), ("neighbourhood", _("A neighbourhood")),
                 ("point", _("A point on the map and a distance around it"))]
RADIUS_CHOICES = [(500, _("500 m")), (1000, _("1 km")), (2000, _("2 km")), (5000, _("5 km"))]


class SubscriptionForm(forms.Form):
    place = forms.ChoiceField(label=_("Where"), choices=PLACE_CHOICES, initial="neighbourhood",
                              widget=forms.RadioSelect)
    neighbourhood = forms.ModelChoiceField(label=_("Neighbourhood"), queryset=Neighbourhood.objects.order_by("name"),
                                           required=False, to_field_name="slug",
                                           help_text=_("The sensors in and around it are used."))
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90,
                           help_text=_("Click the map, or type the coordinates."))
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    radius_m = forms.TypedChoiceField(label=_("Distance around the point"), choices=RADIUS_CHOICES, coerce=int,
                                      initial=1000, required=False)
    sensor = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Tell me when"), choices=AlertKind.choices, initial=AlertKind.AQI)
    min_level = forms.TypedChoiceField(label=_("Index level"), choices=LEVEL_CHOICES, coerce=int, initial=3,
                                       help_text=_("For index alerts: changes that reach or leave this level or "
                                                   "a worse one."))

    def clean_sensor(self) -> str:
        sensor_id = self.cleaned_data["sensor"].strip()
        self.cleaned_data["sensor_obj"] = None
        if sensor_id:
            sensor = Sensor.objects.filter(sensor_id=sensor_id).first()
            if sensor is None:
                raise forms.ValidationError(_("There is no sensor %(id)s.") % {"id": sensor_id})
            self.cleaned_data["sensor_obj"] = sensor
        return sensor_id

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned.setdefault("sensor_obj", None)
        if cleaned.get("sensor_obj") is None:
            if cleaned.get("place") == "neighbourhood" and cleaned.get("neighbourhood") is None:
                self.add_error("neighbourhood", _("Choose a neighbourhood."))
            if cleaned.get("place") == "point" and (cleaned.get("lat") is None or cleaned.get("lon") is None):
                self.add_error("lat", _("Choose a point on the map."))
        return cleaned
