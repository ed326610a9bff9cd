"""Parameter estimation without labels: u by random sampling, m by EM.

* ``u``: pairs drawn uniformly at random are almost all non-matches, so the share
  of random pairs in each level estimates ``u`` directly.
* ``m``: expectation--maximisation over the blocked candidate pairs with ``u``
  held fixed (as Splink does), run on the table of distinct level patterns and
  their counts -- a few thousand rows however many pairs -- so it is fast.
"""

from __future__ import annotations

import logging
from typing import Final

import attrs
import numpy as np
import polars as pl

from cpflag.linkage._blocking import block
from cpflag.linkage._model import LinkageModel
from cpflag.linkage._score import compute_gammas, pair_frame

__all__ = ["em_on_gammas", "estimate_m", "estimate_u"]

log = logging.getLogger("cpflag.linkage")

#: Added to every level count so an unseen level does not get probability 0.
SMOOTHING = 0.5


#: Random pairs whose levels are computed at once (the pair frame of a chunk
#: holds the compared strings and lists; only the level counts are kept).
U_CHUNK: Final = 250_000


def _level_counts(gammas: pl.DataFrame, model: LinkageModel) -> dict[str, np.ndarray]:
    out = {}
    for c in model.comparisons:
        g = gammas[f"gamma_{c.name}"].to_numpy()
        out[c.name] = np.array([(g == i).sum() for i in range(len(c.levels))], dtype=np.float64)
    return out


def estimate_u(
    left: pl.DataFrame,
    right: pl.DataFrame,
    model: LinkageModel,
    *,
    max_pairs: int = 1_000_000,
    seed: int = 0,
    dedupe: bool = False,
) -> LinkageModel:
    """Re-estimate every level's ``u`` from random pairs.

    Args:
        left: Prepared left frame.
        right: Prepared right frame (the same frame when ``dedupe``).
        model: The model to update (its ``m`` are kept).
        max_pairs: How many random pairs to draw.
        seed: Random seed (the result is deterministic for a seed).
        dedupe: Drawing pairs within one table.

    Returns:
        A copy of ``model`` with new ``u`` values.
    """
    rng = np.random.default_rng(seed)
    n = int(min(max_pairs, left.height * right.height))
    if n == 0:
        return model
    pairs = pl.DataFrame(
        {
            "l": rng.integers(0, left.height, n, dtype=np.uint32),
            "r": rng.integers(0, right.height, n, dtype=np.uint32),
        }
    )
    if dedupe:
        pairs = pairs.filter(pl.col("l") != pl.col("r"))
    counts = {c.name: np.zeros(len(c.levels)) for c in model.comparisons}
    for start in range(0, pairs.height, U_CHUNK):
        chunk = pairs.slice(start, U_CHUNK)
        gam = compute_gammas(pair_frame(left, right, chunk, model), model)
        for name, k in _level_counts(gam, model).items():
            counts[name] += k
        del gam
    shares = {name: (k + SMOOTHING) / (k + SMOOTHING).sum() for name, k in counts.items()}
    params = {
        c.name: {lv.label: (lv.m, float(shares[c.name][i])) for i, lv in enumerate(c.levels)}
        for c in model.comparisons
    }
    log.info("estimated u from %d random pairs", pairs.height)
    return model.evolve_levels(params)


def estimate_m(
    left: pl.DataFrame,
    right: pl.DataFrame,
    model: LinkageModel,
    *,
    max_iterations: int = 50,
    tolerance: float = 1e-5,
    dedupe: bool = False,
) -> LinkageModel:
    """Re-estimate ``m`` (and the prior) by EM over the blocked candidate pairs.

    Args:
        left: Prepared left frame.
        right: Prepared right frame.
        model: Starting point; its ``u`` stay fixed.
        max_iterations: EM iterations at most.
        tolerance: Stop when no ``m`` moves more than this.
        dedupe: Estimating within one table.

    Returns:
        A copy of ``model`` with new ``m`` values and prior.
    """
    cand = block(left, right, model.blocking_rules, dedupe=dedupe)
    if cand.pairs.height == 0:
        return model
    gam = compute_gammas(pair_frame(left, right, cand.pairs, model), model)
    n_total = left.height * right.height if not dedupe else left.height * (left.height - 1) / 2
    return em_on_gammas(
        gam, model, n_total=n_total, max_iterations=max_iterations, tolerance=tolerance
    )


def em_on_gammas(
    gammas: pl.DataFrame,
    model: LinkageModel,
    *,
    n_total: float,
    max_iterations: int = 50,
    tolerance: float = 1e-5,
    share: float = 1.0,
) -> LinkageModel:
    """EM for ``m`` and the prior over candidate pairs whose levels are computed.

    Args:
        gammas: One row per candidate pair with a ``gamma_<name>`` per comparison.
        model: Starting point; its ``u`` stay fixed.
        n_total: Pairs in the whole comparison space (for the prior).
        max_iterations: EM iterations at most.
        tolerance: Stop when no ``m`` moves more than this.
        share: ``gammas`` are this share of the candidates (a subset EM is
            run on); the prior counts the matches as if all were seen.

    Returns:
        A copy of ``model`` with new ``m`` values and prior.
    """
    if gammas.height == 0:
        return model
    gcols = [f"gamma_{c.name}" for c in model.comparisons]
    patterns = gammas.group_by(gcols).len()
    counts = patterns["len"].to_numpy().astype(np.float64)
    # Level index per pattern, the null level (-1) moved to the end (ignored).
    levels = [patterns[g].to_numpy().astype(np.int64) for g in gcols]
    sizes = [len(c.levels) for c in model.comparisons]
    slots = [np.where(g >= 0, g, n) for g, n in zip(levels, sizes, strict=True)]
    m = [np.array([lv.m for lv in c.levels]) for c in model.comparisons]
    # Log m/u per level with a trailing 0 for the null level.
    log_u = [np.log(np.array([lv.u for lv in c.levels])) for c in model.comparisons]
    lam = 0.1
    for it in range(max_iterations):
        log_ratio = np.full(len(counts), np.log(lam / (1 - lam)))
        for k in range(len(m)):
            table = np.append(np.log(m[k]) - log_u[k], 0.0)
            log_ratio += table[slots[k]]
        p = 1.0 / (1.0 + np.exp(-np.clip(log_ratio, -700, 700)))
        w = counts * p
        new_m = []
        for k in range(len(m)):
            agg = np.bincount(slots[k], weights=w, minlength=sizes[k] + 1)
            num: np.ndarray = agg[: sizes[k]].astype(np.float64) + SMOOTHING * 1e-3
            new_m.append(num / num.sum())
        moved = max(float(np.abs(a - b).max()) for a, b in zip(new_m, m, strict=True))
        m = new_m
        lam = float(np.clip(w.sum() / counts.sum(), 1e-9, 1 - 1e-9))
        if moved < tolerance:
            log.info("EM converged after %d iterations", it + 1)
            break
    prior = float(np.clip(lam * counts.sum() / max(n_total * share, 1.0), 1e-12, 0.5))
    params = {
        c.name: {lv.label: (float(m[k][i]), lv.u) for i, lv in enumerate(c.levels)}
        for k, c in enumerate(model.comparisons)
    }
    return attrs.evolve(model.evolve_levels(params), prior=prior)
