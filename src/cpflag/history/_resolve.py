"""Person resolution: new attendances linked to each other and to the history.

The engine runs in de-duplication mode: candidate pairs come from the model's
blocking rules, are scored with Fellegi--Sunter weights, and a pair is a
*confident link* when its weight reaches the link threshold (by default the
model's ``match`` threshold) and no guard caps it. Confident links are then
clustered with the conflict-checking clustering of ``_cluster``.

Against a history, only the new records are blocked and scored -- against the
stored records and against each other -- and only the persons those links touch
take part in clustering, each kept whole as an initial group. The history is
extended, never re-clustered. When one new record links confidently to two
stored persons that do not conflict, the persons are merged: the merged person
keeps the smaller of the two ids.

Person ids are ``P-`` plus the attendance id of the person's earliest
attendance (by arrival time, then id) when the person is first seen, and never
change after that (except by such a merge). Records are processed in
attendance-id order, so the result does not depend on the input row order.
"""

from __future__ import annotations

import logging
import math
from typing import Final

import attrs
import numpy as np
import polars as pl

from cpflag.history._candidates import candidate_pairs
from cpflag.history._cluster import cluster, components
from cpflag.history._conflicts import CONFLICT_COLUMNS, conflict_pairs, pair_rules
from cpflag.linkage import LinkageModel, Linker, reasons_expr, term_frequencies
from cpflag.linkage._comparisons import required_columns

__all__ = [
    "LINK_COLUMNS",
    "REFERENCE_RECORDS",
    "Resolution",
    "link_threshold",
    "resolution_columns",
    "resolve",
]

log = logging.getLogger("cpflag.history")

#: Columns resolution adds to each new row.
LINK_COLUMNS: Final = ("person_id", "link_to", "link_weight", "link_rule", "link_reasons")

#: Table size at which the model's match threshold is the link threshold.
REFERENCE_RECORDS: Final = 100_000

#: Candidate pairs scored per chunk (bounds memory on a large backfill).
SCORE_CHUNK: Final = 200_000


@attrs.frozen
class Resolution:
    """The new rows resolved into persons.

    Attributes:
        rows: The new rows (attendance-id order) with :data:`LINK_COLUMNS`:
            ``person_id``; ``link_to`` the attendance id of the record its best
            confident link in the person goes to, ``link_weight`` that link's
            match weight, ``link_rule`` the blocking rule that found it and
            ``link_reasons`` its evidence (levels with weights); null for a
            person's only record.
        merged: ``old_person_id -> person_id`` for stored persons merged by a new record.
        candidate_pairs: Pairs scored.
        links: Confident links.
        conflicted_components: Components re-clustered because of a conflict.
        refused_links: Links refused because they would merge a conflict.
    """

    rows: pl.DataFrame
    merged: pl.DataFrame
    candidate_pairs: int
    links: int
    conflicted_components: int
    refused_links: int


def link_threshold(model: LinkageModel, records: int) -> float:
    """The match weight a pair needs to be a confident link among ``records`` records.

    The chance that two records drawn at random are the same person falls as
    the table grows (about as 1/N: a child's few attendances among ever more
    others), while the model's prior is fixed. The model's ``match`` threshold
    holds for :data:`REFERENCE_RECORDS`; above that, the threshold rises by
    ``log2(N / REFERENCE_RECORDS)`` bits -- the same as scaling the prior down --
    so that coincidences (same name and date of birth, different child) do not
    grow with the history. It never falls below the model's threshold.
    """
    extra = math.log2(records / REFERENCE_RECORDS) if records > REFERENCE_RECORDS else 0.0
    return model.thresholds.match + extra


def resolution_columns(model: LinkageModel) -> list[str]:
    """Prepared columns resolution reads from stored rows (the rest stay on disk)."""
    cols = ["attendance_id", "arrival_time", *CONFLICT_COLUMNS]
    for c in model.comparisons:
        cols += [*required_columns(c.kind, c.column), *([c.tf_column] if c.tf_column else [])]
    for r in model.blocking_rules:
        cols += [*r.left_keys, *r.keys_right]
    return list(dict.fromkeys(cols))


def _with_rec(df: pl.DataFrame, offset: int = 0) -> pl.DataFrame:
    return df.with_columns((pl.int_range(pl.len(), dtype=pl.UInt32) + offset).alias("rec"))


