"""Configuration: `lockjaw.toml`, `.lockjaw.toml` or `[tool.lockjaw]` in `pyproject.toml`.

One file per run, found by walking up from the scanned paths' common
directory (or named with `--config`). Every key is checked: a typo is an
error naming the file and the key, never a silently ignored setting.
Settings is a frozen value of tuples so it can cross process boundaries
and be part of a cache key.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Collection, Sequence

CONFIG_NAMES = (".lockjaw.toml", "lockjaw.toml")  # in each directory, before pyproject.toml
PYPROJECT = "pyproject.toml"

_RULE_CODE = re.compile(r"^(ALL|LJ\d{0,3})$")
_CALL_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$")
_TYPE_NAME = re.compile(r"^\*?[A-Za-z_]\w*$")
_IMPORT_PATH = re.compile(r"^[^\s\"'`\\]+$")
LOCK_ORDER_DEPTH = 6  # calls LJ106 follows down to a lock (see linter.analysis.lockorder.depth)


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class HandlerType:
    """A parameter type that makes a function an HTTP handler, e.g. `*Context` of `github.com/acme/web`."""

    package: str  # import path
    type: str  # the type's name in that package, with a leading * for a pointer


@dataclass(frozen=True, slots=True)
class Settings:
    source: Path | None = None  # the configuration file; None: built-in defaults
    root: Path | None = None  # patterns are relative to this directory (the file's)
    select: tuple[str, ...] = ()  # rule ids or prefixes; () = every rule
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # gitignore-style patterns
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (pattern, rule codes)
    handler_types: tuple[HandlerType, ...] = ()
    extra_panic_functions: tuple[str, ...] = ()  # calls as written: `must`, `assert.True`
    lock_helpers: tuple[str, ...] = ()  # functions that take or release a lock for their caller
    lock_order_depth: int = LOCK_ORDER_DEPTH  # LJ106 leaves out locks taken more calls down

    # paths ----------------------------------------------------------------------------------

    def _relative(self, path: Path) -> str | None:
        if self.root is None:
            return None
        try:
            return path.absolute().relative_to(self.root).as_posix()
        except ValueError:
            return None  # outside the configuration's directory: no pattern applies

    def excluded(self, path: Path, is_dir: bool = False) -> bool:
        """Whether `exclude` drops this file or directory (also when named on the command line)."""
        if not self.exclude:
            return False
        rel = self._relative(path)
        return rel not in (None, "", ".") and _spec(self.exclude).match_file(rel + ("/" if is_dir else ""))

    def ignored_codes(self, path: Path) -> tuple[str, ...]:
        """The rule codes `per-file-ignores` turns off for this file."""
        rel = self._relative(path) if self.per_file_ignores else None
        if not rel:
            return ()
        return tuple(c for pattern, codes in self.per_file_ignores if _spec((pattern,)).match_file(rel) for c in codes)

    # rules ----------------------------------------------------------------------------------

    def rule_selection(self, cli_select: Sequence[str], cli_ignore: Sequence[str]) -> tuple[list[str], list[str]]:
        """(select, ignore) for this run. As in ruff: a `--select` on the command line starts
        over (the file's select and ignore are dropped); `--ignore` adds to the file's ignore."""
        if any(s.strip() for s in cli_select):
            return list(cli_select), list(cli_ignore)
        return list(self.select), [*self.ignore, *cli_ignore]

    # package options ------------------------------------------------------------------------

    @property
    def handler_pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple((h.package, h.type) for h in self.handler_types)

    def cache_key(self) -> str:
        """What of the settings changes a package's findings, as a stable string."""
        return json.dumps(
            [self.handler_pairs, self.extra_panic_functions, self.lock_helpers, self.per_file_ignores,
             str(self.root or ""), self.lock_order_depth],
        )

    # printing -------------------------------------------------------------------------------

    def to_toml(self) -> str:
        """The effective configuration as a lockjaw.toml that would load to the same settings."""
        def strings(values: Sequence[str]) -> str:
            return "[" + ", ".join(json.dumps(v) for v in values) + "]"

        handlers = (f"{{ package = {json.dumps(h.package)}, type = {json.dumps(h.type)} }}" for h in self.handler_types)
        lines = [
            f"select = {strings(self.select)}",
            f"ignore = {strings(self.ignore)}",
            f"exclude = {strings(self.exclude)}",
            f"extra-panic-functions = {strings(self.extra_panic_functions)}",
            f"lock-helpers = {strings(self.lock_helpers)}",
            f"lock-order-depth = {self.lock_order_depth}",
            f"handler-types = [{', '.join(handlers)}]",
            "",
            "[per-file-ignores]",
            *(f"{json.dumps(pattern)} = {strings(codes)}" for pattern, codes in self.per_file_ignores),
        ]
        return "\n".join(lines) + "\n"


DEFAULT = Settings()


@lru_cache(maxsize=256)
def _spec(patterns: tuple[str, ...]):
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)


