"""The engine: the plan index built once from the lists, run over a batch
(polars) or one record at triage (plain Python), and its on-disk cache.
"""
