"""Hostile input through the real CLI: every case gets a clear message naming the file,
the documented exit code, a SARIF notification, and never a traceback.

Faults a test cannot create for real (we may run as root, so chmod does not stop
reads; a file cannot be made to vanish at the right moment from outside) are
injected by FAULTY_LOCKJAW, a driver that patches one thing and then runs the
real `main()` in a subprocess. docs/robustness.md lists every case.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.test_cli import HANDLER, ROOT, lockjaw

# HANDLER's finding: s.items[len(r.URL.Path)] on line 15, column 10.
HANDLER_FINDING = ("store.go", 15, 10)

FAULTY_LOCKJAW = '''
"""Run lockjaw's main() with the faults named in $LOCKJAW_FAULTS (JSON) injected."""
import errno, json, os, signal, sys, time
from pathlib import Path

faults = json.loads(os.environ["LOCKJAW_FAULTS"])

if "unreadable" in faults:
    real_read = Path.read_bytes
    def read_bytes(self):
        if self.name in faults["unreadable"]:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_read(self)
    Path.read_bytes = read_bytes

if "vanish" in faults:  # delete files after discovery, before they are read
    import linter.engine
    real_discover = linter.engine.discover
    def discover(*args, **kwargs):
        found = real_discover(*args, **kwargs)
        for ref in found[0]:
            if ref.path.name in faults["vanish"]:
                ref.path.unlink()
        return found
    linter.engine.discover = discover

if "crash_function" in faults:  # a bug in the engine, met while a rule analyses one function
    from linter.analysis.package import Package
    real_cfg = Package.cfg
    def cfg(self, fn):
        if fn.name == faults["crash_function"]:
            raise ValueError("injected bug")
        return real_cfg(self, fn)
    Package.cfg = cfg

if "crash_parse" in faults:  # a bug met while loading one file
    import linter.engine
    real_notice = linter.engine._syntax_notice
    def syntax_notice(source):
        if source.path.name == faults["crash_parse"]:
            raise KeyError("injected bug")
        return real_notice(source)
    linter.engine._syntax_notice = syntax_notice

