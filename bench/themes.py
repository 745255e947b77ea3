"""Benchmark of the open-answer theme analysis (participation/themes.py), side by side with TF-IDF + NMF.

1. Quality on real and realistic answers: the English comments of the Polis conversations in
   tests/data/polis (CC BY 4.0; vtaiwan.uberx is in Chinese and shows what is reported as not analysed),
   the Romanian answers of tests/participation/romanian_answers.py and the five-language answers of
   tests/participation/multilingual_answers.py. For each language's answers, ours against NMF (scikit-learn)
   on the same TF-IDF features with the same number of themes (each answer to its strongest component):
   - coherence: mean NPMI of each theme's ten strongest features over the answers (−1..1, higher = the
     theme's words really occur together),
   - balance: the largest theme's share of the answers placed, and the normalised entropy of theme sizes
     (1 = all themes the same size),
   - coverage: share of the answers placed in a theme,
   - seconds: language detection (lingua, once per answer set), then our clustering and NMF on the same
     answers (NMF gets the features already built; ours builds them).
2. Time and memory of `find_themes` on 1,000 and 20,000 answers (real comments and Romanian answers,
   lightly varied), each size in its own process, with NMF at the same k on the same features. Time
   first (language detection, then our clustering), then a second pass under tracemalloc for the peak
   memory (tracemalloc slows Python code several times, so that pass is not timed).

Run from the repository root:

    .venv/bin/python bench/themes.py                 # quality, then 1,000 and 20,000 answers
    .venv/bin/python bench/themes.py --sizes 5000    # other sizes
    .venv/bin/python bench/themes.py --sizes         # quality only
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def corpus() -> list[str]:
    from tests.participation.polis_data import CONVERSATIONS, visible_comments
    from tests.participation.romanian_answers import answers, strip_diacritics

    texts = []
    for name in sorted(CONVERSATIONS):
        texts += visible_comments(name)
    romanian = [text for _topic, text in answers()]
    texts += romanian + [strip_diacritics(t) for t in romanian]
    return [t for t in texts if t.strip()]


def make_answers(size: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    base = corpus()
    out = []
    for _ in range(size):
        words = rng.choice(base).split()
        if len(words) > 6 and rng.random() < 0.5:
            del words[rng.randrange(len(words))]
        if len(words) > 8 and rng.random() < 0.3:
            cut = rng.randrange(2, len(words) - 2)
            words = words[cut:] + words[:cut]
        out.append(" ".join(words))
    return out


# --- Quality measures ---------------------------------------------------------------------------


def features(texts: list[str], language: str) -> tuple[Any, Any]:
    """The same TF-IDF matrix our analysis builds (stems and word pairs), and its feature names."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from participation.themes import tokenise

    vectoriser = TfidfVectorizer(analyzer=lambda tokens: tokens, min_df=2 if len(texts) >= 20 else 1, max_df=0.5,
                                 sublinear_tf=True, dtype=np.float32)
    matrix = vectoriser.fit_transform([tokenise(t, language) for t in texts])
    return matrix.tocsr(), vectoriser.get_feature_names_out()


def npmi_coherence(matrix: Any, groups: list[list[int]], top: int = 10) -> float:
    """Mean NPMI of each group's `top` strongest features (by mean TF-IDF in the group)."""
    import numpy as np

    present = (matrix > 0).astype(np.float64).tocsc()
    n = matrix.shape[0]
    scores = []
    for members in groups:
        if len(members) < 2:
            continue
        strength = np.asarray(matrix[members].mean(axis=0)).ravel()
        best = [int(j) for j in np.argsort(-strength)[:top] if strength[j] > 0]
        pairs = []
        for a in range(len(best)):
            for b in range(a + 1, len(best)):
                p_a = present[:, best[a]].sum() / n
                p_b = present[:, best[b]].sum() / n
                p_ab = present[:, best[a]].multiply(present[:, best[b]]).sum() / n
                if p_ab == 0:
                    pairs.append(-1.0)
                elif p_ab == 1:
                    pairs.append(1.0)
                else:
                    pairs.append(math.log(p_ab / (p_a * p_b)) / -math.log(p_ab))
        if pairs:
            scores.append(sum(pairs) / len(pairs))
    return sum(scores) / len(scores) if scores else float("nan")


