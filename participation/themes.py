"""Grouping open answers into themes, for Romanian and English, offline. Pure: no Django.

Method (deterministic for a given seed):
1. Normalise: lower case, the two Romanian comma/cedilla spellings of ș and ț made one, diacritics
   dropped for matching (many people type without them), then a light suffix stemmer so that
   "parcare", "parcarea", "parcări" or "bike", "bikes" count as one term. The most frequent written
   form of each term is kept to label themes.
2. Stop words for both languages (Romanian list shipped in participation/stopwords/, English from
   scikit-learn plus our own additions); TF-IDF over the stems.
3. Latent semantic analysis (truncated SVD) and k-means on unit vectors (cosine geometry). The
   number of themes is chosen by the silhouette score on a bounded sample, so the cost stays
   linear in the number of answers.
4. Romanian and English answers are grouped separately (detected from Romanian letters and function
   words), each language getting a share of the themes proportional to its answers.
5. Each theme gets its most distinctive terms as label, its share of the classified answers,
   and its most typical answers (closest to the theme's centre).

Answers without a single meaningful term ("-", "nu știu", "ok") are left unclassified.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

STOPWORDS_DIR = Path(__file__).resolve().parent / "stopwords"
TOKEN = re.compile(r"[a-z][a-z0-9]+")
# Suffixes removed by the light stemmer, longest first (after diacritics are dropped).
SUFFIXES = (
    "urilor", "ationa", "ations", "iilor", "elor", "ilor", "ului", "urile", "ation", "ating", "ement",
    "ments", "ness", "iile", "ilie", "ing", "ies", "ele", "ile", "uri", "lor", "ul", "ua", "ii", "ea", "ei",
    "le", "ed", "es", "ly", "a", "e", "i", "u", "s",
)
MIN_STEM = 4
ROMANIAN_LETTERS = re.compile("[ăâîșțşţĂÂÎȘȚŞŢ]")


@dataclass(frozen=True)
class FoundTheme:
    label: str
    keywords: list[str]
    members: list[int]  # positions in the input, most typical first
    typicality: list[float]  # cosine to the theme centre, same order as members


@dataclass
class Analysis:
    themes: list[FoundTheme]
    unclassified: list[int]
    method: str
    total: int
    chosen_k: int = 0
    scores: dict[int, float] = field(default_factory=dict)

    def share(self, theme: FoundTheme) -> float:
        """Share of all answers (classified or not), as in "% of 457 open answers"."""
        return len(theme.members) / self.total if self.total else 0.0


def fold(text: str) -> str:
    """Lower case without diacritics; ş/ţ (cedilla) and ș/ț (comma) end up the same."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(word: str) -> str:
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def _read_list(name: str) -> set[str]:
    words = set()
    for line in (STOPWORDS_DIR / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(fold(line))
    return words


@lru_cache(maxsize=1)
def romanian_stop_words() -> frozenset[str]:
    return frozenset(_read_list("ro.txt"))


@lru_cache(maxsize=1)
def english_stop_words() -> frozenset[str]:
    return frozenset({fold(w) for w in ENGLISH_STOP_WORDS} | _read_list("en.txt"))


def stop_words() -> frozenset[str]:
    return romanian_stop_words() | english_stop_words()


class _Tokeniser:
    """Turns a text into stems and remembers how each stem was written."""

    def __init__(self) -> None:
        self.surface: dict[str, Counter[str]] = {}
        self.stops = stop_words()
        self.romanian = romanian_stop_words()
        self.english = english_stop_words()
        self.languages: list[str] = []

    def __call__(self, text: str) -> list[str]:
        written = re.findall(r"[^\W\d_][^\W_]+", text.lower())
        self.languages.append(self._language(text, written))
        stems = []
        for original in written:
            folded = fold(original)
            if not TOKEN.fullmatch(folded) or folded in self.stops or len(folded) < 3:
                continue
            key = stem(folded)
            if key in self.stops:
                continue
            self.surface.setdefault(key, Counter())[original] += 1
            stems.append(key)
        return stems

    def _language(self, text: str, words: list[str]) -> str:
        """ro or en, from Romanian letters and which language's function words the answer uses."""
        if ROMANIAN_LETTERS.search(text):
            return "ro"
        folded = [fold(w) for w in words]
        romanian = sum(1 for w in folded if w in self.romanian and w not in self.english)
        english = sum(1 for w in folded if w in self.english and w not in self.romanian)
        if english == romanian:
            return ""  # undecided: joins the language most answers are in
        return "en" if english > romanian else "ro"

    def label_for(self, term: str) -> str:
        return " ".join(self._written(part) for part in term.split(" "))

    def _written(self, stem_: str) -> str:
        """The most frequent spelling, preferring one with diacritics (many type without them)."""
        forms = self.surface.get(stem_)
        if not forms:
            return stem_
        return max(forms.items(), key=lambda item: (item[1] * (2 if not item[0].isascii() else 1), item[0]))[0]


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _choose_k(vectors: np.ndarray, candidates: Sequence[int], seed: int, sample: int
              ) -> tuple[int, dict[int, float], dict[int, np.ndarray]]:
    rng = np.random.default_rng(seed)
    n = vectors.shape[0]
    sample_idx = rng.choice(n, size=min(n, sample), replace=False) if n > sample else np.arange(n)
    scores: dict[int, float] = {}
    labelings: dict[int, np.ndarray] = {}
    for k in candidates:
        labels = _kmeans(vectors, k, seed)
        labelings[k] = labels
        sampled = labels[sample_idx]
        if len(set(sampled.tolist())) < 2:
            scores[k] = -1.0
            continue
        scores[k] = float(silhouette_score(vectors[sample_idx], sampled, metric="cosine"))
    best = max(candidates, key=lambda k: (round(scores[k], 3), -k))
    return best, scores, labelings


def _kmeans(vectors: np.ndarray, k: int, seed: int) -> np.ndarray:
    if vectors.shape[0] > 5000:
        model: KMeans | MiniBatchKMeans = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3,
                                                          batch_size=2048)
    else:
        model = KMeans(n_clusters=k, random_state=seed, n_init=4)
    return np.asarray(model.fit_predict(vectors))


