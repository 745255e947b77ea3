"""Opinion maps: vote on statements, add statements, see the opinion groups and the consensus."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from participation import selectors, services
from participation.models import Conversation, Statement, StatementVote
from participation.views.common import apply_errors

GROUP_SHAPES = ["circle", "square", "triangle", "diamond", "cross"]


class StatementForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Your statement"), min_length=10, max_length=280,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=gettext_lazy("One idea, 10 to 280 characters, that others can agree or "
                                                  "disagree with. A moderator checks it first."))


def _conversation(slug: str, request: HttpRequest) -> Conversation:
    conversation: Conversation = get_object_or_404(Conversation.objects.select_related("process"), slug=slug)
    if not conversation.published and not request.user.has_perm("participation.manage"):
        raise Http404
    return conversation


def conversation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    conversation = _conversation(slug, request)
    statements = list(conversation.statements.filter(status=Statement.Status.ACCEPTED).annotate(
        n=Count("votes")).order_by("n", "id"))
    mine: dict[int, int] = {}
    if request.user.is_authenticated:
        mine = dict(StatementVote.objects.filter(statement__conversation=conversation, user=request.user)
                    .values_list("statement_id", "value"))
    form = StatementForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("participation.take_part"):
            return render(request, "participation/not_verified.html", status=403)
        if form.is_valid():
            try:
                services.submit_statement(request.user, conversation, form.cleaned_data["text"])
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Thank you: your statement appears once a moderator accepts it."))
                return redirect(conversation.get_absolute_url())
    unvoted = [s for s in statements if s.pk not in mine]
    return render(request, "participation/conversation.html", {
        "conversation": conversation, "statements": statements, "unvoted": unvoted, "mine": mine,
        "voted_count": len(mine), "form": form, "choices": StatementVote.Value.choices,
        "can_take_part": request.user.has_perm("participation.take_part"),
        "pending": list(conversation.statements.filter(status=Statement.Status.PENDING))
        if request.user.has_perm("participation.moderate") or request.user.has_perm("participation.manage") else [],
    }, status=400 if form.errors else 200)


@require_POST
@login_required
def conversation_vote(request: HttpRequest, slug: str) -> HttpResponse:
    conversation = _conversation(slug, request)
    statement_id = request.POST.get("statement", "")
    value = request.POST.get("value", "")
    if not statement_id.isdigit() or value not in {"1", "0", "-1"}:
        messages.error(request, _("Vote agree, disagree or pass."))
        return redirect(conversation.get_absolute_url())
    statement = get_object_or_404(Statement, pk=int(statement_id), conversation=conversation)
    try:
        services.vote_on_statement(request.user, statement, int(value))
    except PermissionDenied:
        return render(request, "participation/not_verified.html", status=403)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{conversation.get_absolute_url()}#statements")


def conversation_map(request: HttpRequest, slug: str) -> HttpResponse:
    conversation = _conversation(slug, request)
    view = selectors.opinion_map(conversation)
    texts = dict(conversation.statements.filter(status=Statement.Status.ACCEPTED).values_list("id", "text"))
    groups: list[dict[str, Any]] = []
    for group in view.groups:
        groups.append({"number": group.number, "size": view.sizes.get(group.number, 0),
                       "shape": GROUP_SHAPES[(group.number - 1) % len(GROUP_SHAPES)],
                       "representative": [{"text": texts.get(r.statement, ""), "direction": r.direction,
                                           "percent": round(r.share * 100)} for r in group.representative]})
    stats = sorted(view.statements.values(), key=lambda s: -s.votes)
    return render(request, "participation/conversation_map.html", {
        "conversation": conversation, "view": view, "groups": groups,
        "points": [(p, GROUP_SHAPES[(p.group - 1) % len(GROUP_SHAPES)]) for p in view.points],
        "consensus": [{"text": texts.get(c.statement, ""), "score": round(c.score * 100),
                       "agree": round(c.agree_share * 100)} for c in view.consensus[:10]],
        "statements": [{"text": texts.get(s.statement, ""), "agree": s.agree, "disagree": s.disagree,
                        "passed": s.passed} for s in stats if s.statement in texts],
        "explained": [round(v * 100) for v in view.explained_variance],
        "pending": Statement.objects.filter(conversation=conversation, status=Statement.Status.PENDING).count()
        if request.user.has_perm("participation.moderate") else None,
        "method": _method_for_staff(view.parameters)
        if request.user.has_perm("participation.moderate") or request.user.has_perm("participation.manage") else None,
    })


def _method_for_staff(parameters: dict[str, Any]) -> dict[str, Any] | None:
    """The map's method, parameters and quality as staff read them (numbers machine-formatted)."""
    if not parameters:
        return None
    smoothing = parameters.get("smoothing") or {}
    on_map, left_out = int(parameters.get("participants_on_map") or 0), int(parameters.get("left_out") or 0)
    variance = parameters.get("explained_variance") or []
    return {"method": parameters.get("method", ""), "threshold": parameters.get("vote_threshold"),
            "base_clusters": parameters.get("base_clusters"), "groups": parameters.get("groups"),
            "best_k": parameters.get("best_k"), "moderated_out": parameters.get("moderated_out"),
            "silhouette": None if parameters.get("silhouette") is None else round(parameters["silhouette"], 2),
            "tried": [(k, round(v, 2)) for k, v in (parameters.get("silhouettes") or {}).items()],
            "on_map": on_map, "voters": on_map + left_out,
            "coverage": round(100 * on_map / (on_map + left_out)) if on_map + left_out else None,
            "variance": round(100 * sum(variance)) if variance else None,
            "wins": smoothing.get("last_k_count")}


@require_POST
@login_required
def statement_moderate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    conversation = _conversation(slug, request)
    statement = get_object_or_404(Statement, pk=pk, conversation=conversation)
    services.moderate_statement(request.user, statement, accept=request.POST.get("action") == "accept")
    return redirect(conversation.get_absolute_url())