def _confident(
    linker: Linker,
    left: pl.DataFrame,
    right: pl.DataFrame,
    pairs: pl.DataFrame,
    tf: dict[str, pl.DataFrame],
    threshold: float,
) -> pl.DataFrame:
    """Score pairs chunk by chunk; keep the confident links with their levels and weights."""
    model = linker.model
    evidence = [f"{p}_{c.name}" for c in model.comparisons for p in ("gamma", "w")]
    out = []
    for start in range(0, pairs.height, SCORE_CHUNK):
        chunk = pairs.slice(start, SCORE_CHUNK)
        s = linker.score(left, right, chunk, tf=tf)
        out.append(
            s.filter((pl.col("match_weight") >= threshold) & ~pl.col("capped")).select(
                "l", "r", "rule", "match_weight", *evidence
            )
        )
    if not out:
        return linker.score(left, right, pairs.clear(), tf=tf).select(
            "l", "r", "rule", "match_weight", *evidence
        )
    return pl.concat(out)


def resolve(
    new: pl.DataFrame,
    history: pl.DataFrame | None,
    model: LinkageModel,
    *,
    threshold: float | None = None,
) -> Resolution:
    """Resolve new prepared rows into persons, against a history when given.

    Args:
        new: Prepared rows (``_prepare.HISTORY_COLUMNS``) not yet in the history.
        history: Stored rows with ``person_id`` (any order), or None.
        model: The resolution model.
        threshold: Link threshold; :func:`link_threshold` of the total number of
            records (history and new) when None.

    Returns:
        The resolution of the new rows.
    """
    linker = Linker(model=model)
    new = _with_rec(new.sort("attendance_id"))
    n = new.height
    total = n + (history.height if history is not None else 0)
    cut = link_threshold(model, total) if threshold is None else threshold
    hist_cols = resolution_columns(model)
    if history is None or history.height == 0:
        right, h = new, 0
        tf = term_frequencies(new, model)
        pairs = candidate_pairs(new, new, model.blocking_rules, dedupe=True)
        person_of_hist = pl.Series("person_id", [], dtype=pl.String)
    else:
        h = history.height
        right = _with_rec(pl.concat([history.select(hist_cols), new.select(hist_cols)]))
        tf = term_frequencies(right, model)
        pairs = candidate_pairs(new, right, model.blocking_rules).filter(
            (pl.col("r") < h) | (pl.col("r") > pl.col("l") + h)
        )
        person_of_hist = history["person_id"]
    links = _confident(linker, new, right, pairs, tf, cut)
    log.info("resolution: %d candidate pairs, %d confident links", pairs.height, links.height)

    # Nodes: the new rows, then the stored rows of every person a link touches.
    r_all = links["r"].to_numpy().astype(np.int64)
    if h:
        touched = person_of_hist.gather(r_all[r_all < h]).unique()
        hist_idx = person_of_hist.is_in(touched.implode()).arg_true().to_numpy().astype(np.int64)
    else:
        hist_idx = np.zeros(0, dtype=np.int64)
    hist_pids = person_of_hist.gather(hist_idx)
    node_of = np.full(h + n, -1, dtype=np.int64)
    node_of[h + np.arange(n)] = np.arange(n)
    node_of[hist_idx] = n + np.arange(hist_idx.size)
    a = links["l"].to_numpy().astype(np.int64)
    b = node_of[r_all]
    w = links["match_weight"].to_numpy()
    sub = (
        pl.concat([new.select(hist_cols), history.select(hist_cols)[hist_idx]])
        if history is not None and h
        else new
    )
    groups = _initial_groups(sub, n, hist_pids, links, a, b, model)
    res = cluster(n + hist_idx.size, a, b, w, lambda lab: conflict_pairs(sub, lab), groups)

    nodes = pl.DataFrame(
        {
            "node": np.arange(n + hist_idx.size),
            "cl": res.labels,
            "attendance_id": sub["attendance_id"],
            "arrival_time": sub["arrival_time"],
            "old_pid": pl.concat([pl.Series([None] * n, dtype=pl.String), hist_pids]),
        }
    )
    pid = (
        nodes.group_by("cl")
        .agg(
            pl.col("old_pid").drop_nulls().min().alias("kept"),
            pl.col("attendance_id").sort_by("arrival_time", "attendance_id").first().alias("first"),
        )
        .select("cl", pl.coalesce("kept", pl.concat_str(pl.lit("P-"), "first")).alias("person_id"))
    )
    nodes = nodes.join(pid, on="cl", how="left", maintain_order="left")
    merged = (
        nodes.filter(pl.col("old_pid").is_not_null() & (pl.col("old_pid") != pl.col("person_id")))
        .select(pl.col("old_pid").alias("old_person_id"), "person_id")
        .unique()
        .sort("old_person_id")
    )
    rows = _with_link_evidence(new, nodes, links, b, linker)
    return Resolution(
        rows=rows,
        merged=merged,
        candidate_pairs=pairs.height,
        links=links.height,
        conflicted_components=res.conflicted_components,
        refused_links=res.refused_links,
    )


