"""What evidence the data carries for each true relationship flag (benchmarks only).

A relationship flag can only be found if the attendance and the plan share
something a system can see. This classifies every *true* sibling, carer and
newborn flag by the strongest evidence present in the raw records, independent
of cpflag's models, so recall can be read against what is findable at all:

* ``family_ref``: the attendee is itself the subject of a plan of the same LA
  family (by the truth; a perfect same-person step);
* ``mother_nhs``: the record's mother's NHS number is the plan's mother's, or the
  attendee's own NHS number is the plan mother's;
* ``household``: the same postcode unit, or the same house number and street;
* ``named_person``: the attendee, or its accompanying carer, has the full name
  (first given name and a surname part) of the plan's named carer or mother,
  and lives in the plan LA's area (the districts holding its families);
* ``named_person_elsewhere``: the same, living outside the plan LA's area or
  with no postcode to tell (a full name shared with one of ~280,000 named
  parents: ``namesake_ceiling`` finds under one such pair in 100 related);
* ``surname_only``: only a surname shared with the plan child or a named parent;
* ``none``: nothing.

Looked-after children's plan addresses are the placement, so ``household`` is
not counted for siblings on ``lac`` plans, unless the plan's carer shares the
child's or the named mother's surname (placed with a parent, or kin).
"""

from __future__ import annotations

import polars as pl

from cpflag.normalise import name_parts, normalise_address, normalise_name, normalise_postcode
from cpflag.normalise import normalise_nhs_number as _nhs

__all__ = [
    "EVIDENCE_ORDER",
    "FINDABLE",
    "evidence_of_pairs",
    "evidence_of_true_flags",
    "namesake_ceiling",
    "recall_by_evidence",
    "recall_where_findable",
]

EVIDENCE_ORDER = (
    "family_ref",
    "mother_nhs",
    "household",
    "named_person",
    "named_person_elsewhere",
    "surname_only",
    "none",
)
#: The classes a record-linkage system can act on: an identifier, the LA's own
#: family grouping, a shared home or a named person in the family's area. A
#: named person far away, a shared surname alone (namesakes) or nothing is not:
#: flagging those classes whole gives under 1% precision (``namesake_ceiling``).
#: Sorts evidence classes strongest first.
_EVIDENCE_RANK = pl.col("evidence").replace_strict(
    {e: i for i, e in enumerate(EVIDENCE_ORDER)}, return_dtype=pl.Int8
)

FINDABLE = ("family_ref", "mother_nhs", "household", "named_person")


def _first(s: pl.Series) -> pl.Series:
    return normalise_name(s).str.split(" ").list.first()


def _parts(s: pl.Series) -> pl.Series:
    return name_parts(normalise_name(s)).fill_null(pl.Series([[]], dtype=pl.List(pl.String)))


def _house(df: pl.DataFrame) -> pl.DataFrame:
    addr = normalise_address(df["address"])
    return pl.DataFrame(
        {
            "pc": normalise_postcode(df["postcode"])["postcode"],
            "num": addr["address_numbers"],
            "street": addr["address_street"],
        }
    )


def _people(df: pl.DataFrame, prefix: str, given: str, family: str) -> dict[str, pl.Series]:
    return {f"{prefix}_g": _first(df[given]), f"{prefix}_f": _parts(df[family])}


def evidence_of_true_flags(
    truth: pl.DataFrame, attendances: pl.DataFrame, plans: pl.DataFrame
) -> pl.DataFrame:
    """Each true relationship flag with its strongest evidence class.

    Args:
        truth: Expected flags (``attendance_id``, ``flag``, ``plan_id``).
        attendances: The attendances table (contract columns).
        plans: The plans table (contract columns).

    Returns:
        ``attendance_id``, ``flag``, ``plan_id``, ``plan_type``, ``evidence``.
    """
    rel = truth.filter(pl.col("flag") != "plan_subject").select("attendance_id", "flag", "plan_id")
    return evidence_of_pairs(rel, truth, attendances, plans)


