"""Suppression comments through the command line. fixtures/LJ900/ specifies the directives line by line;
these tests cover what depends on the run: which rules ran, configuration, and output formats."""

from __future__ import annotations

import json
from pathlib import Path

from linter.source import SourceFile
from linter.suppressions import directives
from rules import ALL_RULES, BY_ID
from tests.test_cli import HANDLER, lockjaw

PANIC_LINE = "\titem := s.items[len(r.URL.Path)]\n"


def handler(directive: str, *, above: bool = False) -> str:
    if above:
        return HANDLER.replace(PANIC_LINE, f"\t{directive}\n{PANIC_LINE}")
    return HANDLER.replace(PANIC_LINE, PANIC_LINE.rstrip("\n") + f" {directive}\n")


def run_json(tmp_path: Path, *args: str) -> list[tuple[int, str, str]]:
    result = lockjaw("check", "--format", "json", *args, ".", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    return [(f["line"], f["rule"], f["message"]) for f in json.loads(result.stdout)["findings"]]


def test_a_suppression_with_a_reason_silences_the_finding_and_exits_0(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(handler("//lockjaw:ignore LJ101 the router only passes known paths"))
    result = lockjaw("check", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "No problems found in 1 file." in result.stdout


def test_missing_reason_is_reported_with_its_own_rule(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(handler("//lockjaw:ignore LJ101", above=True))
    (finding,) = run_json(tmp_path)
    assert finding == (15, "LJ900", "//lockjaw:ignore LJ101 gives no reason; "
                                    "say after the rule id why the finding is wrong or acceptable")


def test_unused_suppression_of_a_rule_that_did_not_run_is_not_reported(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(HANDLER.replace("\ts.mu.Lock()\n", "\ts.mu.Lock() //lockjaw:ignore LJ101 why\n"))
    both = run_json(tmp_path)
    assert [(line, rule) for line, rule, _ in both] == [(14, "LJ900"), (15, "LJ101")]
    assert "silences nothing: no LJ101 finding on line 14; remove it" in both[0][2]
    assert run_json(tmp_path, "--select", "LJ900") == []
    (tmp_path / "lockjaw.toml").write_text('[per-file-ignores]\n"store.go" = ["LJ101"]\n')
    assert run_json(tmp_path) == []


def test_ignoring_lj900_keeps_the_suppressions_working(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(handler("//lockjaw:ignore LJ101"))
    assert lockjaw("check", "--ignore", "LJ900", ".", cwd=tmp_path).returncode == 0
    (tmp_path / "lockjaw.toml").write_text('ignore = ["LJ900"]\n')
    assert lockjaw("check", ".", cwd=tmp_path).returncode == 0


def test_lj900_can_itself_be_suppressed_by_naming_it(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(handler("//lockjaw:ignore LJ101,LJ900"))
    assert run_json(tmp_path) == []
    (tmp_path / "store.go").write_text(handler("//nolint:lockjaw"))
    assert run_json(tmp_path) == []


def test_suppressions_in_context_files_are_not_reported(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(HANDLER)
    (tmp_path / "other.go").write_text("package store\n\n//lockjaw:ignore LJ101\nvar x = 1\n")
    assert [(line, rule) for line, rule, _ in run_json(tmp_path)] == [(3, "LJ900"), (3, "LJ900"), (15, "LJ101")]
    named = lockjaw("check", "--format", "json", "store.go", cwd=tmp_path)
    assert [f["path"] for f in json.loads(named.stdout)["findings"]] == ["store.go"]


def test_sarif_and_rules_listing_include_lj900(tmp_path: Path) -> None:
    (tmp_path / "store.go").write_text(handler("//lockjaw:ignore LJ101", above=True))
    log = json.loads(lockjaw("check", "--format", "sarif", ".", cwd=tmp_path).stdout)
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [r.meta.id for r in ALL_RULES]
    (result,) = run["results"]
    assert result["ruleId"] == "LJ900" and result["level"] == "warning"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 15
    assert "LJ900  invalid-suppression" in lockjaw("rules").stdout
    assert "# LJ900 `invalid-suppression`" in lockjaw("explain", "LJ900").stdout


def covered(src: str) -> list[tuple[str, int, int]]:
    file = SourceFile(Path("x.go"), "x.go", src.encode())
    return [(d.head, d.first, d.last) for d in directives(file, frozenset(BY_ID))]


def test_lines_covered_by_each_directive() -> None:
    src = """\
package p

func f(xs []int, i int) int {
	a := xs[i] //nolint:LJ101
	//lockjaw:ignore LJ101 reason
	// an ordinary comment in between
	b := g(
		xs[i],
	)
	if i > 0 { //lockjaw:ignore LJ101 reason
		return a
	}
	s := "//nolint:lockjaw"
	return a + b //nolint:errcheck
}
"""
    assert covered(src) == [
        ("//nolint:LJ101", 4, 4),
        ("//lockjaw:ignore LJ101", 7, 9),
        ("//lockjaw:ignore LJ101", 10, 10),
    ]


def test_only_nolint_above_the_package_clause_covers_the_file() -> None:
    src = "//nolint:LJ101\n//lockjaw:ignore LJ101 use file-ignore for a whole file\npackage p\n\nvar x = 1\n"
    assert covered(src) == [("//nolint:LJ101", 1, 1 << 30), ("//lockjaw:ignore LJ101", 3, 3)]