# finding the file -----------------------------------------------------------------------------


def _has_tool_table(path: Path) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return b"tool.lockjaw" in data and "lockjaw" in _parse(path, data).get("tool", {})


def find_config(start: Path) -> Path | None:
    """The nearest configuration file in `start` or a parent directory."""
    for directory in (start, *start.parents):
        for name in CONFIG_NAMES:
            if (directory / name).is_file():
                return directory / name
        candidate = directory / PYPROJECT
        if candidate.is_file() and _has_tool_table(candidate):
            return candidate
    return None


def search_start(paths: Sequence[str], cwd: Path) -> Path:
    """The directory configuration is looked up from: the scanned paths' common directory."""
    found = [p for p in ((cwd / raw).absolute() for raw in paths) if p.exists()]
    if not found:
        return cwd.absolute()
    dirs = [p if p.is_dir() else p.parent for p in found]
    return Path(os.path.commonpath(dirs))


def load(
    paths: Sequence[str],
    cwd: Path,
    *,
    config: str | None = None,
    isolated: bool = False,
    known_rules: Collection[str] = (),
) -> Settings:
    """The run's settings: from `config`, or found from `paths`, or the defaults when isolated."""
    if isolated:
        return DEFAULT
    path = (cwd / config).absolute() if config is not None else find_config(search_start(paths, cwd))
    if path is None:
        return DEFAULT
    if not path.is_file():
        raise ConfigError(f"{config}: no such configuration file")
    return read(path, known_rules=known_rules, display=_display(path, cwd))


