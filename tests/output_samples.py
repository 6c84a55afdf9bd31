"""Hand-built rules, findings and reports for the formatter tests (no engine needed).

The sample file has tabs and an emoji before the primary span, so code-point
columns (text output) and UTF-16 columns (SARIF) differ.
"""

from __future__ import annotations

from pathlib import Path

from linter.model import Edit, Finding, Fix, Level, Notice, NoticeKind, Position, Precision, Related, Report, Span
from linter.output import OutputEnv
from linter.rule import RuleMeta

LJ101 = RuleMeta(
    id="LJ101",
    name="panic-while-locked",
    summary="Reports a panic reached while a sync.Mutex is held.",
    rationale="A recovered panic leaves the mutex locked, so every later request blocks forever.",
    bad='func (s *S) Get(k string) {\n\ts.mu.Lock()\n\tif k == "" {\n\t\tpanic("empty key")\n\t}\n'
    '\ts.mu.Unlock()\n}\n',
    good='func (s *S) Get(k string) {\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n'
    '\tif k == "" {\n\t\tpanic("empty key")\n\t}\n}\n',
    level=Level.ERROR,
    precision=Precision.HIGH,
    tags=("concurrency", "reliability"),
)

LJ102 = RuleMeta(
    id="LJ102",
    name="lock-leak-on-return",
    summary="Reports a return that leaves a mutex locked.",
    rationale="The next Lock on the same mutex deadlocks.",
    bad="s.mu.Lock()\nif err != nil {\n\treturn err\n}\ns.mu.Unlock()\n",
    good="s.mu.Lock()\ndefer s.mu.Unlock()\n",
    level=Level.WARNING,
    precision=Precision.MEDIUM,
    tags=("concurrency",),
)

RULES = (LJ101, LJ102)

PATH = "server/handler.go"

# Line 42 is `\t\tlog.Print("😀"); panic(key)`: `panic(key)` starts at code point 19,
# UTF-16 unit 20 (the emoji is two units) and ends before code point 29 / unit 30.
EXCERPT = {
    38: "\ts.mu.Lock()",
    39: "\tv, ok := s.cache[key]",
    40: "\tif !ok {",
    41: "\t\t// unreachable in tests",
    42: '\t\tlog.Print("😀"); panic(key)',
}


def pos(line: int, column: int, utf16: int | None = None) -> Position:
    return Position(line, column, column if utf16 is None else utf16)


def span(path: str, line: int, column: int, end_column: int, *, end_line: int | None = None, shift: int = 0) -> Span:
    """A span whose UTF-16 columns are `shift` units past its code-point columns."""
    return Span(path, pos(line, column, column + shift), pos(end_line or line, end_column, end_column + shift))


LOCK_SPAN = span(PATH, 38, 2, 13)
PANIC_SPAN = span(PATH, 42, 19, 29, shift=1)


def panic_finding(**changes) -> Finding:
    """An LJ101 finding on line 42 with the lock taken on line 38."""
    values = dict(
        rule_id="LJ101",
        level=Level.ERROR,
        message="panic while s.mu is held",
        span=PANIC_SPAN,
        related=(Related(LOCK_SPAN, "lock taken here"),),
        flow=(Related(LOCK_SPAN, "s.mu locked"), Related(PANIC_SPAN, "panics with s.mu held")),
        line_hash="5e4d5a9cf1294ad9:1",
    )
    values.update(changes)
    return Finding(**values)


def leak_finding(**changes) -> Finding:
    values = dict(
        rule_id="LJ102",
        level=Level.WARNING,
        message="return leaves s.mu locked",
        span=span("store/cache.go", 7, 3, 13),
        fixes=(
            Fix(
                "defer the unlock",
                (Edit(span("store/cache.go", 5, 13, 13), 60, 60, "\n\tdefer s.mu.Unlock()"),),
            ),
        ),
    )
    values.update(changes)
    return Finding(**values)


def sample_report(*notices: Notice) -> Report:
    return Report(
        findings=[panic_finding(), leak_finding()],
        notices=list(notices),
        excerpts={PATH: dict(EXCERPT), "store/cache.go": {7: "\t\treturn err"}},
        files_seen=12,
        files_parsed=12,
    )


PARSE_NOTICE = Notice("broken.go", NoticeKind.PARSE_ERROR, "syntax error, file skipped", line=3)
MISSING_NOTICE = Notice("gone.go", NoticeKind.MISSING, "file not found", level=Level.ERROR)


def make_env(root: Path, *, cwd: Path | None = None, **changes) -> OutputEnv:
    return OutputEnv(rules=RULES, version="0.1.0", cwd=cwd or root, root=root, **changes)
