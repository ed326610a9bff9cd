"""Deciding: a scored pair becomes a flag row (plan current on arrival, list age,
staleness, band), in one order.
"""

from cpflag.decide._columns import check_one, probability_one
from cpflag.decide._decide import (
    DECISION_PLAN_COLUMNS,
    FLAG_ORDER,
    order_flags,
    plan_flags,
    relation_flags,
)

__all__ = [
    "DECISION_PLAN_COLUMNS",
    "FLAG_ORDER",
    "check_one",
    "order_flags",
    "plan_flags",
    "probability_one",
    "relation_flags",
]
