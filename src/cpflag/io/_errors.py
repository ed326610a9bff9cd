"""One error for many problems: every input's, grouped by file."""

from __future__ import annotations

from collections.abc import Sequence

from cpflag._errors import InputError

__all__ = ["CombinedInputError", "gather_input_errors"]


def _flatten(errors: Sequence[InputError]) -> list[InputError]:
    out: list[InputError] = []
    for e in errors:
        out.extend(_flatten(e.errors) if isinstance(e, CombinedInputError) else [e])
    return out


def _without_source(error: InputError) -> str:
    text = str(error)
    prefix = f"{error.source}: "
    return text[len(prefix) :] if error.source and text.startswith(prefix) else text


class CombinedInputError(InputError):
    """Several problems that stop the inputs being used, grouped by file.

    An :class:`InputError` itself, so code that catches one still catches it.

    Attributes:
        errors: Every problem, in the order found (files in the order read).
        sources: The files concerned, in that order.
    """

    def __init__(self, errors: Sequence[InputError]) -> None:
        self.errors = _flatten(errors)
        by_source: dict[str, list[InputError]] = {}
        for e in self.errors:
            by_source.setdefault(e.source or "(input)", []).append(e)
        self.sources = list(by_source)
        lines = [
            f"{len(self.errors)} problems in {len(by_source)} input "
            f"file{'s' if len(by_source) > 1 else ''}:"
        ]
        for source, errs in by_source.items():
            lines.append(f"{source}:")
            lines.extend(f"  - {_without_source(e)}" for e in errs)
        super().__init__("\n".join(lines))
        # The grouped message is the whole message: no single file or column.
        self.source = self.sources[0] if len(self.sources) == 1 else None


def gather_input_errors(errors: Sequence[InputError]) -> None:
    """Raise nothing for no errors, the error for one, :class:`CombinedInputError` for more."""
    flat = _flatten(errors)
    if len(flat) == 1:
        raise flat[0]
    if flat:
        raise CombinedInputError(flat)
