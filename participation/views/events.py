"""Events: list, detail with registration and waiting list, iCalendar export, outcomes."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participation import ical, selectors, services
from participation.forms import OutcomesForm
from participation.models import Event, Registration
from participation.views.common import require_perm


def event_list(request: HttpRequest) -> HttpResponse:
    when = request.GET.get("when", "upcoming")
    now = timezone.now()
    events = selectors.public_events()
    if when == "past":
        events = events.filter(ends_at__lt=now).order_by("-starts_at")
    else:
        when = "upcoming"
        events = events.filter(ends_at__gte=now).order_by("starts_at")
    page = Paginator(events, 20).get_page(request.GET.get("page"))
    return render(request, "participation/events.html", {"page": page, "when": when})


def _event(slug: str) -> Event:
    return get_object_or_404(selectors.public_events().prefetch_related("attachments"), slug=slug)


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(slug)
    registration = (Registration.objects.filter(event=event, user=request.user).exclude(
        status=Registration.Status.CANCELLED).first() if request.user.is_authenticated else None)
    position = None
    if registration is not None and registration.status == Registration.Status.WAITING:
        position = Registration.objects.filter(event=event, status=Registration.Status.WAITING,
                                               created_at__lte=registration.created_at).count()
    comments, comment_count = selectors.comment_tree(event)
    can_manage = request.user.has_perm("participation.manage")
    return render(request, "participation/event.html", {
        "event": event, "registration": registration, "position": position,
        "places_left": None if event.capacity is None else max(0, event.capacity - event.confirmed),  # type: ignore[attr-defined]
        "open_for_registration": event.registration_open and not event.cancelled and event.starts_at > timezone.now(),
        "comments": comments, "comment_count": comment_count, "target": event, "target_kind": "event",
        "following": selectors.is_following(request.user, event),
        "outcomes_form": OutcomesForm(initial={"outcomes": event.outcomes}) if can_manage else None,
    })


@require_POST
@login_required
def event_register(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(slug)
    try:
        if request.POST.get("action") == "cancel":
            services.cancel_registration(request.user, event)
            messages.info(request, _("Your registration is cancelled."))
        else:
            registration = services.register_for_event(request.user, event)
            if registration.status == Registration.Status.WAITING:
                messages.info(request, _("The event is full: you are on the waiting list and will be told "
                                         "if a place frees up."))
            else:
                messages.success(request, _("You are registered. You will get a reminder the day before."))
    except PermissionDenied:
        return render(request, "participation/not_verified.html", status=403)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(event.get_absolute_url())


@require_POST
@login_required
def event_outcomes(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(slug)
    require_perm(request, "participation.manage")
    form = OutcomesForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("outcomes", [])))
        return redirect(event.get_absolute_url())
    services.publish_event_outcomes(request.user, event, form.cleaned_data["outcomes"])
    return redirect(event.get_absolute_url())


def _calendar_event(request: HttpRequest, event: Event) -> ical.CalendarEvent:
    place = ", ".join(filter(None, [event.location, event.online_url]))
    return ical.CalendarEvent(
        uid=f"event-{event.pk}@{request.get_host()}", start=event.starts_at, end=event.ends_at,
        summary=event.title, description=event.description, location=place,
        url=request.build_absolute_uri(event.get_absolute_url()), cancelled=event.cancelled)


def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(slug)
    body = ical.calendar([_calendar_event(request, event)], name=event.title, now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


def events_feed(request: HttpRequest) -> HttpResponse:
    """All published events of the last 90 days and the future, for calendar subscriptions."""
    since = timezone.now() - dt.timedelta(days=90)
    events = Event.objects.filter(published=True, ends_at__gte=since).order_by("starts_at")[:500]
    body = ical.calendar([_calendar_event(request, e) for e in events], name="Timișoara Smart City",
                         now=timezone.now())
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")

