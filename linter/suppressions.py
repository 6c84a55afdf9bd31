"""Suppression comments, `per-file-ignores`, and LJ900 for suppressions that are wrong.

Accepted directives (line comments, read from the syntax tree so a string
holding `//nolint` is not one):

    //lockjaw:ignore LJ101[,LJ102] reason   this line, or the statement below
    //lockjaw:file-ignore LJ107 reason      the whole file
    //nolint:lockjaw   //nolint:LJ101   //nolint:errcheck,lockjaw   //nolint

A directive at the end of a line of code covers that line; one on a line of
its own covers the statement or declaration that follows, all its lines (a
`//nolint` above the package clause covers the file), as golangci-lint and
staticcheck do. `//lockjaw:` directives must give a reason, as staticcheck's
do; `//nolint` ones need not. A directive that silences nothing is reported,
unless the rules it names did not run; a bare `//nolint` (or `//nolint:all`)
is shared with other linters and is never reported as unused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from linter.config import DEFAULT, Settings
from linter.model import Finding
from linter.rule import Context, Rule, RuleMeta, Site

if TYPE_CHECKING:
    from tree_sitter import Node

    from linter.analysis.package import Package
    from linter.source import SourceFile

RULE_ID = "LJ900"  # invalid-suppression; its META lives in rules/invalid_suppression.py
NEEDLES = (b"lockjaw:", b"nolint")
LOCKJAW = "//lockjaw:"
NOLINT = "//nolint"
_RULE_ID = re.compile(r"^LJ\d+$", re.IGNORECASE)
_LOOKS_LIKE_CODES = re.compile(r"^LJ|\d|,", re.IGNORECASE)  # so `LJ1O1` is a misspelt id, not a reason
_CONTAINERS = frozenset({"statement_list", "block", "source_file"})
_WHOLE_FILE = 1 << 30


@dataclass(slots=True)
class Directive:
    file: "SourceFile"
    node: "Node"
    head: str  # the directive without its reason, for messages
    codes: frozenset[str]  # the rule ids it names (when not `every`)
    every: bool  # silences every lockjaw rule
    first: int  # 1-based lines covered, inclusive
    last: int
    report_unused: bool
    problems: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    def covers(self, finding: Finding) -> bool:
        return self.first <= finding.span.start.line <= self.last and (
            self.every or finding.rule_id in self.codes
        )

    @property
    def where(self) -> str:
        if self.last >= _WHOLE_FILE:
            return "in this file"
        return f"on line {self.first}" if self.first == self.last else f"on lines {self.first}-{self.last}"


# reading directives ---------------------------------------------------------------------------


def _comments(file: "SourceFile") -> list["Node"]:
    from tree_sitter import QueryCursor

    captures = QueryCursor(_comment_query()).captures(file.root)
    return sorted(captures.get("c", []), key=lambda n: n.start_byte)


_QUERY = None


def _comment_query():
    global _QUERY
    if _QUERY is None:
        from tree_sitter import Query

        from linter.source import go_language

        _QUERY = Query(go_language(), "(comment) @c")
    return _QUERY


def _trails_code(comment: "Node") -> bool:
    """Whether code precedes the comment on its line (skipping other comments)."""
    node: Node | None = comment
    while node is not None:
        prev = node.prev_sibling
        while prev is not None and prev.type == "comment":
            prev = prev.prev_sibling
        if prev is not None:
            return prev.end_point[0] == comment.start_point[0]
        node = node.parent
    return False


def _next_code(comment: "Node") -> "Node | None":
    """The statement or declaration that follows an own-line comment."""
    node: Node | None = comment
    while node is not None:
        nxt = node.next_sibling
        while nxt is not None and nxt.type == "comment":
            nxt = nxt.next_sibling
        if nxt is not None:
            while nxt.type in _CONTAINERS:
                inner = next((c for c in nxt.children if c.type != "comment"), None)
                if inner is None:
                    break
                nxt = inner
            return nxt
        node = node.parent
    return None


def _lines(comment: "Node", *, package_means_file: bool = False) -> tuple[int, int]:
    row = comment.start_point[0] + 1
    if _trails_code(comment):
        return row, row
    target = _next_code(comment)
    if target is None:
        return row, row
    if target.type == "package_clause" and package_means_file:  # golangci-lint's convention for //nolint
        return 1, _WHOLE_FILE
    return target.start_point[0] + 1, target.end_point[0] + 1


def _lockjaw(text: str, known: frozenset[str]) -> tuple[str, frozenset[str], str, list[str], bool]:
    """Parse `//lockjaw:VERB CODES reason`: (head, codes, reason, problems, whole file)."""
    parts = text[len(LOCKJAW):].split(None, 1)
    verb, args = (parts[0] if parts else ""), (parts[1] if len(parts) > 1 else "")
    problems: list[str] = []
    if verb not in ("ignore", "file-ignore"):
        return text, frozenset(), "", [
            f"unknown directive {LOCKJAW}{verb}; use {LOCKJAW}ignore or {LOCKJAW}file-ignore"
        ], False
    fields = args.strip().split(None, 1)
    head = f"{LOCKJAW}{verb}"
    if not fields or not _LOOKS_LIKE_CODES.search(fields[0]):
        problems.append(f"{head} names no rule; write the rule id and a reason: {head} LJ101 why it is safe")
        return head, frozenset(), "", problems, verb == "file-ignore"
    listed = [c.strip().upper() for c in fields[0].split(",") if c.strip()]
    head = f"{head} {','.join(listed)}"
    reason = fields[1].strip().lstrip("/").strip() if len(fields) > 1 else ""
    codes = _known_codes(head, listed, known, problems)
    if not reason:
        problems.append(f"{head} gives no reason; say after the rule id why the finding is wrong or acceptable")
    return head, codes, reason, problems, verb == "file-ignore"


def _known_codes(head: str, listed: Sequence[str], known: frozenset[str], problems: list[str]) -> frozenset[str]:
    for code in listed:
        if code not in known:
            problems.append(f"{head} names unknown rule {code}; `lockjaw rules` lists them")
    return frozenset(c for c in listed if c in known)


def _nolint(text: str, known: frozenset[str]) -> tuple[str, frozenset[str], bool, bool, list[str]] | None:
    """Parse golangci-lint's `//nolint[:a,b][ // why]`: (head, codes, every, report unused, problems),
    or None when it names only other linters."""
    rest = text[len(NOLINT):]
    if rest == "" or rest[0] in " \t":
        return NOLINT, frozenset(), True, False, []
    if rest[0] != ":":
        return None  # //nolintfoo
    names = [n.strip() for n in (rest[1:].split(None, 1) or [""])[0].split(",") if n.strip()]
    head = f"{NOLINT}:{','.join(names)}"
    if any(n.lower() == "all" for n in names):
        return head, frozenset(), True, False, []
    every = any(n.lower() == "lockjaw" for n in names)
    listed = [n.upper() for n in names if _RULE_ID.match(n)]
    if not every and not listed:
        return None
    problems: list[str] = []
    return head, _known_codes(head, listed, known, problems), every, True, problems


def directives(file: "SourceFile", known: frozenset[str]) -> list[Directive]:
    """The file's suppression directives, in source order."""
    if not any(n in file.data for n in NEEDLES):
        return []
    found: list[Directive] = []
    for node in _comments(file):
        text = file.text(node).rstrip()
        if text.startswith(LOCKJAW):
            head, codes, _reason, problems, whole = _lockjaw(text, known)
            first, last = (1, _WHOLE_FILE) if whole else _lines(node)
            found.append(Directive(file, node, head, codes, False, first, last, True, problems))
        elif text.startswith(NOLINT):
            parsed = _nolint(text, known)
            if parsed is not None:
                head, codes, every, report_unused, problems = parsed
                first, last = _lines(node, package_means_file=True)
                found.append(Directive(file, node, head, codes, every, first, last, report_unused, problems))
    return found