if "write" in faults:  # the report's temporary file: write half of it, then fail
    # a shell that starts the tests in the background ignores SIGINT, and Python keeps that
    signal.signal(signal.SIGINT, signal.default_int_handler)
    real_write = Path.write_bytes
    def write_bytes(self, data):
        if not self.name.endswith(".tmp"):
            return real_write(self, data)
        real_write(self, data[: len(data) // 2])
        if faults["write"] == "interrupt":
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        raise OSError(errno.ENOSPC, "No space left on device", str(self))
    Path.write_bytes = write_bytes

from linter.cli import main
main(sys.argv[1:])
'''


def faulty(tmp_path: Path, faults: dict, *args: str) -> subprocess.CompletedProcess[str]:
    driver = tmp_path.parent / f"{tmp_path.name}_faulty_lockjaw.py"
    driver.write_text(FAULTY_LOCKJAW)
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT), "LOCKJAW_FAULTS": json.dumps(faults)}
    return subprocess.run([sys.executable, str(driver), *args], capture_output=True, text=True, cwd=tmp_path, env=env)


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr


def json_run(tmp_path: Path, *paths: str) -> tuple[int, dict]:
    result = lockjaw("check", *(paths or (".",)), "--format", "json", cwd=tmp_path)
    no_traceback(result)
    return result.returncode, json.loads(result.stdout)


def sarif_log(result: subprocess.CompletedProcess[str]) -> dict:
    no_traceback(result)
    return json.loads(result.stdout)


def notifications(log: dict) -> list[tuple[str, str, str, int | None]]:
    """(uri, descriptor id, level, line) of each tool notification."""
    out = []
    for n in log["runs"][0]["invocations"][0]["toolExecutionNotifications"]:
        physical = n["locations"][0]["physicalLocation"]
        out.append((physical["artifactLocation"]["uri"], n["descriptor"]["id"], n["level"],
                    physical.get("region", {}).get("startLine")))
    return out


def results(log: dict) -> list[tuple[str, int, int]]:
    out = []
    for r in log["runs"][0]["results"]:
        physical = r["locations"][0]["physicalLocation"]
        out.append((physical["artifactLocation"]["uri"], physical["region"]["startLine"],
                    physical["region"]["startColumn"]))
    return out


# --- files that are not (fully) analysed: one notification each, the good file still analysed ---------------


def _binary(d: Path) -> None:
    (d / "junk.go").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 64)


def _binary_without_nul(d: Path) -> None:
    (d / "junk.go").write_bytes(bytes(range(1, 256)) * 64)  # no NUL byte: read as text, invalid UTF-8


def _empty(d: Path) -> None:
    (d / "junk.go").write_bytes(b"")


def _blank(d: Path) -> None:
    (d / "junk.go").write_bytes(b"\n\r\n \t\n")


def _invalid_utf8(d: Path) -> None:
    (d / "junk.go").write_bytes(b"package store\n\n// caf\xe9\nfunc f() {}\n")


def _truncated(d: Path) -> None:
    (d / "junk.go").write_text("package store\n\nfunc (s *Store) Put(k string) {\n\ts.mu.Lock()\n\ts.items = append(")


def _fifo(d: Path) -> None:
    os.mkfifo(d / "junk.go")  # reading it would block forever


def _broken_symlink(d: Path) -> None:
    os.symlink(d / "nowhere.go", d / "junk.go")


def _symlink_to_itself(d: Path) -> None:
    os.symlink("junk.go", d / "junk.go")


def _nested_too_deep(d: Path) -> None:
    (d / "junk.go").write_text("package store\n\nfunc (s *Store) deep() {\n\ts.mu.Lock()\n" + "{" * 3000 + "}" * 3000 + "\n}\n")


@pytest.mark.parametrize(
    "make, expected, code",
    [
        (_binary, [("binary", "warning", None)], 1),
        (_binary_without_nul, [("encoding", "warning", 2), ("parse-error", "warning", 1)], 1),
        (_empty, [("empty", "warning", None)], 1),
        (_blank, [("empty", "warning", None)], 1),
        (_invalid_utf8, [("encoding", "warning", 3)], 1),
        (_truncated, [("parse-error", "warning", 3)], 1),  # the broken function's first line
        (_fifo, [("special-file", "warning", None)], 1),
        (_broken_symlink, [("unreadable", "error", None)], 2),
        (_symlink_to_itself, [("unreadable", "error", None)], 2),
        (_nested_too_deep, [("too-deep", "warning", 3)], 1),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else "-",
)
def test_a_file_not_fully_analysed_is_a_sarif_notification(tmp_path: Path, make, expected: list, code: int) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    make(tmp_path)
    result = lockjaw("check", ".", "--format", "sarif", cwd=tmp_path)
    log = sarif_log(result)
    assert result.returncode == code
    assert results(log) == [HANDLER_FINDING]  # the good file is still analysed
    assert sorted(notifications(log), key=str) == sorted((("junk.go", *e) for e in expected), key=str)
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is (code != 2)


def test_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    """Names are bytes on Linux; a vendored `caf\\xe9/` must not break any output format."""
    (tmp_path / "caf\udce9").mkdir()  # the byte 0xE9, as Python spells an undecodable name
    (tmp_path / "caf\udce9" / "st\udcffre.go").write_text(HANDLER)
    for fmt, expected in [("text", "caf\\xe9/st\\xffre.go:15:10: error: LJ101"),
                          ("json", '"path": "caf\\\\xe9/st\\\\xffre.go"'),
                          ("sarif", '"uri": "caf%5Cxe9/st%5Cxffre.go"'),
                          ("github", "::error file=caf\\xe9/st\\xffre.go,line=15,col=10")]:
        result = lockjaw("check", ".", "--format", fmt, cwd=tmp_path)
        no_traceback(result)
        assert result.returncode == 1, (fmt, result.stderr)
        assert expected in result.stdout, fmt


def test_messages_name_the_file_and_the_reason(tmp_path: Path) -> None:
    for name, make in [("bin", _binary), ("fifo", _fifo), ("dangling", _broken_symlink), ("loop", _symlink_to_itself)]:
        (tmp_path / name).mkdir()
        make(tmp_path / name)
    result = lockjaw("check", ".", cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 2
    lines = set(result.stdout.splitlines())
    assert "bin/junk.go: warning: binary file, not Go source; skipped" in lines
    assert "fifo/junk.go: warning: not a regular file (a pipe, socket or device); skipped" in lines
    assert "dangling/junk.go: error: broken symbolic link" in lines
    assert "loop/junk.go: error: cannot read file: Too many levels of symbolic links" in lines


def test_a_fifo_named_on_the_command_line_is_skipped_not_read(tmp_path: Path) -> None:
    _fifo(tmp_path)
    result = subprocess.run([sys.executable, "-m", "linter", "check", "junk.go", "--format", "json"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    no_traceback(result)
    assert result.returncode == 0
    assert [n["kind"] for n in json.loads(result.stdout)["notices"]] == ["special-file"]


# --- positions: columns in text (code points) and SARIF (UTF-16 units) must be exact ------------------------

ONE_LINE = 'package p; import "sync"; func f(mu *sync.Mutex, xs []int, i int) { mu.Lock(); _ = xs[i]; mu.Unlock() }\n'


def test_byte_order_mark_does_not_shift_columns(tmp_path: Path) -> None:
    (tmp_path / "bom.go").write_bytes(b"\xef\xbb\xbf" + ONE_LINE.encode())
    code, doc = json_run(tmp_path)
    assert code == 1 and doc["notices"] == []
    (f,) = doc["findings"]
    assert (f["line"], f["column"], f["end_column"]) == (1, 84, 89)  # as if there were no BOM
    assert f["related"][0]["column"] == 69
    log = sarif_log(lockjaw("check", ".", "--format", "sarif", cwd=tmp_path))
    region = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startColumn"], region["endColumn"]) == (84, 89)
    text = lockjaw("check", ".", cwd=tmp_path).stdout
    assert text.startswith("bom.go:1:84: warning: LJ101 xs[i] can panic")
    assert "\ufeff" not in text
    code_line, carets = text.splitlines()[1:3]
    assert code_line.startswith("> 1 | package p;")
    assert carets.index("^") == code_line.index("xs[i]")


def test_crlf_line_endings(tmp_path: Path) -> None:
    (tmp_path / "lf").mkdir()
    (tmp_path / "crlf").mkdir()
    (tmp_path / "lf" / "store.go").write_bytes(HANDLER.encode())
    (tmp_path / "crlf" / "store.go").write_bytes(HANDLER.replace("\n", "\r\n").encode())
    lf, crlf = (json_run(tmp_path / d)[1] for d in ("lf", "crlf"))
    assert crlf["notices"] == []
    assert crlf["findings"] == lf["findings"]  # same lines, columns, and GitHub line fingerprints
    assert (crlf["findings"][0]["line"], crlf["findings"][0]["column"]) == (15, 10)
    text = lockjaw("check", ".", cwd=tmp_path / "crlf").stdout
    assert "\r" not in text
    assert "> 15 |     item := s.items[len(r.URL.Path)]\n" in text
    log = sarif_log(lockjaw("check", ".", "--format", "sarif", cwd=tmp_path / "crlf"))
    region = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 15, "startColumn": 10, "endLine": 15, "endColumn": 34}


UNICODE = """\
package uni

import (
	"log"
	"sync"
)

var mu sync.Mutex

func Größe(ä []int, 日本 int) {
	/* 🔒 */ mu.Lock()
	log.Println("😀", ä[日本])
	mu.Unlock()
}
"""


def test_tabs_and_non_ascii_before_a_finding(tmp_path: Path) -> None:
    (tmp_path / "uni.go").write_text(UNICODE, encoding="utf-8")
    # line 12 is `\tlog.Println("😀", ä[日本])`: the tab is one column, each character one
    # more; in UTF-16 the emoji is two units. ä[日本] is 5 code points and 5 UTF-16 units.
    code, doc = json_run(tmp_path)
    assert code == 1
    (f,) = doc["findings"]
    assert (f["line"], f["column"], f["end_line"], f["end_column"]) == (12, 19, 12, 24)
    assert f["message"].startswith("ä[日本] can panic (index out of range)")
    assert (f["related"][0]["line"], f["related"][0]["column"]) == (11, 10)

    log = sarif_log(lockjaw("check", ".", "--format", "sarif", cwd=tmp_path))
    (res,) = log["runs"][0]["results"]
    assert log["runs"][0]["columnKind"] == "utf16CodeUnits"
    assert res["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 12, "startColumn": 20, "endLine": 12, "endColumn": 25}
    related = res["relatedLocations"][0]["physicalLocation"]["region"]
    assert (related["startLine"], related["startColumn"], related["endColumn"]) == (11, 11, 20)

    text = lockjaw("check", ".", cwd=tmp_path).stdout
    assert text.startswith("uni.go:12:19: warning: LJ101 ä[日本] can panic")
    lines = text.splitlines()
    code_line = next(line for line in lines if line.startswith("> 12 |"))
    carets = lines[lines.index(code_line) + 1]
    # carets sit under ä[日本] on a terminal: the emoji and 日本 are two cells wide
    assert cell_len(carets[: carets.index("^")]) == cell_len(code_line[: code_line.index("ä")])
    assert carets.count("^") == cell_len("ä[日本]")


def test_invalid_utf8_on_the_finding_line_counts_one_column_per_bad_byte(tmp_path: Path) -> None:
    src = HANDLER.replace("\titem := s.items[len(r.URL.Path)]", '\t_ = "\xff"; item := s.items[len(r.URL.Path)]')
    (tmp_path / "store.go").write_bytes(src.encode("utf-8").replace("\xff".encode("utf-8"), b"\xff"))
    code, doc = json_run(tmp_path)
    assert code == 1
    assert [(f["line"], f["column"]) for f in doc["findings"]] == [(15, 19)]
    assert [(n["kind"], n["line"]) for n in doc["notices"]] == [("encoding", 15)]


# --- big and deep files ------------------------------------------------------------------------------------


def generated_file(target_bytes: int) -> tuple[str, list[int]]:
    """Generated code: mostly lock-free getters, every tenth locks with defer, every
    thousandth forgets the defer (a finding). Returns the source and the finding lines."""
    parts = ["// Code generated by gen. DO NOT EDIT.\n\npackage big\n\nimport \"sync\"\n\n"
             "type S struct {\n\tmu sync.Mutex\n\txs []int\n}\n"]
    size, line, i = len(parts[0]), parts[0].count("\n") + 1, 0
    expected = []
    while size < target_bytes:
        if i % 1000 == 0:
            part = f"\nfunc (s *S) Bad{i}(k int) int {{\n\ts.mu.Lock()\n\tv := s.xs[k]\n\ts.mu.Unlock()\n\treturn v\n}}\n"
            expected.append(line + 3)
        elif i % 10 == 0:
            part = f"\nfunc (s *S) Get{i}(k int) int {{\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\treturn s.xs[k] + {i}\n}}\n"
        else:
            part = f"\n// Value{i} returns a value.\nfunc (s *S) Value{i}(k int) int {{\n\tif k > {i} {{\n\t\treturn s.xs[k-{i}]\n\t}}\n\treturn {i}\n}}\n"
        parts.append(part)
        size += len(part)
        line += part.count("\n")
        i += 1
    return "".join(parts), expected


def test_ten_megabyte_generated_file(tmp_path: Path) -> None:
    src, expected = generated_file(10_000_000)
    (tmp_path / "gen.go").write_text(src)
    (tmp_path / "store.go").write_text(HANDLER.replace("package store", "package big"))
    start = time.monotonic()
    code, doc = json_run(tmp_path)
    elapsed = time.monotonic() - start
    assert code == 1 and doc["notices"] == []
    assert [f["line"] for f in doc["findings"] if f["path"] == "gen.go"] == expected
    assert [f["line"] for f in doc["findings"] if f["path"] == "store.go"] == [15]
    assert elapsed < 120, f"{elapsed:.0f} s for 10 MB"  # about 12 s on a laptop; a hang guard, not a benchmark


def test_minified_one_line_file(tmp_path: Path) -> None:
    """Half a megabyte on one line: every finding is reported, each excerpt is a window around it."""
    parts = ['package p; import "sync"; var mu sync.Mutex; ']
    for i in range(10_000):
        if i % 50 == 0:
            parts.append(f"func f{i}(xs []int, i int) {{ mu.Lock(); _ = xs[i]; mu.Unlock() }}; ")
        else:
            parts.append(f"func g{i}(xs []int, i int) int {{ return xs[i] + {i} }}; ")
    line = "".join(parts)
    (tmp_path / "min.go").write_text(line + "\n")
    expected = [n + 1 for n in range(len(line)) if line.startswith("xs[i]; mu.Unlock", n)]
    code, doc = json_run(tmp_path)
    assert code == 1
    assert [f["column"] for f in doc["findings"]] == expected
    result = lockjaw("check", ".", cwd=tmp_path)
    assert len(result.stdout) < 1000 * len(expected)  # a window per finding, not the whole line
    lines = result.stdout.splitlines()
    code_line, carets = lines[1], lines[2]
    assert code_line.startswith("> 1 | …") and code_line.endswith("…")
    assert code_line[carets.index("^") :].startswith("xs[i]")


def _deep_cases() -> dict[str, tuple[str, int | None]]:
    """package dir -> (function body, the finding's line in the body, or None for a too-deep notice)."""
    def expr(e: str) -> str:
        return f"\tmu.Lock()\n\ty := {e}\n\t_ = xs[y]\n\tmu.Unlock()\n"

    return {
        "parens": (expr("(" * 50_000 + "i" + ")" * 50_000), 3),
        "sum": (expr(" + ".join(["i"] * 10_000)), 3),
        "concat": (expr(" + ".join(['"a"'] * 10_000)).replace("xs[y]", "xs[len(y)]"), 3),
        "methods": (expr("b" + ".M()" * 2_000).replace("xs[y]", "xs[y.N]"), 3),
        "selectors": (expr("b" + ".Next" * 5_000 + ".N"), 3),
        "indexes": ("\tmu.Lock()\n\ty := xs" + "[i]" * 2_000 + "\n\tmu.Unlock()\n\t_ = y\n", 2),
        "complement": (expr("^" * 5_000 + "i"), 3),
        "receives": ("\tmu.Lock()\n\ty := " + "<-" * 5_000 + "ch\n\t_ = xs[i]\n\tmu.Unlock()\n\t_ = y\n", 3),
        "literals": ("\t" + "func() {" * 1_000 + "mu.Lock(); _ = xs[i]; mu.Unlock()" + "}()" * 1_000 + "\n", 1),
        "blocks": ("\tmu.Lock()\n" + "{" * 5_000 + "_ = xs[i]" + "}" * 5_000 + "\n\tmu.Unlock()\n", None),
        "ifs": ("\tmu.Lock()\n" + "if i > 0 {" * 2_000 + "_ = xs[i]" + "}" * 2_000 + "\n\tmu.Unlock()\n", None),
    }


def test_expressions_and_blocks_nested_thousands_deep(tmp_path: Path) -> None:
    header = ("package deep\n\nimport \"sync\"\n\nvar mu sync.Mutex\n\n"
              "type B struct {\n\tNext *B\n\tN    int\n}\n\nfunc (b *B) M() *B { return b }\n\n")
    header_lines = header.count("\n")
    cases = _deep_cases()
    for name, (body, _) in cases.items():
        (tmp_path / name).mkdir()
        src = header + f"func f(xs []int, i int, b *B, ch chan int) {{\n{body}}}\n"
        (tmp_path / name / "deep.go").write_text(src)
    code, doc = json_run(tmp_path)
    assert code == 1
    fn_line = header_lines + 1
    for name, (_, line) in cases.items():
        found = [f["line"] for f in doc["findings"] if f["path"] == f"{name}/deep.go" and f["rule"] == "LJ101"]
        notices = [(n["kind"], n["line"]) for n in doc["notices"] if n["path"] == f"{name}/deep.go"]
        if line is None:  # statement nesting is bounded: a notice for the function, never a crash
            assert notices == [("too-deep", fn_line)], name
        else:  # expressions are walked iteratively or with bounded recursion: analysed in full
            assert notices == [], name
            assert fn_line + line in found, (name, found[:5])


# --- files and paths that go away, cannot be read or loop ---------------------------------------------------


def test_directory_symlink_loop_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "store.go").write_text(HANDLER)
    os.symlink(tmp_path / "a", tmp_path / "a" / "loop")
    os.symlink("self", tmp_path / "a" / "self")
    code, doc = json_run(tmp_path)
    assert code == 1
    assert [(f["path"], f["line"]) for f in doc["findings"]] == [("a/store.go", 15)]
    assert doc["notices"] == [] and doc["summary"]["files"] == 1


def test_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    (tmp_path / "secret.go").write_text("package store\n")
    result = faulty(tmp_path, {"unreadable": ["secret.go"]}, "check", ".", "--format", "sarif")
    log = sarif_log(result)
    assert result.returncode == 2
    assert results(log) == [HANDLER_FINDING]
    assert notifications(log) == [("secret.go", "unreadable", "error", None)]
    (note,) = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"] == "cannot read file: Permission denied"
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_file_that_vanishes_during_the_scan(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    (tmp_path / "gone.go").write_text("package store\n")
    result = faulty(tmp_path, {"vanish": ["gone.go"]}, "check", ".")
    no_traceback(result)
    assert result.returncode == 2
    assert result.stdout.startswith("store.go:15:10: error: LJ101")
    assert "gone.go: error: file vanished during the scan" in result.stdout.splitlines()


def test_nonexistent_path_is_a_sarif_notification(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    result = lockjaw("check", "store.go", "nope/", "--format", "sarif", cwd=tmp_path)
    log = sarif_log(result)
    assert result.returncode == 2
    assert results(log) == [HANDLER_FINDING]
    assert notifications(log) == [("nope", "missing", "error", None)]
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is False


# --- internal errors are contained --------------------------------------------------------------------------

BOOM = """\
package other

import "sync"

var mu sync.Mutex

func Boom(xs []int) {
	mu.Lock()
	_ = xs[1]
	mu.Unlock()
}
"""


def test_internal_error_in_one_function_names_file_rule_and_asks_for_a_bug_report(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "z").mkdir()
    (tmp_path / "a" / "boom.go").write_text(BOOM)
    (tmp_path / "z" / "store.go").write_text(HANDLER)
    result = faulty(tmp_path, {"crash_function": "Boom"}, "check", ".", "--format", "sarif")
    log = sarif_log(result)
    assert result.returncode == 2  # CI must not pass silently
    assert results(log) == [("z/store.go", 15, 10)]  # the other package still ran
    # one notice per rule that met the bug, each at the function's line
    assert set(notifications(log)) == {("a/boom.go", "internal-error", "error", 7)}
    text = faulty(tmp_path, {"crash_function": "Boom"}, "check", ".", "--select", "LJ101").stdout
    (line,) = [line for line in text.splitlines() if line.startswith("a/boom.go")]
    assert line.startswith("a/boom.go:7: error: internal error in LJ101 (ValueError: injected bug at ")
    assert line.endswith("this is a bug in lockjaw; please report it with the file that triggers it")


def test_internal_error_while_loading_one_file_loses_only_that_file(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    (tmp_path / "zz.go").write_text("package store\n")
    result = faulty(tmp_path, {"crash_parse": "zz.go"}, "check", ".", "--format", "json")
    no_traceback(result)
    doc = json.loads(result.stdout)
    assert result.returncode == 2
    assert [(f["path"], f["line"]) for f in doc["findings"]] == [("store.go", 15)]
    (notice,) = doc["notices"]
    assert notice["path"] == "zz.go" and notice["kind"] == "internal-error"
    assert "KeyError" in notice["message"] and "please report" in notice["message"]


# --- output: written atomically, or a one-line error -------------------------------------------------------


def test_output_write_failure_leaves_the_previous_report_intact(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    (tmp_path / "out.sarif").write_text("previous report\n")
    result = faulty(tmp_path, {"write": "fail"}, "check", ".", "--format", "sarif", "-o", "out.sarif")
    no_traceback(result)
    assert result.returncode == 2
    assert result.stderr.strip().endswith("lockjaw: error: cannot write out.sarif: No space left on device")
    assert (tmp_path / "out.sarif").read_text() == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.sarif", "store.go"]  # no temporary file left


def test_interrupt_while_writing_the_report(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    result = faulty(tmp_path, {"write": "interrupt"}, "check", ".", "--format", "sarif", "-o", "out.sarif")
    no_traceback(result)
    assert result.returncode == 130
    assert result.stderr.strip() == "lockjaw: interrupted"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.go"]  # neither half a report nor a temporary file


def test_output_to_a_directory_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    (tmp_path / "reports").mkdir()
    result = lockjaw("check", ".", "-o", "reports", cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 2
    assert result.stderr.startswith("lockjaw: error: ") and "is a directory" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_output_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    (tmp_path / "reports").mkdir()
    os.symlink("reports/lockjaw.json", tmp_path / "latest.json")
    result = lockjaw("check", ".", "--format", "json", "-o", "latest.json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert (tmp_path / "latest.json").is_symlink()
    assert json.loads((tmp_path / "reports" / "lockjaw.json").read_text())["summary"]["findings"] == 1


def test_output_to_a_pipe_is_written_in_place(tmp_path: Path) -> None:
    """`-o /dev/stdout` and named pipes: renaming over them would replace the device with a file."""
    (tmp_path / "store.go").write_text(HANDLER)
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    result = lockjaw("check", ".", "--format", "json", "-o", str(fifo), cwd=tmp_path)
    reader.join(timeout=30)
    assert result.returncode == 1, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received and json.loads(received[0])["summary"]["findings"] == 1


# --- Ctrl-C --------------------------------------------------------------------------------------------------


def test_ctrl_c_during_the_scan_exits_130_promptly_without_a_report(tmp_path: Path) -> None:
    src, _ = generated_file(300_000)
    for i in range(40):
        (tmp_path / f"pkg{i:02}").mkdir()
        (tmp_path / f"pkg{i:02}" / "gen.go").write_text(src)
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    # a shell that starts the tests in the background ignores SIGINT, and Python keeps an ignored SIGINT
    proc = subprocess.Popen([sys.executable, "-m", "linter", "check", ".", "--format", "sarif", "-o", "out.sarif"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(2.0)  # well into the analysis, which takes several seconds
    assert proc.poll() is None, "the scan finished before it could be interrupted"
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert time.monotonic() - sent < 10
    assert proc.returncode == 130
    assert stderr.strip() == "lockjaw: interrupted" and "Traceback" not in stderr
    assert stdout == ""
    assert not [p.name for p in tmp_path.iterdir() if p.is_file()]  # no report, no temporary file
