"""Public pages of the resources room: the map with its list, a page per item, the forms of
representatives, applicants and proposers, and the funding finder."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.models import Neighbourhood
from resources import hsds, selectors, services
from resources.filters import MapFilters
from resources.forms import (
    ApplicationForm,
    FundingFinder,
    InitiativeForm,
    InvitationForm,
    OrganisationEditForm,
    OrganisationForm,
    ReminderForm,
    ServiceForm,
)
from resources.models import (
    FundingProgramme,
    Initiative,
    MapItem,
    Organisation,
    Representative,
    Service,
    Space,
    SpaceApplication,
)

PAGE_SIZE = 30


def _apply_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def map_page(request: HttpRequest) -> HttpResponse:
    filters = MapFilters(request.GET or None)
    valid = filters.is_valid() if request.GET else True
    items = MapItem.objects.none()
    if valid:
        items = filters.apply(MapItem.objects.all()) if request.GET else MapItem.objects.all()
    page = Paginator(items.order_by("title", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    language = request.LANGUAGE_CODE
    rows = [(item, *selectors.localised(item, language)) for item in page.object_list]
    return render(request, "resources/map.html", {
        "filters": filters, "page": page, "rows": rows, "query_string": params.urlencode(),
        "neighbourhoods": list(Neighbourhood.objects.order_by("name").values_list("slug", "name")),
        "layers": MapItem.Layer.choices, "kind_labels": selectors.kind_labels(),
        "layer_labels": {value: str(label) for value, label in MapItem.Layer.choices},
        "selected_layers": request.GET.getlist("layer"),
        "tile_url": getattr(settings, "MAP_TILE_URL", ""), "attribution": getattr(settings, "MAP_ATTRIBUTION", ""),
        "any_demo": MapItem.objects.filter(is_demo=True).exists(),
    }, status=200 if valid else 400)


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.select_related("neighbourhood").prefetch_related(
        "locations", "services__locations", "ambitions", "projects",
        Prefetch("representatives", queryset=Representative.objects.filter(listed_publicly=True).select_related(
            "user"), to_attr="listed_representatives")), slug=slug)
    can_edit = request.user.has_perm("resources.change_organisation_entry", organisation)
    if organisation.hidden and not can_edit:
        raise Http404
    return render(request, "resources/organisation.html", {
        "organisation": organisation, "can_edit": can_edit,
        "can_verify": request.user.has_perm("resources.verify_organisation", organisation),
        **selectors.participation_of(organisation),  # "groups" and "proposals"
        "initiatives": list(organisation.initiatives.filter(status=Initiative.Status.PUBLISHED)),
        "applications": list(organisation.space_applications.select_related("space")),
        "source_link": organisation.source_ref if organisation.source_ref.startswith("https://") else "",
        "hsds_url": reverse("hsds_organization", args=[hsds.hsds_id(hsds.ORGANISATION, organisation.pk)]),
    })


@login_required
def organisation_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("resources.register_organisation"):
        return render(request, "resources/not_verified.html", status=403)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = form.save(commit=False)
        try:
            services.register_organisation(request.user, organisation, address=form.cleaned_data["address"],
                                           position=form.cleaned_data["position"],
                                           listed_publicly=form.cleaned_data["listed_publicly"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The organisation is on the map; the city will check it."))
            return redirect(organisation.get_absolute_url())
    return render(request, "resources/organisation_form.html", {"form": form, "new": True},
                  status=400 if form.errors else 200)


def _organisation_to_edit(request: HttpRequest, slug: str) -> Organisation:
    """The organisation of the address, if the signed-in person may edit its entry (a representative or staff)."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if not request.user.has_perm("resources.change_organisation_entry", organisation):
        raise PermissionDenied
    return organisation


