"""Checking where a run will write, before it reads or matches anything.

An output that is an input (``--out attendances.csv``), two outputs that are
one file (``--rejects`` = ``--out``), a folder cpflag replaces that holds the
inputs (``--index-cache`` on the data folder), an unknown suffix or a folder
that cannot be written: each is found here, in milliseconds, rather than after
the night's matching -- or never, with the input gone.

Paths are compared after :meth:`pathlib.Path.resolve` (symbolic links, ``..``,
relative paths) and, where both exist, with :func:`os.path.samefile` (hard
links, case-insensitive file systems, bind mounts). Messages name the option
and the path, never file content.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Final, Literal

import attrs

from cpflag._errors import ConfigError
from cpflag.io._write import TABLE_SUFFIXES

__all__ = ["OutputKind", "OutputPathError", "PathProblem", "check_output_paths"]

PathLike = str | os.PathLike[str]

#: What is written at an output path:
#:
#: * ``table`` -- a file by :func:`~cpflag.io.write_table` (a table suffix);
#: * ``json`` -- a JSON file (``.json``);
#: * ``file`` -- any other file (any suffix);
#: * ``store`` -- a history store folder (``manifest.json`` marks one);
#: * ``cache`` -- an index cache folder (``meta.json`` marks one), which is
#:   replaced as a whole each time it is saved.
OutputKind = Literal["table", "json", "file", "store", "cache"]

_FILE_KINDS: Final = ("table", "json", "file")
_MARKERS: Final = {
    "store": ("manifest.json", "a history store"),
    "cache": ("meta.json", "an index cache"),
}


@attrs.frozen
class PathProblem:
    """Why one output path cannot be used.

    Attributes:
        option: The option (or argument) the path was given as, e.g. ``--out``.
        path: The path as given.
        reason: What is wrong.
    """

    option: str
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.option} {self.path}: {self.reason}"


class OutputPathError(ConfigError):
    """One or more output paths cannot be used; nothing has been read or written.

    Attributes:
        problems: Every problem found, in the order the outputs were given.
    """

    def __init__(self, problems: Sequence[PathProblem]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            text = str(self.problems[0])
        else:
            lines = "\n".join(f"  {p}" for p in self.problems)
            text = f"{len(self.problems)} problems with the output paths:\n{lines}"
        super().__init__(text)


@attrs.frozen
class _Entry:
    option: str
    given: str
    path: Path  # resolved
    kind: OutputKind | None  # None: an input


def _resolve(path: Path) -> Path:
    return Path(os.path.abspath(path.expanduser())).resolve()


def _same(a: Path, b: Path) -> bool:
    if a == b:
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _inside(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or lies under it."""
    if _same(path, folder):
        return True
    if folder in path.parents:
        return True
    if not folder.exists():
        return False
    return any(p.exists() and _same(p, folder) for p in path.parents)


