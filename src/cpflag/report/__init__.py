"""Reporting: the score waterfall (explain), the run summary and the evaluation
against ground truth.
"""

from cpflag.report._evaluate import evaluate_flags

__all__ = ["evaluate_flags"]
