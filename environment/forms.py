"""The alert subscription form (labels and help for screen readers included)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from environment.models import AlertChannel, AlertKind, Sensor

LEVEL_CHOICES = [(1, _("1 – Good")), (2, _("2 – Fair")), (3, _("3 – Moderate")), (4, _("4 – Poor")),
                 (5, _("5 – Very poor")), (6, _("6 – Extremely poor"))]


class SubscriptionForm(forms.Form):
    sensor = forms.CharField(label=_("Sensor id"), required=False, max_length=64,
                             help_text=_("Leave empty for the whole city."))
    kind = forms.ChoiceField(label=_("Tell me when"), choices=AlertKind.choices, initial=AlertKind.AQI)
    min_level = forms.TypedChoiceField(label=_("Index level"), choices=LEVEL_CHOICES, coerce=int, initial=3,
                                       help_text=_("For index alerts: changes that reach or leave this level or "
                                                   "a worse one."))
    channel = forms.ChoiceField(label=_("How"), choices=AlertChannel.choices, initial=AlertChannel.EMAIL,
                                help_text=_("Email goes to your account's address."))
    webhook_url = forms.URLField(label=_("Webhook address"), required=False, max_length=500, assume_scheme="https",
                                 help_text=_("Only for webhooks: an https:// address of yours that receives a signed "
                                             "JSON POST."))

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
        if cleaned.get("channel") == AlertChannel.WEBHOOK and not cleaned.get("webhook_url"):
            self.add_error("webhook_url", _("Give the address that should receive the alerts."))
        return cleaned
