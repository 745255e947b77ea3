"""Benchmark of the open-answer theme analysis (participation/themes.py).

Measures wall-clock seconds and peak memory of `find_themes` on 1,000 and 20,000 open answers.
The answers are realistic and made before the clock starts: real citizen comments from the Polis
conversations in tests/data/polis (English, CC BY 4.0) mixed with Romanian answers on city topics
(tests/participation/romanian_answers.py), each lightly varied (words dropped, order of clauses,
spelling with or without diacritics) so that no two sizes are just copies.

Each size runs in its own process so the peak resident memory (ru_maxrss) belongs to that size only;
tracemalloc's peak (Python and NumPy allocations) is reported too.

Run from the repository root:

    .venv/bin/python bench/themes.py                 # 1,000 and 20,000 answers
    .venv/bin/python bench/themes.py --sizes 5000    # other sizes
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

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


def measure(size: int) -> dict[str, object]:
    from participation.themes import find_themes

    texts = make_answers(size)
    tracemalloc.start()
    started = time.perf_counter()
    analysis = find_themes(texts)
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "answers": size, "seconds": round(seconds, 2), "tracemalloc_peak_mb": round(peak / 2**20, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "themes": len(analysis.themes), "unclassified": len(analysis.unclassified), "method": analysis.method,
        "largest_theme": analysis.themes[0].label if analysis.themes else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 20000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one size in this process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    print(f"# Theme analysis benchmark — Python {platform.python_version()}, {platform.machine()}, "
          f"{platform.processor() or 'cpu'}")
    print("| answers | seconds | peak memory (tracemalloc) | peak RSS of the process | themes | unclassified |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        run = subprocess.run([sys.executable, __file__, "--one", str(size)], capture_output=True, text=True,
                             check=True)
        row = json.loads(run.stdout.strip().splitlines()[-1])
        print(f"| {row['answers']:,} | {row['seconds']} | {row['tracemalloc_peak_mb']} MB | {row['max_rss_mb']} MB "
              f"| {row['themes']} | {row['unclassified']} |")
        print(f"<!-- {row['method']}; largest theme: {row['largest_theme']} -->")


if __name__ == "__main__":
    main()
