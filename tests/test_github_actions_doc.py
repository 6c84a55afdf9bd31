"""docs/github-actions.md: its workflows are complete, and the commands in them do what the doc says."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path

import yaml

from linter.rule import PROJECT_URL
from tests.test_cli import HANDLER, lockjaw

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "github-actions.md"


def workflows() -> list[dict]:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text("utf-8"), re.S)
    return [yaml.safe_load(b) for b in blocks]


def steps_of(workflow: dict) -> list[dict]:
    (job,) = workflow["jobs"].values()
    return job["steps"]


def lockjaw_step(workflow: dict) -> dict:
    return next(s for s in steps_of(workflow) if s.get("run", "").startswith("lockjaw check"))


def run_documented(command: str, cwd: Path):
    args = shlex.split(command)
    assert args[0] == "lockjaw"
    return lockjaw(*args[1:], cwd=cwd)


def test_both_workflows_install_lockjaw_from_this_project() -> None:
    name = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"]
    for workflow in workflows():
        assert True in workflow or "on" in workflow  # YAML 1.1 reads the `on:` key as True
        steps = steps_of(workflow)
        assert steps[0]["uses"].startswith("actions/checkout@")
        assert steps[1]["uses"].startswith("actions/setup-python@")
        assert float(steps[1]["with"]["python-version"]) >= 3.11
        install = steps[2]["run"]
        assert install.startswith(f'pip install "{name} @ git+{PROJECT_URL}@')
        assert workflow["permissions"] == {"contents": "read"}


def test_code_scanning_workflow(tmp_path: Path) -> None:
    workflow = workflows()[0]
    (job,) = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write" and job["permissions"]["contents"] == "read"
    steps = job["steps"]
    lint = lockjaw_step(workflow)
    upload = steps[-1]
    assert steps.index(lint) == len(steps) - 2
    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    assert "always()" in upload["if"]
    assert upload["with"]["category"] == "lockjaw"
    args = shlex.split(lint["run"])
    assert args[args.index("--format") + 1] == "sarif"
    sarif_file = args[args.index("--output") + 1]
    assert upload["with"]["sarif_file"] == sarif_file
    assert f"hashFiles('{sarif_file}')" in upload["if"]
    assert "--exit-zero" in args or lint.get("continue-on-error") is True

    # The documented command, run on a repository with a finding: exit 0, and the SARIF the doc describes.
    (tmp_path / ".git").mkdir()
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "store.go").write_text(HANDLER)
    result = run_documented(lint["run"], tmp_path)
    assert result.returncode == 0, result.stderr
    (res,) = json.loads((tmp_path / sarif_file).read_text())["runs"][0]["results"]
    assert res["message"]["text"].endswith("Related: [s.mu.Lock() taken here](1).")
    assert res["relatedLocations"][0]["id"] == 1
    steps_in_flow = res["codeFlows"][0]["threadFlows"][0]["locations"]
    lines = [s["location"]["physicalLocation"]["region"]["startLine"] for s in steps_in_flow]
    texts = [s["location"]["message"]["text"] for s in steps_in_flow]
    assert lines == [14, 15] and texts[0] == "s.mu.Lock() taken here" and texts[-1].endswith("can panic here")
    assert res["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "api/store.go",
                                                                           "uriBaseId": "%SRCROOT%"}


def test_annotations_workflow_fails_on_findings_with_annotations(tmp_path: Path) -> None:
    workflow = workflows()[1]
    lint = lockjaw_step(workflow)
    assert "--format github" in lint["run"] and "--exit-zero" not in lint["run"]
    (tmp_path / ".git").mkdir()
    (tmp_path / "store.go").write_text(HANDLER)
    result = run_documented(lint["run"], tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=store.go,line=15,col=10,endLine=15,endColumn=34,"
                                    "title=LJ101 panic-while-locked::s.items[len(r.URL.Path)] can panic")
