"""Benchmark of the Polis-style opinion map (participation/opinion.py), side by side with red-dwarf
(polis-community's re-implementation of the Polis pipeline, the `red-dwarf` package from PyPI, installed
by requirements-dev.txt as this bench's peer).

1. The six real Polis conversations in tests/data/polis (CC BY 4.0, The Computational Democracy
   Project): agreement (adjusted Rand index) of each pipeline's opinion groups with the groups Polis
   itself exported (participants-votes.csv, group-id), on the participants both place, and seconds.
   Both get the same latest votes and the same moderated-out statements. Then the spread over starts:
   min / median / max ARI over 10 seeds of ours (`build_map(seed=…)`) and of red-dwarf (`random_state`,
   which does not reach its k-means start, and k-means++ starts passed as its `init_centers`).
2. Scale: 20,000 participants × 2,000 statements with 5 % of the cells voted (2 million votes, three
   camps), each pipeline in its own process so that its peak memory is its own. The input is made
   before the clock starts, in the form each pipeline takes: ours columns of integers (what the
   database gives), red-dwarf a list of vote dicts (its only input form). Wall-clock seconds and the
   process's CPU seconds (one thread each; on a shared machine the wall clock also counts waiting).

3. `--replay 20 50 100`: why no computation from the export can be expected to reproduce Polis's groups.
   Each conversation is replayed in time order in N updates of equal vote counts, each update warm-started
   from the previous one (k-means from the previous update's base and group centres, PCA axes kept in the
   previous orientation, k-smoothing carried), the way Polis's live computation runs. The export has the
   votes' times but not the times of Polis's updates; the table shows how much the groups depend on them.
   Not the platform's method (it computes each map from scratch, `build_map`): an experiment.

Run from the repository root:  .venv/bin/python bench/opinion_map.py
                               .venv/bin/python bench/opinion_map.py --skip-scale
                               .venv/bin/python bench/opinion_map.py --skip-scale --conversation vtaiwan.uberx
                               .venv/bin/python bench/opinion_map.py --skip-scale --starts 0 --replay 20 50 100
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SCALE = {"participants": 20_000, "statements": 2_000, "share": 0.05}


def reddwarf_available() -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its pydantic models warn on import
            import reddwarf.implementations.base  # noqa: F401
    except ImportError:
        return False
    return True


def run_reddwarf(votes: dict[tuple[str, int], int], moderated_out: list[int], random_state: int = 0,
                 init_centers: list[list[float]] | None = None) -> tuple[dict[str, int], float, Any]:
    from reddwarf.implementations.base import run_pipeline

    rows = [{"participant_id": p, "statement_id": s, "vote": v, "modified": 0} for (p, s), v in votes.items()]
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_pipeline(votes=rows, mod_out_statement_ids=moderated_out, random_state=random_state,
                              init_centers=init_centers)
    seconds = time.perf_counter() - started
    labels = result.participants_df["cluster_id"].dropna()
    return {str(p): int(g) for p, g in labels.items()}, seconds, result


def reddwarf_starts(result: Any, seed: int) -> list[list[float]]:
    """k-means++ starts (5 centres; red-dwarf uses the first k for k groups) on red-dwarf's own positions of
    the participants it clusters: red-dwarf's `init_centers` is how it takes other starts (its `random_state`
    does not reach its k-means, whose start is always the lexicographically first distinct points)."""
    import numpy as np
    from sklearn.cluster import kmeans_plusplus

    frame = result.participants_df
    points = frame.loc[frame["to_cluster"], ["x", "y"]].to_numpy(dtype=float)
    centres, _index = kmeans_plusplus(points, n_clusters=5, random_state=seed)
    return np.asarray(centres).tolist()  # type: ignore[no-any-return]


def ari(reference: dict[str, str], found: dict[str, int]) -> tuple[float, int]:
    from sklearn.metrics import adjusted_rand_score

    common = [p for p in found if p in reference]
    if not common:
        return float("nan"), 0
    return float(adjusted_rand_score([reference[p] for p in common], [found[p] for p in common])), len(common)


def moved(reference: dict[str, str], found: dict[str, int]) -> int:
    """Participants (placed by both) outside Polis's group under the best one-to-one matching of groups."""
    from scipy.optimize import linear_sum_assignment

    common = [p for p in found if p in reference]
    ours, theirs = sorted({found[p] for p in common}), sorted({reference[p] for p in common})
    table = [[sum(1 for p in common if found[p] == a and reference[p] == b) for b in theirs] for a in ours]
    rows, columns = linear_sum_assignment(table, maximize=True)
    return len(common) - sum(table[r][c] for r, c in zip(rows, columns, strict=True))


