"""Synthetic ED attendances and LA plan lists, with the truth behind them.

Realistic data for testing, demonstrating and benchmarking cpflag: a population
of English households with realistic names, addresses and family naming
conventions; plan lists from several LAs (cpp, lac, unborn_cpp, cin, marac),
one LA sharing none; and ED attendances carrying every identifier trap of the
domain notes. Independent of cpflag's own matching and normalisation code.

See ``docs/synthetic-data.md`` for the model, the rates and the truth tables.
"""

from __future__ import annotations

from cpflag.synth._config import SCALES, AttendanceMix, NoiseRates, Scale
from cpflag.synth._generate import SynthData, generate, write
from cpflag.synth._nhs import is_valid as nhs_is_valid

__all__ = [
    "SCALES",
    "AttendanceMix",
    "NoiseRates",
    "Scale",
    "SynthData",
    "generate",
    "nhs_is_valid",
    "write",
]
