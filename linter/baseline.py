"""Adopting lockjaw in an old codebase: record today's findings, then report only new ones.

A finding is identified by what it is about, not by where it is: the hash of
its path, rule, the text of its line and of its first related line (the lock)
with all whitespace removed, and the name of its function, plus an occurrence
number among findings with the same key (in source order). Lines moving
elsewhere in the file leave fingerprints unchanged; editing the flagged line or
its lock line makes the finding new, which is what a reviewer wants to see.
GitHub's line hash is not enough on its own: it covers 100 characters of the
following lines too, so it changes when unrelated neighbours change.

File format (version 1), sorted by path, line, rule and fingerprint::

    {
      "version": 1,
      "tool": "lockjaw",
      "findings": [
        {
          "path": "server/handler.go",   // POSIX, relative to the baseline file's directory
          "rule": "LJ101",
          "fingerprint": "9c1f0e5a7b3d2c41:1",
          "line": 42,                    // for readers only; matching ignores it
          "message": "..."               // for readers only
        }
      ]
    }

Only `fingerprint` is matched (it already covers path and rule).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Callable, Sequence

from linter.atomic import write_atomically
from linter.model import Finding, Report

VERSION = 1
TOOL = "lockjaw"


class BaselineError(Exception):
    """A baseline file that cannot be read or written; the message is one line."""


def _normalised(text: str) -> str:
    return "".join(text.split())


class _Lines:
    """Line texts from the report's excerpts, falling back to the file itself."""

    def __init__(self, report: Report, cwd: Path):
        self.excerpts = report.excerpts
        self.cwd = cwd
        self.files: dict[str, list[str]] = {}

    def __call__(self, path: str, line: int) -> str:
        text = self.excerpts.get(path, {}).get(line)
        if text is not None:
            return text
        if path not in self.files:
            try:
                self.files[path] = (self.cwd / path).read_bytes().decode("utf-8", "replace").splitlines()
            except OSError:
                self.files[path] = []
        lines = self.files[path]
        return lines[line - 1] if 0 < line <= len(lines) else ""


def fingerprints(findings: Sequence[Finding], line_text: Callable[[str, int], str],
                 path_key: Callable[[str], str]) -> list[str]:
    """One fingerprint per finding, in the findings' order; `path_key` maps a report path to the stored one."""
    ordered = sorted(range(len(findings)), key=lambda i: findings[i].sort_key)
    seen: Counter[str] = Counter()
    out = [""] * len(findings)
    for i in ordered:
        f = findings[i]
        lock = f.related[0].span if f.related else None
        parts = (
            path_key(f.span.path),
            f.rule_id,
            _normalised(line_text(f.span.path, f.span.start.line)),
            _normalised(line_text(lock.path, lock.start.line)) if lock else "",
            f.function,
        )
        key = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:16]
        seen[key] += 1
        out[i] = f"{key}:{seen[key]}"
    return out


def _path_key(baseline: Path, cwd: Path) -> Callable[[str], str]:
    """Report paths are relative to cwd; stored paths to the baseline's directory, so any cwd works."""
    base = (cwd / baseline).resolve().parent

    def key(path: str) -> str:
        return Path(os.path.relpath((cwd / path).resolve(), base)).as_posix()

    return key


def _fingerprints_of(report: Report, baseline: Path, cwd: Path) -> tuple[list[str], Callable[[str], str]]:
    key = _path_key(baseline, cwd)
    return fingerprints(report.findings, _Lines(report, cwd), key), key


def write(path: Path, report: Report, cwd: Path) -> int:
    """Record every finding of `report` in `path` (atomically); returns how many."""
    prints, key = _fingerprints_of(report, path, cwd)
    entries = sorted(
        (
            {"path": key(f.span.path), "rule": f.rule_id, "fingerprint": fp, "line": f.span.start.line,
             "message": f.message}
            for f, fp in zip(report.findings, prints)
        ),
        key=lambda e: (e["path"], e["line"], e["rule"], e["fingerprint"]),
    )
    document = {"version": VERSION, "tool": TOOL, "findings": entries}
    try:
        write_atomically(cwd / path, (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    except OSError as err:
        raise BaselineError(f"cannot write baseline {path}: {err.strerror or err}") from None
    return len(entries)


def load(path: Path, cwd: Path) -> frozenset[str]:
    """The fingerprints recorded in `path`; BaselineError if it is missing or not a baseline."""
    try:
        document = json.loads((cwd / path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"baseline {path} does not exist (create it with --write-baseline)") from None
    except OSError as err:
        raise BaselineError(f"cannot read baseline {path}: {err.strerror or err}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BaselineError(f"baseline {path} is not valid JSON: {err}") from None
    if not isinstance(document, dict) or document.get("tool") != TOOL or "version" not in document:
        raise BaselineError(f"{path} is not a lockjaw baseline")
    if document["version"] != VERSION:
        raise BaselineError(f"baseline {path} has version {document['version']!r}; this lockjaw reads {VERSION}")
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise BaselineError(f"baseline {path} is malformed: `findings` must be a list of objects with a fingerprint")
    return frozenset(e["fingerprint"] for e in entries)


def drop_known(report: Report, baseline: Path, known: frozenset[str], cwd: Path) -> int:
    """Remove the findings recorded in the baseline from `report`; returns how many were removed."""
    prints, _ = _fingerprints_of(report, baseline, cwd)
    kept = [f for f, fp in zip(report.findings, prints) if fp not in known]
    removed = len(report.findings) - len(kept)
    report.findings = kept
    return removed
