"""Benchmark of the Polis-style opinion map (participation/opinion.py) on the real Polis conversations
in tests/data/polis: seconds to build the map from the latest votes, and agreement (adjusted Rand index)
of our opinion groups with the groups Polis itself exported.

Run from the repository root:  .venv/bin/python bench/opinion_map.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    from sklearn.metrics import adjusted_rand_score

    from participation.opinion import build_map, latest_votes
    from tests.participation import polis_data

    print("| conversation | votes | participants on the map | our groups | Polis groups | ARI | consensus | seconds |")
    print("|---|---:|---:|---|---:|---:|---:|---:|")
    for name in polis_data.CONVERSATIONS:
        conversation = polis_data.load(name)
        rows, polis = conversation.votes, conversation.polis_groups
        started = time.perf_counter()
        opinion_map = build_map(latest_votes(rows))
        seconds = time.perf_counter() - started
        ours = opinion_map.group_of()
        common = [p for p in ours if p in polis]
        ari = adjusted_rand_score([polis[p] for p in common], [ours[p] for p in common]) if common else float("nan")
        print(f"| {name} | {len(rows):,} | {len(opinion_map.participants):,} | "
              f"{'/'.join(str(len(g.members)) for g in opinion_map.groups)} | {len(set(polis.values()))} | "
              f"{ari:.2f} | {len(opinion_map.consensus)} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
