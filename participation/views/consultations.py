"""Consultations: answering (drafts, edits until the close), results, exports and open-answer themes."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import proof_of_work, ratelimit
from core.models import Neighbourhood
from participation import answering, results, services, theming
from participation.forms import MoveAnswerForm, ThemeMergeForm, ThemeRenameForm
from participation.models import ActorType, AgeGroup, Answer, Consultation, Question, Response, Theme, ThemeRun
from participation.views.common import require_perm


def _cookie_name(consultation: Consultation) -> str:
    return f"pc_resume_{consultation.pk}"


def _consultation(slug: str, request: HttpRequest) -> Consultation:
    consultation: Consultation = get_object_or_404(Consultation.objects.select_related("process", "strategy_project"),
                                                     slug=slug)
    if not consultation.published and not request.user.has_perm("participation.manage"):
        raise Http404
    return consultation


def _existing_response(request: HttpRequest, consultation: Consultation) -> Response | None:
    if request.user.is_authenticated:
        return Response.objects.filter(consultation=consultation, respondent=request.user).first()
    token = request.COOKIES.get(_cookie_name(consultation), "")
    try:
        parsed = uuid.UUID(token)
    except ValueError:
        return None
    return Response.objects.filter(consultation=consultation, respondent__isnull=True, resume_token=parsed).first()


def _form_values(prepared: list[answering.PreparedQuestion], raw: dict[int, Any]) -> dict[int, Any]:
    """Values for re-displaying the form after an error (same shape as initial_from_answers)."""
    values: dict[int, Any] = {}
    for item in prepared:
        value = raw.get(item.question.pk)
        if item.question.kind == Question.Kind.RANKING and isinstance(value, list):
            values[item.question.pk] = {int(o): i for i, o in enumerate(value, 1) if str(o).isdigit()}
        elif item.question.kind == Question.Kind.MATRIX and isinstance(value, dict):
            values[item.question.pk] = {int(r): int(c) for r, c in value.items() if str(c).isdigit()}
        elif item.question.kind == Question.Kind.MULTIPLE and isinstance(value, list):
            values[item.question.pk] = [int(v) for v in value if str(v).isdigit()]
        elif item.question.kind == Question.Kind.SINGLE and str(value).isdigit():
            values[item.question.pk] = int(str(value))
        else:
            values[item.question.pk] = value
    return values


def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug, request)
    prepared = services.questions_for(consultation)
    response = _existing_response(request, consultation)
    can_answer = consultation.is_open() and (
        consultation.audience == Consultation.Audience.ANYONE or request.user.has_perm("participation.take_part"))
    errors: dict[str, str] = {}
    profile: dict[str, Any] = {}
    values: dict[int, Any] = {}
    if response is not None:
        values = answering.initial_from_answers(list(response.answers.select_related("question")))
        profile = {"age_group": response.age_group, "actor_type": response.actor_type,
                   "neighbourhood": response.neighbourhood.slug if response.neighbourhood_id else ""}  # type: ignore[union-attr]

    if request.method == "POST":
        if not can_answer:
            raise PermissionDenied(_("You cannot answer this consultation."))
        submit = request.POST.get("action") == "submit"
        raw = answering.raw_from_post(prepared, request.POST)
        profile = {name: request.POST.get(name, "") for name in services.PROFILE_FIELDS}
        refusal = _anonymous_limit(request, consultation, response)
        if refusal is not None:
            return _render_consultation(request, consultation, prepared, _form_values(prepared, raw), {}, profile,
                                        response, can_answer, limit_message=refusal, status=429)
        response, errors = services.answer_consultation(request.user, consultation, response, raw, profile,
                                                        submit=submit)
        if not errors and response is not None:
            if submit:
                messages.success(request, _("Thank you: your answers are recorded. You can change them until "
                                            "the consultation closes."))
            else:
                messages.info(request, _("Draft saved. Come back with this browser or account to finish it."))
            redirect_to = HttpResponseRedirect(consultation.get_absolute_url())
            if not request.user.is_authenticated:
                redirect_to.set_cookie(_cookie_name(consultation), str(response.resume_token),
                                       expires=consultation.closes_at, httponly=True, samesite="Lax",
                                       secure=request.is_secure())
            return redirect_to
        # Errors: show the form again with what was typed; nothing was written (no empty draft either).
        values = _form_values(prepared, raw)
    return _render_consultation(request, consultation, prepared, values, errors, profile, response, can_answer,
                                status=400 if errors else 200)


def _pow_purpose(consultation: Consultation) -> str:
    return f"consultation:{consultation.pk}"


def _anonymous_limit(request: HttpRequest, consultation: Consultation, response: Response | None) -> str | None:
    """Anonymous new answers are limited per client address, which a cleared cookie does not reset.

    With the browser's proof of work (core/proof_of_work.py) the limit is generous (a school class
    behind one address can take part); without it (no JavaScript) it is tight (docs/participation.md)."""
    if request.user.is_authenticated or response is not None:
        return None  # accounts answer once by construction; a resumed draft is not a new answer
    proven = proof_of_work.verify(request.POST.get("pow_challenge", ""), request.POST.get("pow_nonce", ""),
                                  _pow_purpose(consultation))
    action = "consultation_answer:address" if proven else "consultation_answer_without_proof:address"
    if ratelimit.hit(request, action).allowed:
        return None
    return _("Too many answers have come from your connection in a short time. Please try again later, or "
             "sign in to answer with your account.")


def _render_consultation(request: HttpRequest, consultation: Consultation, prepared: Any, values: dict[int, Any],
                         errors: dict[str, str], profile: dict[str, Any], response: Response | None,
                         can_answer: bool, *, limit_message: str = "", status: int = 200) -> HttpResponse:
    anonymous_new = can_answer and response is None and not request.user.is_authenticated
    template_response = render(request, "participation/consultation.html", {
        "consultation": consultation, "questions": prepared, "values": values, "errors": errors,
        "profile": profile, "response": response, "can_answer": can_answer,
        "results_visible": request.user.has_perm("participation.view_results", consultation),
        "age_groups": AgeGroup.choices, "actor_types": ActorType.choices,
        "neighbourhoods": list(Neighbourhood.objects.only("slug", "name")) if consultation.ask_profile else [],
        "target": consultation, "target_kind": "consultation", "limit_message": limit_message,
        "pow_challenge": proof_of_work.new_challenge(_pow_purpose(consultation)) if anonymous_new else "",
        "pow_bits": proof_of_work.difficulty_bits(),
    }, status=status)
    if response is not None and not request.user.is_authenticated:
        template_response.set_cookie(_cookie_name(consultation), str(response.resume_token),
                                     expires=consultation.closes_at, httponly=True, samesite="Lax",
                                     secure=request.is_secure())
    return template_response


def consultation_results(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug, request)
    if not request.user.has_perm("participation.view_results", consultation):
        return render(request, "participation/results_hidden.html", {"consultation": consultation}, status=403)
    breakdown = request.GET.get("breakdown", "")
    if breakdown not in results.BREAKDOWNS:
        breakdown = ""
    total, question_results = results.compute(consultation, breakdown=breakdown)
    return render(request, "participation/results.html", {
        "consultation": consultation, "total": total, "results": question_results, "breakdown": breakdown,
        "breakdowns": list(results.BREAKDOWNS.items()), "min_group": results.MIN_GROUP,
        "can_manage": request.user.has_perm("participation.manage"),
    })


def results_csv(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug, request)
    require_perm(request, "participation.view_results", consultation)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="results-{consultation.slug}.csv"'
    results.write_results_csv(response, consultation)
    return response


def responses_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """Anonymised responses, one row each: for the city's analysts (staff)."""
    consultation = _consultation(slug, request)
    require_perm(request, "participation.manage")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="responses-{consultation.slug}-anonymised.csv"'
    results.write_responses_csv(response, consultation)
    return response


