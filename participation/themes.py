"""Grouping open answers into themes, in the city's languages, offline. Pure: no Django.

Method (deterministic for a given seed):
1. Language: each answer's language is detected with lingua (the `lingua-language-detector` package; its
   models ship inside the package, nothing is downloaded). Romanian, Hungarian, German, Serbian (Cyrillic
   and Latin script) and English are analysed, each on its own; lingua's Serbian model knows Cyrillic
   only, so Latin-script answers it gives to its Croatian or Bosnian models are analysed as Serbian in
   Latin script (the same standard language for this purpose). An answer in another language, in no
   recognisable language, or in a language with too few answers to group is not analysed, and the
   result says which and why (`Analysis.not_analysed`). No language is folded into another.
2. Words: lower case, Serbian Cyrillic written in Latin script, the language's own stop words
   (participation/stopwords/, sources and licences in its README) and its Snowball stemmer
   (`snowballstemmer`); diacritics are dropped after stemming for matching (many people type without
   them). Features are the stems and the pairs of adjacent content words ("bike lanes"), weighted by
   TF-IDF.
3. Themes: latent semantic analysis (truncated SVD), then k-means into many small clusters (about √n),
   merged by average-linkage on cosine distance up to a similarity threshold: the number of themes comes
   from how the answers group, with `max_themes` as a bound only. Answers not close to any theme's
   centre are left out as "no clear theme" rather than forming a catch-all; a theme that still holds more
   than a third of the answers and is looser than the others is split in two.
4. Each theme: its most typical answers (closest to its centre), keywords (its most distinctive stems
   and pairs, as people wrote them) and a label that reads as a phrase: its most representative word
   pair, or its most typical answer when no pair is shared by enough of its answers.
5. Quality figures for staff: coverage (share of answers in a theme) and the silhouette of the themes.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

STOPWORDS_DIR = Path(__file__).resolve().parent / "stopwords"
SUPPORTED = ("ro", "hu", "de", "sr", "en")
LANGUAGE_NAMES = {"ro": "Romanian", "hu": "Hungarian", "de": "German", "sr": "Serbian", "en": "English"}
SNOWBALL = {"ro": "romanian", "hu": "hungarian", "de": "german", "sr": "serbian", "en": "english"}
# Languages lingua also considers: Croatian and Bosnian for Serbian in Latin script, and a few that
# people in Timișoara also write, so that an answer in one of them is named and not forced into ours.
# Each language's models take about 30-45 MB once loaded (measured: 7 languages 313 MB, 13 languages
# 447 MB), so the list stays short; an answer in any other language is "language not recognised".
OTHER_LANGUAGES = ("CROATIAN", "BOSNIAN", "UKRAINIAN", "FRENCH", "ITALIAN", "SPANISH")
MIN_CONFIDENCE = 0.5  # below this lingua's best guess is not trusted
MERGE_SIMILARITY = 0.12  # clusters whose average cosine similarity is above this become one theme
MIN_SIMILARITY = 0.15  # an answer less similar than this to every theme's centre has no clear theme
CYRILLIC_TO_LATIN = dict(zip("абвгдђежзијклљмнњопрстћуфхцчџш",
                             ["a", "b", "v", "g", "d", "đ", "e", "ž", "z", "i", "j", "k", "l", "lj", "m", "n",
                              "nj", "o", "p", "r", "s", "t", "ć", "u", "f", "h", "c", "č", "dž", "š"], strict=True))

# Reasons an answer was not analysed (shown to staff).
EMPTY = "no words"
NOT_RECOGNISED = "language not recognised"
NOT_SUPPORTED = "language not analysed"
TOO_FEW_IN_LANGUAGE = "too few answers in its language"
NO_CONTENT_WORDS = "only stop words"


@dataclass(frozen=True)
class FoundTheme:
    label: str
    keywords: list[str]
    members: list[int]  # positions in the input, most typical first
    typicality: list[float]  # cosine to the theme centre, same order as members
    language: str = ""


@dataclass
class Analysis:
    themes: list[FoundTheme]
    unclassified: list[int]  # every position not in a theme (not analysed, or no clear theme)
    method: str
    total: int
    chosen_k: int = 0
    scores: dict[int, float] = field(default_factory=dict)
    not_analysed: dict[int, str] = field(default_factory=dict)  # position → reason (see the constants)
    not_analysed_languages: dict[int, str] = field(default_factory=dict)  # position → detected language
    languages: dict[str, int] = field(default_factory=dict)  # analysed answers per language
    # Per analysed language: answers, themes, answers without a clear theme, silhouette, LSA dimensions,
    # small clusters before merging, and whether the bound on themes was reached.
    per_language: dict[str, dict[str, Any]] = field(default_factory=dict)
    silhouette: float | None = None  # of the themes, cosine, on a sample of at most 2,000 answers
    parameters: dict[str, Any] = field(default_factory=dict)

    def share(self, theme: FoundTheme) -> float:
        """Share of all answers (classified or not), as in "% of 457 open answers"."""
        return len(theme.members) / self.total if self.total else 0.0

    @property
    def coverage(self) -> float:
        """Share of all answers placed in a theme."""
        return (self.total - len(self.unclassified)) / self.total if self.total else 0.0

    def not_analysed_reason(self, position: int) -> str:
        """Why the answer at `position` was not analysed, with its language where there is one
        ("language not analysed (fr)"); "" when it was analysed."""
        reason = self.not_analysed.get(position, "")
        language = self.not_analysed_languages.get(position)
        return f"{reason} ({language})" if reason and language else reason

    def not_analysed_counts(self) -> dict[str, int]:
        """How many answers were not analysed, per reason (with the language where there is one)."""
        return dict(Counter(self.not_analysed_reason(position) for position in self.not_analysed).most_common())

    def quality(self) -> dict[str, Any]:
        return {"coverage": round(self.coverage, 4), "silhouette": self.silhouette, "themes": len(self.themes),
                "languages": self.languages, "per_language": self.per_language,
                "not_analysed": self.not_analysed_counts(),
                "no_clear_theme": len(self.unclassified) - len(self.not_analysed),
                "largest_share": round(max((self.share(t) for t in self.themes), default=0.0), 4)}


@lru_cache(maxsize=100_000)
def fold(text: str) -> str:
    """Lower case without diacritics; ş/ţ (cedilla) and ș/ț (comma) end up the same."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("đ", "dj")


