from hypothesis import given
from hypothesis import strategies as st

from strategy.progress import Node, rolled_up_progress


def test_leaf_reports_its_own_progress() -> None:
    assert rolled_up_progress({"a": Node("a", 40, 1)}) == {"a": 40.0}


def test_parent_is_weighted_mean_of_children_recursively() -> None:
    nodes = {
        "root": Node("root", 0, 1, ["x", "y"]),
        "x": Node("x", 100, 3),
        "y": Node("y", 0, 1, ["y1", "y2"]),
        "y1": Node("y1", 50, 1),
        "y2": Node("y2", 0, 1),
    }
    result = rolled_up_progress(nodes)
    assert result["y"] == 25.0
    assert result["root"] == (100 * 3 + 25 * 1) / 4


def test_zero_weights_fall_back_to_plain_mean() -> None:
    nodes = {"p": Node("p", 0, 1, ["a", "b"]), "a": Node("a", 20, 0), "b": Node("b", 60, 0)}
    assert rolled_up_progress(nodes)["p"] == 40.0


def test_cycle_is_rejected() -> None:
    import pytest

    with pytest.raises(ValueError, match="cycle"):
        rolled_up_progress({"a": Node("a", 0, 1, ["b"]), "b": Node("b", 0, 1, ["a"])})


@given(st.lists(st.tuples(st.integers(0, 100), st.floats(0.01, 100)), min_size=1, max_size=20))
def test_rollup_stays_within_children_range(children: list[tuple[int, float]]) -> None:
    nodes = {f"c{i}": Node(f"c{i}", progress, weight) for i, (progress, weight) in enumerate(children)}
    nodes["p"] = Node("p", 0, 1, [f"c{i}" for i in range(len(children))])
    value = rolled_up_progress(nodes)["p"]
    assert min(p for p, _ in children) - 1e-9 <= value <= max(p for p, _ in children) + 1e-9
