"""Formatters: one module per output format, imported only when asked for.

Each module exposes `render(report: Report, env: OutputEnv) -> str`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from linter.model import Report
from linter.rule import RuleMeta

FORMATS: dict[str, str] = {
    "text": "linter.output.text",
    "json": "linter.output.json_format",
    "sarif": "linter.output.sarif",
    "github": "linter.output.github",
}


@dataclass(frozen=True, slots=True)
class OutputEnv:
    """What a formatter needs besides the findings."""

    rules: tuple[RuleMeta, ...]  # the rules that ran, in registry order
    version: str
    cwd: Path  # finding paths are relative to this
    root: Path  # repository root: SARIF URIs are relative to this
    color: bool = False
    show_source: bool = True
    statistics: bool = False
    summary: bool = True  # the closing "Found N problems" line (off with --quiet)


def absolute(cwd: Path, path: str) -> Path:
    """`path` made absolute with its directories resolved but not the file itself:
    a symlinked, dangling or looping file is reported where lockjaw found it."""
    full = cwd / path
    if full.name in ("", ".", ".."):
        return full.resolve()
    return full.parent.resolve() / full.name


def renderer(name: str) -> Callable[[Report, OutputEnv], str]:
    return importlib.import_module(FORMATS[name]).render
