"""Applying the findings' fixes: pick non-overlapping ones per file, then write them or show a diff.

Rules attach fixes only where the rewrite is provably equivalent
(`linter.analysis.autofix`); this module only has to apply them faithfully:
byte offsets into the file as analysed, one fix per lock (several findings
about one lock carry the same fix), no two fixes touching the same bytes, and
files replaced atomically with their permissions kept.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from linter.atomic import write_atomically
from linter.fingerprint import line_hashes
from linter.model import Edit, Finding, Fix, Position


class FixError(Exception):
    """A file that could not be rewritten; the message is one line."""


@dataclass(frozen=True, slots=True)
class FileChange:
    path: str  # as reported: relative to the working directory
    before: bytes
    after: bytes
    fixes: int


@dataclass(frozen=True, slots=True)
class Plan:
    changes: tuple[FileChange, ...]
    findings_fixed: int
    findings_unfixable: int

    @property
    def fixes(self) -> int:
        return sum(c.fixes for c in self.changes)


def _overlaps(edit: Edit, taken: list[Edit]) -> bool:
    """Touching counts as overlapping: two insertions at one offset have no defined order."""
    return any(edit.start_byte <= t.end_byte and t.start_byte <= edit.end_byte for t in taken)


def _single_file(fix: Fix) -> str | None:
    paths = {e.span.path for e in fix.edits}
    return paths.pop() if len(paths) == 1 else None


def apply_edits(data: bytes, edits: Sequence[Edit]) -> bytes:
    """`data` with non-overlapping `edits` applied (offsets refer to the original bytes)."""
    out, cursor = [], 0
    for edit in sorted(edits, key=lambda e: (e.start_byte, e.end_byte)):
        if edit.start_byte < cursor or edit.end_byte > len(data) or edit.start_byte > edit.end_byte:
            raise ValueError(f"edit {edit.start_byte}..{edit.end_byte} overlaps another or leaves the file")
        out += [data[cursor : edit.start_byte], edit.text.encode("utf-8")]
        cursor = edit.end_byte
    out.append(data[cursor:])
    return b"".join(out)


def _byte_offset(data: bytes, starts: list[int], position: Position) -> int | None:
    if not 0 < position.line <= len(starts):
        return None
    start = starts[position.line - 1]
    end = data.find(b"\n", start)
    line = data[start : len(data) if end < 0 else end].decode("utf-8", "replace")
    return start + len(line[: position.column - 1].encode("utf-8"))


def _check_unchanged(path: str, data: bytes, findings: Sequence[Finding]) -> None:
    """Byte offsets are only valid for the file as analysed: the flagged lines' hashes and each
    edit's line and column must still agree with the bytes on disk."""
    hashes = line_hashes(data.decode("utf-8", "replace"))
    starts = [0, *(m.end() for m in re.finditer(b"\n", data))]
    edits = [e for f in findings for fix in f.fixes for e in fix.edits]
    stale = any(f.line_hash and hashes.get(f.span.start.line) != f.line_hash for f in findings) or any(
        (_byte_offset(data, starts, e.span.start), _byte_offset(data, starts, e.span.end)) != (e.start_byte, e.end_byte)
        for e in edits
    )
    if stale:
        raise FixError(f"{path} changed while lockjaw was running; nothing was fixed, run it again")


def plan(findings: Sequence[Finding], cwd: Path) -> Plan:
    """Which fixes to apply, and each file's text before and after."""
    per_file: dict[str, dict[Fix, None]] = {}
    chosen: list[tuple[Finding, Fix]] = []
    unfixable = 0
    for finding in findings:
        fix = next((f for f in finding.fixes if f.edits and _single_file(f)), None)
        if fix is None:
            unfixable += 1
            continue
        chosen.append((finding, fix))
        per_file.setdefault(_single_file(fix) or "", {})[fix] = None

    applied: set[Fix] = set()
    changes: list[FileChange] = []
    for path, fixes in sorted(per_file.items()):
        try:
            before = (cwd / path).read_bytes()
        except OSError as err:
            raise FixError(f"cannot read {path} to fix it: {err.strerror or err}") from None
        _check_unchanged(path, before, [f for f, fix in chosen if fix in fixes])
        taken: list[Edit] = []
        accepted = 0
        for fix in sorted(fixes, key=lambda f: min(e.start_byte for e in f.edits)):
            if any(e.end_byte > len(before) for e in fix.edits) or any(_overlaps(e, taken) for e in fix.edits):
                continue
            taken.extend(fix.edits)
            applied.add(fix)
            accepted += 1
        if accepted:
            changes.append(FileChange(path, before, apply_edits(before, taken), accepted))
    fixed = sum(1 for _, fix in chosen if fix in applied)
    return Plan(tuple(changes), fixed, len(findings) - fixed)


def write(plan: Plan, cwd: Path) -> None:
    """Replace each changed file atomically (temporary file, then rename), keeping its mode."""
    for change in plan.changes:
        try:
            write_atomically((cwd / change.path).resolve(), change.after, keep_mode=True)
        except OSError as err:
            raise FixError(f"cannot write {change.path}: {err.strerror or err}") from None


def unified_diff(plan: Plan) -> str:
    """The plan as a unified diff (`a/path`, `b/path`), as `git apply` and `patch -p1` read it."""
    out: list[str] = []
    for change in plan.changes:
        before = change.before.decode("utf-8", "replace").splitlines(keepends=True)
        after = change.after.decode("utf-8", "replace").splitlines(keepends=True)
        for line in difflib.unified_diff(before, after, f"a/{change.path}", f"b/{change.path}"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
