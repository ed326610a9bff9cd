"""Reporting: the score waterfall (explain), the run summary and the evaluation
against ground truth.
"""
