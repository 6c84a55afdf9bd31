"""Every fixture directory is a specification: findings must match `// want` lines exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.engine import run
from rules import ALL_RULES
from tests.fixture_expectations import actual, expected, mismatch

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RULE_DIRS = sorted(d for d in FIXTURES.iterdir() if d.is_dir() and d.name.startswith("LJ"))


def fixture_rules(directory: Path) -> set[str]:
    """The directory's rule, plus any listed in its `rules.txt` (LJ900 needs a rule to suppress)."""
    listed = directory / "rules.txt"
    extra = listed.read_text("utf-8").split() if listed.is_file() else []
    return {directory.name, *extra}


@pytest.mark.parametrize("directory", RULE_DIRS, ids=[d.name for d in RULE_DIRS])
def test_fixture_directory(directory: Path) -> None:
    wanted = fixture_rules(directory)
    rules = [r for r in ALL_RULES if r.meta.id in wanted]
    assert {r.meta.id for r in rules} == wanted, f"unknown rule in {sorted(wanted)}"
    report = run([str(directory)], rules, cwd=directory)
    assert not [n for n in report.notices if n.fails_run], report.notices
    problems = mismatch(expected(directory), actual(report.findings, directory, directory))
    assert not problems, "\n" + problems


def test_every_rule_has_fixtures() -> None:
    assert {r.meta.id for r in ALL_RULES} <= {d.name for d in RULE_DIRS}
