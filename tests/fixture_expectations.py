"""Read `// want LJ101` expectations from fixture files and compare them to findings.

`// fp LJ106` marks a known false positive: a clean-code line the rule still
reports. It is matched like a want, so the harness stays strict both ways, and
the day the engine is fixed the test fails until the marker is removed.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

# `// want LJ101`, or `/* want LJ900 */` where the line's line comment is the thing under test.
WANT = re.compile(r"(?://|/\*)\s*(?:want|fp)\s+((?:LJ\d{3}\s*)+)")
KNOWN_FP = re.compile(r"//\s*fp\s+((?:LJ\d{3}\s*)+)")


def known_false_positives(root: Path) -> Counter[str]:
    """How many `// fp` markers each rule has across the fixtures (for docs/real-world.md)."""
    out: Counter[str] = Counter()
    for path in root.rglob("*.go"):
        for m in KNOWN_FP.finditer(path.read_text("utf-8", "replace")):
            out.update(m.group(1).split())
    return out


def expected(directory: Path) -> Counter[tuple[str, int, str]]:
    """(file name, line, rule id) for every expectation, counted."""
    wants: Counter[tuple[str, int, str]] = Counter()
    for path in sorted(directory.rglob("*.go")):
        for lineno, line in enumerate(path.read_text("utf-8", "replace").splitlines(), 1):
            m = WANT.search(line)
            if m:
                for rule in m.group(1).split():
                    wants[(path.relative_to(directory).as_posix(), lineno, rule)] += 1
    return wants


def actual(findings, directory: Path, cwd: Path) -> Counter[tuple[str, int, str]]:
    got: Counter[tuple[str, int, str]] = Counter()
    for f in findings:
        rel = (cwd / f.span.path).resolve().relative_to(directory.resolve()).as_posix()
        got[(rel, f.span.start.line, f.rule_id)] += 1
    return got


def mismatch(wants: Counter, got: Counter) -> str:
    missing = sorted((wants - got).elements())
    unexpected = sorted((got - wants).elements())
    lines = [f"missing   {p}:{l} {r}" for p, l, r in missing]
    lines += [f"unexpected {p}:{l} {r}" for p, l, r in unexpected]
    return "\n".join(lines)
