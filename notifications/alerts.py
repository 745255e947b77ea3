"""Local alerts without an account (as FixMyStreet's): the public page where anyone subscribes an e-mail
address to a place, and the signed page (linked from every message to that address) listing the
address's subscriptions with a button to remove each.

The place part is the signed-in preferences page's own PlaceForm (same fields, checks, map script).
The answer after a valid form is the same whether the address was new, already subscribed or over its
daily allowance of pending confirmations: the page never tells whether an address is subscribed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core import ratelimit
from notifications import subscriptions, tokens
from notifications.models import Endpoint, Subscription
from notifications.preferences import PlaceForm, _subject_titles, _where, topic_choices

# Per client address (the shared limiter, core/ratelimit.py); a city may override both in
# settings.PLATFORM_RATE_LIMITS. Per e-mail address: confirmation e-mails a day.
IP_ACTION, IP_RATE = "email_alerts:address", "10/h/ip,30/d/ip"
EMAIL_ACTION, EMAIL_RATE = "email_alerts:email", "5/d/key"
HONEYPOT = "website"


class AlertForm(PlaceForm):
    """Where and what (PlaceForm, without the private name), an e-mail address, and a honeypot."""

    email = forms.EmailField(label=gettext_lazy("Your e-mail address"), max_length=254,
                             help_text=gettext_lazy("Never shown on the site. We send a link to confirm; "
                                                    "nothing is sent before you open it."))
    website = forms.CharField(label=gettext_lazy("Leave this field empty"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["label"]
        self.fields["topic"].label = gettext_lazy("What you want to hear about")
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "inputmode": "email"})
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def clean_website(self) -> str:
        value: str = self.cleaned_data.get(HONEYPOT, "")
        if value:
            raise ValidationError(_("This field must stay empty."))
        return value


def _rate(action: str, default: str) -> str:
    return str(getattr(settings, "PLATFORM_RATE_LIMITS", {}).get(action) or default)


def _page(request: HttpRequest, form: AlertForm, status: int = 200, **extra: Any) -> HttpResponse:
    return render(request, "notifications/alerts.html", {
        "form": form, "tile_url": settings.MAP_TILE_URL, "attribution": settings.MAP_ATTRIBUTION, **extra},
        status=status)


@require_http_methods(["GET", "POST"])
def alerts(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, AlertForm())
    if not ratelimit.hit(request, IP_ACTION, rate=_rate(IP_ACTION, IP_RATE)).allowed:
        return _page(request, AlertForm(request.POST), status=429,
                     error=_("Too many subscriptions from this connection. Please try again later."))
    form = AlertForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        kind = data["kind"]
        place = {"neighbourhood": data.get("neighbourhood") if kind == "neighbourhood" else None,
                 "lat": data.get("lat") if kind == "point" else None,
                 "lon": data.get("lon") if kind == "point" else None,
                 "radius_m": (data.get("radius_m") or 500) if kind == "point" else None,
                 "polygon": data.get("polygon") if kind == "area" else None}
        # Over the address's daily allowance nothing is written or sent, and the answer is the same.
        if ratelimit.hit(request, EMAIL_ACTION, data["email"], rate=_rate(EMAIL_ACTION, EMAIL_RATE)).allowed:
            try:
                subscriptions.subscribe_email_place(data["email"], language=get_language() or settings.LANGUAGE_CODE,
                                                    topic=data.get("topic") or "", **place)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
    if not form.is_valid() or form.errors:
        return _page(request, form, status=400)
    return HttpResponseRedirect(reverse("notifications:alerts") + "?sent=1")


def _manage_endpoint(token: str) -> Endpoint | None:
    try:
        endpoint_id = tokens.read_manage_token(token)
    except signing.BadSignature:
        return None
    return Endpoint.objects.filter(pk=endpoint_id, user__isnull=True, kind=Endpoint.Kind.EMAIL).first()


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The address's own subscriptions (the signed token is the proof); POST removes one."""
    endpoint = _manage_endpoint(token)
    if endpoint is None:
        return render(request, "notifications/manage_alerts.html", {"invalid": True}, status=404)
    if request.method == "POST":
        pk = request.POST.get("subscription", "")
        if not pk.isdigit() or not subscriptions.remove_email_subscription(endpoint.pk, int(pk)):
            return _manage_page(request, endpoint, token, status=400,
                                error=_("This subscription no longer exists."))
        return HttpResponseRedirect(reverse("notifications:manage_alerts", args=[token]) + "?removed=1")
    return _manage_page(request, endpoint, token)


def _manage_page(request: HttpRequest, endpoint: Endpoint, token: str, status: int = 200,
                 **extra: Any) -> HttpResponse:
    topic_names = dict(topic_choices())
    own = list(Subscription.objects.filter(endpoint=endpoint).select_related("neighbourhood"))
    # A followed report (say) is named by its latest event's title, as on the signed-in page.
    titles = _subject_titles([s.topic for s in own if not s.has_place and s.topic],
                             get_language() or settings.LANGUAGE_CODE)
    rows = [{"subscription": s, "where": _where(s) if s.has_place else "",
             "what": topic_names.get(s.topic, s.topic) if s.has_place else titles.get(s.topic, s.topic)}
            for s in own]
    return render(request, "notifications/manage_alerts.html",
                  {"endpoint": endpoint, "rows": rows, "token": token, **extra}, status=status)
