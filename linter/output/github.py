"""GitHub Actions workflow commands: findings become annotations on the pull request.

GitHub resolves `file=` against the repository root, so paths are made relative
to it (as in SARIF), not to the directory lockjaw ran in. Values are escaped as
in actions/toolkit `command.ts`, or a `:` or `,` in a message would end it early.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from linter.model import Finding, Level, Notice, Report
from linter.output import OutputEnv, absolute

COMMAND = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, env: OutputEnv) -> str:
    relative = _repository_path(env)
    names = {meta.id: meta.name for meta in env.rules}
    lines = [_finding(f, names.get(f.rule_id), relative) for f in report.findings]
    lines += [_notice(n, relative) for n in report.notices]
    return "".join(line + "\n" for line in lines)


def _repository_path(env: OutputEnv) -> Callable[[str], str]:
    root = env.root.resolve()

    @cache
    def relative(path: str) -> str:
        full = absolute(env.cwd, path)
        return full.relative_to(root).as_posix() if full.is_relative_to(root) else full.as_posix()

    return relative


def _command(name: str, properties: dict[str, object], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name} {props}::{escape_data(message)}" if props else f"::{name}::{escape_data(message)}"


def _finding(f: Finding, name: str | None, relative: Callable[[str], str]) -> str:
    s = f.span
    properties = {
        "file": relative(s.path),
        "line": s.start.line,
        "col": s.start.column,
        "endLine": s.end.line,
        "endColumn": s.end.column,
        "title": f"{f.rule_id} {name}" if name else f.rule_id,
    }
    return _command(COMMAND[f.level], properties, f.message)


def _notice(n: Notice, relative: Callable[[str], str]) -> str:
    properties: dict[str, object] = {}
    if n.path:
        properties["file"] = relative(n.path)
        if n.line:
            properties["line"] = n.line
    properties["title"] = f"lockjaw {n.kind.value}"
    name = "error" if n.fails_run or n.level is Level.ERROR else "warning"
    return _command(name, properties, n.message)