@login_required
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation_to_edit(request, slug)
    location = organisation.locations.first()
    form = OrganisationEditForm(request.POST or None, instance=organisation,
                                initial={"address": location.address if location else ""})
    invite = InvitationForm(prefix="invite")
    service_form = ServiceForm(prefix="service")
    if request.method == "POST" and form.is_valid():
        values = {field: form.cleaned_data[field] for field in OrganisationEditForm.Meta.fields}
        try:
            services.update_organisation(request.user, organisation, values)
            if form.cleaned_data["address"] != (location.address if location else ""):
                services.set_location(request.user, organisation, address=form.cleaned_data["address"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(organisation.get_absolute_url())
    return render(request, "resources/organisation_form.html", {
        "form": form, "organisation": organisation, "invite": invite, "service_form": service_form},
        status=400 if form.errors else 200)


@login_required
@require_POST
def organisation_invite(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation_to_edit(request, slug)
    form = InvitationForm(request.POST, prefix="invite")
    if not form.is_valid():
        return render(request, "resources/organisation_form.html", {
            "form": OrganisationEditForm(instance=organisation), "organisation": organisation, "invite": form,
            "service_form": ServiceForm(prefix="service")}, status=400)
    services.invite_representative(request.user, organisation, form.cleaned_data["email"],
                                   base_url=request.build_absolute_uri("/").rstrip("/"))
    messages.success(request, _("Invitation sent."))
    return redirect("resources:organisation_edit", slug=organisation.slug)


@login_required
@require_POST
def organisation_service_add(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation_to_edit(request, slug)
    form = ServiceForm(request.POST, prefix="service")
    if form.is_valid():
        try:
            services.add_service(request.user, organisation, form.save(commit=False))
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Service added."))
            return redirect("resources:organisation_edit", slug=organisation.slug)
    location = organisation.locations.first()
    return render(request, "resources/organisation_form.html", {
        "form": OrganisationEditForm(instance=organisation, initial={"address": location.address if location else ""}),
        "organisation": organisation, "invite": InvitationForm(prefix="invite"), "service_form": form}, status=400)


@login_required
@require_POST
def organisation_service_remove(request: HttpRequest, slug: str, service_id: int) -> HttpResponse:
    service = get_object_or_404(Service, pk=service_id, organisation__slug=slug)
    services.remove_service(request.user, service)
    messages.success(request, _("Service removed."))
    return redirect("resources:organisation_edit", slug=slug)


@login_required
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        try:
            representative = services.accept_invitation(request.user, token[:64])
        except ValidationError as error:
            return render(request, "resources/invitation.html", {"error": error.messages[0]}, status=400)
        messages.success(request, _("You now help manage this organisation's entry."))
        return redirect(representative.organisation.get_absolute_url())
    return render(request, "resources/invitation.html", {"token": token[:64]})


@login_required
@require_POST
def organisation_verify(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    services.verify_organisation(request.user, organisation, verified=request.POST.get("verified") == "1")
    return redirect(organisation.get_absolute_url())


# --- Spaces -------------------------------------------------------------------------------------


def space_detail(request: HttpRequest, slug: str) -> HttpResponse:
    space: Space = get_object_or_404(Space.objects.select_related("neighbourhood").prefetch_related("photos"),
                              slug=slug, published=True)
    applications = list(space.applications.select_related("organisation").prefetch_related("steps"))
    form = None
    if request.user.is_authenticated:
        form = ApplicationForm(request.POST or None, user=request.user, space=space)
        if request.method == "POST" and form.is_valid():
            try:
                services.apply_for_space(request.user, space, form.cleaned_data["organisation"],
                                         intended_use=form.cleaned_data["intended_use"],
                                         message=form.cleaned_data["message"])
            except (ValidationError, PermissionDenied) as error:
                if isinstance(error, PermissionDenied):
                    form.add_error("organisation", _("You do not represent this organisation."))
                else:
                    _apply_errors(form, error)
            else:
                messages.success(request, _("Application received. The city will answer on this page."))
                return redirect(space.get_absolute_url())
    return render(request, "resources/space.html", {
        "space": space, "applications": applications, "form": form,
        "statuses": SpaceApplication.Status}, status=400 if form is not None and form.errors else 200)


# --- Funding ------------------------------------------------------------------------------------


def funding_finder(request: HttpRequest) -> HttpResponse:
    finder = FundingFinder(request.GET or None)
    programmes: QuerySet[FundingProgramme] = FundingProgramme.objects.filter(published=True)
    valid = finder.is_valid() if request.GET else True
    if valid and request.GET:
        programmes = selectors.find_funding(programmes, **finder.cleaned_data)
    elif not valid:
        programmes = programmes.none()
    today = timezone.localdate()
    return render(request, "resources/funding.html", {
        "finder": finder, "programmes": list(programmes.order_by(
            F("deadline").asc(nulls_last=True), "title")), "today": today}, status=200 if valid else 400)


def funding_detail(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(FundingProgramme, slug=slug, published=True)
    form = ReminderForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/{request.LANGUAGE_CODE}/accounts/login/?next={request.path}")
        if form.is_valid():
            try:
                services.ask_for_reminder(request.user, programme, days_before=form.cleaned_data["days_before"])
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("We will remind you before the deadline."))
                return redirect(programme.get_absolute_url())
    return render(request, "resources/funding_detail.html", {
        "programme": programme, "form": form, "today": timezone.localdate()},
        status=400 if form.errors else 200)


# --- Initiatives --------------------------------------------------------------------------------


def initiative_detail(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = get_object_or_404(Initiative.objects.select_related("neighbourhood").prefetch_related(
        "organisations", "projects"), slug=slug)
    moderator = request.user.has_perm("resources.moderate", initiative)
    if initiative.status != Initiative.Status.PUBLISHED and not (
            moderator or (request.user.is_authenticated and initiative.proposed_by_id == request.user.pk)):
        raise Http404
    return render(request, "resources/initiative.html", {
        "initiative": initiative, "moderator": moderator,
        "following": selectors.is_following(request.user, initiative),
        "followers": selectors.follower_count(initiative)})


@login_required
def initiative_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("resources.propose_initiative"):
        return render(request, "resources/not_verified.html", status=403)
    form = InitiativeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        initiative = form.save(commit=False)
        try:
            services.propose_initiative(request.user, initiative)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Thank you. The initiative shows once a moderator has read it."))
            return redirect(initiative.get_absolute_url())
    return render(request, "resources/initiative_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def initiative_follow(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = get_object_or_404(Initiative, slug=slug, status=Initiative.Status.PUBLISHED)
    services.follow_initiative(request.user, initiative, follow=request.POST.get("follow") == "1")
    return redirect(initiative.get_absolute_url())


@login_required
@require_POST
def initiative_moderate(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = get_object_or_404(Initiative, slug=slug)
    try:
        services.moderate_initiative(request.user, initiative, status=request.POST.get("status", ""))
    except ValidationError as error:
        return HttpResponse(error.messages[0], status=400, content_type="text/plain; charset=utf-8")
    return redirect(initiative.get_absolute_url())