def evidence_of_pairs(
    pairs: pl.DataFrame, truth: pl.DataFrame, attendances: pl.DataFrame, plans: pl.DataFrame
) -> pl.DataFrame:
    """The strongest evidence class of any (attendance, relationship flag, plan) pairs.

    Args:
        pairs: ``attendance_id``, ``flag`` (a relationship kind), ``plan_id``.
        truth: Expected flags; only its ``plan_subject`` rows are read (which
            LA families each attendee is itself a subject in).
        attendances: The attendances table (contract columns).
        plans: The plans table (contract columns).

    Returns:
        ``attendance_id``, ``flag``, ``plan_id``, ``plan_type``, ``evidence``.
    """
    a = pl.DataFrame(
        {
            "attendance_id": attendances["attendance_id"],
            "a_district": normalise_postcode(attendances["postcode"])["pc_district"],
            "a_nhs": _nhs(attendances["nhs_number"])["nhs_number"],
            "a_mnhs": _nhs(attendances["mother_nhs_number"])["nhs_number"],
            **_people(attendances, "a_self", "given_name", "family_name"),
            **_people(attendances, "a_carer", "carer_given_name", "carer_family_name"),
            **{f"a_{k}": v for k, v in _house(attendances).to_dict().items()},
        }
    )
    p = pl.DataFrame(
        {
            "plan_id": plans["plan_id"],
            "plan_type": plans["plan_type"],
            "la_code": plans["la_code"],
            "fam": plans.select(pl.concat_str("la_code", pl.lit("|"), "family_ref")).to_series(),
            "p_mnhs": _nhs(plans["mother_nhs_number"])["nhs_number"],
            "p_child_f": _parts(plans["family_name"]),
            **_people(plans, "p_carer", "carer_given_name", "carer_family_name"),
            **_people(plans, "p_mother", "mother_given_name", "mother_family_name"),
            **{f"p_{k}": v for k, v in _house(plans).to_dict().items()},
        }
    )
    subject_fams = (
        truth.filter(pl.col("flag") == "plan_subject")
        .join(p.select("plan_id", "fam"), on="plan_id")
        .group_by("attendance_id")
        .agg(pl.col("fam").drop_nulls().alias("own_fams"))
    )
    areas = _la_areas(plans).with_columns(pl.lit(True).alias("in_area"))
    x = (
        pairs.join(a, on="attendance_id", how="left")
        .join(p, on="plan_id", how="left")
        .join(subject_fams, on="attendance_id", how="left")
        .join(
            areas,
            left_on=["la_code", "a_district"],
            right_on=["la_code", "district"],
            how="left",
        )
    )

    def inter(left: str, right: str) -> pl.Expr:
        return pl.col(left).list.set_intersection(pl.col(right)).list.len().fill_null(0) > 0

    def named(who: str, parent: str) -> pl.Expr:
        return (pl.col(f"{who}_g") == pl.col(f"{parent}_g")).fill_null(False) & inter(
            f"{who}_f", f"{parent}_f"
        )

    family_ref = pl.col("own_fams").list.contains(pl.col("fam")).fill_null(False)
    mother_nhs = (pl.col("a_mnhs") == pl.col("p_mnhs")).fill_null(False) | (
        pl.col("a_nhs") == pl.col("p_mnhs")
    ).fill_null(False)
    same_pc = (pl.col("a_pc") == pl.col("p_pc")).fill_null(False)
    same_addr = (
        (pl.col("a_num") == pl.col("p_num")) & (pl.col("a_street") == pl.col("p_street"))
    ).fill_null(False)
    # A looked-after child's address is a placement, unless the carer is family
    # (shares the child's or the named mother's surname: a parent, kin).
    kin = inter("p_carer_f", "p_child_f") | inter("p_carer_f", "p_mother_f")
    placement = (
        (pl.col("flag") == "sibling_of_plan_subject") & (pl.col("plan_type") == "lac") & ~kin
    )
    household = (same_pc | same_addr) & ~placement
    named_person = (
        named("a_self", "p_carer")
        | named("a_self", "p_mother")
        | named("a_carer", "p_carer")
        | named("a_carer", "p_mother")
    )
    surname = (
        inter("a_self_f", "p_child_f")
        | inter("a_self_f", "p_carer_f")
        | inter("a_self_f", "p_mother_f")
    )
    evidence = (
        pl.when(family_ref)
        .then(pl.lit("family_ref"))
        .when(mother_nhs)
        .then(pl.lit("mother_nhs"))
        .when(household)
        .then(pl.lit("household"))
        .when(named_person & pl.col("in_area").fill_null(False))
        .then(pl.lit("named_person"))
        .when(named_person)
        .then(pl.lit("named_person_elsewhere"))
        .when(surname)
        .then(pl.lit("surname_only"))
        .otherwise(pl.lit("none"))
    )
    return x.select("attendance_id", "flag", "plan_id", "plan_type", evidence.alias("evidence"))


