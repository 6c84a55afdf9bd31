"""Which platforms a file is built for, so calls resolve within one build.

A Go directory often holds `x_windows.go` and `x_unix.go` defining the same
function; a call in a Linux file must not reach the Windows definition.
"""

from __future__ import annotations

import re

from linter.source import SourceFile

GOOS = frozenset(
    "aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris "
    "wasip1 windows zos".split()
)
UNIX = frozenset("aix android darwin dragonfly freebsd hurd illumos ios linux netbsd openbsd solaris".split())
# GOOS=android also builds the files and tags for linux, ios those for darwin, illumos those for solaris.
_IMPLIED = {"linux": "android", "darwin": "ios", "solaris": "illumos"}
_BUILD_LINE = re.compile(rb"^//go:build (.+)$", re.M)
_OS_TERM = re.compile(r"!?[\w.]+")


def platforms(file: SourceFile) -> frozenset[str] | None:
    """The operating systems a file builds on, or None for all (or for what lockjaw cannot tell)."""
    stem = file.path.name.removesuffix(".go").removesuffix("_test")
    parts = stem.split("_")
    for part in parts[1:][-2:]:
        if part in GOOS:
            return _implied({part})
    head = file.data[:2048]
    m = _BUILD_LINE.search(head)
    if m is None:
        return None
    expr = m.group(1).decode("utf-8", "replace").strip()
    alternatives = [a.strip().strip("()") for a in expr.split("||")]
    oses: set[str] = set()
    for alt in alternatives:
        terms = [t for t in _OS_TERM.findall(alt)]
        named = [t for t in terms if t.lstrip("!") in GOOS or t.lstrip("!") == "unix"]
        # `js && wasm`: one system and other tags it must have too; a negated system, two of
        # them, or parentheses (`||` inside): assume any platform
        if len(named) != 1 or named[0].startswith("!") or (len(terms) != 1 and "(" in expr):
            return None
        oses |= UNIX if named[0] == "unix" else {named[0]}
    return _implied(oses)


def _implied(oses: set[str]) -> frozenset[str]:
    """The operating systems that build a file for `oses` (a `_linux.go` file builds on android too)."""
    return frozenset(oses | {_IMPLIED[o] for o in oses if o in _IMPLIED})


def compatible(a: frozenset[str] | None, b: frozenset[str] | None) -> bool:
    return a is None or b is None or bool(a & b)
