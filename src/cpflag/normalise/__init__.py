"""Identifier normalisers: NHS number, postcode, names, newborn placeholders,
given-name variants, dates of birth, sex and addresses.

Every function takes polars Series of raw values (unless it says "normalised")
and returns a Series or DataFrame of the same length, in the same order, with
nulls handled. The work is vectorised polars; the few library calls with no
columnar form (jellyfish, nicknames) run once per distinct value.
See ``docs/normalisation.md``.
"""

from cpflag.normalise._address import normalise_address
from cpflag.normalise._dob import dob_keys, swap_day_month
from cpflag.normalise._given_variants import given_name_groups, given_name_variant_map
from cpflag.normalise._names import name_parts, normalise_name, phonetic_key
from cpflag.normalise._newborn import parse_newborn_placeholder
from cpflag.normalise._nhs import is_valid_nhs_number, nhs_check_digit, normalise_nhs_number
from cpflag.normalise._postcode import normalise_postcode
from cpflag.normalise._sex import normalise_sex

__all__ = [
    "dob_keys",
    "given_name_groups",
    "given_name_variant_map",
    "is_valid_nhs_number",
    "name_parts",
    "nhs_check_digit",
    "normalise_address",
    "normalise_name",
    "normalise_nhs_number",
    "normalise_postcode",
    "normalise_sex",
    "parse_newborn_placeholder",
    "phonetic_key",
    "swap_day_month",
]
