"""`--new-from-rev REV`: keep only findings on lines changed since REV.

The changed lines are the added side of `git diff --unified=0 REV` (working
tree against REV, staged or not) plus every line of untracked, not ignored
files. A finding counts as new when its primary line is one of them; a
deletion alone changes no line, so removing a `defer mu.Unlock()` does not
make the findings it uncovers new.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from linter.model import Report

_HUNK = re.compile(rb"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {ord(k): v for k, v in zip("abtnvfr\"\\", b"\a\b\t\n\v\f\r\"\\")}


class GitError(Exception):
    """git is missing, the directory is not a repository, or the revision is unknown; one line."""


@dataclass(frozen=True, slots=True)
class Changes:
    """Changed lines per absolute, resolved path; `new_files` changed entirely."""

    lines: dict[Path, frozenset[int]]
    new_files: frozenset[Path]

    def changed(self, path: Path, line: int) -> bool:
        return path in self.new_files or line in self.lines.get(path, ())


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("--new-from-rev needs git, and git is not installed") from None
    except OSError as err:
        raise GitError(f"cannot run git: {err.strerror or err}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[0] if message else f'exit {done.returncode}'}")
    return done.stdout


def _unquote(raw: bytes) -> bytes:
    """Undo git's C-style quoting of unusual paths: `"tab\\there"`, octal bytes `\\303\\251`."""
    if not raw.startswith(b'"') or not raw.endswith(b'"'):
        return raw
    body, out, i = raw[1:-1], bytearray(), 0
    while i < len(body):
        c = body[i]
        if c == ord("\\") and i + 1 < len(body):
            nxt = body[i + 1]
            if ord("0") <= nxt <= ord("7"):
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def parse_diff(diff: bytes) -> dict[str, set[int]]:
    """Added line numbers per new-side path (relative, POSIX) of a `--unified=0` diff."""
    changed: dict[str, set[int]] = {}
    current: set[int] | None = None
    remaining = 0  # hunk body lines still to skip, so `+++ x` content is not taken for a header
    for line in diff.split(b"\n"):
        if remaining:
            if not line.startswith(b"\\"):
                remaining -= 1
            continue
        if line.startswith(b"+++ "):
            raw = line[4:].rstrip(b"\r")
            name = _unquote(raw) if raw.startswith(b'"') else raw.rstrip(b"\t")  # git adds a tab after spaces
            if name == b"/dev/null":
                current = None
            else:
                path = name[2:] if name.startswith(b"b/") else name
                current = changed.setdefault(path.decode("utf-8", "surrogateescape"), set())
        elif line.startswith(b"@@ ") and (m := _HUNK.match(line)):
            old = int(m.group(1)) if m.group(1) is not None else 1
            start, count = int(m.group(2)), int(m.group(3)) if m.group(3) is not None else 1
            remaining = old + count
            if current is not None:
                current.update(range(start, start + count))
    return changed


def changed_lines(rev: str, cwd: Path) -> Changes:
    """What changed in the repository around `cwd` since `rev`; GitError if git cannot say."""
    if rev.startswith("-"):
        raise GitError(f"{rev!r} is not a revision")
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], cwd).decode("utf-8", "surrogateescape").strip())
    except GitError as err:
        raise GitError(f"--new-from-rev needs a git repository ({err})") from None
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top).decode().strip()
    except GitError:
        raise GitError(f"unknown git revision {rev!r}") from None
    diff = _git(["-c", "core.quotePath=false", "diff", "--unified=0", "--no-color", "--no-ext-diff", "--no-textconv",
                 "--src-prefix=a/", "--dst-prefix=b/", "-M", commit, "--"], top)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    root = top.resolve()
    return Changes(
        lines={(root / path).resolve(): frozenset(lines) for path, lines in parse_diff(diff).items()},
        new_files=frozenset(
            (root / name.decode("utf-8", "surrogateescape")).resolve() for name in untracked.split(b"\0") if name
        ),
    )


def keep_changed(report: Report, changes: Changes, cwd: Path) -> int:
    """Drop the findings whose primary line did not change; returns how many were dropped."""
    kept = [f for f in report.findings if changes.changed((cwd / f.span.path).resolve(), f.span.start.line)]
    dropped = len(report.findings) - len(kept)
    report.findings = kept
    return dropped
