"""The citizen's notifications page: notices on the site, channels, follows, subscriptions by topic and by
place, digest and quiet hours, in one place. Every change is a POST with an `action`; the page works without
JavaScript (the map only helps fill the place fields) and answers a bad field with 400 and the page, the
error next to the field."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from core import audit
from core.models import Neighbourhood
from notifications import subscriptions, vapid
from notifications.models import Delivery, Digest, Endpoint, EventRecord, Preferences, Subscription

RADIUS_CHOICES = [(250, "250 m"), (500, "500 m"), (1000, "1 km"), (2000, "2 km"), (5000, "5 km")]
INBOX_SIZE = 30


def topic_choices() -> list[tuple[str, str]]:
    """"Everything", or one room's events: the installed rooms (a room publishes with topic room:<name>)."""
    choices = [("", str(gettext_lazy("Everything that happens there")))]
    for room in settings.OPTIONAL_ROOMS:
        if room in ("notifications", "opendata") or not apps.is_installed(room):
            continue
        choices.append((f"room:{room}", str(apps.get_app_config(room).verbose_name)))
    return choices


class SettingsForm(forms.Form):
    digest = forms.ChoiceField(label=gettext_lazy("How often"), choices=Digest.choices,
                               help_text=gettext_lazy("A digest gathers the period's notices into one message, "
                                                      "sent at 7:00. Emergencies always arrive at once."))
    quiet_start = forms.TimeField(label=gettext_lazy("Quiet hours from"), required=False,
                                  widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    quiet_end = forms.TimeField(label=gettext_lazy("Quiet hours until"), required=False,
                                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                                help_text=gettext_lazy("Nothing is sent by e-mail, push or SMS in this window "
                                                       "(except emergencies); it arrives when the window ends."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("quiet_start")) != bool(data.get("quiet_end")):
            raise ValidationError({"quiet_end": _("Give both ends of the quiet hours, or neither.")})
        return data


class PlaceForm(forms.Form):
    KINDS = [("neighbourhood", gettext_lazy("A neighbourhood")), ("point", gettext_lazy("A point and a radius")),
             ("area", gettext_lazy("An area I draw"))]
    label = forms.CharField(label=gettext_lazy("Name (for you)"), max_length=120, required=False,
                            help_text=gettext_lazy("For example: home, work, school."))
    topic = forms.ChoiceField(label=gettext_lazy("What"), choices=(), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Where"), choices=KINDS, widget=forms.RadioSelect,
                             initial="neighbourhood")
    neighbourhood = forms.ModelChoiceField(label=gettext_lazy("Neighbourhood"), queryset=Neighbourhood.objects.none(),
                                           required=False, empty_label=gettext_lazy("— choose —"))
    lat = forms.FloatField(label=gettext_lazy("Latitude"), required=False, min_value=-90, max_value=90,
                           widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    lon = forms.FloatField(label=gettext_lazy("Longitude"), required=False, min_value=-180, max_value=180,
                           widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                           help_text=gettext_lazy("Click the map to place the point, or type the coordinates "
                                                  "(Piața Victoriei is 45.7537, 21.2257)."))
    radius_m = forms.TypedChoiceField(label=gettext_lazy("Radius"), choices=RADIUS_CHOICES, coerce=int,
                                      initial=500, required=False)
    polygon = forms.CharField(label=gettext_lazy("Area (GeoJSON polygon)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
                              help_text=gettext_lazy("Draw the area on the map with the polygon tool, or paste "
                                                     "a GeoJSON Polygon."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = topic_choices()  # type: ignore[attr-defined]
        self.fields["neighbourhood"].queryset = Neighbourhood.objects.only("pk", "name", "min_lon", "min_lat",  # type: ignore[attr-defined]
                                                                           "max_lon", "max_lat")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == "neighbourhood" and not data.get("neighbourhood"):
            raise ValidationError({"neighbourhood": _("Choose a neighbourhood.")})
        if kind == "point" and (data.get("lat") is None or data.get("lon") is None):
            raise ValidationError({"lat": _("Place the point on the map or type its latitude and longitude.")})
        if kind == "area":
            text = (data.get("polygon") or "").strip()
            if not text:
                raise ValidationError({"polygon": _("Draw the area on the map or paste a GeoJSON polygon.")})
            try:
                data["polygon"] = json.loads(text)
            except ValueError:
                raise ValidationError({"polygon": _("This is not valid GeoJSON.")}) from None
        return data


def _subject_titles(subjects: list[str], language: str) -> dict[str, str]:
    """The latest title each followed subject's events carried (rows named by the rooms themselves)."""
    titles: dict[str, str] = {}
    if not subjects:
        return titles
    for record in (EventRecord.objects.filter(subject__in=subjects).order_by("subject", "-occurred_at")
                   .only("subject", "title")):
        titles.setdefault(record.subject, record.text("title", language))
    return titles


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user: Any = request.user  # login_required: a signed-in User
    language = get_language() or settings.LANGUAGE_CODE
    prefs = Preferences.objects.filter(user=user).first()
    own = list(Subscription.objects.filter(user=user).select_related("neighbourhood"))
    follows = [s for s in own if not s.has_place and ":" in s.topic and not s.topic.startswith("room:")]
    others = [s for s in own if s not in follows]
    titles = _subject_titles([s.topic for s in follows], language)
    topic_names = dict(topic_choices())
    notices = list(Delivery.objects.filter(user=user, channel=Endpoint.Kind.INBOX).select_related("event")
                   .order_by("-created_at")[:INBOX_SIZE])
    endpoints = list(Endpoint.objects.filter(user=user, kind__in=[Endpoint.Kind.EMAIL, Endpoint.Kind.PUSH]))
    context = {
        "notices": [{"title": n.event.text("title", language), "body": n.event.text("body", language),
                     "url": f"/{language}{n.event.url}" if n.event.url.startswith("/") else n.event.url,
                     "at": n.created_at, "unread": n.read_at is None} for n in notices],
        "unread": sum(1 for n in notices if n.read_at is None),
        "emails": [e for e in endpoints if e.kind == Endpoint.Kind.EMAIL],
        "devices": [e for e in endpoints if e.kind == Endpoint.Kind.PUSH],
        "follows": [{"subscription": s, "title": s.label or titles.get(s.topic) or s.topic} for s in follows],
        "places": [{"subscription": s, "what": topic_names.get(s.topic, s.topic) if s.topic else topic_names[""],
                    "where": _where(s)} for s in others],
        "settings_form": extra.pop("settings_form", None) or SettingsForm(initial={
            "digest": prefs.digest if prefs else Digest.IMMEDIATE,
            "quiet_start": prefs.quiet_start if prefs else None, "quiet_end": prefs.quiet_end if prefs else None}),
        "place_form": extra.pop("place_form", None) or PlaceForm(),
        "vapid_public_key": vapid.public_key(),
        "tile_url": settings.MAP_TILE_URL, "attribution": settings.MAP_ATTRIBUTION,
    }
    context.update(extra)
    return context


def _where(subscription: Subscription) -> str:
    if subscription.neighbourhood is not None:
        return subscription.neighbourhood.name
    if subscription.radius_m is not None:
        return _("within %(radius)s m of %(lat).4f, %(lon).4f") % {
            "radius": subscription.radius_m, "lat": subscription.lat, "lon": subscription.lon}
    if subscription.polygon is not None:
        return _("an area you drew")
    return _("anywhere")


def _back() -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("notifications:preferences"))


def preferences_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "notifications/preferences.html", _context(request))
    action = request.POST.get("action", "")
    user: Any = request.user  # login_required: a signed-in User
    if action == "settings":
        form = SettingsForm(request.POST)
        if not form.is_valid():
            return render(request, "notifications/preferences.html", _context(request, settings_form=form), status=400)
        with transaction.atomic():
            Preferences.objects.update_or_create(user=user, defaults=form.cleaned_data)
            audit.record(user, "notifications.preferences", None, {k: str(v) for k, v in form.cleaned_data.items()})
        messages.success(request, _("Saved."))
        return _back()
    if action == "place":
        place = PlaceForm(request.POST)
        if place.is_valid():
            data = place.cleaned_data
            kind = data["kind"]
            try:
                subscriptions.subscribe(
                    user, topic=data.get("topic") or "", label=data.get("label") or "",
                    neighbourhood=data.get("neighbourhood") if kind == "neighbourhood" else None,
                    lat=data.get("lat") if kind == "point" else None, lon=data.get("lon") if kind == "point" else None,
                    radius_m=(data.get("radius_m") or 500) if kind == "point" else None,
                    polygon=data.get("polygon") if kind == "area" else None)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    place.add_error(field if field in place.fields else None, errors)
        if not place.is_valid() or place.errors:
            return render(request, "notifications/preferences.html", _context(request, place_form=place), status=400)
        messages.success(request, _("Subscribed: you will be told what happens there."))
        return _back()
    if action in ("unsubscribe", "unfollow"):
        pk = request.POST.get("subscription", "")
        if not pk.isdigit() or not subscriptions.unsubscribe(user, int(pk)):
            return render(request, "notifications/preferences.html",
                          _context(request, error=_("This subscription is not yours or no longer exists.")),
                          status=400)
        messages.success(request, _("Removed."))
        return _back()
    if action in ("pause_email", "resume_email"):
        pk = request.POST.get("endpoint", "")
        endpoint = Endpoint.objects.filter(user=user, kind=Endpoint.Kind.EMAIL, pk=int(pk)).first() if pk.isdigit() \
            else None
        if endpoint is None:
            return render(request, "notifications/preferences.html",
                          _context(request, error=_("This address is not yours.")), status=400)
        with transaction.atomic():
            if action == "pause_email":
                endpoint.disabled_at, endpoint.disabled_reason = timezone.now(), "paused by its owner"
            else:
                endpoint.disabled_at, endpoint.disabled_reason, endpoint.consecutive_failures = None, "", 0
            endpoint.save(update_fields=["disabled_at", "disabled_reason", "consecutive_failures"])
            audit.record(user, f"notifications.{action}", endpoint)
        return _back()
    if action == "read_all":
        Delivery.objects.filter(user=user, channel=Endpoint.Kind.INBOX, read_at__isnull=True).update(
            read_at=timezone.now())
        return _back()
    return render(request, "notifications/preferences.html",
                  _context(request, error=_("Unknown action.")), status=400)
