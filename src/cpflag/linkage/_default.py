"""The default model for English ED attendances against LA plan lists.

Parameters are set from domain knowledge, not fitted to cpflag's own synthetic
data: ``u`` from the arithmetic of random pairs (e.g. ~1/6,600 for two children's
dates of birth agreeing by chance), ``m`` from published ED data-quality figures
and the traps in ``domain.md`` (NHS number missing in ~15% of ED records, nickname
use, surname changes). ``cpflag train`` re-estimates them on a site's own data
(u by random sampling, m by EM). Every level's ``m`` and ``u`` are conditional on
both values being present; the null level weighs 0.
"""

from __future__ import annotations

import attrs

from cpflag.linkage._blocking import generic_blocking_rules
from cpflag.linkage._model import BlockingRule, Comparison, Guard, LinkageModel, Thresholds

__all__ = ["default_blocking_rules", "default_model"]


def _c(
    name: str,
    kind: str,
    levels: list[tuple[str, float, float, str]],
    *,
    tf_column: str | None = None,
) -> Comparison:
    # With a TF column, the exact level's u is the agreed value's frequency.
    adjusted = ("exact",) if tf_column else ()
    return Comparison.from_table(name, kind, levels, adjusted=adjusted, tf_column=tf_column)


def default_comparisons() -> tuple[Comparison, ...]:
    """The person comparisons of the default model."""
    return (
        _c(
            "nhs_number",
            "nhs_number",
            [
                ("exact", 0.98, 1e-6, "nhs_number exact"),
                # Strong evidence against, never a veto: a sibling's number is
                # sometimes typed into the wrong record.
                ("different", 0.02, 0.999999, "nhs_number differs"),
            ],
        ),
        _c(
            "given_name",
            "given_name",
            [
                ("exact", 0.82, 0.012, "given_name exact"),
                ("variant", 0.08, 0.004, "given_name nickname/variant"),
                ("close", 0.04, 0.004, "given_name close spelling"),
                ("phonetic", 0.015, 0.006, "given_name sounds alike"),
                ("initial", 0.015, 0.05, "given_name same initial only"),
                ("different", 0.03, 0.924, "given_name differs"),
            ],
            tf_column="given_first",
        ),
        _c(
            "family_name",
            "family_name",
            [
                ("exact", 0.80, 0.003, "family_name exact"),
                ("part", 0.06, 0.0005, "family_name shares a part (hyphenated/double-barrelled)"),
                ("close", 0.03, 0.002, "family_name close spelling"),
                ("phonetic", 0.01, 0.003, "family_name sounds alike"),
                ("parent", 0.03, 0.001, "family_name is a parent's/carer's surname"),
                # Surnames change (new partner, recorded inconsistently): the
                # penalty is moderate so a changed surname cannot sink a match.
                ("different", 0.07, 0.9935, "family_name differs"),
            ],
            tf_column="family",
        ),
        _c(
            "name_swap",
            "name_swap",
            [
                ("swapped", 0.005, 2e-6, "given/family names swapped"),
                ("not_swapped", 0.995, 0.999998, "names in place"),
            ],
        ),
        _c(
            "date_of_birth",
            "date_of_birth",
            [
                ("exact", 0.92, 0.00015, "dob exact"),
                ("swapped", 0.015, 0.0001, "dob day/month swapped"),
                ("typo", 0.035, 0.003, "dob one-digit typo"),
                ("year_off", 0.01, 0.0003, "dob year off by one"),
                ("near", 0.005, 0.004, "dob within a week"),
                ("different", 0.015, 0.99245, "dob differs"),
            ],
        ),
        _c(
            "sex",
            "sex",
            [("exact", 0.97, 0.5, "sex agrees"), ("different", 0.03, 0.5, "sex differs")],
        ),
        _c(
            "postcode",
            "postcode",
            [
                ("unit", 0.80, 0.0005, "postcode same unit"),
                ("sector", 0.04, 0.005, "postcode same sector"),
                ("district", 0.04, 0.02, "postcode same district"),
                # Families move: a different postcode is weak evidence against.
                ("different", 0.12, 0.9745, "postcode differs"),
            ],
        ),
        _c(
            "address",
            "address",
            [
                # Set conditional on the postcode comparison (addresses and
                # postcodes agree together), so the weight is a tie-break, not
                # a second count of the same evidence.
                ("same_house", 0.70, 0.05, "address same house/flat"),
                ("same_street", 0.10, 0.05, "address same street, other number"),
                ("different", 0.20, 0.90, "address differs"),
            ],
        ),
    )


