"""The pure theme analysis (participation/themes.py): Romanian and English, determinism, partition."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participation.themes import find_themes, fold, stem, stop_words
from tests.participation.polis_data import accepted_comments as polis_comments
from tests.participation.romanian_answers import answers


def test_romanian_spellings_fold_together() -> None:
    assert fold("Şcoală ţară") == fold("Școală țară") == fold("scoala tara") == "scoala tara"
    assert stem(fold("parcare")) == stem(fold("parcarea")) == stem(fold("parcări"))
    assert stem("bikes") == stem("bike")
    assert {"si", "pentru", "care", "the", "and"} <= stop_words()


def purity(analysis_themes: list, topics: list[str]) -> float:
    majority = sum(Counter(topics[i] for i in t.members).most_common(1)[0][1] for t in analysis_themes)
    return majority / sum(len(t.members) for t in analysis_themes)


def test_romanian_answers_group_by_topic() -> None:
    rows = answers()
    topics = [topic for topic, _text in rows]
    analysis = find_themes([text for _topic, text in rows])
    assert analysis.themes and not analysis.unclassified
    assert purity(analysis.themes, topics) >= 0.9
    three = find_themes([text for _topic, text in rows], max_themes=3)
    assert len(three.themes) == 3
    dominant = {Counter(topics[i] for i in t.members).most_common(1)[0][0] for t in three.themes}
    assert dominant == {"parking", "green", "digital"}
    labels = " ".join(t.label.lower() for t in analysis.themes)
    assert "parcare" in labels and "și" not in labels.split(", ")


def test_labels_shares_and_typical_answers_on_real_english_comments() -> None:
    texts = polis_comments("canadian-electoral-reform")
    analysis = find_themes(texts)
    assert 2 <= len(analysis.themes) <= 8
    seen: list[int] = []
    for theme in analysis.themes:
        assert theme.label and theme.keywords
        assert theme.typicality == sorted(theme.typicality, reverse=True)
        seen += theme.members
    assert sorted(seen + analysis.unclassified) == list(range(len(texts)))
    assert sum(analysis.share(t) for t in analysis.themes) == pytest.approx(
        1 - len(analysis.unclassified) / len(texts))
    keywords = {k.lower() for t in analysis.themes for k in t.keywords}
    assert keywords & {"proportional", "representation", "vote", "voting", "electoral", "reform", "online"}


def test_same_input_same_themes() -> None:
    texts = polis_comments("brexit-consensus")
    first, second = find_themes(texts, seed=3), find_themes(texts, seed=3)
    assert [(t.label, t.members) for t in first.themes] == [(t.label, t.members) for t in second.themes]


def test_too_few_or_empty_answers() -> None:
    assert find_themes([]).themes == []
    few = find_themes(["Parcare", "Copaci"])
    assert few.themes == [] and few.unclassified == [0, 1] and few.method == "too few answers"
    blank = find_themes(["-", "nu", "ok", "da", "...", "și"] * 3)
    assert blank.themes == [] and len(blank.unclassified) == 18


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(alphabet="abcdeăîșț ", min_size=0, max_size=40), min_size=0, max_size=40))
def test_every_answer_is_in_exactly_one_theme_or_unclassified(texts: list[str]) -> None:
    analysis = find_themes(texts)
    positions = [i for t in analysis.themes for i in t.members] + analysis.unclassified
    assert sorted(positions) == list(range(len(texts)))
