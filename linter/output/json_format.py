"""A stable JSON document for scripts; its shape changes only with `version`.

Schema (version 1)::

    {
      "version": 1,
      "tool": {"name": "lockjaw", "version": "0.1.0"},
      "findings": [
        {
          "rule": "LJ101",                  // rule id
          "name": "panic-while-locked",     // rule name, null if the rule is unknown
          "level": "error",                 // "error" | "warning" | "note"
          "message": "panic while s.mu is held",
          "path": "server/handler.go",      // POSIX, relative to the working directory
          "line": 42, "column": 19,         // 1-based; columns count Unicode code points
          "end_line": 42, "end_column": 29, // end is exclusive
          "related": [
            {"path": "server/handler.go", "line": 38, "column": 2, "message": "lock taken here"}
          ],
          "fingerprint": "5e4d5a9cf1294ad9:1" // GitHub's primaryLocationLineHash, "" if unknown
        }
      ],
      "notices": [
        {
          "path": "broken.go",              // "" when the notice is not about one file
          "kind": "parse-error",            // parse-error | encoding | binary | empty | unreadable |
                                            // missing | too-deep | internal-error | suppression |
                                            // special-file
          "level": "warning",
          "message": "syntax error, file skipped",
          "line": 3                         // null when not about one line
        }
      ],
      "summary": {
        "files": 12,                        // files seen
        "findings": 1,
        "by_rule": {"LJ101": 1}             // finding count per rule id, sorted by id
      }
    }

Findings and notices keep the order of the report.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from linter.model import Finding, Notice, Report
from linter.output import OutputEnv

VERSION = 1


def render(report: Report, env: OutputEnv) -> str:
    names = {meta.id: meta.name for meta in env.rules}
    by_rule = Counter(f.rule_id for f in report.findings)
    document = {
        "version": VERSION,
        "tool": {"name": "lockjaw", "version": env.version},
        "findings": [_finding(f, names.get(f.rule_id)) for f in report.findings],
        "notices": [_notice(n) for n in report.notices],
        "summary": {
            "files": report.files_seen,
            "findings": len(report.findings),
            "by_rule": dict(sorted(by_rule.items())),
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _finding(f: Finding, name: str | None) -> dict[str, Any]:
    s = f.span
    return {
        "rule": f.rule_id,
        "name": name,
        "level": f.level.value,
        "message": f.message,
        "path": s.path,
        "line": s.start.line,
        "column": s.start.column,
        "end_line": s.end.line,
        "end_column": s.end.column,
        "related": [
            {"path": r.span.path, "line": r.span.start.line, "column": r.span.start.column, "message": r.message}
            for r in f.related
        ],
        "fingerprint": f.line_hash,
    }


def _notice(n: Notice) -> dict[str, Any]:
    return {"path": n.path, "kind": n.kind.value, "level": n.level.value, "message": n.message, "line": n.line}
