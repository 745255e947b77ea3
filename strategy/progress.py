"""Weighted progress roll-up (pure; no Django).

As in Decidim's accountability: a parent result's progress is the weighted mean of its
children's progress, recursively; a leaf reports its own progress.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Node:
    key: str
    own_progress: float
    weight: float
    children: Sequence[str] = ()


def rolled_up_progress(nodes: Mapping[str, Node]) -> dict[str, float]:
    """Progress 0–100 for every node. Cycles are rejected; zero total weight means a plain mean."""
    result: dict[str, float] = {}
    visiting: set[str] = set()

    def visit(key: str) -> float:
        if key in result:
            return result[key]
        if key in visiting:
            raise ValueError(f"project hierarchy has a cycle at {key}")
        visiting.add(key)
        node = nodes[key]
        if not node.children:
            value = float(node.own_progress)
        else:
            pairs = [(visit(child), nodes[child].weight) for child in node.children]
            total_weight = sum(weight for _, weight in pairs)
            if total_weight > 0:
                value = sum(progress * weight for progress, weight in pairs) / total_weight
            else:
                value = sum(progress for progress, _ in pairs) / len(pairs)
        visiting.discard(key)
        result[key] = max(0.0, min(100.0, value))
        return result[key]

    for key in nodes:
        visit(key)
    return result


def mean_progress(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def as_float(value: Decimal | float | int) -> float:
    return float(value)
