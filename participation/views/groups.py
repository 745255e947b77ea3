"""The working groups (action groups and project groups); the organisations registry's old addresses."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participation import selectors, services
from participation.forms import DecisionForm, DocumentForm, InterestForm
from participation.models import GroupDocument, Membership, WorkingGroup
from participation.views.common import apply_errors, require_perm

# Organisations moved to the resources room, whose organisation page is the only one (it also lists the
# organisation's working groups and proposals, from participation.selectors.organisation_participation).
# The registry's old addresses answer with a permanent redirect there.

def organisation_list(request: HttpRequest) -> HttpResponse:
    """The registry is the resources map and list, organisations only; the kind and search carry over."""
    params = QueryDict(mutable=True)
    params["layer"] = "organisation"
    for name in ("kind", "q"):
        if request.GET.get(name):
            params[name] = request.GET[name]
    return HttpResponsePermanentRedirect(f"{reverse('resources:map')}?{params.urlencode()}")


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponsePermanentRedirect(reverse("resources:organisation", args=[slug]))


def organisation_new(request: HttpRequest) -> HttpResponse:
    return HttpResponsePermanentRedirect(reverse("resources:organisation_new"))


def group_list(request: HttpRequest) -> HttpResponse:
    groups = list(selectors.groups_with_counts().order_by("kind", "order", "name"))
    return render(request, "participation/groups.html", {
        "action_groups": [g for g in groups if g.kind == WorkingGroup.Kind.ACTION_GROUP],
        "project_groups": [g for g in groups if g.kind == WorkingGroup.Kind.PROJECT]})


def _group(slug: str) -> WorkingGroup:
    return get_object_or_404(WorkingGroup.objects.select_related("ambition", "project", "governance_body"),
                             slug=slug)


def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = _group(slug)
    internal = request.user.has_perm("participation.view_group_internal", group)
    documents = group.documents.all() if internal else group.documents.filter(public=True)
    own = (Membership.objects.filter(group=group, user=request.user).first()
           if request.user.is_authenticated else None)
    form = InterestForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={group.get_absolute_url()}")
        if not request.user.has_perm("participation.take_part"):
            return render(request, "participation/not_verified.html", status=403)
        if form.is_valid():
            try:
                services.express_interest(request.user, group, role=form.cleaned_data["role"],
                                          expertise=form.cleaned_data["expertise"],
                                          availability=form.cleaned_data["availability"],
                                          listed_publicly=form.cleaned_data["listed_publicly"],
                                          organisation=form.cleaned_data.get("organisation"))
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Thank you: the coordinators will answer your request."))
                return redirect(group.get_absolute_url())
    members = selectors.listed_members(group)
    counts = group.memberships.aggregate(accepted=Count("id", filter=Q(status=Membership.Status.ACCEPTED)))
    return render(request, "participation/group.html", {
        "group": group, "members": members, "member_count": counts["accepted"],
        "unlisted": counts["accepted"] - len(members), "documents": list(documents.order_by("-meeting_date",
                                                                                           "-created_at")),
        "events": list(selectors.public_events().filter(working_group=group).order_by("-starts_at")[:10]),
        "own": own, "form": form, "internal": internal,
        "can_coordinate": request.user.has_perm("participation.coordinate_group", group),
    }, status=400 if form.errors else 200)


@login_required
def group_manage(request: HttpRequest, slug: str) -> HttpResponse:
    group = _group(slug)
    require_perm(request, "participation.coordinate_group", group)
    upload = DocumentForm()
    if request.method == "POST":
        if request.POST.get("action") == "decide":
            decision = DecisionForm(request.POST)
            if decision.is_valid():
                membership = get_object_or_404(Membership, pk=decision.cleaned_data["membership"], group=group)
                try:
                    services.decide_membership(request.user, membership,
                                               accept=decision.cleaned_data["decision"] == "accept",
                                               note=decision.cleaned_data["note"])
                except ValidationError as error:
                    messages.error(request, " ".join(error.messages))
                return redirect("participation:group_manage", group.slug)
            messages.error(request, _("Choose accept or decline."))
        elif request.POST.get("action") == "upload":
            require_perm(request, "participation.upload_group_document", group)
            upload = DocumentForm(request.POST, request.FILES)
            if upload.is_valid():
                try:
                    services.upload_group_document(
                        request.user, group, title=upload.cleaned_data["title"], kind=upload.cleaned_data["kind"],
                        uploaded=upload.cleaned_data["file"], meeting_date=upload.cleaned_data["meeting_date"],
                        public=upload.cleaned_data["public"])
                except ValidationError as error:
                    apply_errors(upload, error)
                else:
                    messages.success(request, _("The document is published on the group page."))
                    return redirect("participation:group_manage", group.slug)
    pending = list(group.memberships.filter(status=Membership.Status.PENDING).select_related("user", "organisation"))
    accepted = list(group.memberships.filter(status=Membership.Status.ACCEPTED).select_related("user",
                                                                                              "organisation"))
    return render(request, "participation/group_manage.html", {
        "group": group, "pending": pending, "accepted": accepted, "upload": upload,
        "roles": Membership.Role.choices}, status=400 if upload.errors else 200)


@require_POST
@login_required
def group_leave(request: HttpRequest, slug: str) -> HttpResponse:
    group = _group(slug)
    if request.POST.get("action") in {"list", "unlist"}:
        services.set_membership_listing(request.user, group, listed=request.POST["action"] == "list")
    else:
        services.leave_group(request.user, group)
        messages.info(request, _("You left the group."))
    return redirect(group.get_absolute_url())


def group_document(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    group = _group(slug)
    document = get_object_or_404(GroupDocument, pk=pk, group=group)
    if not document.public and not request.user.has_perm("participation.view_group_internal", group):
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=document.mime_type, as_attachment=True,
                            filename=f"{group.slug}-{document.pk}.{document.extension}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
