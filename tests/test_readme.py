"""The README's rule section is generated from the rules' metadata and must be current."""

from __future__ import annotations

from pathlib import Path

from linter.output.docs import render_readme
from rules import ALL_RULES

README = Path(__file__).resolve().parent.parent / "README.md"


def test_rule_docs_are_generated_and_current() -> None:
    text = README.read_text("utf-8")
    assert render_readme(text, [r.meta for r in ALL_RULES]) == text, (
        "README rule docs are stale: run `python -m linter.output.docs README.md`"
    )
    for rule in ALL_RULES:
        assert f"### {rule.meta.id} `{rule.meta.name}`" in text


def test_every_rule_documents_itself() -> None:
    for rule in ALL_RULES:
        m = rule.meta
        assert m.summary.endswith(".") and m.rationale and "\t" in m.bad and "\t" in m.good
        assert m.needles, f"{m.id} must say which bytes it needs, for the prefilter"
