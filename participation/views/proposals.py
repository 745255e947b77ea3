"""Proposals, supports, official answers, comments, flags, follows and notifications."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participation import selectors, services
from participation.forms import CommentForm, FlagForm, NotificationSettingsForm, OfficialAnswerForm, ProposalForm
from participation.models import (
    Comment,
    Consultation,
    Event,
    Process,
    Proposal,
)
from participation.views.common import apply_errors, require_perm

PAGE_SIZE = 20
SORTS = {"supports": ["-support_count", "-id"], "new": ["-created_at", "-id"], "old": ["created_at", "id"]}


def proposal_list(request: HttpRequest) -> HttpResponse:
    from strategy.models import Ambition

    proposals = selectors.public_proposals()
    filters = {"ambition": request.GET.get("ambition", ""), "answer": request.GET.get("answer", ""),
               "process": request.GET.get("process", ""), "sort": request.GET.get("sort", "supports")}
    if filters["ambition"].isdigit():
        proposals = proposals.filter(ambition__number=int(filters["ambition"]))
    if filters["answer"] == "none":
        proposals = proposals.filter(official_answer="")
    elif filters["answer"] in Proposal.OfficialAnswer.values:
        proposals = proposals.filter(official_answer=filters["answer"])
    if filters["process"]:
        proposals = proposals.filter(process__slug=filters["process"])
    proposals = proposals.order_by(*SORTS.get(filters["sort"], SORTS["supports"]))
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "participation/proposals.html", {
        "page": page, "filters": filters, "ambitions": Ambition.objects.only("number", "title_ro", "title_en"),
        "answers": [c for c in Proposal.OfficialAnswer.choices if c[0]], "query_string": query.urlencode(),
        "can_propose": request.user.has_perm("participation.take_part"),
    })


def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal.objects.select_related("ambition", "process", "organisation", "author",
                                                                 "strategy_project"), pk=pk)
    if proposal.status == Proposal.Status.HIDDEN and not request.user.has_perm("participation.moderate"):
        return render(request, "participation/proposal_hidden.html", {"proposal": proposal}, status=410)
    comments, comment_count = selectors.comment_tree(proposal)
    supported = request.user.is_authenticated and proposal.supports.filter(user=request.user).exists()
    return render(request, "participation/proposal.html", {
        "proposal": proposal, "supported": supported, "comments": comments, "comment_count": comment_count,
        "target": proposal, "target_kind": "proposal", "following": selectors.is_following(request.user, proposal),
        "answer_form": OfficialAnswerForm(initial={"state": proposal.official_answer,
                                                   "text": proposal.official_answer_text})
        if request.user.has_perm("participation.answer_proposal", proposal) else None,
        "can_take_part": request.user.has_perm("participation.take_part"),
        "due": proposal.threshold_reached_at is not None and not proposal.official_answer,
    })


@login_required
def proposal_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("participation.take_part"):
        return render(request, "participation/not_verified.html", status=403)
    process = None
    slug = request.GET.get("process") or request.POST.get("process_slug")
    if slug:
        process = get_object_or_404(Process, slug=slug, published=True)
    form = ProposalForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.create_proposal(
                request.user, title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                ambition=form.cleaned_data["ambition"], process=process,
                organisation=form.cleaned_data.get("organisation"))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your proposal is published. Others can now support it."))
            return redirect(proposal.get_absolute_url())
    return render(request, "participation/proposal_form.html", {"form": form, "process": process},
                  status=400 if form.errors else 200)


@require_POST
@login_required
def proposal_support(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal, pk=pk)
    try:
        if request.POST.get("action") == "withdraw":
            services.withdraw_support(request.user, proposal)
            messages.info(request, _("Your support was withdrawn."))
        else:
            services.support_proposal(request.user, proposal)
            messages.success(request, _("Thank you for your support."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(proposal.get_absolute_url())
    except PermissionDenied:
        return render(request, "participation/not_verified.html", status=403)
    return redirect(proposal.get_absolute_url())


@require_POST
@login_required
def proposal_answer(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal, pk=pk)
    require_perm(request, "participation.answer_proposal", proposal)
    form = OfficialAnswerForm(request.POST)
    if form.is_valid():
        services.answer_proposal(request.user, proposal, form.cleaned_data["state"], form.cleaned_data["text"])
        messages.success(request, _("The official answer is published."))
        return redirect(proposal.get_absolute_url())
    comments, comment_count = selectors.comment_tree(proposal)
    return render(request, "participation/proposal.html", {
        "proposal": proposal, "answer_form": form, "comments": comments, "comment_count": comment_count,
        "target": proposal, "target_kind": "proposal", "can_take_part": True}, status=400)


@require_POST
@login_required
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal, pk=pk)
    try:
        services.withdraw_proposal(request.user, proposal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(request, _("Your proposal was withdrawn."))
    return redirect(proposal.get_absolute_url())


@require_POST
@login_required
def proposal_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal, pk=pk)
    services.moderate_proposal(request.user, proposal, hide=request.POST.get("action") == "hide",
                               reason=request.POST.get("reason", "")[:300])
    return redirect(proposal.get_absolute_url())


# --- Comments and follows --------------------------------------------------------------------

TARGETS: dict[str, type[Model]] = {"proposal": Proposal, "process": Process, "event": Event,
                                   "consultation": Consultation}


def _target(kind: str, pk: str) -> Model:
    model = TARGETS.get(kind)
    if model is None or not pk.isdigit():
        raise Http404
    return get_object_or_404(model, pk=int(pk))


def _back(request: HttpRequest, target: Any, anchor: str = "") -> HttpResponse:
    return redirect(target.get_absolute_url() + anchor)


@require_POST
@login_required
def comment_add(request: HttpRequest, kind: str, pk: str) -> HttpResponse:
    target = _target(kind, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            text = " ".join(str(e) for e in errors)
            messages.error(request, f"{label}: {text}" if label else text)
        return _back(request, target, "#comments")
    parent = None
    if form.cleaned_data.get("parent"):
        parent = get_object_or_404(Comment, pk=form.cleaned_data["parent"])
    try:
        comment = services.add_comment(request.user, target, form.cleaned_data["body"], parent)
    except PermissionDenied:
        return render(request, "participation/not_verified.html", status=403)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(request, target, "#comments")
    return _back(request, target, f"#comment-{comment.pk}")


@login_required
def comment_flag(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment, pk=pk)
    target = comment.target
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_comment(request.user, comment, form.cleaned_data["reason"])
        except PermissionDenied:
            return render(request, "participation/not_verified.html", status=403)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you: a moderator will review the comment."))
        return _back(request, target, f"#comment-{comment.pk}")
    return render(request, "participation/flag.html", {"form": form, "comment": comment, "target": target},
                  status=400 if form.errors else 200)


@require_POST
@login_required
def comment_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment, pk=pk)
    services.moderate_comment(request.user, comment, hide=request.POST.get("action") == "hide")
    return _back(request, comment.target, f"#comment-{comment.pk}")


@require_POST
@login_required
def follow(request: HttpRequest, kind: str, pk: str) -> HttpResponse:
    target = _target(kind, pk)
    services.set_following(request.user, target, follow=request.POST.get("action") != "unfollow")
    return _back(request, target)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    from notifications import inbox
    from participation.notifications import email_mode

    form = NotificationSettingsForm(request.POST or None, initial={"email_mode": email_mode(user)})
    if request.method == "POST":
        if request.POST.get("action") == "read":
            services.mark_notifications_read(request.user)
            return redirect("participation:notifications")
        if form.is_valid():
            services.set_email_mode(request.user, form.cleaned_data["email_mode"])
            messages.success(request, _("Your email preference is saved."))
            return redirect("participation:notifications")
    # The room's notices on the site: the notifications pipeline's inbox deliveries.
    items: Any = Paginator(inbox.notices(user, room="participation"), 30).get_page(request.GET.get("page"))
    items.object_list = [inbox.as_notice(delivery) for delivery in items.object_list]
    return render(request, "participation/notifications.html", {"form": form, "page": items},
                  status=400 if form.errors else 200)