def default_blocking_rules() -> tuple[BlockingRule, ...]:
    """Blocking rules whose union keeps true matches under each known failure."""
    return (
        BlockingRule("nhs_number", ("nhs",), why="the NHS number, where present and valid"),
        BlockingRule(
            "dob", ("dob",), why="names changed, nicknamed or placeholders ('Baby of Smith')"
        ),
        BlockingRule("dob_swapped", ("dob_swap",), ("dob",), why="day and month of birth swapped"),
        BlockingRule(
            "surname_sound_year",
            ("family_ph_parts", "dob_year"),
            why="dob typo with surname (any part, by sound) kept",
        ),
        BlockingRule(
            "given_group_month",
            ("given_groups", "dob_year", "dob_month"),
            why="surname changed and day of birth mistyped; nicknames share a group",
        ),
        BlockingRule(
            "postcode_year",
            ("postcode", "dob_year"),
            why="surname changed and names misspelt, family not moved",
        ),
        BlockingRule(
            "given_group_surname_sound",
            ("given_groups", "family_ph_parts"),
            why="date of birth badly wrong or missing and no NHS number",
        ),
    )


def default_guards() -> tuple[Guard, ...]:
    """Traps that cap a pair at review, each with what a person should verify.

    The first that applies names the cap (model order), so the more specific
    traps come first.
    """
    return (
        # Two contradictions together: two different valid NHS numbers and a
        # different date of birth, or a twin's date with another given name.
        # That is another child of the family, not a doubtful plan child: the
        # flag rules let such a review give way to a relative's flag on the
        # same plan (``cpflag.rules.plan_subject.YIELDS_TO_RELATIVE``).
        Guard(
            "twin_with_own_number",
            {
                "nhs_number": ("different",),
                "date_of_birth": ("exact",),
                "given_name": ("initial", "different"),
            },
            why="a twin has a number of their own: the plan child's date, another given "
            "name and another valid NHS number",
            check="twin with their own NHS number: compare given names and NHS numbers",
            probability=0.02,
        ),
        Guard(
            "another_child",
            {
                "nhs_number": ("different",),
                "date_of_birth": ("different", "near"),
            },
            why="two different valid NHS numbers and two dates of birth: two children "
            "(a sibling shares the name's surname and the home)",
            check="NHS number and date of birth both differ: likely another child of the "
            "family, confirm who attended",
            probability=0.02,
        ),
        Guard(
            "twin",
            {
                "date_of_birth": ("exact",),
                "given_name": ("initial", "different"),
                "nhs_number": ("null", "different"),
            },
            why="twins share dob, surname and address and differ in given name",
            check="possible twin: compare given names with the plan child's",
            probability=0.25,
        ),
        Guard(
            "no_identity_anchor",
            {
                "date_of_birth": ("different", "null"),
                "nhs_number": ("null", "different"),
            },
            why="an alert needs the date of birth or the NHS number to agree: a parent "
            "and child, or two children, can share a full name and an address",
            check="neither date of birth nor NHS number agrees: confirm the date of birth",
            probability=0.2,
        ),
        Guard(
            "borrowed_nhs_number",
            {
                "nhs_number": ("exact",),
                "given_name": ("initial", "different", "null"),
                "date_of_birth": ("different", "near", "null"),
            },
            why="a sibling's NHS number typed into the wrong record",
            check="NHS number may be a sibling's: confirm given name and date of birth",
            probability=0.2,
        ),
        # A name and a date of birth alone do not make an alert: two children in
        # England share both far more often than the weights' independence
        # says (a common name has a namesake born the same day in about one
        # case in twenty-five), and a family that moved has no home to agree.
        Guard(
            "name_and_dob_only",
            {
                "nhs_number": ("null",),
                "postcode": ("different", "null"),
                "address": ("different", "null"),
            },
            why="name and date of birth agree but no NHS number and no home: a namesake "
            "born the same day elsewhere, or a family that moved",
            check="name and date of birth only: confirm the NHS number or the address",
            probability=0.5,
        ),
        # Last, so the traps above name the cap where they apply (a twin with
        # a number of its own is a twin, not only two numbers).
        Guard(
            "nhs_numbers_differ",
            {"nhs_number": ("different",)},
            why="two different valid NHS numbers almost always mean two people (numbers "
            "are traced on the Spine); a name and date of birth shared by two children "
            "is far commoner than a wrong valid number",
            check="NHS numbers differ: trace both on PDS",
            probability=0.1,
        ),
    )


def default_model() -> LinkageModel:
    """The model cpflag uses when none is given."""
    return LinkageModel(
        comparisons=default_comparisons(),
        blocking_rules=default_blocking_rules(),
        prior=1e-5,
        thresholds=Thresholds(match=6.0, review=-6.0),
        guards=default_guards(),
        name="cpflag default model v1 (domain-set parameters)",
    )


def generic_model() -> LinkageModel:
    """The generic linker's starting model: the default comparisons, generic blocking, no guards.

    The guards of :func:`default_model` are child-protection decisions (a
    possible twin or a borrowed NHS number is never an alert): they belong to
    the flag rules' person model, not to a linker matching any two people
    tables. Its blocking rules (``generic_blocking_rules``) pair two keys
    each, for tables of millions of people. ``Linker()`` starts here and
    estimates the parameters on the data it links (u by sampling, m by EM;
    term frequencies from the right table).
    """
    return attrs.evolve(
        default_model(),
        guards=(),
        blocking_rules=generic_blocking_rules(),
        name="cpflag generic person model (to be estimated on the data)",
    )
