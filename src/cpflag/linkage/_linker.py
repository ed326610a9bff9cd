"""The general person-record linker: two people tables (or one) in, scored pairs out.

Matching attendances to plans is one configuration of it; any two people tables
whose columns play the roles of :data:`cpflag.linkage.ROLES` can be linked (an LA
list against a hospital master index, say), and extra columns can be compared
with the generic ``exact`` and ``string`` comparison kinds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import attrs
import polars as pl

from cpflag.linkage._blocking import block
from cpflag.linkage._default import generic_model
from cpflag.linkage._estimate import estimate_m, estimate_u
from cpflag.linkage._model import LinkageModel
from cpflag.linkage._prepare import prepare_people
from cpflag.linkage._score import compute_gammas, pair_frame, score_gammas, term_frequencies

__all__ = ["LinkResult", "Linker", "band_expr"]


def band_expr(model: LinkageModel) -> pl.Expr:
    """``match`` / ``review`` / null from ``match_weight`` and the guards' ``capped``."""
    t = model.thresholds
    w = pl.col("match_weight")
    return (
        pl.when((w >= t.match) & ~pl.col("capped"))
        .then(pl.lit("match"))
        .when(w >= t.review)
        .then(pl.lit("review"))
        .otherwise(pl.lit(None, pl.String))
        .alias("band")
    )


@attrs.frozen
class LinkResult:
    """Scored candidate pairs.

    Attributes:
        pairs: One row per pair at or above ``min_weight``: ``l`` and ``r`` (row
            positions in the left and right tables), ``rule`` (first blocking
            rule that found it), ``gamma_<name>`` and ``w_<name>`` per
            comparison, ``match_weight``, ``match_probability``, ``capped``,
            ``band``, and the id columns when given.
        rule_counts: Pairs produced by each blocking rule.
        n_candidates: Candidate pairs compared (before the ``min_weight`` cut).
    """

    pairs: pl.DataFrame
    rule_counts: dict[str, int]
    n_candidates: int


def _generic_columns(model: LinkageModel) -> list[str]:
    return [c.column for c in model.comparisons if c.column]


#: ``Linker()``'s model (one frozen instance: ``estimate`` defaults on for it only).
_GENERIC: Final = generic_model()


@attrs.frozen
class Linker:
    """Link or de-duplicate people tables with a :class:`LinkageModel`.

    Args:
        model: The model; when omitted, the generic one (``generic_model``: the
            default comparisons and blocking rules, no guards).
        estimate: Estimate the model's parameters on the tables each
            :meth:`link` or :meth:`dedupe` is given (u by random sampling, m
            by EM, as :meth:`train`) before scoring them. Defaults to true when
            no model is given and false when one is (a reviewed or trained
            model is used as it is).
    """

    model: LinkageModel = attrs.field(factory=lambda: _GENERIC)
    estimate: bool = attrs.field(
        default=attrs.Factory(lambda self: self.model is _GENERIC, takes_self=True)
    )

    def prepare(self, df: pl.DataFrame, *, roles: Mapping[str, str] | None = None) -> pl.DataFrame:
        """Normalise a people table for this linker (see ``prepare_people``)."""
        return prepare_people(df, roles=roles, keep=_generic_columns(self.model))

    def score(
        self,
        left: pl.DataFrame,
        right: pl.DataFrame,
        pairs: pl.DataFrame,
        *,
        tf: Mapping[str, pl.DataFrame] | None = None,
    ) -> pl.DataFrame:
        """Score given pairs of prepared records (``l``, ``r`` row positions).

        Args:
            left: Prepared left frame.
            right: Prepared right frame.
            pairs: Frame with ``l`` and ``r`` (UInt32); other columns are kept.
            tf: Term-frequency tables (see ``term_frequencies``); computed from
                ``right`` when omitted.

        Returns:
            The pair frame with levels, weights, ``match_weight``,
            ``match_probability``, ``guard``, ``capped`` and ``band``.
        """
        tf = term_frequencies(right, self.model) if tf is None else tf
        pf = compute_gammas(pair_frame(left, right, pairs, self.model), self.model)
        return score_gammas(pf, self.model, tf).with_columns(band_expr(self.model))

    def link(
        self,
        left: pl.DataFrame,
        right: pl.DataFrame,
        *,
        left_roles: Mapping[str, str] | None = None,
        right_roles: Mapping[str, str] | None = None,
        min_weight: float | None = None,
        prepared: bool = False,
    ) -> LinkResult:
        """Find and score the pairs of records that may be the same person.

        Args:
            left: The first table (e.g. attendances).
            right: The second table (e.g. plan subjects); term frequencies come from it.
            left_roles: ``{role: column}`` for ``left`` where names differ from the roles.
            right_roles: Likewise for ``right``.
            min_weight: Keep pairs at or above this weight; default the review threshold.
            prepared: ``left`` and ``right`` are already prepared frames.

        Returns:
            The scored pairs, sorted by ``l`` then descending weight.
        """
        lp = left if prepared else self.prepare(left, roles=left_roles)
        rp = right if prepared else self.prepare(right, roles=right_roles)
        linker = self.train(lp, rp, prepared=True) if self.estimate else self
        return _run(linker, lp, rp, min_weight=min_weight, dedupe=False)

    def dedupe(
        self,
        df: pl.DataFrame,
        *,
        roles: Mapping[str, str] | None = None,
        min_weight: float | None = None,
        prepared: bool = False,
    ) -> LinkResult:
        """Score pairs of records within one table (``l < r``).

        Arguments as for :meth:`link` (``roles`` for ``left_roles``).
        """
        p = df if prepared else self.prepare(df, roles=roles)
        linker = self.train(p, prepared=True) if self.estimate else self
        return _run(linker, p, p, min_weight=min_weight, dedupe=True)

    def train(
        self,
        left: pl.DataFrame,
        right: pl.DataFrame | None = None,
        *,
        max_pairs: int = 1_000_000,
        seed: int = 0,
        prepared: bool = False,
    ) -> Linker:
        """Re-estimate the model on unlabelled data: u by random sampling, m by EM.

        Args:
            left: The first table (or the only one, to train for de-duplication).
            right: The second table; ``None`` to train within ``left``.
            max_pairs: Random pairs drawn for ``u``.
            seed: Random seed.
            prepared: The tables are already prepared frames.

        Returns:
            A new linker with the estimated model (``estimate`` off: it is used as it is).
        """
        lp = left if prepared else self.prepare(left)
        dedupe = right is None
        rp = lp if right is None else (right if prepared else self.prepare(right))
        model = estimate_u(lp, rp, self.model, max_pairs=max_pairs, seed=seed, dedupe=dedupe)
        model = estimate_m(lp, rp, model, dedupe=dedupe)
        name = f"{self.model.name}; re-estimated"
        return Linker(model=attrs.evolve(model, name=name), estimate=False)


def _run(
    linker: Linker, lp: pl.DataFrame, rp: pl.DataFrame, *, min_weight: float | None, dedupe: bool
) -> LinkResult:
    model = linker.model
    cand = block(lp, rp, model.blocking_rules, dedupe=dedupe)
    scored = linker.score(lp, rp, cand.pairs)
    cut = model.thresholds.review if min_weight is None else min_weight
    kept = scored.filter(pl.col("match_weight") >= cut).sort(
        ["l", "match_weight", "r"], descending=[False, True, False]
    )
    return LinkResult(pairs=kept, rule_counts=cand.rule_counts, n_candidates=cand.pairs.height)