def recall_by_evidence(flags: pl.DataFrame, evidence: pl.DataFrame) -> pl.DataFrame:
    """Recall (match + review) of the true relationship flags per evidence class."""
    found = flags.select("attendance_id", "flag", "plan_id", pl.lit(True).alias("found")).unique()
    return (
        evidence.join(found, on=["attendance_id", "flag", "plan_id"], how="left")
        .group_by("flag", "evidence")
        .agg(true=pl.len(), found=pl.col("found").fill_null(False).sum())
        .with_columns(recall=(pl.col("found") / pl.col("true")).round(3))
        .sort("flag", _EVIDENCE_RANK)
    )


def recall_where_findable(flags: pl.DataFrame, evidence: pl.DataFrame) -> pl.DataFrame:
    """Per flag kind: recall over all true flags and over the :data:`FINDABLE` ones."""
    found = flags.select("attendance_id", "flag", "plan_id", pl.lit(True).alias("found")).unique()
    x = evidence.join(found, on=["attendance_id", "flag", "plan_id"], how="left").with_columns(
        pl.col("found").fill_null(False), pl.col("evidence").is_in(FINDABLE).alias("findable")
    )
    return (
        x.group_by("flag")
        .agg(
            true=pl.len(),
            findable=pl.col("findable").sum(),
            found_findable=(pl.col("found") & pl.col("findable")).sum(),
            recall=pl.col("found").mean().round(4),
        )
        .with_columns(
            recall_findable=(pl.col("found_findable") / pl.col("findable")).round(4),
            findable_share=(pl.col("findable") / pl.col("true")).round(4),
        )
        .sort("flag")
    )


#: Settings whose attendees are adults when the date of birth is missing.
_ADULT_SETTINGS = ("ed_adult", "maternity")
#: The plan types each relationship kind is about.
_KIND_PLAN_TYPES = {
    "sibling_of_plan_subject": ("cpp", "lac", "cin"),
    "carer_of_plan_subject": ("cpp", "lac", "cin"),
    "newborn_of_unborn_plan": ("unborn_cpp",),
}


def _la_areas(plans: pl.DataFrame) -> pl.DataFrame:
    """``la_code``, ``district``: districts holding >= 0.5% (and 2) of an LA's plan rows."""
    d = plans.select(
        "la_code", normalise_postcode(plans["postcode"])["pc_district"].alias("district")
    )
    counts = (
        d.drop_nulls()
        .group_by("la_code", "district")
        .len()
        .with_columns(pl.col("len").sum().over("la_code").alias("rows"))
    )
    keep = pl.col("len") >= pl.max_horizontal(pl.lit(2), 0.005 * pl.col("rows"))
    return counts.filter(keep).select("la_code", "district")


