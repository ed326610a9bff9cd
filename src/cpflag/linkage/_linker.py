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
from cpflag.linkage._estimate import em_on_gammas, estimate_m, estimate_u
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
            comparison, ``match_weight``, ``match_probability``, ``guard``,
            ``capped`` and ``band`` (the compared values are not kept: join them
            back by ``l`` and ``r`` when needed).
        rule_counts: Pairs produced by each blocking rule.
        n_candidates: Candidate pairs compared (before the ``min_weight`` cut).
        model: The model that scored the pairs (the estimated one when the
            linker estimates).
    """

    pairs: pl.DataFrame
    rule_counts: dict[str, int]
    n_candidates: int
    model: LinkageModel | None = None


def _generic_columns(model: LinkageModel) -> list[str]:
    return [c.column for c in model.comparisons if c.column]


#: Random pairs for ``u`` when :meth:`Linker.link` / :meth:`Linker.dedupe` estimate.
U_PAIRS_PER_RECORD: Final = 10
U_PAIRS_MIN: Final = 100_000
U_PAIRS_MAX: Final = 1_000_000

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
            model is used as it is). ``Linker(model=m, estimate=False)`` is the
            explicit way to score with ``m`` unchanged (its guards included);
            ``Linker(model=m, estimate=True)`` starts from ``m`` and re-estimates.
        u_pairs: Random pairs drawn for ``u`` when estimating in :meth:`link`
            or :meth:`dedupe`; None: ten per record of the two tables, at least
            100,000 and at most 1,000,000 (``u`` of a level seen once in 10,000
            random pairs is then known to about 3%).
    """

    model: LinkageModel = attrs.field(factory=lambda: _GENERIC)
    estimate: bool = attrs.field(
        default=attrs.Factory(lambda self: self.model is _GENERIC, takes_self=True)
    )
    u_pairs: int | None = None

    def _u_pairs(self, n_left: int, n_right: int) -> int:
        if self.u_pairs is not None:
            return self.u_pairs
        return min(U_PAIRS_MAX, max(U_PAIRS_MIN, U_PAIRS_PER_RECORD * (n_left + n_right)))

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
        return self._run(lp, rp, min_weight=min_weight, dedupe=False)

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
        return self._run(p, p, min_weight=min_weight, dedupe=True)

    def _run(
        self, lp: pl.DataFrame, rp: pl.DataFrame, *, min_weight: float | None, dedupe: bool
    ) -> LinkResult:
        """Block once, compute the levels once, estimate on them when asked, score."""
        model = self.model
        bl = _hashed_keys(lp, model)
        br = bl if dedupe else _hashed_keys(rp, model)
        cand = block(bl, br, model.blocking_rules, dedupe=dedupe)
        del bl, br
        gam = _gammas(lp, rp, cand.pairs, model)
        if self.estimate:
            n_right = 0 if dedupe else rp.height
            model = estimate_u(
                lp, rp, model, max_pairs=self._u_pairs(lp.height, n_right), dedupe=dedupe
            )
            n_total = lp.height * (lp.height - 1) / 2 if dedupe else lp.height * rp.height
            model = em_on_gammas(
                _em_pairs(gam, model), model, n_total=n_total, share=_em_share(gam, model)
            )
            model = attrs.evolve(model, name=f"{self.model.name}; re-estimated")
        scored = score_gammas(gam, model, term_frequencies(rp, model)).with_columns(
            band_expr(model)
        )
        cut = model.thresholds.review if min_weight is None else min_weight
        kept = (
            scored.filter(pl.col("match_weight") >= cut)
            .drop([c for c in gam.columns if c.startswith("r_")])
            .sort(["l", "match_weight", "r"], descending=[False, True, False])
        )
        return LinkResult(
            pairs=kept, rule_counts=cand.rule_counts, n_candidates=cand.pairs.height, model=model
        )

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
        return Linker(model=attrs.evolve(model, name=name), estimate=False, u_pairs=self.u_pairs)


#: Prepared columns that describe a home, not a person: a rule keyed on them
#: finds the household (siblings, parents) as well as the person.
HOUSEHOLD_KEYS: Final = frozenset(
    {"postcode", "pc_sector", "pc_district", "address_numbers", "address_street"}
)


def _person_rules(model: LinkageModel) -> list[int]:
    return [
        i
        for i, r in enumerate(model.blocking_rules)
        if not HOUSEHOLD_KEYS & {*r.left_keys, *r.keys_right}
    ]


def _em_pairs(gam: pl.DataFrame, model: LinkageModel) -> pl.DataFrame:
    """The candidates EM learns ``m`` on: those a person rule found first.

    A rule keyed on the home pairs every member of a household; with them in,
    EM's "match" class drifts to "same household" (the names, dates of birth,
    postcode and address of family members agree together), as Splink's docs
    warn of blocking EM on such columns. All rules household ones: all pairs.
    """
    person = _person_rules(model)
    if not person or len(person) == len(model.blocking_rules) or "rule" not in gam.columns:
        return gam
    return gam.filter(pl.col("rule").is_in(person))


def _em_share(gam: pl.DataFrame, model: LinkageModel) -> float:
    """Share of all candidates that :func:`_em_pairs` keeps (to scale the prior back)."""
    return _em_pairs(gam, model).height / max(gam.height, 1)


def _hashed_keys(frame: pl.DataFrame, model: LinkageModel) -> pl.DataFrame:
    """``rec`` and the blocking keys, text keys (and text list elements) as 64-bit hashes.

    Joining on integers is several times cheaper than on strings, and nulls
    stay null. The hash is the same on both sides (a fixed seed); a collision
    can only add a candidate pair, which is then compared on its values.
    """
    keys = dict.fromkeys(k for r in model.blocking_rules for k in (*r.left_keys, *r.keys_right))
    cols = [k for k in keys if k in frame.columns]
    out = []
    for k in cols:
        dtype = frame.schema[k]
        c = pl.col(k)
        if dtype == pl.String:
            out.append(pl.when(c.is_not_null()).then(c.hash(_SEED)).alias(k))
        elif dtype == pl.List(pl.String):
            e = pl.element()
            out.append(c.list.eval(pl.when(e.is_not_null()).then(e.hash(_SEED))).alias(k))
        else:
            out.append(c)
    return frame.select("rec", *out)


_SEED: Final = 1_616


#: Candidate pairs whose compared columns are gathered at once: the pair frame
#: of a chunk (tens of columns, strings and lists) is dropped once its levels
#: are computed, so memory follows the levels (one byte per comparison), not
#: the compared values.
CHUNK_PAIRS: Final = 2_000_000


def _gammas(
    lp: pl.DataFrame, rp: pl.DataFrame, pairs: pl.DataFrame, model: LinkageModel
) -> pl.DataFrame:
    """``pairs`` with ``gamma_<name>`` and the right-hand columns term frequencies read."""
    keep = [
        f"r_{c}"
        for c in dict.fromkeys(x for cm in model.comparisons for x in (cm.tf_column, cm.u_column))
        if c
    ]
    gcols = [f"gamma_{c.name}" for c in model.comparisons]
    parts = []
    for start in range(0, max(pairs.height, 1), CHUNK_PAIRS):
        chunk = pairs.slice(start, CHUNK_PAIRS)
        pf = compute_gammas(pair_frame(lp, rp, chunk, model), model)
        parts.append(pf.select(*pairs.columns, *gcols, *[c for c in keep if c in pf.columns]))
    return pl.concat(parts) if len(parts) > 1 else parts[0]
