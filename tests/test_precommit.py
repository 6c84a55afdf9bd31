"""The published pre-commit hook, run by the real pre-commit on a real `git commit`.

pre-commit installs a hook from a git revision, so the test snapshots this
checkout's working tree (tracked and untracked, minus .gitignore'd files) into
a throwaway repository and commits it: the hook under test is the code in the
working tree, committed or not. pre-commit then builds the hook's virtualenv by
pip-installing that snapshot (PyPI access needed), once per test run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.test_cli import HANDLER

ROOT = Path(__file__).resolve().parent.parent
FIXED = HANDLER.replace("\ts.mu.Lock()\n", "\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n").replace("\ts.mu.Unlock()\n", "")


def git(cwd: Path, *args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, env=env, check=check,
                          capture_output=True, text=True)


def isolated_env(home: Path) -> dict[str, str]:
    """No PYTHONPATH (the hook must run the installed package) and no user git configuration."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PRE_COMMIT")}
    env.update(
        HOME=str(home), PRE_COMMIT_HOME=str(home / "pre-commit-cache"), GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com", NO_COLOR="1",
    )
    return env


def snapshot(dest: Path, env: dict[str, str]) -> str:
    """Commit the working tree of this checkout into `dest`; the new commit's sha."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    git(dest, "init", "-q", env=env)
    git(dest, "add", "-A", env=env)
    git(dest, "commit", "-q", "-m", "snapshot", env=env)
    return git(dest, "rev-parse", "HEAD", env=env).stdout.strip()


def test_hook_definition() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "lockjaw" and hook["entry"] == "lockjaw check" and hook["language"] == "python"
    assert hook["types"] == ["go"] and hook["require_serial"] is True
    assert tuple(int(p) for p in hook["minimum_pre_commit_version"].split(".")) >= (3, 0, 0)


def test_commit_with_a_bad_go_file_fails_and_the_fix_passes(tmp_path: Path) -> None:
    env = isolated_env(tmp_path / "home")
    (tmp_path / "home").mkdir()
    hooks, project = tmp_path / "hooks", tmp_path / "project"
    hooks.mkdir()
    project.mkdir()
    sha = snapshot(hooks, env)

    git(project, "init", "-q", env=env)
    config = {"repos": [{"repo": str(hooks), "rev": sha, "hooks": [{"id": "lockjaw"}]}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    (project / "lockjaw.toml").write_text('exclude = ["generated/"]\n')
    install = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=project, env=env,
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stdout + install.stderr
    git(project, "add", "-A", env=env)
    first = git(project, "commit", "-m", "configure", env=env, check=False)  # builds the hook's environment
    assert first.returncode == 0, first.stdout + first.stderr

    (project / "store.go").write_text(HANDLER)
    (project / "generated").mkdir()
    (project / "generated" / "store.go").write_text(HANDLER)  # excluded, though pre-commit names it
    git(project, "add", "-A", env=env)
    bad = git(project, "commit", "-m", "bad", env=env, check=False)
    out = bad.stdout + bad.stderr
    assert bad.returncode != 0, out
    assert "lockjaw" in out and "Failed" in out
    assert "store.go:15:10: error: LJ101 s.items[len(r.URL.Path)] can panic" in out
    assert "generated/store.go" not in out

    (project / "store.go").write_text(FIXED)
    git(project, "add", "-A", env=env)
    good = git(project, "commit", "-m", "fixed", env=env, check=False)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout + good.stderr
    assert git(project, "log", "--format=%s", env=env).stdout.split() == ["fixed", "configure"]


def test_readme_snippet_uses_the_published_hook() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme[readme.index("## pre-commit"):]
    start = section.index("```yaml\n") + len("```yaml\n")
    snippet = yaml.safe_load(section[start:section.index("```", start)])
    (repo,) = snippet["repos"]
    assert repo["repo"] == "https://github.com/lockjaw-lint/lockjaw"
    assert [h["id"] for h in repo["hooks"]] == ["lockjaw"]
