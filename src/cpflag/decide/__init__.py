"""Deciding: a scored pair becomes a flag row (plan current on arrival, list age,
staleness, band), in one order.
"""