def find_themes(texts: Sequence[str], *, min_themes: int = 2, max_themes: int = 8, seed: int = 0,
                min_answers: int = 6, silhouette_sample: int = 2000, threads: int = 1) -> Analysis:
    """Group `texts` into themes. Returned positions index into `texts`.

    `threads` caps the BLAS/OpenMP threads: on a shared 2-core server one thread is many times faster
    than letting k-means spin a thread per core against the web workers (measured in bench/themes.py).
    """
    with threadpool_limits(limits=threads):
        return _find_themes(texts, min_themes=min_themes, max_themes=max_themes, seed=seed,
                            min_answers=min_answers, silhouette_sample=silhouette_sample)


def _find_themes(texts: Sequence[str], *, min_themes: int, max_themes: int, seed: int, min_answers: int,
                 silhouette_sample: int) -> Analysis:
    total = len(texts)
    tokeniser = _Tokeniser()
    token_lists = [tokeniser(t or "") for t in texts]
    usable = [i for i, tokens in enumerate(token_lists) if tokens]
    unusable = [i for i, tokens in enumerate(token_lists) if not tokens]
    if len(usable) < min_answers:
        return Analysis(themes=[], unclassified=list(range(total)), method="too few answers", total=total)

    # Romanian and English answers share almost no words, so k-means would spend themes on the language
    # itself (or lump both into a catch-all theme). Each language is grouped on its own, with a share of
    # the themes proportional to its answers; a language with few answers joins the larger one.
    groups: dict[str, list[int]] = {}
    for i in usable:
        groups.setdefault(tokeniser.languages[i], []).append(i)
    undecided = groups.pop("", [])
    ordered = sorted(groups.items(), key=lambda item: -len(item[1])) or [("ro", [])]
    main_language = ordered[0][0]
    groups[main_language] = ordered[0][1] + undecided
    for language, members in ordered[1:]:
        if len(members) < max(min_answers, 2 * min_themes * 5):
            groups[main_language] += members
            del groups[language]
    themes: list[FoundTheme] = []
    methods = []
    scores: dict[int, float] = {}
    chosen = 0
    for language, members in sorted(groups.items(), key=lambda item: -len(item[1])):
        members.sort()
        budget = max(min_themes, round(max_themes * len(members) / len(usable)))
        found, left_out, method, group_scores, k = _cluster(
            members, token_lists, tokeniser, min_themes=min_themes, max_themes=budget, seed=seed,
            min_answers=min_answers, silhouette_sample=silhouette_sample)
        themes += found
        unusable += left_out
        methods.append(f"{language}: {method}" if len(groups) > 1 else method)
        scores.update(group_scores if len(groups) == 1 else {})
        chosen += k
    themes.sort(key=lambda t: (-len(t.members), t.label))
    return Analysis(themes=themes, unclassified=sorted(unusable), method="; ".join(methods), total=total,
                    chosen_k=chosen, scores=scores)