def namesake_ceiling(
    truth: pl.DataFrame, attendances: pl.DataFrame, plans: pl.DataFrame, *, newborn_days: int = 90
) -> pl.DataFrame:
    """How many attendee--plan pairs look like each true relationship, and how many are.

    Model-free: every pair of an eligible attendee (a child for siblings, an
    adult for carers, a baby of up to ``newborn_days`` for newborns; the
    attendee is not the plan's own subject) and a plan of the kind's types that
    either shares a surname part with the plan child or a named parent while
    the attendee lives in the plan LA's area (districts holding its families),
    or carries a named parent's full name anywhere. Each pair gets its evidence
    class (:func:`evidence_of_pairs`); the share of true relationships among the
    pairs of a class is the best match-band precision any system can have on
    the class as a whole, without further evidence.

    Args:
        truth: Expected flags (``attendance_id``, ``flag``, ``plan_id``).
        attendances: The attendances table (contract columns).
        plans: The plans table (contract columns).
        newborn_days: A baby is a newborn for this many days.

    Returns:
        ``flag``, ``evidence``, ``in_area``, ``pairs``, ``true``, ``share_true``.
    """
    age = (pl.col("arrival_time").dt.date() - pl.col("date_of_birth")).dt.total_days()
    adult_setting = pl.col("setting").is_in(_ADULT_SETTINGS).fill_null(False)
    a = attendances.select(
        "attendance_id",
        pl.when(age.is_not_null()).then(age < 6575).otherwise(~adult_setting).alias("child"),
        pl.when(age.is_not_null()).then(age >= 6575).otherwise(adult_setting).alias("adult"),
        age.is_between(-1, newborn_days).fill_null(False).alias("newborn"),
        _first(attendances["given_name"]).alias("g"),
        _parts(attendances["family_name"]).alias("f"),
        normalise_postcode(attendances["postcode"])["pc_district"].alias("district"),
    )
    areas = _la_areas(plans)
    a_la = a.join(areas, on="district", how="inner").select("attendance_id", "la_code")
    p = plans.select(
        "plan_id",
        "la_code",
        "plan_type",
        pl.concat_list(
            _parts(plans["family_name"]),
            _parts(plans["carer_family_name"]),
            _parts(plans["mother_family_name"]),
        ).alias("f"),
    )
    named = pl.concat(
        [
            plans.select(
                "plan_id",
                _first(plans[f"{who}_given_name"]).alias("g"),
                _parts(plans[f"{who}_family_name"]).alias("f"),
            )
            for who in ("carer", "mother")
        ]
    ).explode("f")
    own = truth.filter(pl.col("flag") == "plan_subject").select("attendance_id", "plan_id")
    frames = []
    for kind, role in (
        ("sibling_of_plan_subject", "child"),
        ("carer_of_plan_subject", "adult"),
        ("newborn_of_unborn_plan", "newborn"),
    ):
        who = a.filter(pl.col(role))
        kp = p.filter(pl.col("plan_type").is_in(_KIND_PLAN_TYPES[kind]))
        by_surname = (
            who.select("attendance_id", "f")
            .explode("f")
            .join(a_la, on="attendance_id")
            .join(kp.explode("f"), on=["f", "la_code"])
            .select("attendance_id", "plan_id")
        )
        by_name = (
            who.select("attendance_id", "g", "f")
            .explode("f")
            .join(named, on=["g", "f"])
            .join(kp.select("plan_id"), on="plan_id")
            .select("attendance_id", "plan_id")
        )
        frames.append(
            pl.concat([by_surname, by_name])
            .unique()
            .join(own, on=["attendance_id", "plan_id"], how="anti")
            .with_columns(pl.lit(kind).alias("flag"))
        )
    pairs = pl.concat(frames).select("attendance_id", "flag", "plan_id")
    in_area = (
        pairs.join(p.select("plan_id", "la_code"), on="plan_id")
        .join(a_la.with_columns(pl.lit(True).alias("in_area")), on=["attendance_id", "la_code"])
        .select("attendance_id", "plan_id", "in_area")
        .unique()
    )
    true = truth.select("attendance_id", "flag", "plan_id", pl.lit(True).alias("true")).unique()
    return (
        evidence_of_pairs(pairs, truth, attendances, plans)
        .join(in_area, on=["attendance_id", "plan_id"], how="left")
        .join(true, on=["attendance_id", "flag", "plan_id"], how="left")
        .group_by("flag", "evidence", pl.col("in_area").fill_null(False))
        .agg(pairs=pl.len(), true=pl.col("true").fill_null(False).sum())
        .with_columns(share_true=(pl.col("true") / pl.col("pairs")).round(4))
        .sort("flag", _EVIDENCE_RANK, "in_area")
    )
