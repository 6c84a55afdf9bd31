"""JSON output: the documented version-1 document, exactly."""

from __future__ import annotations

import json
from pathlib import Path

from linter.model import Report
from linter.output.json_format import render
from tests.output_samples import MISSING_NOTICE, PARSE_NOTICE, leak_finding, make_env, sample_report

ROOT = Path("/repo")


def test_document() -> None:
    document = json.loads(render(sample_report(PARSE_NOTICE, MISSING_NOTICE), make_env(ROOT)))
    assert document == {
        "version": 1,
        "tool": {"name": "lockjaw", "version": "0.1.0"},
        "findings": [
            {
                "rule": "LJ101",
                "name": "panic-while-locked",
                "level": "error",
                "message": "panic while s.mu is held",
                "path": "server/handler.go",
                "line": 42,
                "column": 19,
                "end_line": 42,
                "end_column": 29,
                "related": [{"path": "server/handler.go", "line": 38, "column": 2, "message": "lock taken here"}],
                "fingerprint": "5e4d5a9cf1294ad9:1",
            },
            {
                "rule": "LJ102",
                "name": "lock-leak-on-return",
                "level": "warning",
                "message": "return leaves s.mu locked",
                "path": "store/cache.go",
                "line": 7,
                "column": 3,
                "end_line": 7,
                "end_column": 13,
                "related": [],
                "fingerprint": "",
            },
        ],
        "notices": [
            {
                "path": "broken.go",
                "kind": "parse-error",
                "level": "warning",
                "message": "syntax error, file skipped",
                "line": 3,
            },
            {"path": "gone.go", "kind": "missing", "level": "error", "message": "file not found", "line": None},
        ],
        "summary": {"files": 12, "findings": 2, "by_rule": {"LJ101": 1, "LJ102": 1}},
    }


def test_unknown_rule_has_null_name_and_by_rule_is_sorted() -> None:
    report = Report(findings=[leak_finding(rule_id="LJ200"), leak_finding(), leak_finding(rule_id="LJ200")])
    document = json.loads(render(report, make_env(ROOT)))
    assert [f["name"] for f in document["findings"]] == [None, "lock-leak-on-return", None]
    assert list(document["summary"]["by_rule"].items()) == [("LJ102", 1), ("LJ200", 2)]


def test_text_is_stable_and_keeps_unicode() -> None:
    report = Report(findings=[leak_finding(message="ünïcode 😀")], files_seen=1)
    out = render(report, make_env(ROOT))
    assert out == render(report, make_env(ROOT))
    assert '"message": "ünïcode 😀"' in out
    assert out.startswith('{\n  "version": 1,\n  "tool": {\n') and out.endswith("}\n")
