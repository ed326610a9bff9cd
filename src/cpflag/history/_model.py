"""The person-resolution model: which attendances are the same child.

Resolution is the linkage engine in de-duplication mode with a model that
extends :func:`cpflag.linkage.default_model` for attendance-to-attendance
pairs (the default model's comparisons and guards are kept):

* ``mrn``: the hospital number (``local_patient_id``) within one trust. It is
  compared only when both records come from the same trust; two MRNs of
  different trusts say nothing. A different MRN at the same trust is evidence
  against, not a veto (duplicate registrations happen);
* ``mother_nhs``: the mother's NHS number on two newborn records;
* ``twin_marker``: "Baby A" / "Baby B" placeholders. Different markers cap the
  pair at ``review`` (a guard) and are a hard conflict in clustering (the
  default guards that ask for the NHS number not to agree are narrowed by the
  same condition on the MRN, an identifier too);
* the placeholder-aware family name: a newborn record ("Baby of Smith") carries
  the mother's surname, which says little about the surname the child is
  registered under later, so a surname *disagreement* involving a placeholder
  record is the null level (no evidence) rather than evidence against.

Blocking is tighter than for plan matching: blocking on date of birth alone
would give ~10^8 pairs for a million attendances, so every date-of-birth rule is
combined with a name, household or area key.

The model is data: :func:`attendance_model` returns a
:class:`~cpflag.linkage.LinkageModel` that round-trips through JSON (the kinds
registered here must be imported, which importing ``cpflag.history`` does).
"""

from __future__ import annotations

import attrs

from cpflag.linkage import BlockingRule, Comparison, Guard, LinkageModel, default_model
from cpflag.linkage._comparisons import (
    both,
    declared_kind,
    register_declared_kind,
    same,
)
from cpflag.linkage._expr import L, R
from cpflag.linkage._levels import DeclaredKind

__all__ = ["attendance_blocking_rules", "attendance_model"]

_FAMILY = declared_kind("family_name")
assert _FAMILY is not None  # a built-in declared kind

register_declared_kind(
    # MRNs are issued per trust: across trusts the comparison has no evidence.
    DeclaredKind(
        "mrn",
        ("exact", "different"),
        (same("mrn_key"),),
        both("mrn_key") | L("trust").ne(R("trust")).fill_null(True),
        ("mrn_key", "trust"),
    )
)
register_declared_kind(
    DeclaredKind(
        "twin_marker", ("same", "different"), (same("twin_key"),), both("twin_key"), ("twin_key",)
    )
)
# A surname disagreement involving a placeholder record says nothing: null.
register_declared_kind(
    attrs.evolve(
        _FAMILY,
        kind="family_name_newborn",
        required=(*_FAMILY.required, "is_placeholder"),
        else_null=L("is_placeholder").fill_null(False) | R("is_placeholder").fill_null(False),
    )
)


def _c(name: str, kind: str, levels: list[tuple[str, float, float, str]], **kw: str) -> Comparison:
    return Comparison.from_table(name, kind, levels, column=kw.get("column"))


def attendance_blocking_rules() -> tuple[BlockingRule, ...]:
    """Blocking rules for attendance-to-attendance pairs.

    Every rule keeps pair counts near-linear in the history: identifiers alone,
    or a date of birth with a name, household or area key.
    """
    return (
        BlockingRule("nhs_number", ("nhs",), why="the NHS number, where present and valid"),
        BlockingRule("mrn", ("mrn_key",), why="the hospital number within one trust"),
        BlockingRule(
            "mother_nhs", ("mother_nhs",), why="newborn records carrying the mother's NHS number"
        ),
        BlockingRule(
            "dob_household",
            ("dob", "postcode"),
            why="names changed or placeholders ('Baby of Smith'), family not moved",
        ),
        BlockingRule(
            "dob_surname_sound",
            ("dob", "family_ph_parts"),
            why="given name nicknamed, misspelt or a placeholder",
        ),
        BlockingRule("dob_given_group", ("dob", "given_groups"), why="surname changed or misspelt"),
        BlockingRule(
            "dob_swapped_surname",
            ("dob_swap", "family_ph_parts"),
            ("dob", "family_ph_parts"),
            why="day and month of birth swapped",
        ),
        BlockingRule(
            "names_year",
            ("given_groups", "family_ph_parts", "dob_year"),
            why="day or month of birth mistyped",
        ),
        BlockingRule(
            "names_district",
            ("given_groups", "family_ph_parts", "pc_district"),
            why="date of birth badly wrong or missing",
        ),
    )


def attendance_model() -> LinkageModel:
    """The default person-resolution model for attendances (de-duplication).

    Returns:
        The default linkage model's comparisons and guards, plus the hospital
        number, mother's NHS number and twin-marker comparisons, the
        placeholder-aware family name, a twin-marker guard and the attendance
        blocking rules.
    """
    base = default_model()
    comps: list[Comparison] = [
        attrs.evolve(c, kind="family_name_newborn") if c.kind == "family_name" else c
        for c in base.comparisons
    ]
    comps += [
        _c(
            "mrn",
            "mrn",
            [
                ("exact", 0.97, 1e-6, "hospital number (same trust) exact"),
                ("different", 0.03, 0.999999, "hospital number (same trust) differs"),
            ],
        ),
        _c(
            "mother_nhs",
            "exact",
            [
                # u is among newborn records: mostly siblings born earlier share
                # the mother's number, and the date of birth tells them apart.
                ("exact", 0.95, 1e-4, "mother's NHS number exact"),
                ("different", 0.05, 0.9999, "mother's NHS number differs"),
            ],
            column="mother_nhs",
        ),
        _c(
            "twin_marker",
            "twin_marker",
            [
                ("same", 0.95, 0.5, "same twin marker"),
                ("different", 0.05, 0.5, "different twin markers (Baby A / Baby B)"),
            ],
        ),
    ]
    guards = (
        # The default guards, each that asks for the NHS number *not* to agree
        # (twin, no identity anchor) narrowed by the same condition on the
        # hospital number: an agreeing MRN is an identifier like the NHS number,
        # so "Nat" with Natalie's MRN is not capped as a twin.
        *(
            attrs.evolve(g, when={**g.when, "mrn": ("null", "different")})
            if "exact" not in g.when.get("nhs_number", ("exact",))
            else g
            for g in base.guards
        ),
        Guard(
            "twin_marker",
            {"twin_marker": ("different",)},
            why="'Baby A' and 'Baby B' are two children",
        ),
    )
    return LinkageModel(
        comparisons=tuple(comps),
        blocking_rules=attendance_blocking_rules(),
        prior=base.prior,
        thresholds=base.thresholds,
        guards=guards,
        name="cpflag attendance resolution model v1 (domain-set parameters)",
    )