# applying them --------------------------------------------------------------------------------


def _known_rules() -> frozenset[str]:
    from rules import BY_ID  # the registry; imported late because rules import the engine's modules

    return frozenset(BY_ID)


def _enabled(rule_ids: frozenset[str], ignored: Sequence[str]) -> frozenset[str]:
    return frozenset(r for r in rule_ids if not any(r.startswith(code) or code == "ALL" for code in ignored))


def apply(
    package: "Package", findings: list[Finding], rules: Sequence[Rule], settings: Settings = DEFAULT
) -> list[Finding]:
    """The package's findings minus per-file ignores and suppressed ones, plus LJ900 findings."""
    meta: RuleMeta | None = next((r.meta for r in rules if r.meta.id == RULE_ID), None)
    ran = frozenset(r.meta.id for r in rules)
    known = _known_rules() | ran
    by_path: dict[str, tuple[frozenset[str], list[Directive]]] = {}
    for file in package.files:
        if file.is_target:
            by_path[file.display] = (_enabled(ran, settings.ignored_codes(file.path)), directives(file, known))
    if not any(d for _, d in by_path.values()) and not settings.per_file_ignores:
        return findings

    kept = [f for f in findings if _keep(f, by_path)]
    if meta is None:
        return kept
    ctx = Context(meta, package)
    for enabled, found in by_path.values():
        if RULE_ID not in enabled:
            continue
        for d in found:
            for problem in d.problems:
                ctx.report(Site(d.file, d.node), problem)
            unused = _unused(d, enabled)
            if unused:
                ctx.report(Site(d.file, d.node), f"{d.head} silences nothing: no {unused} finding {d.where}; remove it")
    return kept + [f for f in ctx.findings if _keep(f, by_path)]


def _keep(finding: Finding, by_path: dict[str, tuple[frozenset[str], list[Directive]]]) -> bool:
    entry = by_path.get(finding.span.path)
    if entry is None:
        return True
    enabled, found = entry
    if finding.rule_id not in enabled:
        return False
    silenced = False
    for d in found:
        if d.covers(finding) and (finding.rule_id != RULE_ID or RULE_ID in d.codes):
            d.used.add(finding.rule_id)
            silenced = True
    return not silenced


def _unused(d: Directive, enabled: frozenset[str]) -> str:
    """What an unused directive names, in words; "" when it was used or its rules did not run."""
    if not d.report_unused:
        return ""
    if d.every:
        return "lockjaw" if not d.used and enabled - {RULE_ID} else ""
    idle = sorted(c for c in d.codes if c in enabled and c not in d.used and c != RULE_ID)
    return "/".join(idle)
