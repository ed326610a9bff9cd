"""One attendee as the relationship models see it, in plain Python (triage path).

The scalar forms of ``_attendee.attendee_frame`` (the accompanying carer's names,
the mother's NHS number, age on arrival, adult / newborn and why the age is in
doubt) and ``_attendee.with_family_keys`` (the LA family keys of plans the
attendee is the ``match``-band subject of, and a missing postcode or address
taken from the first such plan). Each value is the one the polars frame holds
for the record's row; the triage tests check the flags built on them against
the batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from cpflag.linkage._plain_score import Unsupported
from cpflag.normalise._plain import groups, name, nhs, parts
from cpflag.rules._attendee import ADULT_SETTINGS, AGE_UNKNOWN, BIRTH_YEAR_DOUBTFUL
from cpflag.rules._newborn_age import BIRTH_DATE_DOUBTFUL, digit_typo_of_newborn_one
from cpflag.rules._settings import RuleSettings

__all__ = ["HOME_COLUMNS", "attendee_row", "with_family_keys"]

_POSTCODE_COLS: Final = ("postcode", "pc_sector", "pc_district")
_ADDRESS_COLS: Final = ("address_numbers", "address_street")
#: The subject columns a plan's home is taken from (``_with_plan_home``).
HOME_COLUMNS: Final = (*_POSTCODE_COLS, *_ADDRESS_COLS)


def _first_word(value: str | None) -> str | None:
    """``normalise_name(...).str.split(" ").list.first()``."""
    normalised = name(value)
    return None if normalised is None else normalised.split(" ")[0]


def attendee_row(
    record: Mapping[str, Any], prepared: Mapping[str, Any], config: RuleSettings
) -> dict[str, Any]:
    """The record's row of ``attendee_frame`` (before the family keys).

    Args:
        record: The attendance (contract columns; ``arrival_time`` a naive datetime).
        prepared: Its prepared values (``prepare_one``).
        config: Run configuration (adult age, newborn window).

    Returns:
        The prepared values plus ``carer_*`` names, ``mother_nhs``,
        ``arrival_date``, ``setting``, ``age_days``, ``is_adult``,
        ``is_newborn`` and ``age_doubt``.
    """
    carer_first = _first_word(record["carer_given_name"])
    mother_nhs = nhs(record["mother_nhs_number"])[0]
    arrival_time = record["arrival_time"]
    arrival = None if arrival_time is None else arrival_time.date()
    dob = prepared["dob"]
    age: int | None = None if arrival is None or dob is None else (arrival - dob).days
    setting = record["setting"]
    adult_setting = setting in ADULT_SETTINGS
    newborn_days = config.newborn_days
    if age is None:
        is_adult = adult_setting
        # Age unknown outside an adult setting: possibly a newborn (concern is
        # stepped up, not down; such flags are capped at review).
        is_newborn = not adult_setting
        doubt = None if prepared["is_placeholder"] else AGE_UNKNOWN
    else:
        is_adult = age >= int(config.adult_age * 365.25)
        # Born a year before a newborn's window: a birth year mistyped by one.
        year_off = 365 <= age <= 365 + newborn_days
        is_newborn = -1 <= age < newborn_days or year_off
        doubt = BIRTH_YEAR_DOUBTFUL if year_off else None
        # A baby's record with an impossible age (born in the future, or an
        # adult's), one digit off a newborn's birth date (_newborn_age).
        baby_record = mother_nhs is not None or bool(prepared["is_placeholder"])
        if (
            baby_record
            and (age < -1 or is_adult)
            and arrival is not None
            and digit_typo_of_newborn_one(dob, arrival, newborn_days)
        ):
            # A baby's record, not an adult's, whatever the typo made its age.
            is_newborn, is_adult, doubt = True, False, BIRTH_DATE_DOUBTFUL
    return {
        **prepared,
        "carer_given_first": carer_first,
        "carer_given_groups": groups(carer_first),
        "carer_family_parts": parts(name(record["carer_family_name"])) or [],
        "mother_nhs": mother_nhs,
        "arrival_date": arrival,
        "setting": setting,
        "age_days": age,
        "is_adult": is_adult,
        "is_newborn": is_newborn,
        "age_doubt": doubt,
    }


def with_family_keys(
    attendee: Mapping[str, Any],
    home: Mapping[str, Any] | None,
    matched_plans: Sequence[Mapping[str, Any]],
    review_plans: Sequence[Mapping[str, Any]] = (),
    review_prows: Sequence[int] = (),
    review_weights: Sequence[float] = (),
) -> dict[str, Any]:
    """The attendee row of ``with_family_keys``: own plans' family keys and home.

    Args:
        attendee: From :func:`attendee_row`.
        home: The ``HOME_COLUMNS`` of the subject row with the lowest row
            number among the ``match``-band same-person links; None when there
            is no such link.
        matched_plans: The plan rows (``la_code``, ``family_ref``) of all the
            ``match``-band same-person links.
        review_plans: The same for the ``review``-band links.
        review_prows: The plan rows of the unguarded ``review``-band links.
        review_weights: The match weights of the links of ``review_plans``
            (same order).

    Returns:
        The row with ``family_keys`` (sorted, unique) and the filled home.

    Raises:
        Unsupported: A plan without an LA code (the batch would key it as null).
    """
    out = dict(attendee)
    if home is not None:
        # A missing postcode (or street) takes the plan's whole postcode (or
        # address), as the batch does, so siblings listed there are found.
        if out["postcode"] is None:
            out.update({c: home[c] for c in _POSTCODE_COLS})
        if out["address_street"] is None:
            out.update({c: home[c] for c in _ADDRESS_COLS})
    out["family_keys"] = _family_keys(matched_plans)
    out["review_family_keys"] = _family_keys(review_plans)
    keyed = [w for w, p in zip(review_weights, review_plans, strict=True) if p.get("family_ref")]
    out["review_anchor_weight"] = max(keyed) if keyed else None
    out["review_prows"] = sorted(set(review_prows))
    return out


def _family_keys(plans: Sequence[Mapping[str, Any]]) -> list[str]:
    keys = set()
    for plan in plans:
        if plan.get("family_ref") is None:
            continue
        if plan["la_code"] is None:
            raise Unsupported("a linked plan has no LA code")
        keys.add(f"{plan['la_code']}|{plan['family_ref']}")
    return sorted(keys)
