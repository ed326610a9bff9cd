"""Plan-side frames of the relationship flags, built once per index.

* **families**: one row per ``cpp``/``lac``/``cin`` plan with its subject's
  surname parts and date of birth, the household (postcode, address), the named
  carer and mother with their names' frequencies, and the LA's family key
  (``la_code|family_ref``);
* **siblings'** and **carers'** views of it: a looked-after child's plan
  address and carer are its foster placement, so siblings see the birth family
  only and carers see both, as two rows (:func:`sibling_frame`,
  :func:`carer_frame`);
* **mothers**: one row per ``unborn_cpp`` plan, the mother prepared as a person
  (so the ordinary person model finds her), with the expected delivery date;
* each LA's **area**: the postcode districts its listed families live in.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from cpflag.linkage import Linker
from cpflag.linkage._comparisons import lists_intersect
from cpflag.normalise import (
    given_name_groups,
    name_parts,
    normalise_name,
    normalise_nhs_number,
    normalise_postcode,
    parse_newborn_placeholder,
)

__all__ = [
    "FAMILY_PLAN_TYPES",
    "adult_surnames",
    "carer_frame",
    "family_frame",
    "la_districts",
    "mother_frame",
    "names_of",
    "plan_names",
    "sibling_frame",
]

#: Plan types whose subject's family gets sibling and carer flags.
FAMILY_PLAN_TYPES: Final = ("cpp", "lac", "cin")
_LIST = pl.List(pl.String)


def _first_word(s: pl.Series) -> pl.Series:
    return normalise_name(s).str.split(" ").list.first()


def _parts(s: pl.Series) -> pl.Series:
    return name_parts(normalise_name(s)).fill_null(pl.Series([[]], dtype=_LIST))


def names_of(df: pl.DataFrame, given: str, family: str, prefix: str) -> list[pl.Series]:
    first = _first_word(df[given]).alias(f"{prefix}_given_first")
    return [
        first,
        given_name_groups(first).alias(f"{prefix}_given_groups"),
        _parts(df[family]).alias(f"{prefix}_family_parts"),
    ]


#: Pseudo-records shrinking name frequencies towards the average (short lists).
NAME_PRIOR_STRENGTH: Final = 1000.0
#: Average chance that two people share a given name / a surname.
AVERAGE_GIVEN_U: Final = 0.012
AVERAGE_FAMILY_U: Final = 0.003


def _frequency(values: pl.Series, reference: pl.Series, average: float) -> pl.Series:
    """Shrunk relative frequency in ``reference`` of each of ``values``."""
    ref = reference.drop_nulls()
    n, k = ref.len(), NAME_PRIOR_STRENGTH
    counts = ref.value_counts(name="n").rename({ref.name: "value"})
    return (
        pl.DataFrame({"value": values})
        .join(counts, on="value", how="left", maintain_order="left")
        .select(((pl.col("n").fill_null(0) + k * average) / (n + k)).alias("f"))["f"]
    )


def plan_names(plans: pl.DataFrame) -> pl.DataFrame:
    """The carer's and mother's names on every plan row, normalised once per index.

    Returns:
        ``prow`` and ``{carer,mother}_{given_first,given_groups,family_parts}``.
    """
    return plans.select(
        "prow",
        *names_of(plans, "carer_given_name", "carer_family_name", "carer"),
        *names_of(plans, "mother_given_name", "mother_family_name", "mother"),
    )


def adult_names(names: pl.DataFrame) -> pl.DataFrame:
    """Every carer's and mother's first given name and first surname part on the lists.

    The sample that name frequencies of parents and carers are estimated from
    (children's names are a poor guide to adults': naming fashions change).

    Args:
        names: From :func:`plan_names`.
    """
    return pl.concat(
        [
            names.select(
                pl.col(f"{who}_given_first").alias("given"),
                pl.col(f"{who}_family_parts").list.first().alias("family"),
            )
            for who in ("carer", "mother")
        ]
    ).drop_nulls()


def adult_surnames(plans: pl.DataFrame) -> pl.Series:
    """Every carer's and mother's surname on the lists, as prepared frames hold it.

    The reference for how common a mother's surname is: a "Baby of Begum"
    wristband carries the mother's surname, and a surname common among women
    (Begum, Kaur, Bibi) may be rare among the children on the lists. Prepared
    like the person model's ``family`` column, so the mothers' own values are
    always found.

    Returns:
        The surnames (named ``family``), nulls dropped.
    """
    out = pl.concat(
        [
            parse_newborn_placeholder(
                pl.Series([None] * plans.height, dtype=pl.String), plans[column]
            )["family_name"]
            for column in ("carer_family_name", "mother_family_name")
        ]
    )
    return out.rename("family").drop_nulls()


def name_frequency(given: pl.Series, parts: pl.Series, names: pl.DataFrame) -> pl.Series:
    """Estimated chance that a random adult has this given name and surname.

    Given-name and surname frequencies come from the parents and carers named on
    the lists (``adult_names``), shrunk towards the average so that a short
    list does not claim a name is rare, and multiplied (independence). Null
    where either name is missing.
    """
    first_part = parts.list.first()
    fg = _frequency(given, names["given"], AVERAGE_GIVEN_U)
    ff = _frequency(first_part, names["family"], AVERAGE_FAMILY_U)
    return pl.select(
        pl.when(given.is_not_null() & first_part.is_not_null()).then(fg * ff)
    ).to_series()


def _with_name_us(frame: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """Add the carer's and the mother's name frequencies and ``parent_name_u``."""
    carer = name_frequency(frame["carer_given_first"], frame["carer_family_parts"], names)
    mother = name_frequency(frame["mother_given_first"], frame["mother_family_parts"], names)
    return with_parent_name_u(
        frame.with_columns(carer.alias("carer_name_u"), mother.alias("mother_name_u"))
    )


def with_parent_name_u(frame: pl.DataFrame) -> pl.DataFrame:
    """``parent_name_u``: the less distinctive of the names the frame still has.

    A name level agrees with either adult, so its ``u`` is the larger frequency;
    a frame that keeps only one of them (a looked-after child's placement or
    birth family) takes that one's.
    """
    carer = pl.when(pl.col("carer_family_parts").list.len() > 0).then("carer_name_u")
    mother = pl.when(pl.col("mother_family_parts").list.len() > 0).then("mother_name_u")
    return frame.with_columns(pl.max_horizontal(carer, mother).alias("parent_name_u"))


#: A postcode district is in an LA's area when at least this share of the LA's
#: plan rows (and at least two) have an address there: out-of-area placements,
#: old addresses and typos stay out.
LA_AREA_MIN_SHARE: Final = 0.005


def la_districts(plans: pl.DataFrame, subjects: pl.DataFrame) -> pl.DataFrame:
    """Each LA's area: the postcode districts where its listed families live.

    Learnt from the lists themselves (no boundary file), so it works for any
    set of LAs; used as weak evidence that an attendee lives near a plan's family.

    Args:
        plans: The index's plans (with ``prow``).
        subjects: The prepared plan subjects (``prow``, ``pc_district``): their
            postcodes are normalised already; only the other rows are done here.

    Returns:
        ``la_code`` and ``la_districts`` (sorted list of districts).
    """
    known = subjects.select("prow", pl.col("pc_district").alias("district"))
    rest = plans.join(known, on="prow", how="anti")
    rest_districts = rest.select(
        "prow", normalise_postcode(rest["postcode"])["pc_district"].alias("district")
    )
    districts = pl.concat([known, rest_districts.cast(known.schema)])
    counts = (
        plans.select("prow", "la_code")
        .join(districts, on="prow")
        .select("la_code", "district")
        .drop_nulls()
        .group_by("la_code", "district")
        .len()
        .with_columns(pl.col("len").sum().over("la_code").alias("rows"))
    )
    keep = pl.col("len") >= pl.max_horizontal(pl.lit(2), LA_AREA_MIN_SHARE * pl.col("rows"))
    return (
        counts.filter(keep).group_by("la_code").agg(pl.col("district").sort().alias("la_districts"))
    )


def family_frame(
    plans: pl.DataFrame, subjects: pl.DataFrame, names: pl.DataFrame, areas: pl.DataFrame
) -> pl.DataFrame:
    """The families of children on cpp/lac/cin plans, one row per plan.

    Args:
        plans: The index's plans (with ``prow``).
        subjects: The index's prepared subjects (with ``prow``).
        names: The plans' carer and mother names (:func:`plan_names`).
        areas: The LAs' areas (:func:`la_districts`).
    """
    fam_plans = plans.filter(pl.col("plan_type").is_in(FAMILY_PLAN_TYPES))
    extra = fam_plans.select(
        "prow",
        "plan_type",
        "la_code",
        normalise_nhs_number(fam_plans["mother_nhs_number"])["nhs_number"].alias("mother_nhs"),
        pl.col("mother_date_of_birth").alias("mother_dob"),
        pl.when(pl.col("family_ref").is_not_null())
        .then(pl.concat_str("la_code", pl.lit("|"), "family_ref"))
        .alias("family_key"),
    )
    cols = [
        "prow",
        "dob",
        "family_parts",
        "parent_families",
        "postcode",
        "pc_sector",
        "pc_district",
        "address_numbers",
        "address_street",
    ]
    fam = (
        subjects.select(cols)
        .join(extra, on="prow", how="inner", maintain_order="left")
        .join(names, on="prow", how="left", maintain_order="left")
        .join(areas, on="la_code", how="left", maintain_order="left")
        .with_row_index("rec")
        .with_columns(pl.col("rec").cast(pl.UInt32))
    )
    return _with_name_us(fam, adult_names(names))


def mother_frame(
    plans: pl.DataFrame, linker: Linker, names: pl.DataFrame, areas: pl.DataFrame
) -> pl.DataFrame:
    """The mothers named on unborn plans, prepared as people, one row per plan.

    Args:
        plans: The index's plans (with ``prow``).
        linker: The person linker (prepares the mothers).
        names: The plans' carer and mother names (:func:`plan_names`).
        areas: The LAs' areas (:func:`la_districts`).
    """
    unborn = plans.filter(pl.col("plan_type") == "unborn_cpp").with_columns(
        pl.lit("F").alias("_sex")
    )
    roles = {
        "nhs_number": "mother_nhs_number",
        "given_name": "mother_given_name",
        "family_name": "mother_family_name",
        "date_of_birth": "mother_date_of_birth",
        "sex": "_sex",
    }
    prepared = linker.prepare(unborn, roles=roles)
    # The baby's record is compared with both the mother and the plan's named
    # carer (usually the partner): either may bring the baby in.
    named = [
        f"{who}_{c}"
        for who in ("mother", "carer")
        for c in ("given_first", "given_groups", "family_parts")
    ]
    theirs = unborn.select("prow").join(
        names.select("prow", *named), on="prow", how="left", maintain_order="left"
    )
    areas = unborn.select("la_code").join(areas, on="la_code", how="left", maintain_order="left")
    out = pl.concat([prepared, theirs], how="horizontal").with_columns(
        unborn["expected_delivery_date"].alias("edd"), areas["la_districts"]
    )
    return _with_name_us(out, adult_names(names))


def sibling_frame(families: pl.DataFrame) -> pl.DataFrame:
    """The families frame as sibling evidence: a looked-after child's placement is not family.

    For ``lac`` plans the plan's address is usually the foster placement and the
    named carer the foster carer, so neither says anything about birth siblings:
    they are blanked, leaving the LA's family reference, the named (birth)
    mother and the surnames. A child placed with a parent or with kin (the
    plan's carer is the named mother, or shares the child's or the mother's
    surname) lives at a family home, where siblings may live too: that plan
    keeps it.
    """
    return with_parent_name_u(_blank(families, _placed_away(kin_at_home=True), _PLACEMENT))


def _placed_away(*, kin_at_home: bool = False) -> pl.Expr:
    """A looked-after child whose carer is not its named mother (a placement).

    With ``kin_at_home``, a carer sharing the child's or the mother's surname
    (the father, a grandparent: "placed with parents" or kinship care) also
    makes the plan's address the family's home.
    """
    with_mother = (pl.col("carer_given_first") == pl.col("mother_given_first")) & lists_intersect(
        "carer_family_parts", "mother_family_parts"
    )
    home = with_mother.fill_null(False)
    if kin_at_home:
        kin = lists_intersect("carer_family_parts", "family_parts") | lists_intersect(
            "carer_family_parts", "mother_family_parts"
        )
        home = home | kin
    return (pl.col("plan_type") == "lac") & ~home


#: A looked-after child's placement: the plan's address and its (foster) carer.
_PLACEMENT: Final = (
    "postcode",
    "pc_sector",
    "pc_district",
    "address_numbers",
    "address_street",
    "carer_given_first",
    "carer_given_groups",
    "carer_family_parts",
)
#: The birth mother named on a looked-after child's plan.
_NAMED_MOTHER: Final = ("mother_given_first", "mother_given_groups", "mother_family_parts")


def _blank(frame: pl.DataFrame, where: pl.Expr, columns: tuple[str, ...]) -> pl.DataFrame:
    return frame.with_columns([pl.when(~where).then(pl.col(c)).alias(c) for c in columns])


def carer_frame(families: pl.DataFrame) -> pl.DataFrame:
    """The families frame as carer evidence: a looked-after child has two households.

    The placement (the plan's address and its foster carer) and the birth
    family (the named mother, who lives elsewhere, at an address the plan does
    not give) are compared as separate rows of the same plan (``prow``), so the
    mother is never judged by the placement's address nor her name's weight by
    the foster carer's. A child placed with its mother is one household, one
    row. Rows are renumbered (``rec``); a plan keeps its best row
    (:func:`best_per_plan`).
    """
    lac = _placed_away()
    placement = _blank(families, lac, _NAMED_MOTHER)
    birth = _blank(
        families.filter(lac & (pl.col("mother_family_parts").list.len() > 0)),
        pl.lit(True),
        _PLACEMENT,
    )
    both = pl.concat([placement, birth], how="vertical_relaxed").sort("prow", maintain_order=True)
    return with_parent_name_u(both).with_columns(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("rec")
    )
