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
4. Each theme gets its most distinctive terms as label, its share of the classified answers,
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

STOPWORDS_DIR = Path(__file__).resolve().parent / "stopwords"
TOKEN = re.compile(r"[a-z][a-z0-9]+")
# Suffixes removed by the light stemmer, longest first (after diacritics are dropped).
SUFFIXES = (
    "urilor", "ationa", "ations", "iilor", "elor", "ilor", "ului", "urile", "ation", "ating", "ement",
    "ments", "ness", "iile", "ilie", "ing", "ies", "ele", "ile", "uri", "lor", "ul", "ua", "ii", "ea", "ei",
    "le", "ed", "es", "ly", "a", "e", "i", "u", "s",
)
MIN_STEM = 4


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


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    words: set[str] = {fold(w) for w in ENGLISH_STOP_WORDS}
    for path in sorted(STOPWORDS_DIR.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                words.add(fold(line))
    return frozenset(words)


class _Tokeniser:
    """Turns a text into stems and remembers how each stem was written."""

    def __init__(self) -> None:
        self.surface: dict[str, Counter[str]] = {}
        self.stops = stop_words()

    def __call__(self, text: str) -> list[str]:
        written = re.findall(r"[^\W\d_][^\W_]+", text.lower())
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

    def label_for(self, term: str) -> str:
        return " ".join(self.surface[part].most_common(1)[0][0] if part in self.surface else part
                        for part in term.split(" "))


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
                min_answers: int = 6, typical: int = 3, silhouette_sample: int = 2000) -> Analysis:
    """Group `texts` into themes. Returned positions index into `texts`."""
    total = len(texts)
    tokeniser = _Tokeniser()
    token_lists = [tokeniser(t or "") for t in texts]
    usable = [i for i, tokens in enumerate(token_lists) if tokens]
    unusable = [i for i, tokens in enumerate(token_lists) if not tokens]
    if len(usable) < min_answers:
        return Analysis(themes=[], unclassified=list(range(total)), method="too few answers", total=total)

    min_df = 2 if len(usable) >= 20 else 1
    vectoriser = TfidfVectorizer(analyzer=_identity, min_df=min_df, max_df=0.5, sublinear_tf=True,
                                 dtype=np.float32)
    try:
        matrix = vectoriser.fit_transform([token_lists[i] for i in usable])
    except ValueError:  # every term filtered out (e.g. all answers identical)
        return Analysis(themes=[], unclassified=list(range(total)), method="no shared vocabulary", total=total)
    terms = np.asarray(vectoriser.get_feature_names_out())
    has_terms = np.asarray(matrix.getnnz(axis=1)).ravel() > 0
    unusable += [usable[i] for i in np.flatnonzero(~has_terms)]
    usable = [usable[i] for i in np.flatnonzero(has_terms)]
    matrix = sparse.csr_matrix(matrix[has_terms])
    if len(usable) < min_answers:
        return Analysis(themes=[], unclassified=sorted(unusable), method="too few answers", total=total)

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
        # Distinctive: frequent here, rarer elsewhere; phrases only when they beat their words.
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
    themes.sort(key=lambda t: (-len(t.members), t.label))
    del typical  # typical answers are the first members; kept as a parameter for callers' clarity
    method = f"tf-idf + lsa({components}) + k-means(k={k}, silhouette)"
    return Analysis(themes=themes, unclassified=sorted(unusable), method=method, total=total, chosen_k=k,
                    scores=scores)


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
