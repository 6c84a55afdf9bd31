"""SARIF 2.1.0 that GitHub code scanning accepts as is.

GitHub-specific choices: URIs are relative to the repository root under
`%SRCROOT%` so alerts land on the right files whatever directory lockjaw ran
in; columns are UTF-16 units (`columnKind`), as GitHub counts them; we send
`primaryLocationLineHash` ourselves so the upload needs no checkout; related
locations are linked from the message with `[text](id)`, the only way GitHub
shows them. Rule descriptors are generated from RuleMeta, the single source.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

from linter.model import Finding, Fix, Level, Notice, Related, Report, Span
from linter.output import OutputEnv, absolute
from linter.output.docs import help_markdown, help_text
from linter.rule import PROJECT_URL, RuleMeta

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = PROJECT_URL
SRCROOT = "%SRCROOT%"
# GitHub's `problem.severity` knows error, warning and recommendation.
PROBLEM_SEVERITY = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "recommendation"}

Json = dict[str, Any]
ArtifactLocation = Callable[[str], Json]


def render(report: Report, env: OutputEnv) -> str:
    artifact = _artifact_locations(env)
    rule_index = {meta.id: i for i, meta in enumerate(env.rules)}
    run: Json = {
        "tool": {
            "driver": {
                "name": "lockjaw",
                "version": env.version,
                "semanticVersion": env.version,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(meta) for meta in env.rules],
            }
        },
        "invocations": [_invocation(report.notices, artifact)],
        "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(env.root)}},
        "columnKind": "utf16CodeUnits",
        "results": [_result(f, rule_index, artifact) for f in report.findings],
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def rule_descriptor(meta: RuleMeta) -> Json:
    return {
        "id": meta.id,
        "name": meta.name,
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": meta.rationale},
        "help": {"text": help_text(meta), "markdown": help_markdown(meta)},
        "helpUri": meta.help_uri,
        "defaultConfiguration": {"level": meta.level.value},
        "properties": {
            "tags": list(meta.tags),
            "precision": meta.precision.value,
            "problem.severity": PROBLEM_SEVERITY[meta.level],
        },
    }



def _directory_uri(path: Path) -> str:
    uri = path.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _artifact_locations(env: OutputEnv) -> ArtifactLocation:
    """Finding paths are relative to cwd; SARIF wants them relative to the repository root."""
    root = env.root.resolve()

    @cache
    def artifact(path: str) -> Json:
        full = absolute(env.cwd, path)
        if not full.is_relative_to(root):
            return {"uri": full.as_uri()}
        return {"uri": quote(full.relative_to(root).as_posix()), "uriBaseId": SRCROOT}

    return artifact


def _region(span: Span) -> Json:
    return {
        "startLine": span.start.line,
        "startColumn": span.start.utf16_column,
        "endLine": span.end.line,
        "endColumn": span.end.utf16_column,
    }


def _location(span: Span, artifact: ArtifactLocation) -> Json:
    return {"physicalLocation": {"artifactLocation": artifact(span.path), "region": _region(span)}}


def _escape(text: str) -> str:
    """Literal brackets in a message with embedded links must be escaped (SARIF 3.11.6)."""
    return text.replace("[", "\\[").replace("]", "\\]")


def _message(f: Finding) -> str:
    """The finding's message, linking each related location by its id: GitHub shows only linked ones."""
    if not f.related:
        return f.message
    links = ", ".join(f"[{_escape(r.message)}]({i})" for i, r in enumerate(f.related, 1))
    stop = "" if f.message.endswith((".", "!", "?")) else "."
    return f"{_escape(f.message)}{stop} Related: {links}."


def _related(i: int, r: Related, artifact: ArtifactLocation) -> Json:
    return {"id": i, **_location(r.span, artifact), "message": {"text": r.message}}


def _result(f: Finding, rule_index: dict[str, int], artifact: ArtifactLocation) -> Json:
    result: Json = {"ruleId": f.rule_id}
    if f.rule_id in rule_index:
        result["ruleIndex"] = rule_index[f.rule_id]
    result["level"] = f.level.value
    result["message"] = {"text": _message(f)}
    result["locations"] = [_location(f.span, artifact)]
    if f.related:
        result["relatedLocations"] = [_related(i, r, artifact) for i, r in enumerate(f.related, 1)]
    if f.flow:
        steps = [{"location": {**_location(r.span, artifact), "message": {"text": r.message}}} for r in f.flow]
        result["codeFlows"] = [{"threadFlows": [{"locations": steps}]}]
    if f.line_hash:
        result["partialFingerprints"] = {"primaryLocationLineHash": f.line_hash}
    if f.fixes:
        result["fixes"] = [_fix(fix, artifact) for fix in f.fixes]
    return result


def _fix(fix: Fix, artifact: ArtifactLocation) -> Json:
    by_path: dict[str, list[Json]] = {}
    for edit in fix.edits:
        replacement = {"deletedRegion": _region(edit.span), "insertedContent": {"text": edit.text}}
        by_path.setdefault(edit.span.path, []).append(replacement)
    changes = [{"artifactLocation": artifact(path), "replacements": reps} for path, reps in by_path.items()]
    return {"description": {"text": fix.description}, "artifactChanges": changes}


def _notification(n: Notice, artifact: ArtifactLocation) -> Json:
    notification: Json = {"level": n.level.value, "message": {"text": n.message}}
    if n.path:
        physical: Json = {"artifactLocation": artifact(n.path)}
        if n.line:
            physical["region"] = {"startLine": n.line}
        notification["locations"] = [{"physicalLocation": physical}]
    notification["descriptor"] = {"id": n.kind.value}
    return notification


def _invocation(notices: list[Notice], artifact: ArtifactLocation) -> Json:
    return {
        "executionSuccessful": not any(n.fails_run for n in notices),
        "toolExecutionNotifications": [_notification(n, artifact) for n in notices],
    }
