"""The flag rules: one module per flag kind.

Each kind's module declares its candidates (who is compared with which plan
side), its evidence (the relationship model: comparisons with m and u, the
prior, blocking rules), its guards and caps, and its band thresholds:

* :mod:`cpflag.rules.plan_subject` -- the attendee is the plan's subject;
* :mod:`cpflag.rules.unborn_mother` -- the attendee is the mother on a pre-birth plan;
* :mod:`cpflag.rules.newborn` -- the attendee is the baby of a pre-birth plan;
* :mod:`cpflag.rules.sibling` -- the attendee is a brother or sister of a plan child;
* :mod:`cpflag.rules.carer` -- the attendee is a parent or carer of a plan child;
* :mod:`cpflag.rules.repeat` -- the child or family attends repeatedly.

Shared pieces sit in private modules: the relationship comparison kinds
(``_evidence``), the plan-side frames (``_frames``), the attendee side
(``_attendee``), copies to a child's LA family (``_propagate``). The engine
runs :data:`RELATION_RULES` in order, in batch and at triage.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs
import polars as pl

from cpflag.contract import FlagKind
from cpflag.linkage import LinkageModel
from cpflag.rules import carer, newborn, plan_subject, repeat, sibling, unborn_mother
from cpflag.rules._checks import ReviewChecks
from cpflag.rules._one_pair import OnePair

__all__ = [
    "RELATION_FLAGS",
    "RELATION_RULES",
    "REVIEW_CHECKS",
    "OnePair",
    "RelationRule",
    "ReviewChecks",
    "default_relation_models",
]

Caps = Callable[
    [pl.DataFrame, pl.DataFrame, pl.DataFrame, LinkageModel, pl.DataFrame, pl.DataFrame],
    pl.DataFrame,
]


@attrs.frozen
class RelationRule:
    """A relationship flag kind as the engine runs it.

    Attributes:
        kind: The flag kind.
        model: The shipped relationship model (evidence, blocking rules,
            thresholds, prior); a configuration may replace it.
        eligible: Which attendee rows are compared (a polars expression).
        eligible_one: The same test on one attendee row (triage).
        caps: Caps, family copies and drops on the scored, banded pairs:
            ``caps(scored, attendees, plan_side, model, subject_pairs, subjects)``.
        per_child_types: LA-family copies: None for none; otherwise the plan
            types that neither give nor take copies.
        cap_one: The caps of one pair at triage: ``(band, guard)``, or None
            to drop it (the plain reading of ``caps``).
        keep_one: Which pairs are kept before family copies (triage).
        no_copies_one: Which pairs give the LA family no copies (triage).
    """

    kind: FlagKind
    model: Callable[[], LinkageModel]
    eligible: Callable[[], pl.Expr]
    eligible_one: Callable[[Mapping[str, Any]], bool]
    caps: Caps
    per_child_types: tuple[str, ...] | None
    cap_one: Callable[[OnePair], tuple[str, str | None] | None]
    keep_one: Callable[[OnePair], bool] = lambda _pair: True
    no_copies_one: Callable[[OnePair], bool] = lambda _pair: False


#: The relationship rules in the order the engine runs them.
RELATION_RULES: Final = (
    RelationRule(
        FlagKind.NEWBORN,
        newborn.newborn_model,
        newborn.eligible,
        newborn.eligible_one,
        newborn.caps,
        per_child_types=None,
        cap_one=newborn.cap_one,
    ),
    RelationRule(
        FlagKind.SIBLING,
        sibling.sibling_model,
        sibling.eligible,
        sibling.eligible_one,
        sibling.caps,
        per_child_types=(),
        cap_one=sibling.cap_one,
        no_copies_one=sibling.no_copies_one,
    ),
    RelationRule(
        FlagKind.CARER,
        carer.carer_model,
        carer.eligible,
        carer.eligible_one,
        carer.caps,
        per_child_types=carer.PER_CHILD_TYPES,
        cap_one=carer.cap_one,
        keep_one=carer.keep_one,
    ),
)

#: What a person should verify for a review flag, by flag kind (each rule's own).
REVIEW_CHECKS: Final[Mapping[str, ReviewChecks]] = {
    FlagKind.PLAN_SUBJECT: plan_subject.CHECKS,
    FlagKind.SIBLING: sibling.CHECKS,
    FlagKind.UNBORN_MOTHER: unborn_mother.CHECKS,
    FlagKind.NEWBORN: newborn.CHECKS,
    FlagKind.CARER: carer.CHECKS,
    FlagKind.REPEAT: repeat.CHECKS,
}

#: The flag kinds scored by a relationship model of their own (the mother on an
#: unborn plan is a same-person link, scored by the person model).
RELATION_FLAGS: Final = (FlagKind.SIBLING, FlagKind.CARER, FlagKind.NEWBORN)


def default_relation_models() -> dict[str, LinkageModel]:
    """The shipped relationship models, by the flag kind each scores."""
    return {rule.kind.value: rule.model() for rule in RELATION_RULES}
