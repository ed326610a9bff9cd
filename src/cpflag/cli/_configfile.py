"""``--config FILE`` and ``--print-config``: a command's options from a TOML file.

The nightly job has many options; a file keeps them in one reviewed place::

    # nightly.toml
    attendances = "incoming/attendances.csv"
    plans = "lists/plans.parquet"
    manifest = "lists/manifest.csv"
    out = "out/flags.csv"
    history = "history"
    index-cache = "cache"
    expected-la = ["E08000035", "E09000001"]
    stale-after-days = 31

Keys are the option names without ``--``, written with ``-`` or ``_``. A
repeatable option takes a list (or one string). Relative paths in the file are
relative to the file's folder, so the job runs the same from any working
directory. The command line overrides the file (a repeatable option given on
the command line replaces the file's list). An unknown key is an error naming
the key. ``--print-config`` prints the options in force -- file, command line
and defaults together, paths absolute -- as TOML that ``--config`` reads back,
and exits without running.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Final, ParamSpec, TypeVar

import click

__all__ = ["config_options", "config_text"]

P = ParamSpec("P")
R = TypeVar("R")

#: Options not set from a file (they read it, print it, or are click's own).
_NOT_IN_FILE: Final = frozenset({"config", "print_config", "help"})
#: Repeatable ``KIND=FILE`` options: the part after ``=`` is a path.
_PATH_PAIRS: Final = frozenset({"relation_model"})


def _settable(command: click.Command) -> dict[str, click.Option]:
    """``{long option name without --: option}`` of the options a file may set."""
    out = {}
    for param in command.params:
        if isinstance(param, click.Option) and param.name not in _NOT_IN_FILE:
            longs = [o for o in param.opts if o.startswith("--")]
            out[longs[0][2:]] = param
    return out


def _relative_to(base: Path, value: object, key: str) -> str:
    if not isinstance(value, str):
        raise click.BadParameter(f"{key}: expected a path (a string), got {type(value).__name__}")
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else base / path)


def _file_value(option: click.Option, key: str, value: object, base: Path) -> object:
    """The file's value for ``option``, paths made relative to the file's folder."""
    if isinstance(value, dict):
        raise click.BadParameter(f"{key}: a table is not an option value")
    if option.multiple:
        items = value if isinstance(value, list) else [value]
        if option.name in _PATH_PAIRS:
            out = []
            for item in items:
                kind, sep, path = str(item).partition("=")
                out.append(f"{kind}={_relative_to(base, path, key)}" if sep and path else item)
            return out
        if isinstance(option.type, click.Path):
            return [_relative_to(base, i, key) for i in items]
        return items
    if isinstance(value, list):
        raise click.BadParameter(f"{key}: takes one value, not a list")
    if isinstance(option.type, click.Path):
        return _relative_to(base, value, key)
    return value


def _read_config(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """Eager: read the file into ``ctx.default_map`` before the other options are read."""
    if value is None:
        return None
    try:
        data = tomllib.loads(value.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"{value}: not a TOML file ({exc})", ctx, param) from None
    settable = _settable(ctx.command)
    by_key = {k: o for name, o in settable.items() for k in {name, name.replace("-", "_")}}
    defaults: dict[str, object] = {}
    base = value.parent
    for key, item in data.items():
        option = by_key.get(key)
        if option is None:
            known = ", ".join(sorted(settable))
            raise click.BadParameter(
                f"{value}: unknown key {key!r} (the keys are: {known})", ctx, param
            )
        assert option.name is not None
        if option.name in defaults:
            raise click.BadParameter(f"{value}: {key!r} is given twice", ctx, param)
        try:
            defaults[option.name] = _file_value(option, key, item, base)
        except click.BadParameter as exc:
            raise click.BadParameter(f"{value}: {exc.message}", ctx, param) from None
    ctx.default_map = {**(ctx.default_map or {}), **defaults}
    return value


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value))  # a JSON string is a TOML basic string


def _absolute(option: click.Option, value: object) -> object:
    """Paths of the command line made absolute, so the printed file works from anywhere."""
    if value is None:
        return None
    if option.multiple and isinstance(value, tuple):
        return tuple(_absolute_one(option, v) for v in value)
    return _absolute_one(option, value)


def _absolute_one(option: click.Option, value: object) -> object:
    if option.name in _PATH_PAIRS and isinstance(value, str):
        kind, sep, path = value.partition("=")
        return f"{kind}={Path(path).absolute()}" if sep and path else value
    if isinstance(option.type, click.Path):
        return str(Path(str(value)).absolute())
    return value


def config_text(ctx: click.Context) -> str:
    """The options in force as TOML (unset ones as comments), readable by ``--config``."""
    lines = [f"# cpflag {ctx.info_name}: the options in force (read back with --config FILE)"]
    for key, option in _settable(ctx.command).items():
        value = _absolute(option, ctx.params.get(option.name or ""))
        if value is None:
            lines.append(f"# {key}: not set")
        else:
            lines.append(f"{key} = {_toml(value)}")
    return "\n".join(lines) + "\n"


def config_options(func: Callable[P, R]) -> Callable[P, R]:
    """Add ``--config FILE`` (eager) and ``--print-config`` to a command."""
    func = click.option(
        "--print-config",
        is_flag=True,
        help="Print the options in force (file, command line, defaults) as TOML and exit "
        "without running.",
    )(func)
    return click.option(
        "--config",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        is_eager=True,
        expose_value=False,
        callback=_read_config,
        help="TOML file of this command's options (keys: the option names, with - or _); "
        "the command line overrides it; its relative paths are relative to its folder.",
    )(func)
