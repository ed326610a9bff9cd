"""What the flag rules read from a run's configuration.

The rules sit below the configuration (``cpflag._config.FlagConfig`` builds its
defaults from the rules' models), so they name the settings they use as a
protocol; ``FlagConfig`` satisfies it. Keeping this one-way is what lets every
stage import only downward.
"""

from __future__ import annotations

from typing import Protocol

from cpflag.linkage import LinkageModel

__all__ = ["RuleSettings"]


class RuleSettings(Protocol):
    """The run settings the rules and the decisions read (see ``FlagConfig``)."""

    @property
    def model(self) -> LinkageModel: ...
    @property
    def stale_after_days(self) -> int: ...
    @property
    def unborn_mother_weeks_after_edd(self) -> int: ...
    @property
    def newborn_days(self) -> int: ...
    @property
    def adult_age(self) -> int: ...
    @property
    def repeat_min_attendances(self) -> int: ...
    @property
    def repeat_window_days(self) -> int: ...
    @property
    def family_repeat_min_attendances(self) -> int: ...
    @property
    def repeat_family_rows(self) -> bool: ...