def _display(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(cwd.absolute()).as_posix()
    except ValueError:
        return path.as_posix()


# reading and checking -------------------------------------------------------------------------


def _parse(path: Path, data: bytes, display: str | None = None) -> dict[str, Any]:
    import tomllib  # only when there is a configuration to read (about 5 ms of start-up)

    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{display or path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{display or path}: invalid TOML: {err}") from None


def read(path: Path, *, known_rules: Collection[str] = (), display: str | None = None) -> Settings:
    """Settings from one file. `pyproject.toml` is read from its `[tool.lockjaw]` table."""
    where = display or str(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ConfigError(f"{where}: cannot read: {err.strerror or err}") from None
    document = _parse(path, data, where)
    prefix = ""
    if path.name == PYPROJECT:
        tool = document.get("tool", {})
        if not isinstance(tool, dict) or "lockjaw" not in tool:
            raise ConfigError(f"{where}: no [tool.lockjaw] table")
        document, prefix = tool["lockjaw"], "tool.lockjaw."
        if not isinstance(document, dict):
            raise ConfigError(f"{where}: tool.lockjaw: expected a table")
    checker = _Checker(where, prefix, frozenset(known_rules))
    values = {}
    for key, value in document.items():
        if key not in _FIELDS:
            raise checker.error(key, f"unknown key{_suggest(key, _FIELDS)}; known keys: {', '.join(_FIELDS)}")
        name, convert = _FIELDS[key]
        values[name] = convert(checker, key, value)
    return Settings(source=path.absolute(), root=path.absolute().parent, **values)


def _suggest(word: str, choices: Collection[str]) -> str:
    import difflib  # only for a mistake

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _kind(value: Any) -> str:
    return {str: "a string", bool: "a boolean", int: "an integer", float: "a number", dict: "a table",
            list: "an array"}.get(type(value), type(value).__name__)


@dataclass(frozen=True)
class _Checker:
    where: str
    prefix: str
    known_rules: frozenset[str] = field(default_factory=frozenset)

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.where}: {self.prefix}{key}: {problem}")

    def strings(self, key: str, value: Any, what: str, one: str, valid: Callable[[str], bool]) -> tuple[str, ...]:
        """An array of strings (`what`), each of which must be `one` (`valid`)."""
        if not isinstance(value, list):
            raise self.error(key, f"expected an array of {what}, got {_kind(value)}")
        for item in value:
            if not isinstance(item, str):
                raise self.error(key, f"expected an array of {what}, got {_kind(item)} in it")
            if not valid(item):
                raise self.error(key, f"{item!r} is not {one}")
        return tuple(value)

    def codes(self, key: str, value: Any) -> tuple[str, ...]:
        codes = self.strings(key, value, "rule ids", "a rule id (LJ101) or prefix (LJ1)",
                             lambda s: bool(_RULE_CODE.match(s.strip().upper())))
        codes = tuple(c.strip().upper() for c in codes)
        for code in codes:
            if self.known_rules and code != "ALL" and not any(r.startswith(code) for r in self.known_rules):
                raise self.error(key, f"unknown rule {code!r}; `lockjaw rules` lists them")
        return codes


def _codes(c: _Checker, key: str, value: Any) -> tuple[str, ...]:
    return c.codes(key, value)


def _patterns(c: _Checker, key: str, value: Any) -> tuple[str, ...]:
    patterns = c.strings(key, value, "patterns", "a pattern", lambda s: bool(s.strip()))
    try:
        _spec(patterns)
    except Exception as err:  # pathspec's own message says what is wrong with the pattern
        raise c.error(key, f"invalid pattern: {err}") from None
    return patterns


def _call_names(c: _Checker, key: str, value: Any) -> tuple[str, ...]:
    return c.strings(key, value, "function names", "a function name as called (`must` or `pkg.Must`)",
                     lambda s: bool(_CALL_NAME.match(s)))


def _depth(c: _Checker, key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise c.error(key, f"expected a number of calls, got {_kind(value)}")
    if value < 1:
        raise c.error(key, f"expected a number of calls, at least 1, got {value}")
    return value


def _per_file_ignores(c: _Checker, key: str, value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise c.error(key, f"expected a table of pattern = [rule ids], got {_kind(value)}")
    out = []
    for pattern, codes in value.items():
        sub = f"{key}.{json.dumps(pattern)}"
        _patterns(c, sub, [pattern])
        out.append((pattern, c.codes(sub, codes)))
    return tuple(out)


def _handler_types(c: _Checker, key: str, value: Any) -> tuple[HandlerType, ...]:
    if not isinstance(value, list):
        raise c.error(key, f"expected an array of {{ package = ..., type = ... }} tables, got {_kind(value)}")
    out = []
    for i, item in enumerate(value):
        sub = f"{key}[{i}]"
        if not isinstance(item, dict):
            raise c.error(sub, f"expected a table {{ package = ..., type = ... }}, got {_kind(item)}")
        for k in item:
            if k not in ("package", "type"):
                raise c.error(f"{sub}.{k}", f"unknown key{_suggest(k, ('package', 'type'))}; known keys: package, type")
        for k in ("package", "type"):
            if k not in item:
                raise c.error(sub, f"missing {k!r}")
            if not isinstance(item[k], str):
                raise c.error(f"{sub}.{k}", f"expected a string, got {_kind(item[k])}")
        if not _IMPORT_PATH.match(item["package"]):
            raise c.error(f"{sub}.package", f"{item['package']!r} is not an import path")
        if not _TYPE_NAME.match(item["type"]):
            raise c.error(f"{sub}.type", f"{item['type']!r} is not a type name (`Context` or `*Context`)")
        out.append(HandlerType(item["package"], item["type"]))
    return tuple(out)


# TOML key -> (Settings field, converter), in the order `lockjaw config` documents them.
_FIELDS: dict[str, tuple[str, Callable[[_Checker, str, Any], Any]]] = {
    "select": ("select", _codes),
    "ignore": ("ignore", _codes),
    "exclude": ("exclude", _patterns),
    "per-file-ignores": ("per_file_ignores", _per_file_ignores),
    "handler-types": ("handler_types", _handler_types),
    "extra-panic-functions": ("extra_panic_functions", _call_names),
    "lock-helpers": ("lock_helpers", _call_names),
    "lock-order-depth": ("lock_order_depth", _depth),
}
