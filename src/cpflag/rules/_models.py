"""What the relationship models share: the comparison helper, household, thresholds.

Each relationship flag kind is scored by its own Fellegi--Sunter model over the
comparison kinds declared in ``_evidence`` (registered when that module is
imported, which this one does): levels with m and u, a prior from population
sizes, thresholds and guards, so every relationship flag has a score, a band
and reasons with weights, and ``explain`` can show its waterfall.
"""

from __future__ import annotations

from cpflag.linkage import Comparison, Thresholds
from cpflag.rules._evidence import RELATION_KINDS

__all__ = ["HOUSEHOLD", "RELATION_KINDS", "RELATION_THRESHOLDS", "comparison", "probability_of"]


def comparison(
    name: str, kind: str, levels: list[tuple[str, float, float, str]], *, name_u: bool = False
) -> Comparison:
    """A comparison; ``name_u`` makes its ``full`` level use the name's own frequency."""
    return Comparison.from_table(
        name,
        kind,
        levels,
        adjusted=("full",) if name_u else (),
        u_column="parent_name_u" if name_u else None,
        # No full name is rarer than about one person in ten million.
        tf_minimum=1e-7,
    )


# The "full" name levels use each plan's own name frequency (``parent_name_u``:
# given-name frequency x surname frequency, estimated from the plan list and
# shrunk towards the level's u), so "Krzysztof Kowalski" counts for far more than
# "Sarah Smith"; the u written here is the average used when no estimate exists.
# u values are chance agreement between a random attendee and a random plan
# family in England: a postcode unit holds ~15 households (~3e-6 by chance). The
# priors are the chance that a random attendee--plan pair is related, from the
# sizes of the populations (see each model).
HOUSEHOLD = comparison(
    "household",
    "household",
    [
        # Someone at the same address and flat *is* of the household: only a
        # data error puts an unrelated person there.
        ("same_house", 0.55, 1e-9, "same household (address and flat/house number)"),
        # The same number and street name exist in other towns (~1e-6 of
        # random pairs), rarely twice in one LA: within the plan's LA area a
        # random attendee has that address about once in 1e5 (x 1/150 in area).
        (
            "same_address_in_area",
            0.045,
            7e-8,
            "same address in the plan's LA area (postcode missing on one side)",
        ),
        # Not known to be in the area (the attendee's postcode is the missing
        # one, or it lies elsewhere): as before the area was compared.
        ("same_address", 0.05, 1e-6, "same address (postcode missing on one side)"),
        # About one record in ten lacks an address: the same unit then stands for
        # "same house or a neighbour", mostly the former for a relative.
        ("same_unit_house_unknown", 0.06, 3e-7, "same postcode unit, address missing"),
        ("same_unit", 0.06, 2.7e-6, "same postcode unit, other house"),
        ("same_sector", 0.05, 3e-4, "same postcode sector"),
        ("same_district", 0.07, 0.01, "same postcode district"),
        # The plan's LA area (the districts its listed families live in): a
        # looked-after child's birth family, a parent living apart. About one
        # district in 150 is a given LA's.
        # With the plan's home unknown (none given, or a looked-after child's
        # placement set aside), the LA area is the only place to compare: the
        # relatives it is asked about (a looked-after child's birth family, a
        # parent living apart) mostly live in the LA that keeps the plan. These
        # two levels share the m mass of "a relative, home unknown", so they
        # sum to 1 on their own; a random attendee is in a given LA's area about
        # once in 150.
        (
            "la_area_home_unknown",
            0.7,
            0.0067,
            "lives in the plan's LA area (plan home unknown or a placement)",
        ),
        ("la_area", 0.08, 0.0067, "lives in the plan's LA area"),
        ("elsewhere_home_unknown", 0.3, 0.9933, "lives outside the plan's LA area"),
        ("different", 0.08, 0.983, "lives elsewhere"),
    ],
)
# Relationship flags need better than even odds to reach review. Name-only
# evidence (a carer's name found on lists of 140,000 plans, the family living
# elsewhere) would otherwise fill the review band with namesakes.
RELATION_THRESHOLDS = Thresholds(match=6.0, review=0.0)


def probability_of(weight: float) -> float:
    """The probability of a match weight (log2 posterior odds), as the flags give it."""
    tail: float = 2.0 ** -abs(weight)
    return 1.0 / (1.0 + tail) if weight >= 0 else tail / (1.0 + tail)
