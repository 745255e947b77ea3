"""The pure theme analysis (participation/themes.py): each language on its own, determinism, partition,
hostile input."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participation.themes import (
    EMPTY,
    NO_CONTENT_WORDS,
    NOT_RECOGNISED,
    NOT_SUPPORTED,
    TOO_FEW_IN_LANGUAGE,
    detect_languages,
    find_themes,
    fold,
    phrase_label,
    stem,
    stop_words,
    tokenise,
)
from tests.participation.multilingual_answers import ANSWERS, FRENCH, language_answers
from tests.participation.polis_data import accepted_comments as polis_comments
from tests.participation.romanian_answers import answers


def test_romanian_spellings_fold_together() -> None:
    assert fold("Şcoală ţară") == fold("Școală țară") == fold("scoala tara") == "scoala tara"
    assert stem("parcare", "ro") == stem("parcarea", "ro") == stem("parcarea", "ro")
    assert stem("copacii", "ro") == stem("copaci", "ro")
    assert stem("bikes", "en") == stem("bike", "en")
    assert {"si", "pentru", "care"} <= stop_words("ro") and {"the", "and"} <= stop_words("en")


@pytest.mark.parametrize("language", sorted(ANSWERS))
def test_each_language_is_recognised_and_analysed_with_its_own_words(language: str) -> None:
    rows = language_answers(language)
    texts = [text for _topic, text in rows]
    code = language.split("-")[0]
    assert {found for found, _confidence in detect_languages(texts)} == {code}
    analysis = find_themes(texts)
    assert analysis.languages == {code: len(texts)} and not analysis.not_analysed
    assert analysis.themes and all(theme.language == code for theme in analysis.themes)
    stops = stop_words(code)
    for theme in analysis.themes:
        assert theme.label and theme.keywords
        # Labels and keywords read as words people wrote, never a stop word on its own.
        assert all(fold(keyword) not in stops for keyword in theme.keywords)
        assert not all(fold(word) in stops for word in theme.label.lower().split())
    # The biggest theme is about one topic.
    top = analysis.themes[0]
    assert Counter(rows[i][0] for i in top.members).most_common(1)[0][1] >= 0.6 * len(top.members)


def test_serbian_in_both_scripts_is_one_vocabulary() -> None:
    latin = tokenise("Biciklističke staze su preuske", "sr")
    cyrillic = tokenise("Бициклистичке стазе су преуске", "sr")
    assert latin == cyrillic and "su" not in latin


def test_languages_are_never_folded_together_and_the_rest_is_reported() -> None:
    texts = [text for language in ANSWERS for _topic, text in language_answers(language)]
    texts += [*FRENCH, "🙂 👍", "12345", "", "Danke"]
    analysis = find_themes(texts)
    assert analysis.languages == {"ro": 12, "hu": 12, "de": 12, "sr": 24, "en": 12}
    detected = dict(zip(range(len(texts)), [code for code, _c in detect_languages(texts)], strict=True))
    for theme in analysis.themes:
        assert {detected[i] for i in theme.members} == {theme.language}
    french = [texts.index(t) for t in FRENCH]
    assert all(analysis.not_analysed[i] == NOT_SUPPORTED and analysis.not_analysed_languages[i] == "fr"
               for i in french)
    assert analysis.not_analysed[texts.index("🙂 👍")] == EMPTY
    assert analysis.not_analysed[texts.index("12345")] == EMPTY
    # "Danke" is German and carries no theme: it is left out and the reason says so.
    assert analysis.not_analysed[texts.index("Danke")] == NO_CONTENT_WORDS
    counts = analysis.not_analysed_counts()
    assert counts[f"{NOT_SUPPORTED} (fr)"] == 2
    assert 0 < analysis.coverage < 1


def test_a_language_with_too_few_answers_is_reported_not_merged() -> None:
    texts = [text for _topic, text in language_answers("en")] + ANSWERS["de"]["trees"][:3]
    analysis = find_themes(texts)
    assert analysis.languages == {"en": 12}
    german = range(12, 15)
    assert all(analysis.not_analysed[i] == TOO_FEW_IN_LANGUAGE and analysis.not_analysed_languages[i] == "de"
               for i in german)
    assert all(i not in theme.members for theme in analysis.themes for i in german)


def purity(analysis_themes: list, topics: list[str]) -> float:
    majority = sum(Counter(topics[i] for i in t.members).most_common(1)[0][1] for t in analysis_themes)
    return majority / sum(len(t.members) for t in analysis_themes)


def test_romanian_answers_group_by_topic() -> None:
    rows = answers()
    topics = [topic for topic, _text in rows]
    analysis = find_themes([text for _topic, text in rows])
    assert analysis.themes and analysis.coverage > 0.9
    assert purity(analysis.themes, topics) >= 0.9
    assert len(analysis.themes) < 12, "the number of themes comes from the answers, not the bound"
    three = find_themes([text for _topic, text in rows], max_themes=3)
    assert len(three.themes) <= 3
    labels = " ".join(t.label.lower() for t in analysis.themes)
    assert "parc" in labels and "online" in labels


def test_labels_shares_and_typical_answers_on_real_english_comments() -> None:
    texts = polis_comments("canadian-electoral-reform")
    analysis = find_themes(texts)
    assert 2 <= len(analysis.themes) < 12
    seen: list[int] = []
    for theme in analysis.themes:
        assert theme.label and theme.keywords
        assert theme.typicality == sorted(theme.typicality, reverse=True)
        seen += theme.members
    assert sorted(seen + analysis.unclassified) == list(range(len(texts)))
    assert sum(analysis.share(t) for t in analysis.themes) == pytest.approx(
        1 - len(analysis.unclassified) / len(texts))
    assert max(analysis.share(t) for t in analysis.themes) < 1 / 3, "no catch-all theme"
    keywords = {k.lower() for t in analysis.themes for k in t.keywords}
    assert keywords & {"proportional representation", "online voting", "electoral reform", "voting"}
    assert analysis.silhouette is not None and analysis.quality()["coverage"] > 0.9


def test_chinese_comments_are_reported_not_analysed() -> None:
    texts = polis_comments("vtaiwan.uberx")
    analysis = find_themes(texts)
    assert analysis.themes == [] and len(analysis.not_analysed) == len(texts)
    assert set(analysis.not_analysed.values()) <= {NOT_RECOGNISED, NOT_SUPPORTED, EMPTY}


def test_same_input_same_themes() -> None:
    texts = polis_comments("brexit-consensus")
    first, second = find_themes(texts, seed=3), find_themes(texts, seed=3)
    assert [(t.label, t.members) for t in first.themes] == [(t.label, t.members) for t in second.themes]


def test_too_few_or_empty_answers() -> None:
    assert find_themes([]).themes == []
    few = find_themes(["Parcare", "Copaci"])
    assert few.themes == [] and few.unclassified == [0, 1]
    blank = find_themes(["-", "nu", "ok", "da", "...", "și"] * 3)
    assert blank.themes == [] and len(blank.unclassified) == 18
    assert find_themes(["", "   ", "\n"]).not_analysed == {0: EMPTY, 1: EMPTY, 2: EMPTY}


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(alphabet="abcdeăîșț ", min_size=0, max_size=40), min_size=0, max_size=40))
def test_every_answer_is_in_exactly_one_theme_or_unclassified(texts: list[str]) -> None:
    analysis = find_themes(texts)
    positions = [i for t in analysis.themes for i in t.members] + analysis.unclassified
    assert sorted(positions) == list(range(len(texts)))


def test_labels_grow_into_the_phrase_people_wrote_with_their_capitals() -> None:
    texts = ["Malul Begăi trebuie iluminat noaptea.", "Vreau ca malul Begăi să fie iluminat.",
             "Pe malul Begăi e întuneric seara.", "Malul Begai are nevoie de bănci."]
    # The pair "malul begăi" as written inside sentences: the river's capital kept, diacritics preferred.
    assert phrase_label(texts, range(4), "ro", f"{stem('malul', 'ro')} {stem('begăi', 'ro')}", 3) == "malul Begăi"
    english = ["Our current electoral system works.", "The current electoral system is unfair.",
               "I like the current electoral system", "Change the current electoral rules."]
    pair = f"{stem('current', 'en')} {stem('electoral', 'en')}"
    assert phrase_label(english, range(4), "en", pair, 3) == "current electoral system"
    # A longer phrase must be shared as often as asked; a stop word never ends it.
    assert phrase_label(english, range(4), "en", pair, 4) == "current electoral"
    assert phrase_label(["Parcarea pe trotuar trebuie interzisă.", "Parcarea pe trotuar e o problemă."], range(2),
                        "ro", f"{stem('parcarea', 'ro')} {stem('trotuar', 'ro')}", 2) == ""  # not adjacent


def test_pair_labels_are_phrases_that_start_and_end_with_a_content_word() -> None:
    texts = polis_comments("canadian-electoral-reform")
    analysis = find_themes(texts)
    labels = [t.label for t in analysis.themes]
    assert "Current electoral system" in labels, labels
    stops = stop_words("en")
    for label in labels:
        words = [fold(w) for w in label.rstrip(".…").split()]
        if len(words) <= 5 and not label.endswith((".", "…")):
            assert words[0] not in stops and words[-1] not in stops, label


def test_polite_words_are_never_a_theme() -> None:
    for language, polite in (("de", "bitte"), ("hu", "kérünk"), ("sr-Latn", "molimo"), ("sr-Cyrl", "молимо")):
        analysis = find_themes([text for _topic, text in language_answers(language)])
        assert all(fold(polite) not in fold(" ".join(t.keywords)) for t in analysis.themes), language


def test_each_language_reports_its_own_figures_and_whether_the_bound_was_reached() -> None:
    texts = [text for language in ANSWERS for _topic, text in language_answers(language)]
    analysis = find_themes(texts)
    figures = analysis.quality()["per_language"]
    assert set(figures) == {"ro", "hu", "de", "sr", "en"}
    for code, row in figures.items():
        assert row["answers"] == analysis.languages[code]
        assert row["themes"] == sum(1 for t in analysis.themes if t.language == code)
        assert row["bound_reached"] is False and row["small_clusters"] >= row["themes"]
    rows = answers()
    assert find_themes([text for _topic, text in rows]).per_language["ro"]["bound_reached"] is False
    capped = find_themes([text for _topic, text in rows], max_themes=3)
    assert capped.per_language["ro"]["bound_reached"] is True and len(capped.themes) == 3


def test_each_not_analysed_answer_has_its_reason() -> None:
    texts = [*FRENCH, "🙂", *[text for _topic, text in language_answers("en")]]
    analysis = find_themes(texts)
    assert analysis.not_analysed_reason(0) == f"{NOT_SUPPORTED} (fr)"
    assert analysis.not_analysed_reason(2) == EMPTY
    assert analysis.not_analysed_reason(3) == ""
