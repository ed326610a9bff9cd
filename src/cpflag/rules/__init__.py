"""The flag rules: one module per flag kind, each declaring its candidates,
evidence, guards, caps and thresholds, over the generic linker.
"""
