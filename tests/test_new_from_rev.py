"""`--new-from-rev REV`: only findings on lines changed since a git revision."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from linter.gitdiff import parse_diff
from tests.test_baseline import NEW_HANDLER, STORE
from tests.test_cli import lockjaw

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(repo: Path, *args: str) -> None:
    config = ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", *config, *args], cwd=repo, check=True, capture_output=True)


def lines(result) -> list[tuple[str, int]]:
    assert result.returncode in (0, 1), result.stderr
    return [(f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "store.go").write_text(STORE)
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "store")
    return tmp_path


def check(repo: Path, *args: str, cwd: Path | None = None):
    return lockjaw("check", ".", "--format", "json", *args, cwd=cwd or repo)


def test_unchanged_code_reports_nothing(repo: Path) -> None:
    assert lines(check(repo)) == [("store/store.go", 15), ("store/store.go", 22)]
    result = check(repo, "--new-from-rev", "HEAD")
    assert result.returncode == 0
    assert lines(result) == []


def test_only_findings_on_changed_lines(repo: Path) -> None:
    store = repo / "store" / "store.go"
    store.write_text("// Package store keeps items.\n" + STORE + NEW_HANDLER)
    assert lines(check(repo, "--new-from-rev", "HEAD")) == [("store/store.go", 30)]
    git(repo, "add", ".")  # staged changes count as well
    assert lines(check(repo, "--new-from-rev", "HEAD")) == [("store/store.go", 30)]
    git(repo, "commit", "-q", "-m", "delete")
    assert lines(check(repo, "--new-from-rev", "HEAD~1")) == [("store/store.go", 30)]
    assert lines(check(repo, "--new-from-rev", "HEAD")) == []


def test_editing_a_flagged_line_reports_it(repo: Path) -> None:
    store = repo / "store" / "store.go"
    store.write_text(STORE.replace("item := s.items[len(r.URL.Path)]", "item := s.items[len(r.URL.Path)/2]"))
    assert lines(check(repo, "--new-from-rev", "HEAD")) == [("store/store.go", 15)]


def test_untracked_files_are_new_and_ignored_ones_are_not_analysed(repo: Path) -> None:
    (repo / "fresh").mkdir()
    (repo / "fresh" / "fresh.go").write_text(STORE)
    (repo / "store" / "copy.go").write_text(STORE.replace("Store", "Copy"))
    (repo / ".gitignore").write_text("store/copy.go\n")
    assert lines(check(repo, "--new-from-rev", "HEAD")) == [("fresh/fresh.go", 15), ("fresh/fresh.go", 22)]


def test_works_from_a_subdirectory(repo: Path) -> None:
    (repo / "store" / "store.go").write_text(STORE + NEW_HANDLER)
    assert lines(check(repo, "--new-from-rev", "HEAD", cwd=repo / "store")) == [("store.go", 29)]


def test_fix_then_report_on_the_rewritten_lines(repo: Path) -> None:
    fixable = "\nfunc (s *Store) Set(w http.ResponseWriter, r *http.Request) {\n\ts.mu.Lock()\n" \
              "\ts.items[len(r.URL.Path)] = r.URL.Path\n\ts.mu.Unlock()\n}\n"
    store = repo / "store" / "store.go"
    store.write_text(STORE + fixable + NEW_HANDLER)
    result = check(repo, "--new-from-rev", "HEAD", "--fix")
    assert "Fixed 1 finding in 1 file." in result.stderr
    assert "\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\ts.items[len(r.URL.Path)] = r.URL.Path\n}\n" in store.read_text()
    assert lines(result) == [("store/store.go", 35)]  # the Delete handler, after the Set handler lost a line


@pytest.mark.parametrize(
    "rev, message",
    [
        ("no-such-branch", "lockjaw: error: unknown git revision 'no-such-branch'"),
        ("--output=x", "lockjaw: error: '--output=x' is not a revision"),
    ],
)
def test_bad_revisions_are_one_line_errors(repo: Path, rev: str, message: str) -> None:
    result = lockjaw("check", ".", f"--new-from-rev={rev}", cwd=repo)
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (repo / "x").exists()


def test_outside_a_repository_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(STORE)
    result = lockjaw("check", ".", "--new-from-rev", "HEAD", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("lockjaw: error: --new-from-rev needs a git repository")
    assert len(result.stderr.strip().splitlines()) == 1


def test_parse_diff_reads_added_lines_and_unusual_paths() -> None:
    diff = b"""\
diff --git a/a.go b/a.go
--- a/a.go
+++ b/a.go
@@ -3 +3 @@ func f() {
-\told()
+\tnew()
@@ -10,0 +11,2 @@
++++ b/not-a-header.go
+@@ -1 +1 @@
@@ -20,2 +21,0 @@
-\tgone()
-\tgone()
diff --git a/my file.go b/my file.go
--- a/my file.go\t
+++ b/my file.go\t
@@ -1 +1 @@
-x
\\ No newline at end of file
+y
\\ No newline at end of file
diff --git "a/tab\\there\\303\\251.go" "b/tab\\there\\303\\251.go"
--- "a/tab\\there\\303\\251.go"
+++ "b/tab\\there\\303\\251.go"
@@ -0,0 +1 @@
+package p
diff --git a/old.go b/old.go
--- a/old.go
+++ /dev/null
@@ -1 +0,0 @@
-package p
"""
    assert parse_diff(diff) == {"a.go": {3, 11, 12}, "my file.go": {1}, "tab\there\u00e9.go": {1}}
