"""Constrained clustering of records into persons.

Bare connected components over "same person" links merge twins and siblings
whenever one doubtful link (or a chain of them) joins two children. Clustering
here is two-stage so that the hot path stays columnar:

1. **Connected components** over the confident links, vectorised in numpy
   (hook every component onto the smaller label, then pointer-jump until each
   node points at its root; a few rounds even on a million records).
2. For the few components that contain a **conflict** -- a pair of records that
   cannot be one person (two children's NHS numbers, twins, "Baby A"/"Baby B";
   see ``_conflicts``) -- the component is re-clustered with a greedy,
   best-link-first union--find that refuses any merge which would put two
   conflicting records in one cluster. Only this small remainder is a Python loop.

Initial groups (the persons already in the history store) are merged before any
link is considered, and conflicts inside one initial group are ignored: the
history is never re-clustered, only extended.

A cluster's label is the smallest node index in it.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = ["ClusterResult", "cluster", "components"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

#: ``conflicts(labels) -> frame(a, b)``: record pairs within one component that
#: cannot be one person.
ConflictFn = Callable[[I64], pl.DataFrame]


def components(n: int, a: I64, b: I64) -> I64:
    """Connected components of ``n`` nodes joined by edges ``a[i] -- b[i]``.

    Args:
        n: Number of nodes (``0 .. n-1``).
        a: Edge ends.
        b: Other edge ends, same length.

    Returns:
        For each node, the smallest node index of its component.
    """
    lab = np.arange(n, dtype=np.int64)
    if a.size == 0:
        return lab
    while True:
        la, lb = lab[a], lab[b]
        if np.array_equal(la, lb):
            return lab
        m = np.minimum(la, lb)
        # Hook each root onto the smallest root it touches: pointers only ever
        # decrease, so there are no cycles ...
        np.minimum.at(lab, la, m)
        np.minimum.at(lab, lb, m)
        # ... then shortcut until every node points straight at its root.
        while True:
            nxt = lab[lab]
            if np.array_equal(nxt, lab):
                break
            lab = nxt


@attrs.frozen
class ClusterResult:
    """Cluster labels and how much of the graph needed the careful path.

    Attributes:
        labels: Smallest node index of each node's cluster.
        conflicted_components: Components that contained a conflict.
        conflicted_nodes: Nodes in those components.
        refused_links: Links the greedy pass refused because of a conflict.
    """

    labels: I64
    conflicted_components: int
    conflicted_nodes: int
    refused_links: int


def _group_edges(groups: I64) -> tuple[I64, I64]:
    """Edges joining every member of an initial group to its first member."""
    idx = np.flatnonzero(groups >= 0).astype(np.int64)
    if idx.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    g = groups[idx]
    order = np.lexsort((idx, g))
    g, idx = g[order], idx[order]
    first = np.r_[True, g[1:] != g[:-1]]
    heads = idx[first][np.cumsum(first) - 1]
    keep = heads != idx
    return heads[keep], idx[keep]


def cluster(
    n: int,
    a: I64,
    b: I64,
    w: F64,
    conflicts: ConflictFn,
    groups: I64 | None = None,
) -> ClusterResult:
    """Cluster ``n`` records joined by confident links, never merging a conflict.

    Args:
        n: Number of records.
        a: Link ends (record indices).
        b: Other link ends.
        w: Link weights (higher = stronger); the greedy pass takes the
            strongest first, ties by ``(a, b)``.
        conflicts: Returns the conflicting record pairs within components, given
            component labels.
        groups: Initial group of each record (``-1`` for none); a group is kept
            together whatever its conflicts.

    Returns:
        The cluster labels and counts of the careful path.
    """
    if groups is None:
        groups = np.full(n, -1, dtype=np.int64)
    ga, gb = _group_edges(groups)
    labels = components(n, np.concatenate([a, ga]), np.concatenate([b, gb]))
    conf = conflicts(labels)
    if conf.height:
        ca = conf["a"].to_numpy().astype(np.int64)
        cb = conf["b"].to_numpy().astype(np.int64)
        # Conflicts inside one initial group were accepted before: ignore them.
        same_group = (groups[ca] >= 0) & (groups[ca] == groups[cb])
        ca, cb = ca[~same_group], cb[~same_group]
    else:
        ca = cb = np.zeros(0, np.int64)
    if ca.size == 0:
        return ClusterResult(labels, 0, 0, 0)
    bad = np.unique(labels[ca])
    in_bad = np.isin(labels, bad)
    nodes = np.flatnonzero(in_bad)
    sel = in_bad[a]
    ea, eb, ew = a[sel], b[sel], w[sel]
    order = np.lexsort((eb, ea, -ew))
    refused, new = _greedy(nodes, ea[order], eb[order], ca, cb, groups)
    labels = labels.copy()
    labels[nodes] = new
    return ClusterResult(labels, int(bad.size), int(nodes.size), refused)


def _greedy(nodes: I64, ea: I64, eb: I64, ca: I64, cb: I64, groups: I64) -> tuple[int, I64]:
    """Best-link-first union--find over ``nodes`` that refuses conflicting merges.

    Returns:
        The number of refused links, and the new label (smallest member) of each
        of ``nodes``.
    """
    parent: dict[int, int] = {int(x): int(x) for x in nodes}
    members: dict[int, set[int]] = {x: {x} for x in parent}
    enemies: dict[int, set[int]] = {x: set() for x in parent}
    for x, y in zip(ca.tolist(), cb.tolist(), strict=True):
        enemies[x].add(y)
        enemies[y].add(x)

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def union(rx: int, ry: int) -> None:
        if len(members[rx]) < len(members[ry]):
            rx, ry = ry, rx
        parent[ry] = rx
        members[rx] |= members.pop(ry)
        enemies[rx] |= enemies.pop(ry)

    # Initial groups first, unconditionally.
    ga, gb = _group_edges(groups[nodes])
    for x, y in zip(nodes[ga].tolist(), nodes[gb].tolist(), strict=True):
        rx, ry = find(x), find(y)
        if rx != ry:
            union(rx, ry)
    refused = 0
    for x, y in zip(ea.tolist(), eb.tolist(), strict=True):
        rx, ry = find(x), find(y)
        if rx == ry:
            continue
        small, big = (rx, ry) if len(members[rx]) <= len(members[ry]) else (ry, rx)
        if not enemies[big].isdisjoint(members[small]):
            refused += 1
            continue
        union(rx, ry)
    roots = np.array([find(int(x)) for x in nodes], dtype=np.int64)
    # Label = smallest member of the cluster.
    smallest = {r: min(m) for r, m in members.items()}
    return refused, np.array([smallest[int(r)] for r in roots], dtype=np.int64)