def objective(opinion_map: Any, partitions: list[dict[str, Any]]) -> list[str]:
    """Each partition's within-group sum of squares (the k-means objective) on our map's positions, over the
    participants every partition places, with its number of groups: which grouping is the tighter one."""
    import numpy as np

    position = dict(zip(opinion_map.participants, opinion_map.coordinates, strict=True))
    common = [p for p in opinion_map.participants if all(p in partition for partition in partitions)]
    points = np.array([position[p] for p in common])
    cells = []
    for partition in partitions:
        labels = [partition[p] for p in common]
        total = 0.0
        for group in set(labels):
            members = points[[label == group for label in labels]]
            total += float(((members - members.mean(axis=0)) ** 2).sum())
        cells.append(f"{total:,.1f} ({len(set(labels))})")
    return cells


def spread(values: list[float]) -> str:
    ordered = sorted(values)
    middle = (ordered[(len(ordered) - 1) // 2] + ordered[len(ordered) // 2]) / 2
    return f"{ordered[0]:.3f} / {middle:.3f} / {ordered[-1]:.3f}"


def conversations(starts: int, only: list[str]) -> None:
    from participation.opinion import build_map, latest_votes
    from tests.participation import polis_data

    peer = reddwarf_available()
    print("## Six real Polis conversations: agreement with Polis's own groups (adjusted Rand index)\n")
    print("Default run (seed 0) of each pipeline; *moved* = participants outside Polis's group under the best "
          "matching of groups.\n")
    print("| conversation | votes | on the map | Polis groups | our groups | our ARI (moved) | "
          "our silhouette (k tried) | red-dwarf groups | red-dwarf ARI (moved) | our s | red-dwarf s | "
          "red-dwarf s ÷ our s |")
    print("|---|---:|---:|---:|---|---:|---|---|---:|---:|---:|---:|")
    ours_all, theirs_all = [], []
    spreads: list[str] = []
    objectives: list[str] = []
    for name in only or polis_data.CONVERSATIONS:
        conversation = polis_data.load(name)
        votes = latest_votes(conversation.votes)
        moderated = sorted(conversation.moderated_out)
        started = time.perf_counter()
        opinion_map = build_map(votes, moderated_out=moderated)
        seconds = time.perf_counter() - started
        ours = opinion_map.group_of()
        our_ari, _n = ari(conversation.polis_groups, ours)
        ours_all.append(our_ari)
        sizes = "/".join(str(len(g.members)) for g in opinion_map.groups)
        tried = ", ".join(f"{k}: {s:.2f}" for k, s in opinion_map.silhouettes.items())
        our_seeds = [ari(conversation.polis_groups, build_map(votes, moderated_out=moderated, seed=seed).group_of())[0]
                     for seed in range(starts)]
        row = f"| {name} | {spread(our_seeds)} |"
        if peer:
            theirs, their_seconds, result = run_reddwarf(votes, moderated)
            their_ari, _m = ari(conversation.polis_groups, theirs)
            theirs_all.append(their_ari)
            counts: dict[int, int] = {}
            for group in theirs.values():
                counts[group] = counts.get(group, 0) + 1
            their_sizes = "/".join(str(n) for n in sorted(counts.values(), reverse=True))
            peer_cells = f"{their_sizes} | {their_ari:.3f} ({moved(conversation.polis_groups, theirs)}) | " \
                         f"{seconds:.2f} | {their_seconds:.2f} | {their_seconds / seconds:.1f}×"
            by_state = [ari(conversation.polis_groups, run_reddwarf(votes, moderated, random_state=seed)[0])[0]
                        for seed in range(starts)]
            by_start = [ari(conversation.polis_groups,
                            run_reddwarf(votes, moderated, init_centers=reddwarf_starts(result, seed))[0])[0]
                        for seed in range(starts)]
            row += f" {spread(by_state)} | {spread(by_start)} |"
            objectives.append(f"| {name} | " + " | ".join(objective(opinion_map, [conversation.polis_groups, ours,
                                                                                theirs])) + " |")
        else:
            peer_cells = f"— | — | {seconds:.2f} | — | —"
            row += " — | — |"
        spreads.append(row)
        print(f"| {name} | {len(votes):,} | {len(opinion_map.participants):,} | "
              f"{len(set(conversation.polis_groups.values()))} | {sizes} | {our_ari:.3f} "
              f"({moved(conversation.polis_groups, ours)}) | {tried} | {peer_cells} |", flush=True)
    mean_ours = sum(ours_all) / len(ours_all)
    line = f"\nMean ARI: ours {mean_ours:.3f}"
    if theirs_all:
        mean_theirs = sum(theirs_all) / len(theirs_all)
        wins = sum(o >= t - 1e-9 for o, t in zip(ours_all, theirs_all, strict=True))
        line += f", red-dwarf {mean_theirs:.3f}; ours at least red-dwarf's on {wins} of {len(ours_all)}"
    else:
        line += " (red-dwarf is not installed: `pip install -r requirements-dev.txt`)"
    print(line)
    print(f"\n### Spread over starts: ARI min / median / max over {starts} seeds\n")
    print(f"Ours: `build_map(seed=0 … {starts - 1})` (the seed draws the k-means++ starts; Polis's own start is "
          f"always among them). red-dwarf: `random_state=0 … {starts - 1}`, then `init_centers` = k-means++ "
          f"starts from seeds 0 … {starts - 1} on its own positions.\n")
    print("| conversation | ours, seeds | red-dwarf, random_state | red-dwarf, k-means++ init_centers |")
    print("|---|---:|---:|---:|")
    for row in spreads:
        print(row)
    if objectives:
        print("\n### Which grouping is tighter: within-group sum of squares on our positions (groups)\n")
        print("The k-means objective both pipelines minimise, over the participants all three place; lower is "
              "tighter at the same number of groups.\n")
        print("| conversation | Polis's groups | ours | red-dwarf's |")
        print("|---|---:|---:|---:|")
        for row in objectives:
            print(row)


def warm_kmeans(points: Any, k: int, previous: Any, weights: Any = None) -> tuple[Any, Any]:
    """k-means from the previous update's centres (topped up with Polis's first distinct points), one start."""
    import numpy as np
    from sklearn.cluster import KMeans

    from participation.opinion import _first_distinct

    k = min(k, len(np.unique(points.round(9), axis=0)))
    start = _first_distinct(points, k) if previous is None or not len(previous) else np.asarray(previous)[:k]
    if len(start) < k:
        fresh = [p for p in _first_distinct(points, k * 2) if not (np.abs(start - p).sum(axis=1) < 1e-9).any()]
        start = np.vstack([start, np.asarray(fresh[: k - len(start)])])
    fitted = KMeans(n_clusters=len(start), init=start, n_init=1, max_iter=100).fit(points, sample_weight=weights)
    used, labels = np.unique(np.asarray(fitted.labels_), return_inverse=True)
    return labels.ravel(), fitted.cluster_centers_[used]


def warm_update(votes: dict[tuple[str, int], int], moderated: list[int], state: dict[Any, Any],
                ) -> dict[str, int] | None:
    """One update of a replay: build_map's steps, each k-means warm-started from `state` (updated in place)."""
    import numpy as np

    from participation import opinion

    matrix = opinion.vote_matrix(votes, moderated)
    projection, components, _means, _explained = opinion.sparse_pca(matrix.values, matrix.voted)
    previous = state.get("components")
    if previous is not None:  # keep each axis pointing the way it did (Polis's power iteration does)
        for axis in range(2):
            if sum(components[axis, j] * previous[s][axis] for j, s in enumerate(matrix.statements)
                   if s in previous) < 0:
                projection[:, axis] *= -1
                components[axis] *= -1
    state["components"] = {s: components[:, j].copy() for j, s in enumerate(matrix.statements)}
    taken = matrix.moderated_out
    scale = np.sqrt((len(matrix.statements) + taken)
                    / np.maximum(np.diff(matrix.values.indptr).astype(float) + taken, 1))
    on_map = np.flatnonzero(matrix.cast >= max(min(7, len(matrix.statements) + taken), 1))
    on_map = opinion._with_most_active(on_map, matrix.cast, opinion.MOST_ACTIVE)
    if len(on_map) < 4:
        return None
    points = (projection * scale[:, None])[on_map]
    base_labels, state["base"] = warm_kmeans(points, 100, state.get("base"))
    sizes = np.bincount(base_labels).astype(float)
    centres = state["base"]
    groups, silhouettes = {}, {}
    for k in range(2, min(5, 2 + len(centres) // 12, len(centres)) + 1):
        labels, found = warm_kmeans(centres, k, state.get(("groups", k)), weights=sizes)
        if len(found) == k:
            state[("groups", k)] = found
            groups[k], silhouettes[k] = labels, opinion._silhouette(centres, labels)
    if not groups:
        return None
    best = max(groups, key=lambda k: (silhouettes[k], -k))
    state["smoothing"] = state.get("smoothing", opinion.GroupCountSmoothing()).update(best, 4)
    shown = state["smoothing"].smoothed_k if state["smoothing"].smoothed_k in groups else best
    labels = groups[shown][base_labels]
    return {matrix.participants[i]: int(labels[n]) for n, i in enumerate(on_map)}


def replays(schedules: list[int], only: list[str]) -> None:
    from participation.opinion import latest_votes
    from tests.participation import polis_data

    print("\n## Replays: each conversation in time order, N warm-started updates (ARI with Polis's groups, "
          "groups shown at the end)\n")
    print("| conversation | " + " | ".join(f"{n} updates" for n in schedules) + " |")
    print("|---|" + "---:|" * len(schedules))
    for name in only or polis_data.CONVERSATIONS:
        conversation = polis_data.load(name)
        in_time = sorted(conversation.votes, key=lambda row: row[3])
        cells = []
        for updates in schedules:
            state: dict[Any, Any] = {}
            found: dict[str, int] | None = None
            for cut in sorted({len(in_time) * (i + 1) // updates for i in range(updates)}):
                found = warm_update(latest_votes(in_time[:cut]), sorted(conversation.moderated_out), state) or found
            score = ari(conversation.polis_groups, found)[0] if found else float("nan")
            cells.append(f"{score:.3f} ({len(set(found.values())) if found else 0})")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


def synthetic(seed: int = 1) -> tuple[Any, Any, Any]:
    import numpy as np

    rng = np.random.default_rng(seed)
    n, m, share = SCALE["participants"], SCALE["statements"], SCALE["share"]
    cells = rng.choice(int(n * m), size=int(share * n * m), replace=False)
    participants, statements = cells // m, cells % m
    camp = rng.integers(0, 3, int(n))
    lean = rng.normal(size=(3, int(m)))
    agree_probability = 1 / (1 + np.exp(-2 * lean[camp[participants], statements]))
    draw = rng.random(cells.size)
    values = np.where(draw < 0.8 * agree_probability, 1, np.where(draw < 0.8, -1, 0))
    return participants, statements, values


def scale_one(which: str) -> dict[str, object]:
    participants, statements, values = synthetic()
    if which == "ours":
        from participation.opinion import Votes, build_map

        votes = Votes(participants, statements, values)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cpu_started, started = time.process_time(), time.perf_counter()
        opinion_map = build_map(votes)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        groups = [len(g.members) for g in opinion_map.groups]
    else:
        from reddwarf.implementations.base import run_pipeline

        rows = [{"participant_id": int(p), "statement_id": int(s), "vote": int(v), "modified": 0}
                for p, s, v in zip(participants.tolist(), statements.tolist(), values.tolist(), strict=True)]
        del participants, statements, values
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cpu_started, started = time.process_time(), time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = run_pipeline(votes=rows, random_state=0)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        counts = result.participants_df["cluster_id"].dropna().value_counts()
        groups = sorted((int(c) for c in counts), reverse=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "peak_mb": round(peak / 1024),
            "added_mb": round((peak - before) / 1024),
            "groups": groups}


def scale() -> None:
    print(f"\n## Scale: {SCALE['participants']:,} participants × {SCALE['statements']:,} statements, "
          f"{SCALE['share']:.0%} voted ({int(SCALE['participants'] * SCALE['statements'] * SCALE['share']):,} votes)\n")
    print("| pipeline | seconds | CPU seconds | peak memory of the process | added by the call | groups |")
    print("|---|---:|---:|---:|---:|---|")
    rows = {}
    for which in ("ours", "reddwarf") if reddwarf_available() else ("ours",):
        run = subprocess.run([sys.executable, __file__, "--scale-one", which], capture_output=True, text=True,
                             check=True)
        rows[which] = json.loads(run.stdout.strip().splitlines()[-1])
        row = rows[which]
        print(f"| {'ours' if which == 'ours' else 'red-dwarf 0.4.0'} | {row['seconds']} | {row['cpu_seconds']} | "
              f"{row['peak_mb']} MB | "
              f"{row['added_mb']} MB | {'/'.join(str(g) for g in row['groups'])} |")
    if "reddwarf" in rows:
        ours, theirs = rows["ours"], rows["reddwarf"]
        print(f"\nred-dwarf takes {float(theirs['seconds']) / float(ours['seconds']):.1f}× our time "  # type: ignore[arg-type]
              f"and {float(theirs['peak_mb']) / float(ours['peak_mb']):.1f}× our peak memory.")  # type: ignore[arg-type]
    else:
        print("\nred-dwarf is not installed (`pip install -r requirements-dev.txt`): ours alone.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--scale-only", action="store_true")
    parser.add_argument("--starts", type=int, default=10,
                        help="seeds for the spread over starts (default 10; 0 skips the conversations table)")
    parser.add_argument("--conversation", action="append", default=[], help="only this conversation (repeatable)")
    parser.add_argument("--replay", type=int, nargs="*", default=[], metavar="N",
                        help="also replay each conversation in N warm-started updates (e.g. 20 50 100)")
    parser.add_argument("--scale-one", choices=["ours", "reddwarf"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale_one:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):  # both single-threaded: the comparison is of the methods
            print(json.dumps(scale_one(args.scale_one)))
        return
    print(f"# Opinion map benchmark — Python {platform.python_version()}, {platform.machine()}\n")
    if not args.scale_only and args.starts:
        conversations(args.starts, args.conversation)
    if args.replay:
        replays(args.replay, args.conversation)
    if not args.skip_scale:
        scale()


if __name__ == "__main__":
    main()
