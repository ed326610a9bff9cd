"""The ``plan_subject`` rule: the attendee is the child (or person) a plan is about.

* **Candidates**: the plan rows whose type has a subject with identifiers of
  their own (:data:`SUBJECT_PLAN_TYPES`; an unborn plan's subject is the mother,
  see :mod:`cpflag.rules.unborn_mother`), found by the person model's blocking
  rules.
* **Evidence, guards and thresholds**: the person model
  (:func:`cpflag.linkage.default_model`): NHS number, names, date of birth,
  sex, postcode and address, with term-frequency adjustment; its guards cap
  at ``review`` what weights alone cannot settle (twins, a sibling's NHS
  number, two different NHS numbers), each with its ``check``.
* **Decision**: :func:`cpflag.decide.plan_flags` (the plan current on arrival,
  the list's age).
* **One kind per pair**: a ``review`` capped by a guard of
  :data:`YIELDS_TO_RELATIVE` (two contradictions: another child of the family)
  gives way to a sibling or carer flag of the same plan; any other
  plan_subject flag supersedes them (``cpflag.decide.most_specific``).
"""

from __future__ import annotations

from typing import Final

from cpflag.linkage import LinkageModel
from cpflag.rules._checks import ReviewChecks

__all__ = ["CHECKS", "SUBJECT_PLAN_TYPES", "YIELDS_TO_RELATIVE", "yielding_checks"]

#: Plan types whose subject is a person with their own identifiers.
SUBJECT_PLAN_TYPES: Final = ("cpp", "lac", "cin", "marac")

#: What to verify at review: the person model's guards carry their own checks.
CHECKS: Final = ReviewChecks(
    generic="weak identity evidence: confirm NHS number, date of birth and address",
)

#: Person-model guards that mean "another child of the family" (two different
#: valid NHS numbers and a second contradiction): a plan_subject review they
#: cap gives way to a sibling or carer flag on the same plan, which tells the
#: reviewer the likelier story. Without such a flag the review stays.
YIELDS_TO_RELATIVE: Final = ("twin_with_own_number", "another_child")


def yielding_checks(model: LinkageModel) -> frozenset[str]:
    """The ``check`` texts of ``model``'s guards in :data:`YIELDS_TO_RELATIVE`.

    A flag row carries its guard as its check, so the decision reads these.
    """
    return frozenset(g.check for g in model.guards if g.name in YIELDS_TO_RELATIVE and g.check)
