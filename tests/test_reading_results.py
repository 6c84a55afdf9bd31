"""`--statistics`, `--quiet` and `--color` through the command line."""

from __future__ import annotations

import os
import re
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_baseline import NEW_HANDLER, STORE
from tests.test_cli import ROOT

ESC = "\x1b["


def run(*args: str, cwd: Path, no_color: str | None = None, tty: bool = False) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE")}
    env["PYTHONPATH"] = str(ROOT)
    if no_color is not None:
        env["NO_COLOR"] = no_color
    command = [sys.executable, "-m", "linter", *args]
    if not tty:
        done = subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env)
        return done.returncode, done.stdout, done.stderr
    main, secondary = pty.openpty()
    with subprocess.Popen(command, stdout=secondary, stderr=subprocess.PIPE, cwd=cwd, env=env) as proc:
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the pty closes when the child exits
                break
            if not chunk:
                break
            chunks.append(chunk)
        stderr = proc.stderr.read().decode() if proc.stderr else ""
    os.close(main)
    return proc.returncode, b"".join(chunks).decode().replace("\r\n", "\n"), stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "store.go").write_text(STORE + NEW_HANDLER)
    return tmp_path


def test_statistics_counts_findings_per_rule(project: Path) -> None:
    code, out, _ = run("check", ".", "--statistics", cwd=project)
    assert code == 1
    assert out.endswith("3  LJ101  panic-while-locked\n\nFound 3 problems (3 errors) in 1 of 1 file.\n")
    code, out, _ = run("check", ".", "--statistics", "-q", cwd=project)
    lines = out.splitlines()
    assert [line.split(" LJ101 ")[0] for line in lines[:-1]] == [
        "store.go:15:10: error:", "store.go:22:2: error:", "store.go:29:2: error:", ""
    ]
    assert lines[-1] == "3  LJ101  panic-while-locked"


def test_quiet_prints_finding_lines_only(project: Path) -> None:
    code, out, _ = run("check", ".", "--quiet", cwd=project)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 3 and all(line.startswith("store.go:") and " error: LJ101 " in line for line in lines)
    clean = project / "clean"
    clean.mkdir()
    (clean / "ok.go").write_text("package ok\n")
    assert run("check", ".", "-q", cwd=clean) == (0, "", "")


def test_quiet_still_shows_notices(project: Path) -> None:
    code, out, _ = run("check", ".", "missing.go", "-q", cwd=project)
    assert code == 2
    assert "missing.go: error: no such file or directory" in out
    assert "Found" not in out


@pytest.mark.parametrize(
    "args, no_color, tty, coloured",
    [
        (["--color", "always"], None, False, True),
        (["--color", "always"], "1", False, True),  # an explicit request wins over NO_COLOR
        (["--color", "never"], None, True, False),
        ([], None, False, False),  # auto: not a terminal
        ([], None, True, True),  # auto: a terminal
        ([], "1", True, False),  # auto: NO_COLOR set
        ([], "", True, True),  # auto: NO_COLOR empty means unset (no-color.org)
    ],
)
def test_color(project: Path, args: list[str], no_color: str | None, tty: bool, coloured: bool) -> None:
    code, out, _ = run("check", ".", *args, cwd=project, no_color=no_color, tty=tty)
    assert code == 1
    assert (ESC in out) is coloured, out[:200]
    assert "store.go:15:10: " in re.sub(r"\x1b\[[0-9;]*m", "", out)


def test_color_is_text_only(project: Path) -> None:
    code, out, _ = run("check", ".", "--color", "always", "--format", "json", cwd=project)
    assert code == 1 and ESC not in out
