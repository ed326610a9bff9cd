"""Pairs people have decided: the negative-link store and the known links.

A review outcome (contract section 5) is kept by the flag's identity,
``cpflag.contract.FLAG_KEY``: the attendance's id, the plan's own id and the
kind. :class:`KnownPairs` is the one reading of it that the nightly batch
(``loop.close_night``, rejected pairs not raised again, look-back included)
and an index built with the outcomes (``PlanIndex.match`` and
``PlanIndex.match_one`` at triage) share:

* a **rejected** pair is never raised again for the same two records;
* a **confirmed** pair is a known link: shown at ``match`` (a person has
  settled it; nothing is left to check, so ``check`` is null) with
  "CONFIRMED by review on <date> (a known link)" first in ``reasons``. Its
  ``match_probability`` stays the model's own, so a decision is not fed back
  to the calibration as if the model had known it. Only an index built with
  the outcomes marks it; the nightly batch leaves the row as raised and sends
  it to the LA (``loop._notify``).

The latest decision on a pair is the one in force (``loop.read_outcomes``).
"""

from __future__ import annotations

from typing import Final

import attrs
import polars as pl

from cpflag.contract import FLAG_KEY, Band, Outcome

__all__ = ["KnownPairs"]

_KEY: Final = list(FLAG_KEY)


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema={**dict.fromkeys(FLAG_KEY, pl.String), "decided_on": pl.Date})


@attrs.frozen
class KnownPairs:
    """The decided pairs in force, by flag identity.

    Attributes:
        rejected: ``FLAG_KEY`` columns and ``decided_on`` of the rejected pairs.
        confirmed: The same of the confirmed pairs.
    """

    rejected: pl.DataFrame = attrs.field(factory=_empty, eq=False)
    confirmed: pl.DataFrame = attrs.field(factory=_empty, eq=False)

    @classmethod
    def of(cls, outcomes: pl.DataFrame) -> KnownPairs:
        """The pairs of an outcomes table (one decision in force per pair).

        Args:
            outcomes: ``review_outcomes`` rows (``cpflag.loop.read_outcomes``).

        Returns:
            The rejected and the confirmed pairs.
        """
        cols = [*_KEY, "decided_on"]
        keep = outcomes.select(*cols, "outcome").cast(
            {**dict.fromkeys(FLAG_KEY, pl.String), "decided_on": pl.Date}
        )
        return cls(
            rejected=keep.filter(pl.col("outcome") == Outcome.REJECTED).select(cols),
            confirmed=keep.filter(pl.col("outcome") == Outcome.CONFIRMED).select(cols),
        )

    def __len__(self) -> int:
        return self.rejected.height + self.confirmed.height

    def drop_rejected(self, flags: pl.DataFrame) -> pl.DataFrame:
        """The flags less those whose pair a person rejected.

        Args:
            flags: Rows with the ``FLAG_KEY`` columns (order kept).

        Returns:
            The rows not rejected.
        """
        if self.rejected.height == 0:
            return flags
        return flags.join(
            self.rejected.select(_KEY), on=_KEY, how="anti", nulls_equal=True, maintain_order="left"
        )

    def apply(self, flags: pl.DataFrame) -> pl.DataFrame:
        """Flags as an index built with the outcomes gives them.

        Rejected pairs dropped; confirmed pairs at ``match``, ``check`` null,
        ``reasons`` led by the confirmation. Columns and row order kept.

        Args:
            flags: Contract ``flags`` rows.

        Returns:
            The flags with the decisions applied.
        """
        kept = self.drop_rejected(flags)
        if self.confirmed.height == 0 or kept.height == 0:
            return kept
        known = self.confirmed.rename({"decided_on": "_confirmed_on"})
        hit = pl.col("_confirmed_on").is_not_null()
        note = pl.format("CONFIRMED by review on {} (a known link)", pl.col("_confirmed_on"))
        return (
            kept.join(known, on=_KEY, how="left", nulls_equal=True, maintain_order="left")
            .with_columns(
                pl.when(hit).then(pl.lit(Band.MATCH.value)).otherwise(pl.col("band")).alias("band"),
                pl.when(hit)
                .then(pl.lit(None, pl.String))
                .otherwise(pl.col("check"))
                .alias("check"),
                pl.when(hit)
                .then(pl.concat_str([note, pl.col("reasons")], separator="; ", ignore_nulls=True))
                .otherwise(pl.col("reasons"))
                .alias("reasons"),
            )
            .select(flags.columns)
        )
