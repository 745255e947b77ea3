"""Theme analysis on stored answers, and staff edits (rename, merge, move) that survive a re-run."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from participation import theming
from participation.models import Answer, Question, Response, Theme, ThemeAssignment, ThemeRun
from tests.participation.conftest import build_consultation
from tests.participation.multilingual_answers import ANSWERS, FRENCH, language_answers
from tests.participation.romanian_answers import answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_question(strategy_data: None) -> Question:
    consultation = build_consultation("problems-2026")
    question = consultation.questions.get(kind="short_text")
    for _topic, text in answers():
        response = Response.objects.create(consultation=consultation, status=Response.Status.SUBMITTED)
        Answer.objects.create(response=response, question=question, text=text)
    draft = Response.objects.create(consultation=consultation)  # drafts are never analysed
    Answer.objects.create(response=draft, question=question, text="Draft about parking")
    return question


def current(question: Question) -> list[Theme]:
    return list(Theme.objects.filter(question=question, merged_into__isnull=True))


def test_analysis_assigns_every_submitted_answer(open_question: Question, staff: Any) -> None:
    summary = theming.analyse_question(staff, open_question)
    assert summary.answers == 144 and summary.themes >= 3
    assert ThemeAssignment.objects.filter(theme__question=open_question).count() == 144
    assert not ThemeAssignment.objects.filter(answer__text="Draft about parking").exists()
    run = ThemeRun.objects.get(question=open_question)
    assert run.coverage == 1.0 and run.silhouette is not None
    assert run.details["languages"] == {"ro": 144} and run.details["parameters"]["max_themes"] == 12
    assert "Snowball" in run.details["method"]


def test_only_staff_run_it_and_only_on_text_questions(open_question: Question, citizen: Any, staff: Any) -> None:
    with pytest.raises(PermissionDenied):
        theming.analyse_question(citizen, open_question)
    single = open_question.consultation.questions.get(kind="single")
    with pytest.raises(ValidationError):
        theming.analyse_question(staff, single)


def test_staff_edits_survive_a_new_run(open_question: Question, staff: Any) -> None:
    theming.analyse_question(staff, open_question, max_themes=4)
    themes = sorted(current(open_question), key=lambda t: -t.assignments.count())
    renamed = theming.rename_theme(staff, themes[0], "Locuri de parcare")
    source, target = themes[-1], themes[-2]
    source_answers = set(source.assignments.values_list("answer_id", flat=True))
    theming.merge_themes(staff, source, target)
    moved_answer = Answer.objects.filter(theme_assignment__theme=renamed).first()
    assert moved_answer is not None
    theming.move_answer(staff, moved_answer, target)

    theming.analyse_question(staff, open_question, max_themes=4)

    renamed.refresh_from_db()
    assert renamed.label == "Locuri de parcare" and renamed.label_edited
    assert Theme.objects.filter(pk=renamed.pk).exists()
    assert ThemeAssignment.objects.get(answer=moved_answer).theme_id == target.pk
    source.refresh_from_db()
    assert source.merged_into_id == target.pk
    assert not ThemeAssignment.objects.filter(theme=source).exists()
    # The merged answers were found again and folded into the target, not into a new theme.
    landed = set(ThemeAssignment.objects.filter(answer_id__in=source_answers).values_list("theme_id", flat=True))
    assert target.pk in landed


def test_bad_edits_are_refused(open_question: Question, staff: Any) -> None:
    theming.analyse_question(staff, open_question, max_themes=3)
    first, second = current(open_question)[:2]
    with pytest.raises(ValidationError):
        theming.rename_theme(staff, first, "   ")
    with pytest.raises(ValidationError):
        theming.merge_themes(staff, first, first)
    theming.merge_themes(staff, first, second)
    with pytest.raises(ValidationError):
        theming.merge_themes(staff, second, first)  # first is merged away


def test_results_show_themes_with_share_and_typical_answers(client: Client, open_question: Question,
                                                            staff: Any) -> None:
    theming.analyse_question(staff, open_question)
    body = client.get(f"/en/participation/consultations/{open_question.consultation.slug}/results/").content.decode()
    assert "Themes of the open answers" in body and "Typical answers" in body
    theme = current(open_question)[0]
    assert theme.label in body


def test_theme_page_is_staff_only_and_edits_through_it(client: Client, open_question: Question, staff: Any,
                                                       citizen: Any) -> None:
    url = f"/en/participation/consultations/{open_question.consultation.slug}/questions/{open_question.pk}/themes/"
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    client.force_login(staff)
    assert client.post(url, {"action": "run"}).status_code == 302
    theme = current(open_question)[0]
    assert client.post(url, {"action": "rename", "theme": theme.pk, "label": "Parking"}).status_code == 302
    theme.refresh_from_db()
    assert theme.label == "Parking"
    response = client.post(url, {"action": "rename", "theme": theme.pk, "label": ""}, follow=True)
    assert "This field is required" in response.content.decode() or "label" in response.content.decode()
    page = client.get(url + f"?theme={theme.pk}")
    assert page.status_code == 200 and "Move to theme" in page.content.decode()
    assert client.post(url.replace("themes/", "themes/queue/")).status_code == 302


def test_a_run_finding_more_themes_does_not_fold_them_into_the_last_runs(open_question: Question,
                                                                         staff: Any) -> None:
    theming.analyse_question(staff, open_question, max_themes=3)
    summary = theming.analyse_question(staff, open_question)
    run = ThemeRun.objects.filter(question=open_question).first()
    assert run is not None and summary.themes == run.themes == run.details["themes"] > 3
    with_answers = [t for t in current(open_question) if t.assignments.exists()]
    assert len(with_answers) == run.details["themes"]
    largest = max(t.assignments.count() for t in with_answers)
    assert largest == round(run.details["largest_share"] * 144)


def test_staff_page_explains_the_run_in_romanian(client: Client, strategy_data: None, staff: Any) -> None:
    consultation = build_consultation("many-languages")
    question = consultation.questions.get(kind="short_text")
    texts = [text for language in ANSWERS for _topic, text in language_answers(language)] + [*FRENCH, "🙂 👍"]
    for text in texts:
        response = Response.objects.create(consultation=consultation, status=Response.Status.SUBMITTED)
        Answer.objects.create(response=response, question=question, text=text)
    theming.analyse_question(staff, question)
    run = ThemeRun.objects.get(question=question)
    french = Answer.objects.get(text=FRENCH[0])
    assert run.details["not_analysed_answers"][str(french.pk)] == "language not analysed (fr)"
    assert set(run.details["per_language"]) == {"ro", "hu", "de", "sr", "en"}

    client.force_login(staff)
    url = f"/ro/participare/consultari/{consultation.slug}/intrebari/{question.pk}/teme/"
    body = client.get(url).content.decode()
    # Languages by name, parameters in words, quality figures, per-language table; no raw names.
    for expected in ("maghiară", "sârbă", "germană", "engleză", "română", "Pe limbi", "Limită atinsă",
                     "Cel mult atâtea teme pe limbă", "acoperire", "Silueta temelor",
                     "o limbă pe care analiza nu o acoperă (franceză): 2", "niciun cuvânt: 1"):
        assert expected in body, expected
    assert "max_themes" not in body and "merge_similarity" not in body
    # Each theme says the language its answers are in.
    assert '<span class="badge">sârbă</span>' in body and '<span class="badge">maghiară</span>' in body
    assert set(run.details["theme_languages"].values()) == {"ro", "hu", "de", "sr", "en"}
    assert 'lang="sr"' in body and 'lang="hu"' in body  # screen readers read each label in its language
    unclassified = client.get(url + "?theme=none").content.decode()
    assert "Neanalizat: o limbă pe care analiza nu o acoperă (franceză)." in unclassified
    assert "Neanalizat: niciun cuvânt." in unclassified
    assert "Analize anterioare" not in unclassified  # one run so far
    theming.analyse_question(staff, question, max_themes=3)
    again = client.get(url).content.decode()
    assert "Analize anterioare" in again and again.count("<tr><th scope=\"row\">") >= 2 + 5  # 2 runs, 5 languages
    assert 'value="" selected disabled>fără temă' in unclassified  # no theme is shown as chosen