ANSWERS_PER_PAGE = 50


def themes(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    """Staff curate the themes of a question's open answers."""
    consultation = _consultation(slug, request)
    require_perm(request, "participation.manage")
    question = get_object_or_404(Question, pk=question_id, consultation=consultation,
                                 kind__in=list(Question.TEXT_KINDS))
    url = reverse("participation:themes", args=[consultation.slug, question.pk])
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "run":
                summary = theming.analyse_question(request.user, question)
                messages.success(request, _("Analysis done: %(answers)d answers, %(themes)d themes.") % {
                    "answers": summary.answers, "themes": summary.themes})
            elif action == "rename":
                form = ThemeRenameForm(request.POST)
                theme = get_object_or_404(Theme, pk=request.POST.get("theme"), question=question)
                if not form.is_valid():
                    raise ValidationError(form.errors.get_json_data())
                theming.rename_theme(request.user, theme, form.cleaned_data["label"])
            elif action == "merge":
                merge = ThemeMergeForm(request.POST)
                theme = get_object_or_404(Theme, pk=request.POST.get("theme"), question=question)
                if not merge.is_valid():
                    raise ValidationError({"target": _("Choose the theme to merge into.")})
                target = get_object_or_404(Theme, pk=merge.cleaned_data["target"], question=question)
                theming.merge_themes(request.user, theme, target)
            elif action == "move":
                move = MoveAnswerForm(request.POST)
                if not move.is_valid():
                    raise ValidationError({"theme": _("Choose the theme to move the answer to.")})
                answer = get_object_or_404(Answer, pk=move.cleaned_data["answer"], question=question)
                target = get_object_or_404(Theme, pk=move.cleaned_data["theme"], question=question)
                theming.move_answer(request.user, answer, target)
            elif action == "create":
                theming.create_theme(request.user, question, request.POST.get("label", ""))
            else:
                raise ValidationError({"action": _("Unknown action.")})
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(url)
        return redirect(url + (f"?theme={request.POST['theme']}" if request.POST.get("theme", "").isdigit()
                               and action == "move" else ""))

    theme_list = list(Theme.objects.filter(question=question, merged_into__isnull=True).annotate(
        n=Count("assignments"), pinned=Count("assignments", filter=Q(assignments__pinned=True))).order_by("-n"))
    total = Answer.objects.filter(question=question, response__status=Response.Status.SUBMITTED).exclude(
        text="").count()
    selected = request.GET.get("theme", "")
    answers = Answer.objects.filter(question=question, response__status=Response.Status.SUBMITTED).exclude(
        text="").select_related("theme_assignment").order_by("id")
    if selected == "none":
        answers = answers.filter(theme_assignment__isnull=True)
    elif selected.isdigit():
        answers = answers.filter(theme_assignment__theme_id=int(selected)).order_by(
            "-theme_assignment__typicality", "id")
    page = Paginator(answers, ANSWERS_PER_PAGE).get_page(request.GET.get("page"))
    runs = list(ThemeRun.objects.filter(question=question).defer("details")[:10])
    last_run = ThemeRun.objects.filter(question=question).first()
    explained = theming.explain_run(last_run)
    left_out = {answer.pk: theming.not_analysed_reason(explained["answer_reasons"][str(answer.pk)])
                for answer in page.object_list if str(answer.pk) in explained["answer_reasons"]
                and not hasattr(answer, "theme_assignment")}  # why an answer without a theme has none
    return render(request, "participation/themes.html", {
        "consultation": consultation, "question": question, "themes": theme_list, "total": total, "page": page,
        "selected": selected, "last_run": last_run, "run": explained, "left_out": left_out, "runs": runs,
        "merged": list(Theme.objects.filter(question=question, merged_into__isnull=False).select_related(
            "merged_into")),
    })


@require_POST
def start_analysis(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    """Queue the analysis in the background (large consultations)."""
    consultation = _consultation(slug, request)
    require_perm(request, "participation.manage")
    question = get_object_or_404(Question, pk=question_id, consultation=consultation)
    from participation.tasks import analyse_open_answers

    analyse_open_answers.enqueue(question.pk)
    messages.info(request, _("The analysis was started; reload the page in a minute."))
    return redirect("participation:themes", consultation.slug, question.pk)


def consultation_list(request: HttpRequest) -> HttpResponse:
    from django.utils import timezone

    from participation.models import Conversation
    from participation.selectors import public_consultations

    now = timezone.now()
    state = request.GET.get("state", "")
    consultations = public_consultations().annotate(
        submitted=Count("responses", filter=Q(responses__status=Response.Status.SUBMITTED)))
    conversations = Conversation.objects.filter(published=True).select_related("process")
    if state == "open":
        consultations = consultations.filter(opens_at__lte=now, closes_at__gt=now)
        conversations = conversations.filter(opens_at__lte=now, closes_at__gt=now)
    elif state == "upcoming":
        consultations = consultations.filter(opens_at__gt=now)
        conversations = conversations.filter(opens_at__gt=now)
    elif state == "closed":
        consultations = consultations.filter(closes_at__lte=now)
        conversations = conversations.filter(closes_at__lte=now)
    else:
        state = ""
    page = Paginator(consultations.order_by("-closes_at", "-id"), 20).get_page(request.GET.get("page"))
    return render(request, "participation/consultations.html", {
        "page": page, "state": state, "now": now, "conversations": list(conversations.order_by("-closes_at")[:20]),
    })
