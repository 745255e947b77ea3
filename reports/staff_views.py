"""The staff side: an inbox per department, a page to handle one report, moderation, CSV export.

Department staff see their departments' reports; moderators and administrators see all. Every
action goes through reports.services (permission check, audit row, emails after commit).
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import audit
from reports import selectors, services
from reports.forms import (
    AssignForm,
    BulkForm,
    CategoryForm,
    CommentForm,
    ModerationForm,
    NoteForm,
    PriorityForm,
    StatusForm,
)
from reports.models import Category, Department, Moderation, Photo, Priority, Report, ResponseTemplate, Status

INBOX_PAGE = 50


def _require_inbox(request: HttpRequest) -> None:
    if not request.user.has_perm("reports.view_inbox"):
        raise PermissionDenied


def _sees_all(user: Any) -> bool:
    return user.has_perm("reports.moderate")


def _visible_reports(user: Any) -> QuerySet[Report]:
    reports = Report.objects.all()
    if user.is_superuser or _sees_all(user):
        return reports
    return reports.filter(department__in=user.report_departments.all())


def _departments(user: Any) -> list[Department]:
    if user.is_superuser or _sees_all(user):
        return list(Department.objects.all())
    return list(user.report_departments.all())


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    _require_inbox(request)
    user = request.user
    reports = _visible_reports(user).select_related("category", "department", "assignee", "neighbourhood")
    params = request.GET
    filters = {name: params.get(name, "")[:60] for name in ("department", "status", "category", "priority",
                                                            "assignee", "q", "overdue")}
    if filters["department"]:
        reports = reports.filter(department__slug=filters["department"])
    if filters["status"] == "open" or not filters["status"]:
        reports = reports.filter(is_open=True)
        filters["status"] = filters["status"] or "open"
    elif filters["status"] == "closed":
        reports = reports.filter(is_open=False)
    elif filters["status"] in Status.values:
        reports = reports.filter(status=filters["status"])
    if filters["category"]:
        reports = reports.filter(category__code=filters["category"])
    if filters["priority"].isdigit():
        reports = reports.filter(priority=int(filters["priority"]))
    if filters["assignee"] == "me":
        reports = reports.filter(assignee_id=user.pk)
    elif filters["assignee"] == "none":
        reports = reports.filter(assignee__isnull=True)
    if filters["overdue"]:
        reports = reports.filter(is_open=True, expected_at__lt=timezone.now())
    if filters["q"]:
        q = filters["q"].lstrip("#")
        reports = reports.filter(pk=int(q)) if q.isdigit() else reports.filter(
            Q(title__icontains=q) | Q(address__icontains=q) | Q(nearest_address__icontains=q))
    reports = reports.order_by("-priority", "created_at", "id")
    page = Paginator(reports, INBOX_PAGE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    departments = _departments(user)
    members = get_user_model().objects.filter(report_departments__in=departments).distinct().order_by("email")
    return render(request, "reports/staff/inbox.html", {
        "page": page, "filters": filters, "query_string": query.urlencode(), "departments": departments,
        "statuses": Status.choices, "priorities": Priority.choices, "categories": Category.objects.all(),
        "bulk_form": BulkForm(), "members": members, "now": timezone.now(),
        "pending_moderation": Report.objects.filter(Q(moderation=Moderation.PENDING) | Q(
            moderation=Moderation.HIDDEN), confirmed_at__isnull=False).count() if _sees_all(user) else 0,
    })


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    _require_inbox(request)
    form = BulkForm(request.POST)
    ids = [int(value) for value in request.POST.getlist("report") if value.isdigit()][:200]
    if not form.is_valid() or not ids:
        messages.error(request, _("Choose at least one report and an action."))
        return redirect("reports:inbox")
    reports = list(_visible_reports(request.user).filter(pk__in=ids))
    assignee = None
    if form.cleaned_data["action"] == "assign":
        assignee_id = request.POST.get("assignee_id", "")
        assignee = get_user_model().objects.filter(pk=int(assignee_id)).first() if assignee_id.isdigit() else None
    try:
        changed = services.bulk_apply(request.user, reports, form.cleaned_data["action"],
                                      text=form.cleaned_data.get("text") or "",
                                      priority=form.cleaned_data.get("priority"), assignee=assignee)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        messages.error(request, _("You may not change some of these reports; nothing was changed."))
    else:
        messages.success(request, _("%(n)d reports changed.") % {"n": changed})
    return redirect(request.POST.get("next") or "reports:inbox")


def _staff_report(request: HttpRequest, pk: int) -> Report:
    report = get_object_or_404(Report.objects.select_related(
        "category", "department", "neighbourhood", "assignee", "duplicate_of"), pk=pk)
    user = request.user
    if not (user.has_perm("reports.handle_report", report) or user.has_perm("reports.moderate")):
        raise PermissionDenied
    return report


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    report = _staff_report(request, pk)
    user = request.user
    can_handle = user.has_perm("reports.handle_report", report)
    can_moderate = user.has_perm("reports.moderate")
    templates = ResponseTemplate.objects.filter(Q(department__isnull=True) | Q(department=report.department_id))
    members = report.department.members.order_by("email")
    forms: dict[str, Any] = {
        "status": StatusForm(report=report, templates=templates), "comment": CommentForm(), "note": NoteForm(),
        "assign": AssignForm(members=members, initial={"assignee": report.assignee_id}),
        "priority": PriorityForm(initial={"priority": report.priority}),
        "category": CategoryForm(initial={"category": report.category_id}),
        "moderation": ModerationForm(initial={"title": report.title, "description": report.description,
                                              "decision": "approved"}),
    }
    if request.method == "POST":
        action = request.POST.get("action", "")
        response = _handle_action(request, report, action, forms, templates, members, can_handle, can_moderate)
        if response is not None:
            return response
    contact = None
    if request.GET.get("contact") == "1" and user.has_perm("reports.view_contact", report):
        # Reading someone's contact details is itself recorded.
        with transaction.atomic():
            audit.record(user, "reports.report.contact_viewed", report)
        contact = {"name": report.reporter_name, "email": report.reporter_email, "phone": report.reporter_phone}
    return render(request, "reports/staff/report.html", {
        "report": report, "forms": forms, "can_handle": can_handle, "can_moderate": can_moderate,
        "photos": list(report.photos.all()), "updates": list(report.updates.select_related("department", "author")),
        "notes": list(report.internal_notes.select_related("author")), "contact": contact,
        "flags": list(report.flags.filter(resolved_at__isnull=True)),
        "templates": list(templates), "history": list(audit.history_for(report)[:50]),
        "nearby": [pair for pair in services.nearby_open_reports(report.category_id, report.lat, report.lon,
                                                                  radius_m=100) if pair[0].pk != report.pk],
    }, status=400 if request.method == "POST" else 200)


def _handle_action(request: HttpRequest, report: Report, action: str, forms: dict[str, Any], templates: Any,
                   members: Any, can_handle: bool, can_moderate: bool) -> HttpResponse | None:
    user = request.user
    post = request.POST
    form: Any
    try:
        if action == "moderate" and can_moderate:
            form = forms["moderation"] = ModerationForm(post)
            if form.is_valid():
                services.moderate_report(user, report, form.cleaned_data["decision"],
                                         title=form.cleaned_data["title"],
                                         description=form.cleaned_data["description"])
                messages.success(request, _("Moderation saved."))
                return redirect("reports:moderation")
            return None
        if not can_handle:
            raise PermissionDenied
        if action == "status":
            form = forms["status"] = StatusForm(post, report=report, templates=templates)
            if form.is_valid():
                data = form.cleaned_data
                text = data["text"] or (data["template"].text if data["template"] else "")
                if data["status"] == Status.DUPLICATE:
                    original = Report.objects.filter(pk=data.get("duplicate_of") or 0).first()
                    if original is None:
                        form.add_error("duplicate_of", _("No report with this number."))
                        return None
                    services.merge_duplicate(user, report, original, text)
                else:
                    services.change_status(user, report, data["status"], text, reason=data["reason"],
                                           responsible_party=data["responsible_party"])
                messages.success(request, _("Status changed; followers are told by email."))
                return redirect("reports:staff_report", pk=report.pk)
        elif action == "comment":
            form = forms["comment"] = CommentForm(post)
            if form.is_valid():
                services.post_public_update(user, report, form.cleaned_data["text"])
                messages.success(request, _("Public update published."))
                return redirect("reports:staff_report", pk=report.pk)
        elif action == "note":
            form = forms["note"] = NoteForm(post)
            if form.is_valid():
                services.add_internal_note(user, report, form.cleaned_data["note"])
                messages.success(request, _("Internal note saved."))
                return redirect("reports:staff_report", pk=report.pk)
        elif action == "assign":
            form = forms["assign"] = AssignForm(post, members=members)
            if form.is_valid():
                services.assign(user, report, form.cleaned_data["assignee"])
                messages.success(request, _("Assignment saved."))
                return redirect("reports:staff_report", pk=report.pk)
        elif action == "priority":
            form = forms["priority"] = PriorityForm(post)
            if form.is_valid():
                services.set_priority(user, report, form.cleaned_data["priority"])
                messages.success(request, _("Priority saved."))
                return redirect("reports:staff_report", pk=report.pk)
        elif action == "category":
            form = forms["category"] = CategoryForm(post)
            if form.is_valid():
                services.recategorise(user, report, form.cleaned_data["category"])
                messages.success(request, _("Category changed."))
                if not request.user.has_perm("reports.handle_report", report):
                    return redirect("reports:inbox")
                return redirect("reports:staff_report", pk=report.pk)
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as error:
        target = forms.get(action)
        if target is not None:
            for field, errors in error.message_dict.items():
                target.add_error(field if field in target.fields else None, errors)
        else:
            messages.error(request, " ".join(error.messages))
    return None


@login_required
@require_POST
def moderate_photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = get_object_or_404(Photo.objects.select_related("report"), pk=photo_id)
    decision = request.POST.get("decision", "")
    try:
        services.moderate_photo(request.user, photo, decision)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Photo decision saved."))
    return redirect(request.POST.get("next") or "reports:moderation")


@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("reports.moderate"):
        raise PermissionDenied
    pending = list(Report.objects.filter(confirmed_at__isnull=False, moderation__in=[
        Moderation.PENDING, Moderation.HIDDEN]).select_related("category").prefetch_related("photos").order_by(
        "created_at")[:100])
    flagged = list(Report.objects.filter(flags_count__gt=0, moderation=Moderation.APPROVED).select_related(
        "category").order_by("-flags_count")[:100])
    photos = list(Photo.objects.filter(moderation=Moderation.PENDING, report__moderation=Moderation.APPROVED)
                  .select_related("report")[:100])
    return render(request, "reports/staff/moderation.html", {"pending": pending, "flagged": flagged,
                                                             "photos": photos})


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    """The reports the user may see, as CSV for spreadsheets: no contact details."""
    if not request.user.has_perm("reports.export_reports"):
        raise PermissionDenied
    filters = selectors.read_filters(request.GET)
    reports = _visible_reports(request.user)
    reports = selectors.apply_filters(reports, filters, categories=dict(Category.objects.values_list("code", "id")),
                                      areas={a.slug: a.pk for a in selectors.area_index().values()})
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="reports.csv"'
    writer = csv.writer(response)
    writer.writerow(["id", "service_code", "department", "status", "priority", "title", "address", "nearest_address",
                     "lat", "lon",
                     "area", "channel", "public", "submitted", "acknowledged", "fixed", "closed", "expected",
                     "supporters"])
    rows = reports.order_by("-created_at").values_list(
        "id", "category__code", "department__name", "status", "priority", "title", "address", "nearest_address",
        "lat", "lon",
        "neighbourhood__name", "channel", "is_public", "created_at", "acknowledged_at", "fixed_at", "closed_at",
        "expected_at", "supporters_count")
    for row in rows.iterator(chunk_size=2000):
        writer.writerow(["" if value is None else (value.isoformat() if hasattr(value, "isoformat") else value)
                         for value in row])
    return response
