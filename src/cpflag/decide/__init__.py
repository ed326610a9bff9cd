"""Deciding: a scored pair becomes a flag row (plan current on arrival, list age,
staleness, band), in one order.
"""

from cpflag.decide._columns import check_one, guard_note, probability_one
from cpflag.decide._decide import (
    DECISION_PLAN_COLUMNS,
    FLAG_ORDER,
    order_flags,
    plan_flags,
    relation_flags,
)
from cpflag.decide._one_kind import most_specific, one_kind_per_pair

__all__ = [
    "DECISION_PLAN_COLUMNS",
    "FLAG_ORDER",
    "check_one",
    "guard_note",
    "most_specific",
    "one_kind_per_pair",
    "order_flags",
    "plan_flags",
    "probability_one",
    "relation_flags",
]
