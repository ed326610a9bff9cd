"""Cannot-link rules: pairs of records that must never be one person.

A cluster may hold two records only if none of these holds for the pair:

* **twin markers**: both are newborn placeholders with different twin markers
  ("Baby A" and "Baby B", "Twin 1" and "Twin 2");
* **twins**: same date of birth, both given names recorded and different (the
  given-name comparison says ``initial`` or ``different``), the names are not
  simply given/family swapped, and no identifier overrules it. An identifier
  *overrules* when the NHS number or the hospital number (same trust) agrees
  and neither disagrees, nor does the recorded sex: nicknames outside the
  variant lists ("Livvy" for Olivia) are common, twins sharing both numbers
  are not. One twin's NHS number typed into the other twin's record is
  therefore caught where the sexes or the hospital numbers (one trust) differ;
* **newborn twins without names**: same date of birth, sex recorded differently,
  no given-name agreement (``exact``/``variant``), and different NHS numbers or none;
* **two children's NHS numbers**: both valid and different, unless the record
  is the child's in every other respect -- the date of birth agrees (exact,
  day/month swapped or one-digit typo), the given name is the same (or a
  placeholder has none) and the postcode unit is the same: the pattern of a
  sibling's or the mother's number typed into the child's record;
* **siblings**: dates of birth that disagree outright (not a typo, swap, year
  off or within a week) and no identifier overruling it.

The rules are checked pairwise only inside the components that look suspect
from cheap group counts (more than one NHS number or date of birth, or records
sharing a date of birth with more than one given name, twin marker or sex), so
the cost is proportional to that remainder.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from cpflag.linkage import LEVEL_LABELS, compute_levels
from cpflag.linkage._comparisons import required_columns

__all__ = ["CONFLICT_COLUMNS", "conflict_pairs", "pair_rules"]

#: Prepared columns the rules read: those of the given-name, date-of-birth and
#: name-swap comparisons, and the identifiers and keys of the rules themselves.
CONFLICT_COLUMNS: Final = tuple(
    dict.fromkeys(
        [
            *required_columns("given_name"),
            *required_columns("date_of_birth"),
            *required_columns("name_swap"),
            "nhs",
            "dob",
            "given_first",
            "sex",
            "twin_key",
            "mrn_key",
            "trust",
            "postcode",
        ]
    )
)

_GIVEN = LEVEL_LABELS["given_name"]
_DOB = LEVEL_LABELS["date_of_birth"]
_GIVEN_AGREES: Final = [_GIVEN.index(x) for x in ("exact", "variant", "close")]
_GIVEN_NAMED: Final = [_GIVEN.index(x) for x in ("exact", "variant")]
_GIVEN_DIFFERS: Final = [_GIVEN.index(x) for x in ("initial", "different")]
_DOB_AGREES: Final = [_DOB.index(x) for x in ("exact", "swapped", "typo")]
_DOB_EXACT: Final = _DOB.index("exact")
_DOB_DIFFERENT: Final = _DOB.index("different")
_GIVEN_EXACT: Final = _GIVEN.index("exact")
_SWAPPED: Final = LEVEL_LABELS["name_swap"].index("swapped")


def _suspects(df: pl.DataFrame) -> pl.DataFrame:
    """Component labels whose group counts allow a conflict."""
    multi = df.filter(pl.len().over("comp") > 1)
    by_comp = multi.group_by("comp").agg(
        pl.col("nhs").drop_nulls().n_unique().alias("k"),
        pl.col("dob").drop_nulls().n_unique().alias("d"),
    )
    by_dob = (
        multi.filter(pl.col("dob").is_not_null())
        .group_by("comp", "dob")
        .agg(
            pl.len().alias("n"),
            pl.col("given_first").drop_nulls().n_unique().alias("g"),
            pl.col("twin_key").drop_nulls().n_unique().alias("t"),
            pl.col("sex").drop_nulls().n_unique().alias("s"),
        )
        .filter((pl.col("n") > 1) & ((pl.col("g") > 1) | (pl.col("t") > 1) | (pl.col("s") > 1)))
    )
    return pl.concat(
        [
            by_comp.filter((pl.col("k") > 1) | (pl.col("d") > 1)).select("comp"),
            by_dob.select("comp"),
        ]
    ).unique()


def _pair_frame(frame: pl.DataFrame, a: pl.Series, b: pl.Series) -> pl.DataFrame:
    cols = frame.select(CONFLICT_COLUMNS)
    left = cols[a.to_numpy()].rename({c: f"l_{c}" for c in CONFLICT_COLUMNS})
    right = cols[b.to_numpy()].rename({c: f"r_{c}" for c in CONFLICT_COLUMNS})
    return pl.concat([left, right], how="horizontal")


def _rule_expr(pf: pl.DataFrame) -> pl.Series:
    """The first cannot-link rule that holds for each pair of a pair frame (else null)."""
    pf = pf.with_columns(
        compute_levels(pf, "given_name").alias("g"),
        compute_levels(pf, "date_of_birth").alias("d"),
        compute_levels(pf, "name_swap").alias("s"),
    )
    g, d = pl.col("g"), pl.col("d")
    nhs_same = (pl.col("l_nhs") == pl.col("r_nhs")).fill_null(False)
    nhs_differ = (pl.col("l_nhs") != pl.col("r_nhs")).fill_null(False)
    marker = (pl.col("l_twin_key") != pl.col("r_twin_key")).fill_null(False)
    same_trust = (pl.col("l_trust") == pl.col("r_trust")).fill_null(False)
    mrn_same = (pl.col("l_mrn_key") == pl.col("r_mrn_key")).fill_null(False)
    mrn_differ = same_trust & (pl.col("l_mrn_key") != pl.col("r_mrn_key")).fill_null(False)
    sex_differ = (pl.col("l_sex") != pl.col("r_sex")).fill_null(False)
    # An identifier agreeing (and none disagreeing) overrules a given-name
    # difference: nicknames and typos outside the variant lists are common,
    # twins sharing an NHS number *and* a hospital number are not. A sex that
    # differs too is one twin's number on the other twin's record.
    ids_agree = (nhs_same | mrn_same) & ~nhs_differ & ~mrn_differ & ~sex_differ
    twin = (d == _DOB_EXACT) & g.is_in(_GIVEN_DIFFERS) & (pl.col("s") != _SWAPPED) & ~ids_agree
    sex = (d == _DOB_EXACT) & sex_differ & ~g.is_in(_GIVEN_NAMED) & ~nhs_same
    same_home = (pl.col("l_postcode") == pl.col("r_postcode")).fill_null(False)
    # A sibling's or the mother's number typed into a child's record: the
    # record is the child's in every other respect, at the child's home.
    borrowed = d.is_in(_DOB_AGREES) & ((g == _GIVEN_EXACT) | (g == -1)) & same_home
    nhs = nhs_differ & ~borrowed
    dob = (d == _DOB_DIFFERENT) & ~ids_agree
    rule = (
        pl.when(marker)
        .then(pl.lit("twin_marker"))
        .when(twin)
        .then(pl.lit("twin"))
        .when(sex)
        .then(pl.lit("newborn_twin_sex"))
        .when(nhs)
        .then(pl.lit("nhs_number"))
        .when(dob)
        .then(pl.lit("date_of_birth"))
    )
    return pf.select(rule.alias("rule")).to_series()


def pair_rules(frame: pl.DataFrame, a: pl.Series, b: pl.Series) -> pl.Series:
    """The cannot-link rule that holds for each given pair of rows (null where none).

    Args:
        frame: Prepared rows (at least :data:`CONFLICT_COLUMNS`).
        a: Row indices.
        b: Row indices, aligned with ``a``.

    Returns:
        A string Series aligned with ``a``: the first rule that holds, or null.
    """
    if a.len() == 0:
        return pl.Series("rule", [], dtype=pl.String)
    return _rule_expr(_pair_frame(frame, a, b))


def conflict_pairs(frame: pl.DataFrame, labels: npt.NDArray[np.int64]) -> pl.DataFrame:
    """Record pairs within one component that cannot be the same person.

    Args:
        frame: Prepared rows (at least :data:`CONFLICT_COLUMNS`), row ``i`` is node ``i``.
        labels: Component label of each row.

    Returns:
        Columns ``a`` < ``b`` (Int64 row indices) and ``rule`` (which rule holds).
    """
    empty = pl.DataFrame(schema={"a": pl.Int64, "b": pl.Int64, "rule": pl.String})
    df = frame.select("nhs", "dob", "given_first", "twin_key", "sex").with_columns(
        pl.Series("comp", labels), pl.int_range(pl.len(), dtype=pl.Int64).alias("i")
    )
    sus = _suspects(df)
    if sus.height == 0:
        return empty
    rows = df.join(sus, on="comp", how="semi").select("comp", "i", "dob", "nhs")
    cand = (
        rows.join(rows, on="comp", suffix="_r")
        .filter(pl.col("i") < pl.col("i_r"))
        # Only pairs that can break a rule: two dates of birth or two NHS numbers.
        .filter(
            (pl.col("dob").is_not_null() & pl.col("dob_r").is_not_null())
            | (pl.col("nhs") != pl.col("nhs_r")).fill_null(False)
        )
    )
    if cand.height == 0:
        return empty
    rule = pair_rules(frame, cand["i"], cand["i_r"])
    return (
        cand.select(pl.col("i").alias("a"), pl.col("i_r").alias("b"))
        .with_columns(rule)
        .drop_nulls("rule")
        .sort("a", "b")
    )
