"""What a rule is: its metadata record and its check function.

The metadata is the single source for the text output, SARIF rule
descriptors, `lockjaw explain` and the README's rule section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

from linter.model import Finding, Fix, Level, Precision, Related

if TYPE_CHECKING:
    from tree_sitter import Node

    from linter.analysis.package import Package
    from linter.source import SourceFile

PROJECT_URL = "https://github.com/lockjaw-lint/lockjaw"
DOCS_URL = f"{PROJECT_URL}/blob/main/README.md"


@dataclass(frozen=True, slots=True)
class RuleMeta:
    id: str
    name: str
    summary: str  # What it does (one sentence)
    rationale: str  # Why is this bad?
    bad: str  # Example (Go)
    good: str  # Use instead (Go)
    level: Level
    precision: Precision
    tags: tuple[str, ...] = ()
    # A package is analysed for this rule only if one of its files contains one of
    # these byte strings (or matches one of these patterns, where a substring would
    # match too much). Each must be a necessary condition for a finding.
    needles: tuple["bytes | re.Pattern[bytes]", ...] = ()

    @property
    def help_uri(self) -> str:
        return f"{DOCS_URL}#{self.id.lower()}-{self.name}"


@dataclass(frozen=True, slots=True)
class Rule:
    meta: RuleMeta
    check: Callable[["Context"], None]


@dataclass(frozen=True, slots=True)
class Site:
    """A node in a particular file; facts carry these so rules can report them."""

    file: "SourceFile"
    node: "Node"


@dataclass(slots=True)
class Context:
    """What a rule's check sees: one package's facts and a way to report."""

    rule: RuleMeta
    package: "Package"
    findings: list[Finding] = field(default_factory=list)

    def report(
        self,
        site: Site,
        message: str,
        *,
        related: Sequence[tuple[Site, str]] = (),
        flow: Sequence[tuple[Site, str]] = (),
        level: Level | None = None,
        fixes: Sequence[Fix] = (),
    ) -> None:
        if not site.file.is_target:
            return  # context-only files (siblings of a named file) are not reported on
        self.findings.append(
            Finding(
                rule_id=self.rule.id,
                level=level or self.rule.level,
                message=message,
                span=site.file.span(site.node),
                related=tuple(Related(s.file.span(s.node), m) for s, m in related),
                flow=tuple(Related(s.file.span(s.node), m) for s, m in flow),
                line_hash=site.file.line_hash(site.node.start_point[0] + 1),
                fixes=tuple(fixes),
                function=site.file.declaration_name(site.node.start_byte),
            )
        )
