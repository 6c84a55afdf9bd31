"""GitHub Actions annotations: one workflow command per finding, escaped as actions/toolkit does."""

from __future__ import annotations

from pathlib import Path

from linter.model import Level, Notice, NoticeKind, Report
from linter.output.github import escape_data, escape_property, render
from tests.output_samples import MISSING_NOTICE, PARSE_NOTICE, leak_finding, make_env, sample_report, span


def test_commands(tmp_path: Path) -> None:
    out = render(sample_report(PARSE_NOTICE, MISSING_NOTICE), make_env(tmp_path))
    assert out.splitlines() == [
        "::error file=server/handler.go,line=42,col=19,endLine=42,endColumn=29,title=LJ101 panic-while-locked"
        "::panic while s.mu is held",
        "::warning file=store/cache.go,line=7,col=3,endLine=7,endColumn=13,title=LJ102 lock-leak-on-return"
        "::return leaves s.mu locked",
        "::warning file=broken.go,line=3,title=lockjaw parse-error::syntax error, file skipped",
        "::error file=gone.go,title=lockjaw missing::file not found",
    ]
    assert out.endswith("\n")


def test_note_level_and_unknown_rule(tmp_path: Path) -> None:
    out = render(Report(findings=[leak_finding(rule_id="LJ300", level=Level.NOTE)]), make_env(tmp_path))
    assert out == (
        "::notice file=store/cache.go,line=7,col=3,endLine=7,endColumn=13,title=LJ300::return leaves s.mu locked\n"
    )


def test_escaping() -> None:
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_message_and_path_are_escaped(tmp_path: Path) -> None:
    finding = leak_finding(message="50% of m[k]:\nsee, here", span=span("we,ird:dir/a.go", 1, 1, 2))
    out = render(Report(findings=[finding]), make_env(tmp_path))
    assert out == (
        "::warning file=we%2Cird%3Adir/a.go,line=1,col=1,endLine=1,endColumn=2,title=LJ102 lock-leak-on-return"
        "::50%25 of m[k]:%0Asee, here\n"
    )


def test_paths_are_relative_to_the_repository_root(tmp_path: Path) -> None:
    out = render(Report(findings=[leak_finding()]), make_env(tmp_path, cwd=tmp_path / "svc"))
    assert out.startswith("::warning file=svc/store/cache.go,line=7,")


def test_notice_without_path_or_failing(tmp_path: Path) -> None:
    crash = Notice("", NoticeKind.INTERNAL_ERROR, "rule LJ101 crashed", level=Level.WARNING)
    out = render(Report(notices=[crash]), make_env(tmp_path))
    assert out == "::error title=lockjaw internal-error::rule LJ101 crashed\n"


def test_nothing_to_report(tmp_path: Path) -> None:
    assert render(Report(files_seen=3), make_env(tmp_path)) == ""