def balance(groups: list[list[int]]) -> tuple[float, float]:
    sizes = [len(g) for g in groups if g]
    total = sum(sizes)
    if not total:
        return float("nan"), float("nan")
    entropy = -sum(s / total * math.log(s / total) for s in sizes)
    return max(sizes) / total, entropy / math.log(len(sizes)) if len(sizes) > 1 else 1.0


def nmf_groups(matrix: Any, k: int, seed: int = 0) -> list[list[int]]:
    import numpy as np
    from sklearn.decomposition import NMF

    weights = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=400).fit_transform(matrix)
    strongest = weights.argmax(axis=1)
    placed = weights.max(axis=1) > 0
    return [[int(i) for i in np.flatnonzero((strongest == g) & placed)] for g in range(k)]


def quality_rows() -> None:
    from participation.themes import LANGUAGE_NAMES, find_themes
    from tests.participation.multilingual_answers import ANSWERS, language_answers
    from tests.participation.polis_data import CONVERSATIONS, accepted_comments
    from tests.participation.romanian_answers import answers

    sets: list[tuple[str, list[str]]] = [(name, accepted_comments(name)) for name in CONVERSATIONS]
    sets.append(("polis, all English comments", [t for name in CONVERSATIONS for t in accepted_comments(name)]))
    sets.append(("romanian_answers.py", [text for _topic, text in answers()]))
    sets.append(("multilingual_answers.py", [t for lang in ANSWERS for _topic, t in language_answers(lang)]))
    print("## Quality: ours vs TF-IDF + NMF at the same number of themes, per language\n")
    print("| answers | language (analysed) | not analysed | themes (ours = NMF k) | coherence ours / NMF | "
          "largest share ours / NMF | evenness ours / NMF | coverage ours / NMF | s detection / ours / NMF |")
    print("|---|---|---|---:|---|---|---|---|---|")
    from participation.themes import detect_languages

    find_themes(["warm-up: loads the language models once"] * 1)
    for name, texts in sets:
        started = time.perf_counter()
        detected = detect_languages(texts)
        detection_seconds = time.perf_counter() - started
        started = time.perf_counter()
        analysis = find_themes(texts, languages=detected)
        our_seconds = time.perf_counter() - started
        not_analysed = ", ".join(f"{reason}: {n}" for reason, n in analysis.not_analysed_counts().items()) or "—"
        if not analysis.languages:
            print(f"| {name} ({len(texts)}) | — | {not_analysed} | 0 | — | — | — | 0 / — | "
                  f"{detection_seconds:.2f} / {our_seconds:.2f} / — |")
        for language, count in sorted(analysis.languages.items(), key=lambda item: -item[1]):
            positions = [i for i, (code, _c) in enumerate(detected) if code == language]
            index = {p: j for j, p in enumerate(positions)}
            matrix, _names = features([texts[p] for p in positions], language)
            ours = [[index[i] for i in t.members] for t in analysis.themes if t.language == language]
            k = len(ours)
            if k < 2:
                print(f"| {name} ({len(texts)}) | {LANGUAGE_NAMES[language]} ({count}) | {not_analysed} | {k} | "
                      f"— | — | — | — | — |")
                continue
            started = time.perf_counter()
            nmf = nmf_groups(matrix, k)
            nmf_seconds = time.perf_counter() - started
            our_largest, our_even = balance(ours)
            nmf_largest, nmf_even = balance(nmf)
            our_cover = sum(map(len, ours)) / len(positions)
            nmf_cover = sum(map(len, nmf)) / len(positions)
            print(f"| {name} ({len(texts)}) | {LANGUAGE_NAMES[language]} ({count}) | {not_analysed} | {k} | "
                  f"{npmi_coherence(matrix, ours):.3f} / {npmi_coherence(matrix, nmf):.3f} | "
                  f"{our_largest:.2f} / {nmf_largest:.2f} | {our_even:.2f} / {nmf_even:.2f} | "
                  f"{our_cover:.2f} / {nmf_cover:.2f} | {detection_seconds:.2f} / {our_seconds:.2f} / "
                  f"{nmf_seconds:.2f} |")
        labels = "; ".join(f"{t.label} ({len(t.members)})" for t in analysis.themes[:6])
        print(f"|  | labels (largest first): {labels} | | | | | | | |")