def to_latin(text: str) -> str:
    """Serbian Cyrillic in Latin script (the standard one-to-one transliteration)."""
    return "".join(CYRILLIC_TO_LATIN.get(ch, ch) for ch in text.lower())


@lru_cache(maxsize=8)
def _stemmer(language: str) -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer(SNOWBALL[language])


@lru_cache(maxsize=100_000)
def stem(word: str, language: str) -> str:
    """The Snowball stem of a lower-case word, without diacritics. Cached: snowballstemmer is pure Python
    (about 0.2 ms a word here) and answers repeat their words."""
    prepared = word.lower().replace("ş", "ș").replace("ţ", "ț")
    if language == "sr":
        prepared = to_latin(prepared)
    return fold(_stemmer(language).stemWord(prepared))


@lru_cache(maxsize=8)
def stop_words(language: str) -> frozenset[str]:
    words = set()
    for line in (STOPWORDS_DIR / f"{language}.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(fold(to_latin(line) if language == "sr" else line))
    return frozenset(words)


@lru_cache(maxsize=2)
def _detector(low_accuracy: bool = False) -> Any:
    from lingua import Language, LanguageDetectorBuilder

    ours = [Language.ROMANIAN, Language.HUNGARIAN, Language.GERMAN, Language.SERBIAN, Language.ENGLISH]
    builder = LanguageDetectorBuilder.from_languages(*ours, *(getattr(Language, name) for name in OTHER_LANGUAGES))
    return (builder.with_low_accuracy_mode() if low_accuracy else builder).build()


LONG_TEXT = 120  # characters from which lingua's fast (trigram-only) mode is tried first
SURE = 0.9  # the fast mode's answer is kept from this confidence; below, the full models decide


def _best(values: Any) -> tuple[str, float]:
    confidence: Counter[str] = Counter()
    for value in values:
        code = value.language.iso_code_639_1.name.lower()
        confidence["sr" if code in {"hr", "bs"} else code] += value.value
    code, best = confidence.most_common(1)[0] if confidence else ("", 0.0)
    return code, round(float(best), 3)


def detect_languages(texts: Sequence[str]) -> list[tuple[str, float]]:
    """(ISO 639-1 code, confidence) of each text; "" when no language is recognised. Serbian in Latin
    script, which lingua gives to its Croatian or Bosnian models, is reported as "sr".

    Long texts are tried first with lingua's fast mode (trigrams only, many times faster and reliable on
    long texts) and kept when it is sure; short ones, and long ones it is unsure of, get the full models."""
    if not texts:
        return []
    found: list[tuple[str, float]] = [("", 0.0)] * len(texts)
    long_ones = [i for i, text in enumerate(texts) if len(text) >= LONG_TEXT]
    if long_ones:
        fast = _detector(low_accuracy=True).compute_language_confidence_values_in_parallel(
            [texts[i] for i in long_ones])
        for i, values in zip(long_ones, fast, strict=True):
            found[i] = _best(values)
    rest = [i for i in range(len(texts)) if found[i][1] < SURE]
    if rest:
        for i, values in zip(rest, _detector().compute_language_confidence_values_in_parallel(
                [texts[i] for i in rest]), strict=True):
            found[i] = _best(values)
    return [(code, best) if best >= MIN_CONFIDENCE or _confirmed_by_stop_words(text, code, best) else ("", best)
            for text, (code, best) in zip(texts, found, strict=True)]


def _confirmed_by_stop_words(text: str, code: str, confidence: float) -> bool:
    """An unsure guess (short answers typed without diacritics) is kept when the answer's function words
    say the same: at least two stop words of that language and more than of any other we analyse."""
    if code not in SUPPORTED or confidence < MIN_CONFIDENCE / 2:
        return False
    words = [fold(w) for w in re.findall(r"[^\W\d_]+", text.lower())]
    hits = {language: sum(w in stop_words(language) for w in words) for language in SUPPORTED}
    return hits[code] >= 2 and all(hits[code] > n for language, n in hits.items() if language != code)


@dataclass
class _Tokens:
    features: list[str]  # stems and "stem stem" pairs
    surface: dict[str, Counter[str]]  # feature → how it was written


def tokenise(text: str, language: str, surface: dict[str, Counter[str]] | None = None) -> list[str]:
    """The features of one answer: content-word stems and pairs of adjacent content words."""
    lowered = text.lower().replace("ş", "ș").replace("ţ", "ț")
    # A pair never spans punctuation: "trees, parking" is two words, not a phrase. A None between
    # clauses keeps them apart.
    written: list[str] = []
    for clause in re.split(CLAUSE_BREAK, lowered):
        written += [*re.findall(r"[^\W\d_]+", clause), ""]
    stops = stop_words(language)
    stems = [_content_stem(word, language, stops) for word in written]
    features = []
    for i, current in enumerate(stems):
        if current is None:
            continue
        features.append(current)
        if surface is not None:
            surface.setdefault(current, Counter())[written[i]] += 1
        following = stems[i + 1] if i + 1 < len(stems) else None
        if following is not None and following != current:
            pair = f"{current} {following}"
            features.append(pair)
            if surface is not None:
                surface.setdefault(pair, Counter())[f"{written[i]} {written[i + 1]}"] += 1
    return features


CLAUSE_BREAK = r"[.,;:!?()\[\]\"„”“«»/\n–—-]+"
SENTENCE_BREAK = r"[.!?\n]+"


def _content_stem(word: str, language: str, stops: frozenset[str]) -> str | None:
    """The stem of a word that carries meaning, or None for a stop word, a short word or a separator."""
    latin = to_latin(word) if language == "sr" else word  # Serbian: both scripts, one vocabulary
    if len(latin) < 3 or fold(latin) in stops:
        return None
    key = stem(latin, language)
    return key if len(key) >= 2 and key not in stops else None


def phrase_label(texts: Sequence[str], members: Sequence[int], language: str, pair: str, needed: int) -> str:
    """The theme's word pair as people wrote it, lengthened into the longest phrase (at most five words,
    starting and ending with a word that carries meaning, stop words allowed inside: "current electoral
    system", "parcarea pe trotuar") that at least `needed` of the theme's answers share. Capitals are kept
    where people wrote them inside a sentence ("Malul Begăi"); diacritics are preferred."""
    first, second = pair.split(" ")
    stops = stop_words(language)
    answers_with: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for position in members:
        seen: set[str] = set()
        for sentence in re.split(SENTENCE_BREAK, texts[position]):
            for clause_number, clause in enumerate(re.split(CLAUSE_BREAK, sentence)):
                words = re.findall(r"[^\W\d_]+", clause.replace("ş", "ș").replace("ţ", "ț"))
                keys = [_content_stem(word.lower(), language, stops) for word in words]
                for at in range(len(words) - 1):
                    if keys[at] != first or keys[at + 1] != second:
                        continue
                    for start in range(max(0, at - 2), at + 1):
                        for end in range(at + 2, min(len(words), at + 4) + 1):
                            if end - start > 5 or keys[start] is None or keys[end - 1] is None:
                                continue
                            phrase = words[start:end]
                            if start == 0 and clause_number == 0 and not clause[:1].isspace():
                                phrase = [phrase[0].lower(), *phrase[1:]]  # a sentence's capital is not a name's
                            written = " ".join(phrase)
                            key = fold(written)
                            if key not in seen:
                                seen.add(key)
                                answers_with[key] += 1
                            forms.setdefault(key, Counter())[written] += 1
    shared = [key for key, n in answers_with.items() if n >= needed]
    if not shared:
        return ""
    best = max(shared, key=lambda key: (len(key.split(" ")), answers_with[key], key))
    return _written(forms, best)


def _written(surface: dict[str, Counter[str]], feature: str) -> str:
    """The most frequent spelling, preferring one with diacritics (many type without them)."""
    forms = surface.get(feature)
    if not forms:
        return feature
    return max(forms.items(), key=lambda item: (item[1] * (2 if not item[0].isascii() else 1), item[0]))[0]


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def find_themes(texts: Sequence[str], *, max_themes: int = 12, seed: int = 0, min_answers: int = 6,
                silhouette_sample: int = 2000, threads: int = 1, min_themes: int = 1,
                languages: Sequence[tuple[str, float]] | None = None) -> Analysis:
    """Group `texts` into themes. Returned positions index into `texts`.

    `max_themes` bounds the number of themes per language; the data choose how many below it.
    `languages` may carry already detected languages (one (code, confidence) per text).
    `threads` caps the BLAS/OpenMP threads: on a shared 2-core server one thread is many times faster
    than letting k-means spin a thread per core against the web workers (measured in bench/themes.py).
    """
    with threadpool_limits(limits=threads):
        return _find_themes(list(texts), max_themes=max_themes, seed=seed, min_answers=min_answers,
                            silhouette_sample=silhouette_sample, min_themes=min_themes, languages=languages)


def _find_themes(texts: list[str], *, max_themes: int, seed: int, min_answers: int, silhouette_sample: int,
                 min_themes: int, languages: Sequence[tuple[str, float]] | None) -> Analysis:
    total = len(texts)
    parameters: dict[str, Any] = {"max_themes": max_themes, "merge_similarity": MERGE_SIMILARITY,
                                  "min_similarity": MIN_SIMILARITY, "min_language_confidence": MIN_CONFIDENCE,
                                  "min_answers": min_answers, "seed": seed}
    not_analysed: dict[int, str] = {}
    other_language: dict[int, str] = {}
    with_words = [i for i, t in enumerate(texts) if re.search(r"[^\W\d_]{2,}", t or "")]
    for i in set(range(total)) - set(with_words):
        not_analysed[i] = EMPTY
    detected = list(languages) if languages is not None else [("", 0.0)] * total
    if languages is None and with_words:
        for i, language_found in zip(with_words, detect_languages([texts[i] for i in with_words]), strict=True):
            detected[i] = language_found
    by_language: dict[str, list[int]] = {}
    for i in with_words:
        code = detected[i][0]
        if code in SUPPORTED:
            by_language.setdefault(code, []).append(i)
        elif code:
            not_analysed[i], other_language[i] = NOT_SUPPORTED, code
        else:
            not_analysed[i] = NOT_RECOGNISED

    themes: list[FoundTheme] = []
    methods: list[str] = []
    counted: dict[str, int] = {}
    per_language: dict[str, dict[str, Any]] = {}
    silhouettes: list[tuple[float, int]] = []
    for language in sorted(by_language, key=lambda code: (-len(by_language[code]), code)):
        members = by_language[language]
        if len(members) < min_answers:
            for i in members:
                not_analysed[i], other_language[i] = TOO_FEW_IN_LANGUAGE, language
            continue
        found, no_content, method, silhouette, stats = _themes_of_language(
            texts, members, language, max_themes=max_themes, min_themes=min_themes, seed=seed,
            min_answers=min_answers, silhouette_sample=silhouette_sample)
        for i in no_content:
            not_analysed[i] = NO_CONTENT_WORDS
        counted[language] = len(members) - len(no_content)
        if stats:
            per_language[language] = {"answers": counted[language], **stats}
        themes += found
        methods.append(f"{language}: {method}")
        if silhouette is not None:
            silhouettes.append((silhouette, sum(len(t.members) for t in found)))
    themes.sort(key=lambda t: (-len(t.members), t.label))
    placed = {i for t in themes for i in t.members}
    weight = sum(n for _s, n in silhouettes)
    silhouette = round(sum(s * n for s, n in silhouettes) / weight, 4) if weight else None
    method = "; ".join(methods) if methods else ("too few answers" if len(with_words) < min_answers
                                                 else "no language with enough answers")
    return Analysis(themes=themes, unclassified=sorted(set(range(total)) - placed), method=method, total=total,
                    chosen_k=len(themes), not_analysed=dict(sorted(not_analysed.items())),
                    not_analysed_languages=other_language, languages=counted, per_language=per_language,
                    silhouette=silhouette,
                    parameters=parameters)


def _themes_of_language(texts: list[str], members: list[int], language: str, *, max_themes: int,
                        min_themes: int, seed: int, min_answers: int, silhouette_sample: int,
                        ) -> tuple[list[FoundTheme], list[int], str, float | None, dict[str, Any]]:
    """(themes, answers with only stop words, method, silhouette, figures for staff) for one language's
    answers."""
    surface: dict[str, Counter[str]] = {}
    features = {i: tokenise(texts[i], language, surface) for i in members}
    no_content = [i for i in members if not features[i]]
    usable = [i for i in members if features[i]]
    name = LANGUAGE_NAMES[language]
    if len(usable) < min_answers:
        return [], no_content + usable if len(usable) else no_content, f"{name}: too few answers", None, {}
    vectoriser = TfidfVectorizer(analyzer=_identity, min_df=2 if len(usable) >= 20 else 1, max_df=0.5,
                                 sublinear_tf=True, dtype=np.float32)
    try:
        matrix = sparse.csr_matrix(vectoriser.fit_transform([features[i] for i in usable]))
    except ValueError:  # every feature filtered out (e.g. all answers identical)
        return [], no_content + usable, f"{name}: no shared vocabulary", None, {}
    terms = np.asarray(vectoriser.get_feature_names_out())
    has_terms = np.asarray(matrix.getnnz(axis=1)).ravel() > 0
    no_content += [usable[i] for i in np.flatnonzero(~has_terms)]
    usable = [usable[i] for i in np.flatnonzero(has_terms)]
    matrix = sparse.csr_matrix(matrix[has_terms])
    if len(usable) < min_answers:
        return [], no_content + usable, f"{name}: too few answers", None, {}

    components = min(100, matrix.shape[1] - 1, len(usable) - 1)
    if components >= 2:
        vectors = normalize(TruncatedSVD(n_components=components, random_state=seed).fit_transform(matrix))
    else:
        vectors = normalize(matrix.toarray())
    labels, merged_from = _cluster(vectors, max_themes, min_themes, seed)
    labels = _split_catch_all(vectors, labels, max_themes, seed)

    themes: list[FoundTheme] = []
    overall = np.asarray(matrix.mean(axis=0)).ravel()
    document_frequency = np.asarray((matrix > 0).sum(axis=0)).ravel()
    for cluster in sorted(set(labels.tolist()) - {-1}):
        positions = np.flatnonzero(labels == cluster)
        centre = vectors[positions].mean(axis=0)
        closeness = vectors[positions] @ (centre / (float(np.linalg.norm(centre)) or 1.0))
        order = np.argsort(-closeness, kind="stable")
        theme_members = [usable[int(positions[i])] for i in order]
        in_cluster = np.asarray(matrix[positions].mean(axis=0)).ravel()
        in_cluster_df = np.asarray((matrix[positions] > 0).sum(axis=0)).ravel()
        distinct = in_cluster - overall  # frequent here, rarer elsewhere
        ranked = [int(j) for j in np.argsort(-distinct, kind="stable")[:30] if distinct[j] > 0]
        keywords = _dedupe_terms([str(terms[j]) for j in ranked])[:5]
        # A pair shared by enough of the theme's answers reads as a phrase; else the most typical answer.
        needed = max(2, int(np.ceil(0.15 * len(positions))))
        pairs = [j for j in ranked if " " in terms[j] and in_cluster_df[j] >= needed and document_frequency[j] >= 2]
        label = (phrase_label(texts, theme_members, language, str(terms[pairs[0]]), needed)
                 or _written(surface, str(terms[pairs[0]]))) if pairs else _shorten(texts[theme_members[0]])
        themes.append(FoundTheme(
            label=label[:1].upper() + label[1:], keywords=[_written(surface, k) for k in keywords],
            members=theme_members, typicality=[round(float(closeness[i]), 4) for i in order], language=language))
    no_theme = int((labels == -1).sum())
    classified = labels >= 0
    silhouette = None
    if len(set(labels[classified].tolist())) >= 2:
        rng = np.random.default_rng(seed)
        index = np.flatnonzero(classified)
        if index.size > silhouette_sample:
            index = rng.choice(index, size=silhouette_sample, replace=False)
        if len(set(labels[index].tolist())) >= 2:
            silhouette = round(float(silhouette_score(vectors[index], labels[index], metric="cosine")), 4)
    method = (f"{name}: Snowball stems + word pairs, tf-idf, lsa({components}), k-means({merged_from}) merged at "
              f"cosine ≥ {MERGE_SIMILARITY} → {len(themes)} themes, {no_theme} answers without a clear theme")
    stats = {"themes": len(themes), "no_clear_theme": no_theme, "silhouette": silhouette,
             "dimensions": components, "small_clusters": merged_from, "bound_reached": len(themes) >= max_themes}
    return themes, no_content, method, silhouette, stats


def _cluster(vectors: np.ndarray, max_themes: int, min_themes: int, seed: int) -> tuple[np.ndarray, int]:
    """Many small k-means clusters merged by average linkage on cosine distance: (theme of each answer,
    −1 for no clear theme; how many small clusters were merged)."""
    n = vectors.shape[0]
    small = int(max(2, min(n // 3, max(2 * max_themes, round(np.sqrt(n) * 1.5)))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # duplicate answers: fewer distinct clusters
        kmeans = KMeans(n_clusters=small, random_state=seed, n_init=3).fit(vectors)
    centres = normalize(kmeans.cluster_centers_)
    if small >= 2:
        merge = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                        distance_threshold=1 - MERGE_SIMILARITY).fit(centres)
        groups = np.asarray(merge.labels_)
        if len(set(groups.tolist())) > max_themes:
            groups = np.asarray(AgglomerativeClustering(n_clusters=max_themes, metric="cosine",
                                                        linkage="average").fit(centres).labels_)
        elif len(set(groups.tolist())) < min_themes <= small:
            groups = np.asarray(AgglomerativeClustering(n_clusters=min_themes, metric="cosine",
                                                        linkage="average").fit(centres).labels_)
    else:
        groups = np.zeros(small, dtype=int)
    labels = groups[np.asarray(kmeans.labels_)]
    return _assign(vectors, labels), small


def _assign(vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each answer to the nearest theme centre, or −1 when it is not close to any; themes renumbered."""
    kept = sorted(set(labels.tolist()) - {-1})
    if not kept:
        return np.full(vectors.shape[0], -1)
    centres = normalize(np.vstack([vectors[labels == g].mean(axis=0) for g in kept]))
    similarity = vectors @ centres.T
    best = similarity.argmax(axis=1)
    assigned = np.where(similarity[np.arange(len(best)), best] >= MIN_SIMILARITY, best, -1)
    # A theme of a single answer is no theme.
    sizes = np.bincount(assigned[assigned >= 0], minlength=len(kept))
    assigned = np.where((assigned >= 0) & (sizes[np.maximum(assigned, 0)] < 2), -1, assigned)
    remaining = sorted(set(assigned.tolist()) - {-1})
    renumber = {old: new for new, old in enumerate(remaining)}
    return np.array([renumber.get(int(a), -1) for a in assigned])


def _split_catch_all(vectors: np.ndarray, labels: np.ndarray, max_themes: int, seed: int) -> np.ndarray:
    """Split a theme holding more than a third of the answers when it is looser than the others: a
    catch-all collects answers that share little; a real majority topic is as tight as the rest."""
    for _round in range(max_themes):
        themes = sorted(set(labels.tolist()) - {-1})
        if len(themes) >= max_themes or not themes:
            return labels
        sizes = {g: int((labels == g).sum()) for g in themes}
        largest = max(themes, key=lambda g: sizes[g])
        if sizes[largest] * 3 <= int((labels >= 0).sum()) or sizes[largest] < 10:
            return labels

        others = [_tightness(vectors[labels == g]) for g in themes if g != largest]
        if others and _tightness(vectors[labels == largest]) >= float(np.median(others)):
            return labels
        inside = np.flatnonzero(labels == largest)
        halves = KMeans(n_clusters=2, random_state=seed, n_init=3).fit_predict(vectors[inside])
        if min(np.bincount(halves)) < 2:
            return labels
        labels = labels.copy()
        labels[inside[halves == 1]] = max(themes) + 1
        labels = _assign(vectors, labels)
    return labels


def _tightness(members: np.ndarray) -> float:
    """Mean cosine of a theme's answers to its centre."""
    centre = members.mean(axis=0)
    return float((members @ (centre / (np.linalg.norm(centre) or 1.0))).mean())


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def _dedupe_terms(terms: list[str]) -> list[str]:
    """Drop a word already shown inside a chosen pair, and a pair whose words are both shown."""
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
