"""Text output: exact layout, caret placement under tabs and wide characters, colour only on request."""

from __future__ import annotations

import re
from pathlib import Path

from linter.model import Level, Related, Report
from linter.output.text import render
from tests.output_samples import (
    EXCERPT,
    MISSING_NOTICE,
    PARSE_NOTICE,
    PATH,
    leak_finding,
    make_env,
    panic_finding,
    sample_report,
    span,
)

ROOT = Path("/repo")
ANSI = re.compile(r"\x1b\[[0-9;]*m")

EXPECTED = """\
server/handler.go:42:19: error: LJ101 panic while s.mu is held
  38 |     s.mu.Lock()
     |     ----------- lock taken here
  39 |     v, ok := s.cache[key]
  40 |     if !ok {
  41 |         // unreachable in tests
> 42 |         log.Print("😀"); panic(key)
     |                          ^^^^^^^^^^

store/cache.go:7:3: warning: LJ102 return leaves s.mu locked
> 7 |         return err
    |         ^^^^^^^^^^

broken.go:3: warning: syntax error, file skipped
gone.go: error: file not found

Found 2 problems (1 error, 1 warning) in 2 of 12 files.
"""


def text(report: Report, **kw) -> str:
    return render(report, make_env(ROOT, **kw))


def test_full_output() -> None:
    assert text(sample_report(PARSE_NOTICE, MISSING_NOTICE)) == EXPECTED


def test_caret_lines_up_under_tabs_and_wide_characters() -> None:
    lines = text(sample_report()).splitlines()
    code, caret = lines[6], lines[7]
    # the emoji takes two terminal cells, so the caret column is one past the code-point count
    assert caret.index("^") == code.index("panic") + 1
    assert caret.count("^") == len("panic(key)")
    assert "\t" not in code and "\t" not in caret


def test_far_related_line_is_elided() -> None:
    report = sample_report()
    report.excerpts[PATH] = {38: EXCERPT[38], 42: EXCERPT[42]}
    assert text(report).splitlines()[1:6] == [
        "  38 |     s.mu.Lock()",
        "     |     ----------- lock taken here",
        "  ...",
        "> 42 |         log.Print(\"😀\"); panic(key)",
        "     |                          ^^^^^^^^^^",
    ]


def test_related_in_another_file_and_multiline_span() -> None:
    finding = panic_finding(
        span=span(PATH, 41, 3, 10, end_line=43),
        related=(Related(span("server/lock.go", 9, 2, 13), "lock taken here"),),
    )
    report = Report(findings=[finding], excerpts={PATH: dict(EXCERPT)}, files_seen=1)
    assert text(report) == (
        "server/handler.go:41:3: error: LJ101 panic while s.mu is held\n"
        "> 41 |         // unreachable in tests\n"
        "     |         ^^^^^^^^^^^^^^^^^^^^^^^\n"
        "  = server/lock.go:9:2: lock taken here\n"
        "\n"
        "Found 1 problem (1 error) in 1 of 1 file.\n"
    )


def test_flow_stands_in_for_missing_related() -> None:
    finding = panic_finding(related=())
    lines = text(Report(findings=[finding], excerpts={PATH: dict(EXCERPT)}, files_seen=1)).splitlines()
    assert lines[2] == "     |     ----------- s.mu locked"
    assert "panics with s.mu held" not in "\n".join(lines)  # the primary span is already marked


def test_missing_excerpt_prints_header_only() -> None:
    report = Report(findings=[leak_finding()], files_seen=1)
    assert text(report) == (
        "store/cache.go:7:3: warning: LJ102 return leaves s.mu locked\n\nFound 1 problem (1 warning) in 1 of 1 file.\n"
    )


def test_without_source() -> None:
    assert text(sample_report(PARSE_NOTICE), show_source=False) == (
        "server/handler.go:42:19: error: LJ101 panic while s.mu is held\n"
        "store/cache.go:7:3: warning: LJ102 return leaves s.mu locked\n"
        "broken.go:3: warning: syntax error, file skipped\n"
        "\n"
        "Found 2 problems (1 error, 1 warning) in 2 of 12 files.\n"
    )


def test_statistics_table() -> None:
    report = sample_report()
    report.findings.append(panic_finding(span=span(PATH, 50, 1, 2)))
    report.findings.append(leak_finding(rule_id="LJ103", level=Level.NOTE))
    out = text(report, show_source=False, statistics=True)
    assert out.endswith(
        "2  LJ101  panic-while-locked\n"
        "1  LJ102  lock-leak-on-return\n"
        "1  LJ103\n"
        "\n"
        "Found 4 problems (2 errors, 1 warning, 1 note) in 2 of 12 files.\n"
    )


def test_no_problems() -> None:
    assert text(Report(files_seen=12)) == "No problems found in 12 files.\n"
    assert text(Report(files_seen=1), statistics=True) == "No problems found in 1 file.\n"


def test_no_escape_codes_without_colour() -> None:
    assert "\x1b" not in text(sample_report(PARSE_NOTICE, MISSING_NOTICE), statistics=True)


def test_colour_changes_only_styling() -> None:
    coloured = text(sample_report(PARSE_NOTICE, MISSING_NOTICE), color=True)
    assert "\x1b[1;31merror\x1b[0m" in coloured
    assert "\x1b[1;33mwarning\x1b[0m" in coloured
    assert ANSI.sub("", coloured) == EXPECTED