# --- Sizes --------------------------------------------------------------------------------------


def measure(size: int) -> dict[str, object]:
    from participation.themes import detect_languages, find_themes

    texts = make_answers(size)
    detect_languages(["warm-up: loads the language models once"])
    started = time.perf_counter()
    detected = detect_languages(texts)
    detection_seconds = time.perf_counter() - started
    analysis = find_themes(texts, languages=detected)
    seconds = time.perf_counter() - started
    # Memory in a second pass: tracemalloc slows Python code several times, so it is not timed.
    from participation.themes import fold, stem

    stem.cache_clear()
    fold.cache_clear()
    tracemalloc.start()
    find_themes(texts, languages=detected)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # NMF at the same k on the same features of the largest language, for the time ratio.
    language = max(analysis.languages, key=lambda code: analysis.languages[code]) if analysis.languages else ""
    nmf_seconds = float("nan")
    if language:
        positions = [i for t in analysis.themes if t.language == language for i in t.members]
        k = sum(1 for t in analysis.themes if t.language == language)
        matrix, _names = features([texts[i] for i in sorted(positions)], language)
        started = time.perf_counter()
        nmf_groups(matrix, max(k, 2))
        nmf_seconds = time.perf_counter() - started
    largest = max((len(t.members) for t in analysis.themes), default=0)
    return {
        "answers": size, "seconds": round(seconds, 2), "detection_seconds": round(detection_seconds, 2),
        "bound_reached": sorted(code for code, row in analysis.per_language.items() if row["bound_reached"]),
        "tracemalloc_peak_mb": round(peak / 2**20, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "themes": len(analysis.themes), "unclassified": len(analysis.unclassified),
        "not_analysed": analysis.not_analysed_counts(), "languages": analysis.languages,
        "largest_share": round(largest / size, 3), "coverage": round(analysis.coverage, 3),
        "nmf_seconds": round(nmf_seconds, 2), "method": analysis.method,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 20000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one size in this process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    print(f"# Theme analysis benchmark — Python {platform.python_version()}, {platform.machine()}\n")
    quality_rows()
    if not args.sizes:
        return
    print("\n## Sizes (one process each; ours includes language detection)\n")
    print("| answers | seconds ours (of which language detection) | seconds NMF (same k, largest language) | "
          "peak memory (tracemalloc) | peak RSS | themes | bound reached in | coverage | largest theme share | "
          "not analysed |")
    print("|---:|---:|---:|---:|---:|---:|---|---:|---:|---|")
    for size in args.sizes:
        run = subprocess.run([sys.executable, __file__, "--one", str(size)], capture_output=True, text=True,
                             check=True)
        row = json.loads(run.stdout.strip().splitlines()[-1])
        not_analysed = Counter(row["not_analysed"])
        print(f"| {row['answers']:,} | {row['seconds']} ({row['detection_seconds']}) | {row['nmf_seconds']} | "
              f"{row['tracemalloc_peak_mb']} MB | {row['max_rss_mb']} MB | {row['themes']} | "
              f"{', '.join(row['bound_reached']) or '—'} | {row['coverage']:.0%} | {row['largest_share']:.0%} | "
              f"{', '.join(f'{k}: {v}' for k, v in not_analysed.most_common(4))} |")


if __name__ == "__main__":
    main()