def _cluster(members: list[int], token_lists: list[list[str]], tokeniser: _Tokeniser, *, min_themes: int,
             max_themes: int, seed: int, min_answers: int, silhouette_sample: int
             ) -> tuple[list[FoundTheme], list[int], str, dict[int, float], int]:
    """Themes of one language's answers: (themes, unclassified, method, silhouette per k, chosen k)."""
    usable = list(members)
    min_df = 2 if len(usable) >= 20 else 1
    vectoriser = TfidfVectorizer(analyzer=_identity, min_df=min_df, max_df=0.5, sublinear_tf=True,
                                 dtype=np.float32)
    try:
        matrix = vectoriser.fit_transform([token_lists[i] for i in usable])
    except ValueError:  # every term filtered out (e.g. all answers identical)
        return [], usable, "no shared vocabulary", {}, 0
    terms = np.asarray(vectoriser.get_feature_names_out())
    has_terms = np.asarray(matrix.getnnz(axis=1)).ravel() > 0
    unusable = [usable[i] for i in np.flatnonzero(~has_terms)]
    usable = [usable[i] for i in np.flatnonzero(has_terms)]
    matrix = sparse.csr_matrix(matrix[has_terms])
    if len(usable) < min_answers:
        return [], sorted(unusable + usable), "too few answers", {}, 0

    components = min(100, matrix.shape[1] - 1, len(usable) - 1)
    if components >= 2:
        reduced = TruncatedSVD(n_components=components, random_state=seed).fit_transform(matrix)
        vectors = normalize(reduced)
    else:
        vectors = normalize(matrix.toarray())
    high = max(min_themes, min(max_themes, len(usable) // 5))
    candidates = list(range(min_themes, high + 1))
    k, scores, labelings = _choose_k(vectors, candidates, seed, silhouette_sample)
    labels = labelings[k]

    themes: list[FoundTheme] = []
    overall = np.asarray(matrix.mean(axis=0)).ravel()
    for cluster in range(k):
        positions = np.flatnonzero(labels == cluster)
        if positions.size == 0:
            continue
        centre = vectors[positions].mean(axis=0)
        norm = float(np.linalg.norm(centre)) or 1.0
        closeness = vectors[positions] @ (centre / norm)
        order = np.argsort(-closeness, kind="stable")
        in_cluster = np.asarray(matrix[positions].mean(axis=0)).ravel()
        # Distinctive: frequent here, rarer elsewhere.
        distinctiveness = in_cluster - overall
        top = [terms[i] for i in np.argsort(-distinctiveness, kind="stable")[:12] if distinctiveness[i] > 0]
        keywords = _dedupe_terms(top)[:4]
        label = ", ".join(tokeniser.label_for(t) for t in keywords[:3]) or "—"
        themes.append(FoundTheme(
            label=label[:1].upper() + label[1:],
            keywords=[tokeniser.label_for(t) for t in keywords],
            members=[usable[int(positions[i])] for i in order],
            typicality=[round(float(closeness[i]), 4) for i in order],
        ))
    method = f"tf-idf + lsa({components}) + k-means(k={k}, silhouette)"
    return themes, unusable, method, scores, k


def _dedupe_terms(terms: list[str]) -> list[str]:
    """Drop a word already shown inside a chosen phrase, and a phrase whose words are both shown."""
    chosen: list[str] = []
    for term in terms:
        parts = term.split(" ")
        if any(term in c.split(" ") for c in chosen):
            continue
        if len(parts) > 1 and all(p in chosen for p in parts):
            continue
        if len(parts) > 1:
            chosen = [c for c in chosen if c not in parts]
        chosen.append(term)
    return chosen
