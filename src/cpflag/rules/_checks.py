"""What a person should verify for a ``review`` flag: the ``check`` column.

Each rule module declares its :class:`ReviewChecks`: a generic check (a flag at
review on weight alone) and one check per cap the rule itself applies. The
guards of a model carry their own (``Guard.check``). A check is fixed text,
the same for every pair: it never holds an identifying value.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from cpflag.linkage import LinkageModel

__all__ = ["ReviewChecks"]


def _caps(items: Mapping[str, str]) -> dict[str, str]:
    return dict(items)


@attrs.frozen
class ReviewChecks:
    """The checks of one flag kind.

    Attributes:
        generic: For a review flag that no guard or cap put there (the weight
            alone is below the match threshold), or whose guard has no check.
        caps: Check by the name of a cap the rule applies (``age_unknown``, ...).
    """

    generic: str
    caps: Mapping[str, str] = attrs.field(factory=dict, converter=_caps)

    def text(self, guard: str | None, model: LinkageModel) -> str:
        """The check of a review flag whose cap is ``guard`` (None: none).

        The rule's own caps first, then the model's guards, then the generic check.
        """
        if guard is not None:
            if guard in self.caps:
                return self.caps[guard]
            for g in model.guards:
                if g.name == guard and g.check:
                    return g.check
        return self.generic

    def texts(self, model: LinkageModel) -> dict[str, str]:
        """``{cap or guard name: check}`` of every cap of the rule and guard of ``model``."""
        names = [*self.caps, *(g.name for g in model.guards)]
        return {n: self.text(n, model) for n in names}
