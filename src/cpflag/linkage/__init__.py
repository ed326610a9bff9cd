"""Probabilistic person-record linkage: prepare, block, compare, score, estimate."""

from cpflag.linkage._blocking import Candidates, block, generic_blocking_rules
from cpflag.linkage._comparisons import LEVEL_LABELS, compute_levels
from cpflag.linkage._default import default_blocking_rules, default_model, generic_model
from cpflag.linkage._estimate import estimate_m, estimate_u
from cpflag.linkage._linker import Linker, LinkResult, band_expr
from cpflag.linkage._model import BlockingRule, Comparison, Guard, Level, LinkageModel, Thresholds
from cpflag.linkage._prepare import PREPARED_COLUMNS, ROLES, prepare_people
from cpflag.linkage._recalibration import Recalibration
from cpflag.linkage._score import (
    check_level_labels,
    compute_gammas,
    pair_frame,
    reasons_expr,
    score_gammas,
    term_frequencies,
)

__all__ = [
    "LEVEL_LABELS",
    "PREPARED_COLUMNS",
    "ROLES",
    "BlockingRule",
    "Candidates",
    "Comparison",
    "Guard",
    "Level",
    "LinkResult",
    "LinkageModel",
    "Linker",
    "Recalibration",
    "Thresholds",
    "band_expr",
    "block",
    "check_level_labels",
    "compute_gammas",
    "compute_levels",
    "default_blocking_rules",
    "default_model",
    "estimate_m",
    "estimate_u",
    "generic_blocking_rules",
    "generic_model",
    "pair_frame",
    "prepare_people",
    "reasons_expr",
    "score_gammas",
    "term_frequencies",
]
