"""Tunable rates, attendance mix and scale presets of the synthetic generator.

Every number the generator uses to decide *how often* something happens lives
here, as a documented default, so that ``docs/synthetic-data.md``, the tests and
the code agree. Rates are probabilities per record (attendance or plan row)
unless the field says otherwise.
"""

from __future__ import annotations

from typing import Final

import attrs

__all__ = ["SCALES", "STRATA", "AttendanceMix", "NoiseRates", "Scale"]


def _prob(_inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    """attrs validator: a probability in [0, 1]."""
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be within [0, 1], got {value}")


def _rate(default: float) -> float:
    value: float = attrs.field(default=default, validator=_prob)
    return value


def _positive(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    """attrs validator: a whole number of days, at least 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be an integer >= 1, got {value!r}")


def _not_before_min(inst: NoiseRates, attribute: attrs.Attribute[int], value: int) -> None:
    """attrs validator: the stale-list age range is not empty."""
    _positive(inst, attribute, value)
    if value < inst.stale_list_min_days:
        raise ValueError(
            f"{attribute.name} ({value}) must be >= stale_list_min_days "
            f"({inst.stale_list_min_days})"
        )


@attrs.frozen(kw_only=True)
class NoiseRates:
    """How often each trap and each kind of recording noise occurs.

    Attendance rates are per attendance record among the records a trap can
    apply to (e.g. ``nickname`` among records whose given name has a known
    nickname); plan rates are per plan row; population rates are per household
    or person. The defaults are the documented rates of ``docs/synthetic-data.md``.
    """

    # --- attendance: NHS number -------------------------------------------------
    #: record without an NHS number (child or adult older than 6 weeks)
    nhs_missing: float = _rate(0.13)
    #: record without an NHS number, baby under 6 weeks ("trace postponed")
    nhs_missing_newborn: float = _rate(0.85)
    #: NHS number with one digit wrong (fails Modulus 11)
    nhs_invalid: float = _rate(0.01)
    #: a sibling's (valid) NHS number typed on this child's record
    nhs_of_sibling: float = _rate(0.004)
    #: the mother's NHS number typed in the baby's nhs_number field (under 6 weeks)
    nhs_of_mother: float = _rate(0.03)
    #: NHS number written "485 777 3456" / "485-777-3456"
    nhs_spaced: float = _rate(0.25)
    nhs_dashed: float = _rate(0.03)
    #: person never holds an English NHS number (visitor, Scottish CHI ...)
    person_without_nhs: float = _rate(0.01)
    #: baby record (under 6 weeks) carrying mother_nhs_number
    mother_nhs_on_newborn: float = _rate(0.6)

    # --- attendance: names -------------------------------------------------------
    #: nickname instead of the registered given name (Alfie for Alfred)
    nickname: float = _rate(0.3)
    #: spelling/transliteration variant (Mohammed for Muhammad)
    name_variant: float = _rate(0.2)
    given_typo: float = _rate(0.025)
    family_typo: float = _rate(0.025)
    given_family_swap: float = _rate(0.01)
    #: swap rate for Chinese names (family name first is common)
    given_family_swap_chinese: float = _rate(0.06)
    #: diacritics dropped (Mikolaj for Mikołaj) where the name has any
    diacritics_stripped: float = _rate(0.7)
    #: hyphenated double surname recorded as one part only
    hyphen_one_part: float = _rate(0.4)
    #: a person with a second surname (new partner's) recorded under it
    alt_surname_used: float = _rate(0.6)
    #: baby record recorded as "Baby"/"Baby of X"/"Baby A", by age in days
    baby_named_0_6: float = _rate(0.85)
    baby_named_7_27: float = _rate(0.45)
    baby_named_28_41: float = _rate(0.15)
    #: among baby-named records: "Baby of Smith" style (else "Baby" + surname)
    baby_of_style: float = _rate(0.35)
    #: share of sites whose system stores names in upper case
    site_upper_case: float = _rate(0.4)
    name_lower_case: float = _rate(0.02)
    name_extra_space: float = _rate(0.02)

    # --- attendance: dates of birth ---------------------------------------------
    dob_typo: float = _rate(0.015)
    #: day/month swapped (only applied where the swapped date is valid)
    dob_swap: float = _rate(0.04)
    dob_year_off: float = _rate(0.008)
    dob_missing: float = _rate(0.003)

    # --- attendance: postcode and address ----------------------------------------
    postcode_missing: float = _rate(0.03)
    postcode_typo: float = _rate(0.015)
    #: ZZ99 3WZ (not known)
    postcode_unknown: float = _rate(0.004)
    #: ZZ99 3VZ (no fixed abode), adults only
    postcode_nfa: float = _rate(0.003)
    postcode_no_space: float = _rate(0.15)
    postcode_lower_case: float = _rate(0.08)
    address_missing: float = _rate(0.05)
    address_abbreviated: float = _rate(0.15)
    address_with_town: float = _rate(0.3)

    # --- attendance: other fields ---------------------------------------------------
    carer_recorded: float = _rate(0.4)
    mrn_duplicate: float = _rate(0.01)
    sex_other_coding: float = _rate(0.03)
    gp_missing: float = _rate(0.05)

    # --- plan rows (LA recording errors) --------------------------------------------
    plan_nhs_missing: float = _rate(0.05)
    plan_nhs_invalid: float = _rate(0.004)
    plan_given_typo: float = _rate(0.012)
    plan_family_typo: float = _rate(0.012)
    plan_dob_typo: float = _rate(0.008)
    plan_dob_swap: float = _rate(0.01)
    plan_postcode_typo: float = _rate(0.01)
    plan_postcode_missing: float = _rate(0.02)
    #: LA records the known-as name (a nickname) instead of the registered one
    plan_known_as: float = _rate(0.05)
    #: a person with a second surname listed under the new partner's surname
    plan_alt_surname: float = _rate(0.5)
    plan_hyphen_one_part: float = _rate(0.2)
    #: a looked-after child's row names the birth mother (mother_* columns)
    plan_lac_birth_mother_named: float = _rate(0.6)
    #: a row whose plan has a carer names that carer (carer_* columns): the
    #: parent of a cpp/cin row, the foster carer of a lac row, the partner on
    #: a pre-birth row; an unnamed carer is not the row's carer in the truth
    #: (an adult of the subject's household still is, by the household rule)
    plan_carer_named: float = _rate(1.0)
    #: the carer named on a cpp/cin row is the mother (else the father or
    #: step-father), where the household has one (a baby's cpp row after a
    #: pre-birth plan always names the mother)
    plan_carer_is_mother: float = _rate(0.88)
    #: a looked-after child's row carries no postcode and no address (withheld
    #: to protect the placement); counted as ``postcode_missing`` in the truth
    plan_lac_address_withheld: float = _rate(0.0)
    #: a pre-birth (unborn_cpp) row with a blank expected delivery date (the
    #: truth still uses the real EDD for the mother's window)
    plan_edd_missing: float = _rate(0.0)
    #: rows of plans that ended before the list date (still on the list)
    plan_ended: float = _rate(0.05)
    #: share of LAs that send no family_ref
    la_without_family_ref: float = _rate(0.2)
    #: share of LAs whose list is in upper case
    la_upper_case: float = _rate(0.4)
    #: share of LAs whose list is old (60-120 days) rather than 1-31 days
    la_stale_list: float = _rate(0.1)
    #: age range in days (inclusive) of an old list (not probabilities)
    stale_list_min_days: int = attrs.field(default=60, validator=_positive)
    stale_list_max_days: int = attrs.field(default=120, validator=_not_before_min)

    # --- population -------------------------------------------------------------------
    #: households with 2+ children that contain a twin pair
    twin: float = _rate(0.03)
    #: step-families (children of two fathers), plan households / others
    blended_plan: float = _rate(0.45)
    blended_background: float = _rate(0.18)
    #: children of a couple given a hyphenated double surname
    hyphenated_child: float = _rate(0.06)
    #: children of a couple given the mother's current surname (not hyphenated)
    child_mother_surname: float = _rate(0.06)
    #: households with a father, of any name group, whose children take the
    #: father's given name as their surname (a patronymic); Somali households
    #: always do, this adds others (Arabic, Ethiopian, Eritrean conventions)
    patronymic: float = _rate(0.0)
    #: children of an earlier father who also go by the step-father's surname
    surname_change: float = _rate(0.35)
    #: Sikh families using Singh/Kaur rather than a family surname
    sikh_religious_names: float = _rate(0.5)
    #: Bangladeshi/Pakistani mothers named Begum/Bibi/Khatun
    muslim_mother_title: float = _rate(0.55)
    #: households that moved house since the list (plan) / during the history
    moved_plan: float = _rate(0.10)
    moved_background: float = _rate(0.05)
    #: moves that stay within the LA (the rest go to a random population LA)
    move_same_la: float = _rate(0.8)
    #: relatives of a plan family living at another address: each man
    #: (father or step-father, where a woman stays at home) and each child
    #: aged 1 or over who is not a plan subject; those of one family live
    #: together at one other address (with the other parent, a grandparent)
    relatives_apart: float = _rate(0.0)
    #: households living in a block of flats (shared building, shared postcode)
    flat: float = _rate(0.25)
    #: attending background children who are a plan child's namesake born the
    #: same day: given name, surname, sex and date of birth of a random plan
    #: subject, with their own NHS number, family and home (any LA, those that
    #: share no list included). A common name has such a namesake somewhere in
    #: England in about one case in twenty-five; 0 by default (the seeds' data
    #: sets stay as they were), a sweep setting
    doppelganger: float = _rate(0.0)


@attrs.frozen(kw_only=True)
class AttendanceMix:
    """Share of attendances drawn from each stratum of the population.

    The plan-related strata are enriched well above their real prevalence so
    that accuracy can be measured; shares of empty strata are redistributed.
    """

    background_child: float = _rate(0.50)
    background_adult: float = _rate(0.29)
    #: children who are subjects of cpp/lac/cin rows (current or ended)
    plan_subject: float = _rate(0.08)
    #: other children of plan households (siblings, foster carers' own children ...)
    plan_child_other: float = _rate(0.06)
    #: adults of plan households, foster carers, MARAC subjects
    plan_adult: float = _rate(0.04)
    unborn_mother: float = _rate(0.012)
    #: babies born to mothers on a pre-birth plan
    unborn_baby: float = _rate(0.006)
    #: anyone of a plan household in an LA that shares no list
    unshared_la: float = _rate(0.012)

    def as_dict(self) -> dict[str, float]:
        """The shares by stratum name, in a fixed order."""
        return attrs.asdict(self)


#: Attendance strata, in code order (the fields of AttendanceMix).
STRATA: Final = tuple(a.name for a in attrs.fields(AttendanceMix))


@attrs.frozen(kw_only=True)
class Scale:
    """A size preset: how many LAs, trusts, attendances a day and plan rows."""

    name: str
    attendances_per_day: int
    #: plan rows by plan type on the lists shared (ended rows included)
    plan_rows: dict[str, int]
    #: population LAs: "trust" (a handful from one region), "region" or "all"
    la_scope: str
    #: LAs in the population when la_scope is "trust"
    n_las: int
    #: LAs of the population that share no list
    n_unshared: int
    #: LAs served per trust (the number of trusts follows)
    las_per_trust: int


SCALES: Final[dict[str, Scale]] = {
    "demo": Scale(
        name="demo",
        attendances_per_day=400,
        plan_rows={"cpp": 1050, "lac": 1750, "unborn_cpp": 70, "cin": 90, "marac": 40},
        la_scope="trust",
        n_las=5,
        n_unshared=1,
        las_per_trust=5,
    ),
    "region": Scale(
        name="region",
        attendances_per_day=3000,
        plan_rows={"cpp": 7000, "lac": 11700, "unborn_cpp": 450, "cin": 600, "marac": 250},
        la_scope="region",
        n_las=0,
        n_unshared=2,
        las_per_trust=2,
    ),
    "national": Scale(
        name="national",
        attendances_per_day=20000,
        plan_rows={"cpp": 50000, "lac": 84000, "unborn_cpp": 3000, "cin": 2000, "marac": 1000},
        la_scope="all",
        n_las=153,
        n_unshared=3,
        las_per_trust=1,
    ),
}
