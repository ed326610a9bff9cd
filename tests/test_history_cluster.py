"""Constrained clustering: components, the greedy conflict-refusing pass, initial groups."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from cpflag.history import cluster, components

I64 = np.int64


def _reference_components(n: int, edges: list[tuple[int, int]]) -> list[int]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = [find(x) for x in range(n)]
    smallest: dict[int, int] = {}
    for x, r in enumerate(roots):
        smallest.setdefault(r, x)
    return [smallest[r] for r in roots]


def _arr(xs: list[int]) -> np.ndarray:
    return np.array(xs, dtype=I64)


def _conflicts(pairs: list[tuple[int, int]]):  # type: ignore[no-untyped-def]
    frame = pl.DataFrame(
        {"a": [min(p) for p in pairs], "b": [max(p) for p in pairs]},
        schema={"a": pl.Int64, "b": pl.Int64},
    )

    def fn(labels: np.ndarray) -> pl.DataFrame:
        lab = labels
        return frame.filter(
            pl.Series([bool(lab[a] == lab[b]) for a, b in frame.iter_rows()], dtype=pl.Boolean)
        )

    return fn


graphs = st.integers(min_value=1, max_value=25).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=40),
    )
)


@settings(max_examples=200, deadline=None)
@given(graphs)
def test_components_match_a_plain_union_find(g: tuple[int, list[tuple[int, int]]]) -> None:
    n, edges = g
    got = components(n, _arr([a for a, _ in edges]), _arr([b for _, b in edges]))
    assert got.tolist() == _reference_components(n, edges)


def test_components_without_edges_are_singletons() -> None:
    assert components(4, _arr([]), _arr([])).tolist() == [0, 1, 2, 3]


def test_components_chain_converges() -> None:
    # A long path in reverse order needs several hooking rounds.
    n = 1000
    a = _arr(list(range(n - 1, 0, -1)))
    b = a - 1
    assert (components(n, a, b) == 0).all()


@settings(max_examples=200, deadline=None)
@given(
    graphs.flatmap(
        lambda g: st.tuples(
            st.just(g),
            st.lists(st.floats(0, 100, allow_nan=False), min_size=len(g[1]), max_size=len(g[1])),
            st.lists(st.tuples(st.integers(0, g[0] - 1), st.integers(0, g[0] - 1)), max_size=8),
        )
    )
)
def test_no_cluster_ever_holds_a_conflict(
    args: tuple[tuple[int, list[tuple[int, int]]], list[float], list[tuple[int, int]]],
) -> None:
    (n, edges), weights, conf = args
    conf = [(a, b) for a, b in conf if a != b]
    res = cluster(
        n,
        _arr([a for a, _ in edges]),
        _arr([b for _, b in edges]),
        np.array(weights, dtype=np.float64),
        _conflicts(conf),
    )
    lab = res.labels
    for a, b in conf:
        assert lab[a] != lab[b]
    # Every cluster is connected by its own links (never merged without a link) ...
    inside = [(a, b) for a, b in edges if lab[a] == lab[b]]
    assert components(n, _arr([a for a, _ in inside]), _arr([b for _, b in inside])).tolist() == (
        lab.tolist()
    )
    # ... and the labels refine the plain components.
    plain = _reference_components(n, edges)
    for x in range(n):
        assert plain[x] == plain[lab[x]]
    if not conf:
        assert lab.tolist() == plain


def test_strongest_link_wins_a_conflict() -> None:
    # 0-1 strong, 1-2 weak, 0 and 2 cannot be one person: 2 stays alone.
    res = cluster(3, _arr([0, 1]), _arr([1, 2]), np.array([10.0, 5.0]), _conflicts([(0, 2)]))
    assert res.labels.tolist() == [0, 0, 2]
    assert res.refused_links == 1
    assert res.conflicted_components == 1
    # Reverse the weights: 1 goes with 2.
    res = cluster(3, _arr([0, 1]), _arr([1, 2]), np.array([5.0, 10.0]), _conflicts([(0, 2)]))
    assert res.labels.tolist() == [0, 1, 1]


def test_a_conflict_blocks_a_chain_through_a_third_record() -> None:
    # Twins 0 and 3; a placeholder record 1 links to both; 2 links to 3.
    res = cluster(
        4,
        _arr([0, 1, 2]),
        _arr([1, 3, 3]),
        np.array([8.0, 7.0, 20.0]),
        _conflicts([(0, 3)]),
    )
    assert res.labels.tolist() == [0, 0, 2, 2]


def test_ties_are_broken_by_record_order_not_input_order() -> None:
    a, b, w = _arr([0, 1]), _arr([1, 2]), np.array([5.0, 5.0])
    first = cluster(3, a, b, w, _conflicts([(0, 2)]))
    second = cluster(3, a[::-1].copy(), b[::-1].copy(), w[::-1].copy(), _conflicts([(0, 2)]))
    assert first.labels.tolist() == second.labels.tolist() == [0, 0, 2]


def test_initial_groups_stay_whole_and_their_own_conflicts_are_ignored() -> None:
    # 0 and 1 are one stored person despite a conflict between them; 2 is new
    # and conflicts with 1, so it cannot join the person however strong its link.
    groups = _arr([5, 5, -1, -1])
    res = cluster(
        4,
        _arr([2, 3]),
        _arr([0, 0]),
        np.array([50.0, 7.0]),
        _conflicts([(0, 1), (1, 2)]),
        groups,
    )
    assert res.labels.tolist() == [0, 0, 2, 0]


def test_groups_join_without_links() -> None:
    res = cluster(3, _arr([]), _arr([]), np.array([]), _conflicts([]), _arr([1, -1, 1]))
    assert res.labels.tolist() == [0, 1, 0]
