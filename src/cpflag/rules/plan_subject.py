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
"""

from __future__ import annotations

from typing import Final

from cpflag.rules._checks import ReviewChecks

__all__ = ["CHECKS", "SUBJECT_PLAN_TYPES"]

#: Plan types whose subject is a person with their own identifiers.
SUBJECT_PLAN_TYPES: Final = ("cpp", "lac", "cin", "marac")

#: What to verify at review: the person model's guards carry their own checks.
CHECKS: Final = ReviewChecks(
    generic="weak identity evidence: confirm NHS number, date of birth and address",
)
