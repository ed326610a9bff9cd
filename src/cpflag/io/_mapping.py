"""Column mappings: from the headers a file has to the contract's column names.

A mapping is given as ``None``, a dict ``{source_header: canonical_name}``, a
path to a TOML file, or the string ``"ecds"`` for the built-in mapping of
ECDS-style extract names (``src/cpflag/data/ecds_mapping.toml``).

Headers are matched case-insensitively, ignoring surrounding whitespace and a
byte-order mark; spaces and hyphens inside a header count as underscores, so
``NHS Number`` reads as ``nhs_number``.

Header names are never put into messages: a file that lost its header line
has a row of data (names, dates of birth) where its header should be.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Final

import attrs

from cpflag._errors import ConfigError, InputError
from cpflag.contract import ATTENDANCES, MANIFEST, PLANS, TableSpec

__all__ = [
    "ARRIVAL_DATE",
    "ARRIVAL_TIME_OF_DAY",
    "ColumnMapping",
    "MappingLike",
    "Resolution",
    "load_mapping",
    "normalise_header",
    "resolve_headers",
]

log = logging.getLogger("cpflag.io")

#: Extra names an attendances table may use when the arrival date and the time
#: of day are in separate columns (as in many ECDS extracts); they are combined
#: into ``arrival_time`` and do not appear in the output.
ARRIVAL_DATE: Final = "arrival_date"
ARRIVAL_TIME_OF_DAY: Final = "arrival_time_of_day"

_SPLIT_NAMES: Final = {ATTENDANCES.name: (ARRIVAL_DATE, ARRIVAL_TIME_OF_DAY)}

#: Every name a mapping may point at.
KNOWN_TARGETS: Final = frozenset(
    (*ATTENDANCES.names, *PLANS.names, *MANIFEST.names, ARRIVAL_DATE, ARRIVAL_TIME_OF_DAY)
)

MappingLike = Mapping[str, str] | str | os.PathLike[str] | None

_BUILTIN: Final = {"ecds": "ecds_mapping.toml"}
_INNER_SEPARATORS = re.compile(r"[\s\-]+")


def normalise_header(header: str) -> str:
    """The form headers and mapping keys are compared in.

    Args:
        header: A column header as written in a file or a mapping.

    Returns:
        The header without a BOM or surrounding whitespace, lower-cased, with
        runs of inner spaces and hyphens replaced by one underscore.
    """
    text = header.replace("\ufeff", "").strip().lower()
    return _INNER_SEPARATORS.sub("_", text)


@attrs.frozen
class ColumnMapping:
    """A validated mapping.

    Attributes:
        entries: ``(normalised source header, target)`` pairs in priority order.
        builtin: True for a built-in mapping, whose several aliases of one
            target are resolved by priority instead of being an error.
        origin: Where it came from (``"ecds"``, ``"dict"`` or a file path).
    """

    entries: tuple[tuple[str, str], ...]
    builtin: bool
    origin: str

    def targets_for(self, spec: TableSpec) -> dict[str, tuple[str, int]]:
        """``{normalised source: (target, priority)}`` for the targets ``spec`` knows."""
        known = set(spec.names) | set(_SPLIT_NAMES.get(spec.name, ()))
        out: dict[str, tuple[str, int]] = {}
        for i, (src, target) in enumerate(self.entries):
            if target in known:
                out.setdefault(src, (target, i))
        return out


def _from_pairs(
    pairs: Sequence[tuple[object, object]], *, builtin: bool, origin: str
) -> ColumnMapping:
    entries: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for src, target in pairs:
        if not isinstance(src, str) or not isinstance(target, str):
            raise ConfigError(f"column mapping {origin}: every entry must be text = text")
        key, tgt = normalise_header(src), normalise_header(target)
        if not key:
            raise ConfigError(f"column mapping {origin}: a source column name is blank")
        if tgt not in KNOWN_TARGETS:
            raise ConfigError(
                f"column mapping {origin}: {target!r} is not a canonical column name "
                "(see docs/input.md for the names)"
            )
        if key in seen and seen[key] != tgt:
            raise ConfigError(
                f"column mapping {origin}: source column {src!r} is mapped to two names"
            )
        seen[key] = tgt
        entries.append((key, tgt))
    return ColumnMapping(entries=tuple(entries), builtin=builtin, origin=origin)


def _toml_pairs(data: dict[str, object], table: str, origin: str) -> list[tuple[object, object]]:
    """``[<table>.columns]`` entries first (more specific), then ``[columns]``."""
    pairs: list[tuple[object, object]] = []
    section = data.get(table)
    if isinstance(section, dict) and isinstance(section.get("columns"), dict):
        pairs.extend(section["columns"].items())
    common = data.get("columns")
    if common is not None and not isinstance(common, dict):
        raise ConfigError(f"column mapping {origin}: [columns] must be a table")
    if isinstance(common, dict):
        pairs.extend(common.items())
    if not pairs and common is None:
        raise ConfigError(f"column mapping {origin}: no [columns] table found")
    return pairs


def _read_toml(path: Path, origin: str) -> dict[str, object]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"column mapping file not found: {origin}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"column mapping file cannot be read: {origin} ({type(exc).__name__})"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        # A mapping file holds column names only, so the parser's message is safe.
        raise ConfigError(f"column mapping file is not valid TOML: {origin}: {exc}") from None


def load_mapping(mapping: MappingLike, table: str) -> ColumnMapping | None:
    """Load and validate a column mapping.

    Args:
        mapping: None, a dict ``{source_header: canonical_name}``, a TOML file
            path (``[columns]`` table, optionally ``[attendances.columns]`` /
            ``[plans.columns]`` for one table only), or ``"ecds"``.
        table: The contract table being read (``"attendances"`` or ``"plans"``).

    Returns:
        The mapping, or None when ``mapping`` is None.

    Raises:
        ConfigError: unreadable file, a target that is not a canonical name, a
            source mapped to two targets, or a value of the wrong type.
    """
    if mapping is None:
        return None
    if isinstance(mapping, Mapping):
        return _from_pairs(list(mapping.items()), builtin=False, origin="dict")
    if isinstance(mapping, str) and mapping.strip().lower() in _BUILTIN:
        name = mapping.strip().lower()
        ref = resources.files("cpflag").joinpath("data", _BUILTIN[name])
        data = tomllib.loads(ref.read_text(encoding="utf-8"))
        return _from_pairs(_toml_pairs(data, table, name), builtin=True, origin=name)
    if isinstance(mapping, str | os.PathLike):
        path = Path(mapping)
        data = _read_toml(path, str(path))
        return _from_pairs(_toml_pairs(data, table, str(path)), builtin=False, origin=str(path))
    raise ConfigError(
        "column mapping must be None, a dict, a TOML file path or 'ecds', "
        f"not {type(mapping).__name__}"
    )


@attrs.frozen
class Resolution:
    """What each source column becomes.

    Attributes:
        targets: ``{source position: canonical or split name}`` for used columns.
        unknown: Source positions carried through as unknown columns.
    """

    targets: dict[int, str]
    unknown: tuple[int, ...]


def resolve_headers(
    headers: Sequence[str],
    spec: TableSpec,
    mapping: ColumnMapping | None,
    source: str,
) -> Resolution:
    """Decide which source column feeds which canonical column.

    A header listed in the mapping takes the mapping's target; otherwise a
    header equal to a canonical name (as normalised) is that column.

    Args:
        headers: The source headers, in order.
        spec: The contract table being read.
        mapping: The column mapping, or None.
        source: File or table label, for messages.

    Returns:
        The resolution.

    Raises:
        ConfigError: two source columns resolve onto one name through a user
            mapping.
        InputError: two source columns resolve onto one name without one.
    """
    by_mapping = mapping.targets_for(spec) if mapping is not None else {}
    own = set(spec.names) | set(_SPLIT_NAMES.get(spec.name, ()))
    # target -> [(priority, position, via_mapping)]
    claims: dict[str, list[tuple[int, int, bool]]] = {}
    for pos, header in enumerate(headers):
        key = normalise_header(header)
        if key in by_mapping:
            target, prio = by_mapping[key]
            claims.setdefault(target, []).append((prio + 1, pos, True))
        elif key in own:
            # The canonical name itself outranks every alias of a built-in mapping.
            claims.setdefault(key, []).append((0, pos, False))

    targets: dict[int, str] = {}
    losers: set[int] = set()
    for target, found in claims.items():
        if len(found) > 1:
            if mapping is not None and mapping.builtin:
                found.sort()
                losers.update(pos for _, pos, _ in found[1:])
                log.info(
                    "%s: %d columns could be %s; using column %d, the others are carried through",
                    source,
                    len(found),
                    target,
                    found[0][1] + 1,
                )
            else:
                positions = ", ".join(
                    str(pos + 1) for _, pos, _ in sorted(found, key=lambda f: f[1])
                )
                message = (
                    f"{len(found)} columns (positions {positions}) would all become {target!r}; "
                    "keep one or fix the column mapping"
                )
                if any(via for _, _, via in found):
                    raise ConfigError(f"{source}: {message}")
                raise InputError(message, source=source, column=target)
        targets[min(found)[1]] = target
    unknown = tuple(p for p in range(len(headers)) if p not in targets)
    if losers:
        log.debug("%s: %d alias columns carried through", source, len(losers))
    return Resolution(targets=targets, unknown=unknown)
