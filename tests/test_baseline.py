"""`--write-baseline` and `--baseline`: adopt lockjaw without fixing everything first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linter.baseline import fingerprints
from linter.model import Finding, Level, Position, Related, Span
from tests.test_cli import lockjaw

STORE = """\
package store

import (
	"net/http"
	"sync"
)

type Store struct {
	mu    sync.Mutex
	items []string
}

func (s *Store) Get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	item := s.items[len(r.URL.Path)]
	s.mu.Unlock()
	w.Write([]byte(item))
}

func (s *Store) Put(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.items[len(r.URL.Path)] = r.URL.Path
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}
"""

NEW_HANDLER = """
func (s *Store) Delete(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.items[len(r.URL.Path)] = ""
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}
"""


def findings(result) -> list[tuple[str, int]]:
    return [(f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "store.go").write_text(STORE)
    result = lockjaw("check", ".", "--write-baseline", "lockjaw-baseline.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == "lockjaw: wrote 2 findings to baseline lockjaw-baseline.json\n"
    return tmp_path


def check(repo: Path, *args: str, cwd: Path | None = None):
    return lockjaw("check", ".", "--format", "json", "--baseline", str(repo / "lockjaw-baseline.json"), *args,
                   cwd=cwd or repo)


def test_baseline_file_is_versioned_sorted_json(repo: Path) -> None:
    document = json.loads((repo / "lockjaw-baseline.json").read_text())
    assert document["version"] == 1 and document["tool"] == "lockjaw"
    entries = document["findings"]
    assert [(e["path"], e["rule"], e["line"]) for e in entries] == [("store/store.go", "LJ101", 15),
                                                                      ("store/store.go", "LJ101", 22)]
    assert all(set(e) == {"path", "rule", "fingerprint", "line", "message"} for e in entries)
    assert len({e["fingerprint"] for e in entries}) == 2


def test_known_findings_are_hidden(repo: Path) -> None:
    result = check(repo)
    assert result.returncode == 0, result.stdout
    assert findings(result) == []


def test_moving_unrelated_lines_keeps_findings_known(repo: Path) -> None:
    path = repo / "store" / "store.go"
    moved = STORE.replace("type Store struct {",
                          "// Store keeps items.\n//\n// It is safe for concurrent use.\ntype Store struct {")
    moved = moved.replace("\titems []string\n", "\titems []string\n\tname  string\n")
    path.write_text(moved.replace("func (s *Store) Get", "func helper() {}\n\nfunc (s *Store) Get"))
    assert check(repo).returncode == 0
    # the files' order of functions does not matter either
    get, put = STORE.split("\nfunc (s *Store) Put")
    path.write_text(get.split("\nfunc (s *Store) Get")[0] + "\nfunc (s *Store) Put" + put
                    + "\nfunc (s *Store) Get" + get.split("\nfunc (s *Store) Get")[1])
    assert check(repo).returncode == 0


def test_new_findings_are_reported(repo: Path) -> None:
    path = repo / "store" / "store.go"
    path.write_text(STORE + NEW_HANDLER)
    result = check(repo)
    assert result.returncode == 1
    assert findings(result) == [("store/store.go", 29)]


def test_editing_the_flagged_line_makes_it_new(repo: Path) -> None:
    path = repo / "store" / "store.go"
    path.write_text(STORE.replace("item := s.items[len(r.URL.Path)]", "item := s.items[len(r.URL.Path)-1]"))
    assert findings(check(repo)) == [("store/store.go", 15)]


def test_a_second_identical_finding_is_new(repo: Path) -> None:
    path = repo / "store" / "store.go"
    line = "\ts.items[len(r.URL.Path)] = r.URL.Path\n"
    call = "\tw.Header().Set(\"a\", \"b\")\n"  # may change s.items: the second index can panic too
    path.write_text(STORE.replace(line, line + call + line))
    result = check(repo)
    assert result.returncode == 1
    assert len(findings(result)) == 1


def test_baseline_works_from_another_directory(repo: Path) -> None:
    result = check(repo, cwd=repo / "store")
    assert result.returncode == 0, result.stdout + result.stderr


def test_write_baseline_refreshes_an_existing_one(repo: Path) -> None:
    (repo / "store" / "store.go").write_text(STORE + NEW_HANDLER)
    result = lockjaw("check", ".", "--baseline", "lockjaw-baseline.json",
                     "--write-baseline", "lockjaw-baseline.json", cwd=repo)
    assert result.returncode == 0
    assert "wrote 3 findings" in result.stderr
    assert check(repo).returncode == 0


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "lockjaw: error: baseline missing.json does not exist (create it with --write-baseline)"),
        ("{not json", "lockjaw: error: baseline missing.json is not valid JSON"),
        ('{"version": 1, "findings": []}', "lockjaw: error: missing.json is not a lockjaw baseline"),
        ('{"version": 9, "tool": "lockjaw", "findings": []}', "lockjaw: error: baseline missing.json has version 9"),
        ('{"version": 1, "tool": "lockjaw", "findings": [{"path": "x"}]}',
         "lockjaw: error: baseline missing.json is malformed"),
    ],
)
def test_bad_baselines_are_one_line_errors(tmp_path: Path, content: str | None, message: str) -> None:
    if content is not None:
        (tmp_path / "missing.json").write_text(content)
    result = lockjaw("check", ".", "--baseline", "missing.json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1


def test_fingerprint_ignores_line_numbers_but_not_the_lock_or_function() -> None:
    def finding(line: int, lock_line: int, function: str = "Get") -> Finding:
        def span(n: int) -> Span:
            return Span("a.go", Position(n, 2, 2), Position(n, 9, 9))

        return Finding("LJ101", Level.ERROR, f"locked at line {lock_line}", span(line),
                       related=(Related(span(lock_line), "taken here"),), function=function)

    def text(path: str, line: int) -> str:
        return {3: "\ts.mu.Lock()", 4: "\tx := xs[i]", 10: "  s.mu.Lock() ", 11: "x:=xs[ i ]", 12: "\tmu.Lock()"}[line]

    same = fingerprints([finding(4, 3), finding(11, 10)], text, str)
    assert same[0].split(":")[0] == same[1].split(":")[0]  # whitespace and line numbers do not count
    assert same[0].endswith(":1") and same[1].endswith(":2")  # identical keys are numbered
    other_lock = fingerprints([finding(4, 12)], text, str)[0]
    other_function = fingerprints([finding(4, 3, "Put")], text, str)[0]
    assert len({same[0], other_lock, other_function}) == 3