def _identifier_links(links: pl.DataFrame, model: LinkageModel) -> np.ndarray:
    """Mask of links on which the NHS number or the hospital number agrees exactly."""
    mask = np.zeros(links.height, dtype=bool)
    for c in model.comparisons:
        if c.kind in ("nhs_number", "mrn"):
            mask |= links[f"gamma_{c.name}"].to_numpy() == c.labels.index("exact")
    return mask


def _initial_groups(
    sub: pl.DataFrame,
    n: int,
    hist_pids: pl.Series,
    links: pl.DataFrame,
    a: np.ndarray,
    b: np.ndarray,
    model: LinkageModel,
) -> np.ndarray:
    """Groups the clustering keeps whole: stored persons, joined by identifier links.

    A link on which an identifier agrees, and which breaks no cannot-link rule
    itself, makes its records one person whatever their other records say:
    "Nat" with the hospital number of a record that also carries Natalie's NHS
    number is Natalie, even though "Nat" and another "Natalie" record, with
    nothing in common but demographics, look like twins.
    """
    total = n + hist_pids.len()
    ga, gb = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    if hist_pids.len():
        code = hist_pids.rank("dense").to_numpy().astype(np.int64)
        order = np.argsort(code, kind="stable")
        first = np.r_[True, code[order][1:] != code[order][:-1]]
        heads = order[first][np.cumsum(first) - 1]
        ga.append(n + order)
        gb.append(n + heads)
    ids = _identifier_links(links, model)
    if ids.any():
        ia, ib = a[ids], b[ids]
        clean = pair_rules(sub, pl.Series(ia), pl.Series(ib)).is_null().to_numpy()
        ga.append(ia[clean])
        gb.append(ib[clean])
    groups: np.ndarray = components(total, np.concatenate(ga), np.concatenate(gb))
    return groups


def _with_link_evidence(
    new: pl.DataFrame,
    nodes: pl.DataFrame,
    links: pl.DataFrame,
    b: np.ndarray,
    linker: Linker,
) -> pl.DataFrame:
    """Add person ids and each new row's best confident link within its person."""
    n = new.height
    cl = nodes["cl"].to_numpy()
    a = links["l"].to_numpy().astype(np.int64)
    e = links.with_columns(pl.Series("other", b)).filter(pl.Series(cl[a] == cl[b]))
    # The left end is always a new row; so is the right end of a new-new link.
    both = pl.concat(
        [
            e.with_columns(pl.col("l").cast(pl.Int64).alias("me")),
            e.filter(pl.col("other") < n).with_columns(
                pl.col("other").alias("me"), pl.col("l").cast(pl.Int64).alias("other")
            ),
        ]
    )
    both = both.with_columns(nodes["attendance_id"].gather(both["other"]).alias("link_to"))
    best = both.sort(["me", "match_weight", "link_to"], descending=[False, True, False]).unique(
        "me", keep="first", maintain_order=True
    )
    rules = dict(enumerate(r.name for r in linker.model.blocking_rules))
    best = best.select(
        pl.col("me").alias("node"),
        "link_to",
        pl.col("match_weight").alias("link_weight"),
        pl.col("rule")
        .cast(pl.Int64)
        .replace_strict(rules, return_dtype=pl.String)
        .alias("link_rule"),
        reasons_expr(linker.model).alias("link_reasons"),
    )
    out = new.drop("rec").with_columns(nodes["person_id"].slice(0, n))
    return (
        out.with_row_index("node")
        .with_columns(pl.col("node").cast(pl.Int64))
        .join(best, on="node", how="left", maintain_order="left")
        .drop("node")
    )