def _writable_folder(folder: Path) -> str | None:
    """Why files cannot be created in ``folder`` (created when missing), or None."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"the folder {folder} cannot be created: {existing} is a file"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"the folder {existing} is not writable"
    return None


def _file_problems(e: _Entry) -> Iterator[str]:
    if e.path.exists() and e.path.is_dir():
        yield "is a folder; give a file name"
        return
    if e.path.exists() and not e.path.is_file():
        yield "is not a regular file (cpflag replaces the file it writes)"
        return
    suffix = e.path.suffix.lower()
    if e.kind == "table" and suffix not in TABLE_SUFFIXES:
        yield (
            f"cannot tell the format from the suffix {suffix or '(none)'!r}; "
            "use .csv, .tsv, .parquet or .pq"
        )
    elif e.kind == "json" and suffix != ".json":
        yield f"the suffix is {suffix or '(none)'!r}; this output is JSON: use .json"
    folder = _writable_folder(e.path.parent)
    if folder:
        yield folder


def _folder_problems(e: _Entry) -> Iterator[str]:
    assert e.kind in _MARKERS
    marker, what = _MARKERS[e.kind]
    if not e.path.exists():
        folder = _writable_folder(e.path.parent)
        if folder:
            yield folder
        return
    if not e.path.is_dir():
        yield "is a file, not a folder"
        return
    if not os.access(e.path, os.W_OK | os.X_OK):
        yield "the folder is not writable"
    if e.kind == "cache" and not os.access(e.path.parent, os.W_OK | os.X_OK):
        # The cache is saved beside the folder and swapped in by renames.
        yield f"the folder {e.path.parent} is not writable (the cache is replaced there)"
    try:
        empty = not any(e.path.iterdir())
    except OSError:
        empty = False
    if not empty and not (e.path / marker).is_file():
        yield f"is not empty and is not {what}; give a new or empty folder"
    lock = e.path / ".lock"
    if e.kind == "store" and lock.exists() and not os.access(lock, os.W_OK):
        yield f"the lock file {lock} is not writable"


def _collisions(outputs: list[_Entry], inputs: list[_Entry]) -> Iterator[tuple[_Entry, str]]:
    files = [o for o in outputs if o.kind in _FILE_KINDS]
    folders = [o for o in outputs if o.kind not in _FILE_KINDS]
    for o in files:
        for i in inputs:
            if _same(o.path, i.path):
                yield (
                    o,
                    f"is the same file as {i.option} ({i.given}); "
                    "an output must never replace an input",
                )
            elif i.path.is_dir() and _inside(o.path, i.path):
                yield o, f"is inside the {i.option} folder ({i.given}); write it elsewhere"
    for n, o in enumerate(files):
        for earlier in files[:n]:
            if _same(o.path, earlier.path):
                yield (
                    o,
                    f"is the same file as {earlier.option}; two outputs would overwrite each other",
                )
    for f in folders:
        for x in [*inputs, *files]:
            if _inside(x.path, f.path):
                yield (
                    f,
                    (f"holds {x.option} ({x.given}); this folder is for cpflag's own files only"),
                )
            elif x.kind is None and x.path.is_dir() and _inside(f.path, x.path):
                yield f, f"is inside the {x.option} folder ({x.given}); put it elsewhere"
    for n, f in enumerate(folders):
        for earlier in folders[:n]:
            if _inside(f.path, earlier.path) or _inside(earlier.path, f.path):
                yield (
                    f,
                    f"is, holds or lies inside the {earlier.option} folder; use separate folders",
                )


def _entries(
    items: Mapping[str, PathLike | Sequence[PathLike] | None], kind: OutputKind | None
) -> list[_Entry]:
    out = []
    for option, value in items.items():
        if value is None:
            continue
        values = [value] if isinstance(value, str | os.PathLike) else list(value)
        for v in values:
            path = Path(v)
            try:
                out.append(_Entry(option, str(path), _resolve(path), kind))
            except (OSError, RuntimeError):  # a symlink loop: reading it will fail
                continue
    return out


def check_output_paths(
    outputs: Mapping[str, tuple[PathLike | None, OutputKind]],
    inputs: Mapping[str, PathLike | Sequence[PathLike] | None] | None = None,
) -> None:
    """Refuse, before any work, outputs that would destroy inputs or each other.

    Checks that every output

    * is not the same file as any input, nor inside an input folder;
    * is not the same file as any other output;
    * is a file where a file is written (not a folder, a device or a pipe) and
      has a suffix its kind supports;
    * can be created: its folder exists and is writable, or can be created in
      a writable folder;
    * for a folder output (``store``, ``cache``): holds no input and no other
      output, is not nested with another folder output, and is new, empty or
      already of its kind (an index cache folder is replaced as a whole, so
      it must never be a folder that holds anything else).

    Args:
        outputs: ``{option: (path or None, kind)}``, e.g.
            ``{"--out": ("flags.csv", "table"), "--summary": (None, "json")}``;
            None paths are skipped. The option names the path in messages.
        inputs: ``{option: path, paths or None}`` of everything the run reads
            (files or folders).

    Raises:
        OutputPathError: with every problem found (a :class:`ConfigError`).
    """
    ins = _entries(inputs or {}, None)
    outs: list[_Entry] = []
    problems: list[PathProblem] = []
    for option, (value, kind) in outputs.items():
        if value is None:
            continue
        path = Path(value)
        try:
            outs.append(_Entry(option, str(path), _resolve(path), kind))
        except (OSError, RuntimeError):
            problems.append(PathProblem(option, str(path), "the path cannot be resolved"))
    for e in outs:
        found = _file_problems(e) if e.kind in _FILE_KINDS else _folder_problems(e)
        problems.extend(PathProblem(e.option, e.given, reason) for reason in found)
    problems.extend(PathProblem(e.option, e.given, reason) for e, reason in _collisions(outs, ins))
    if problems:
        raise OutputPathError(problems)
