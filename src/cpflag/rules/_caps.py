"""The caps of one relationship pair on its own, for ``explain``.

Each rule's caps live in its module; this applies those that need no other
pairs, so a waterfall shows the band and guard the flag itself carries.
"""

from __future__ import annotations

import polars as pl

from cpflag.contract import FlagKind
from cpflag.linkage import LinkageModel
from cpflag.rules._attendee import AGE_UNKNOWN
from cpflag.rules.carer import only_named_if_age_unknown
from cpflag.rules.newborn import cap_unknown_age
from cpflag.rules.sibling import cap_age_unknown, cap_unconfirmed_family

__all__ = ["caps_for_one_pair"]


def caps_for_one_pair(
    kind: str, scored: pl.DataFrame, left: pl.DataFrame, model: LinkageModel
) -> pl.DataFrame:
    """The caps of a relation kind that need no other pairs (for ``explain``).

    A pair :func:`only_named_if_age_unknown` would drop is kept, with no band
    and guard ``age_unknown``, so the waterfall says why there is no flag.
    """
    if kind == FlagKind.NEWBORN:
        return cap_unknown_age(scored, left)
    if kind == FlagKind.SIBLING:
        return cap_age_unknown(cap_unconfirmed_family(scored, model), left)
    if kind == FlagKind.CARER:
        kept = only_named_if_age_unknown(scored, left, model)
        dropped = scored.join(kept.select("l", "r"), on=["l", "r"], how="anti").with_columns(
            pl.lit(None, pl.String).alias("band"), pl.lit(AGE_UNKNOWN).alias("guard")
        )
        return pl.concat([kept, dropped.select(kept.columns)])
    return scored
