"""Bad input gets a one-line message and the right exit code, and never stops other files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linter.engine import run
from rules import ALL_RULES
from tests.test_cli import HANDLER, lockjaw


def scan(tmp_path: Path, *args: str):
    result = lockjaw("check", *args, "--format", "json", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    doc = json.loads(result.stdout)
    return result.returncode, doc


@pytest.mark.parametrize(
    "name, content, kind",
    [
        ("binary.go", b"\x7fELF\x00\x00\x01\x02", "binary"),
        ("empty.go", b"", "empty"),
        ("latin1.go", b"package p\n\n// caf\xe9\nfunc f() {}\n", "encoding"),
        ("broken.go", b"package p\n\nfunc f( {\n", "parse-error"),
    ],
)
def test_bad_files_are_warnings_and_the_good_file_is_still_analysed(tmp_path: Path, name: str, content: bytes,
                                                                    kind: str) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    (tmp_path / name).write_bytes(content)
    code, doc = scan(tmp_path, ".")
    assert code == 1  # the finding in store.go, not an error
    assert [f["path"] for f in doc["findings"]] == ["store.go"]
    (notice,) = [n for n in doc["notices"] if n["path"] == name]
    assert notice["kind"] == kind and notice["level"] == "warning"


def test_syntax_error_file_is_still_analysed_where_intact(tmp_path: Path) -> None:
    broken = HANDLER + "\nfunc broken( {\n"
    (tmp_path / "store.go").write_text(broken)
    code, doc = scan(tmp_path, ".")
    assert [f["line"] for f in doc["findings"]] == [15]
    assert doc["notices"][0]["kind"] == "parse-error" and doc["notices"][0]["line"] == 20


def test_directory_without_go_files(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("hi")
    code, doc = scan(tmp_path, ".")
    assert code == 0 and doc["findings"] == [] and doc["summary"]["files"] == 0


def test_nonexistent_path_is_an_error_exit_2(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    code, doc = scan(tmp_path, "store.go", "nope/")
    assert code == 2
    assert len(doc["findings"]) == 1
    assert doc["notices"] == [{"path": "nope/", "kind": "missing", "level": "error",
                               "message": "no such file or directory", "line": None}]


def test_unreadable_file_is_an_error_and_others_still_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    (tmp_path / "secret.go").write_text("package store\n")
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "secret.go":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    report = run(["."], ALL_RULES, cwd=tmp_path)
    assert report.exit_code == 2
    assert [f.span.path for f in report.findings] == ["store.go"]
    (notice,) = report.notices
    assert notice.one_line() == "secret.go: error: cannot read file: Permission denied"


def test_internal_error_in_a_rule_is_contained(tmp_path: Path) -> None:
    from linter.rule import Rule

    def crash(ctx) -> None:
        raise ValueError("boom")

    broken = Rule(ALL_RULES[0].meta, crash)
    (tmp_path / "store.go").write_text(HANDLER)
    report = run(["."], [broken, *ALL_RULES], cwd=tmp_path)
    assert report.exit_code == 2
    assert len(report.findings) == 1  # the real rule still ran
    (notice,) = report.notices
    assert notice.kind.value == "internal-error"
    assert "internal error in LJ101 (ValueError: boom" in notice.message and "please report" in notice.message
