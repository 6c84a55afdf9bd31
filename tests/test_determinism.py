"""The same input gives the same bytes: across runs, hash seeds, path order and --jobs.

Code scanning compares uploads; a report that reorders itself between runs
churns alerts and makes caching and diffing reports useless.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import HANDLER, ROOT


def lockjaw(cwd: Path, *args: str, seed: str = "0") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed}
    return subprocess.run([sys.executable, "-m", "linter", *args], capture_output=True, text=True, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixtures, several packages, and files that produce notices."""
    root = tmp_path_factory.mktemp("determinism")
    shutil.copytree(ROOT / "fixtures", root / "fixtures")
    for i in range(6):
        pkg = root / "svc" / f"pkg{i}"
        pkg.mkdir(parents=True)
        (pkg / "store.go").write_text(HANDLER)
        (pkg / "other.go").write_text(HANDLER.replace("Store", "Other"))
    odd = root / "odd"
    odd.mkdir()
    (odd / "binary.go").write_bytes(b"\x00\x01\x02")
    (odd / "broken.go").write_text(HANDLER + "\nfunc broken( {\n")
    (odd / "latin1.go").write_bytes(b"package odd\n// caf\xe9\n")
    (odd / "empty.go").write_text("")
    return root


@pytest.mark.parametrize("fmt", ["json", "sarif", "text", "github"])
def test_output_is_byte_identical_across_runs_and_hash_seeds(tree: Path, fmt: str) -> None:
    first = lockjaw(tree, "check", ".", "--format", fmt, seed="0")
    assert first.returncode == 1, first.stderr
    for seed in ("1", "12345"):
        again = lockjaw(tree, "check", ".", "--format", fmt, seed=seed)
        assert again.stdout == first.stdout
        assert again.stderr == first.stderr


def test_the_order_of_paths_does_not_matter(tree: Path) -> None:
    forward = lockjaw(tree, "check", "svc", "odd", "fixtures", "--format", "sarif")
    backward = lockjaw(tree, "check", "fixtures", "odd", "svc", "--format", "sarif")
    assert forward.stdout == backward.stdout


def test_findings_and_notices_are_sorted(tree: Path) -> None:
    doc = json.loads(lockjaw(tree, "check", ".", "--format", "json").stdout)
    findings = [(f["path"], f["line"], f["column"], f["rule"], f["message"]) for f in doc["findings"]]
    assert findings == sorted(findings) and len(set(findings)) == len(findings)
    assert len({f[0] for f in findings}) > 6
    notices = [(n["path"], n["line"] or 0, n["kind"], n["message"]) for n in doc["notices"]]
    assert notices == sorted(notices) and len(notices) >= 4


def _has_jobs() -> bool:
    return "--jobs" in lockjaw(ROOT, "check", "--help").stdout


@pytest.mark.skipif(not _has_jobs(), reason="lockjaw check has no --jobs option yet")
@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_output_does_not_depend_on_jobs(tree: Path, fmt: str) -> None:
    one = lockjaw(tree, "check", ".", "--format", fmt, "--jobs", "1")
    assert one.returncode == 1, one.stderr
    for jobs in ("2", "4"):
        many = lockjaw(tree, "check", ".", "--format", fmt, "--jobs", jobs)
        assert many.stdout == one.stdout


def test_a_local_struct_type_stays_in_its_function() -> None:
    """A function's `var x struct{..}` must not replace a package variable's type of the same
    name, nor enter the tables other functions read, whichever scope is built first."""
    from tests.go_snippets import function, package

    pkg = package(
        "package p\n\nimport \"sync\"\n\nvar cache struct {\n\tmu sync.Mutex\n\tm  map[string]int\n}\n\n"
        "func f() int {\n\tvar cache struct{ n int }\n\treturn cache.n\n}\n\n"
        "func g() int {\n\tvar local = struct{ k []int }{}\n\treturn len(local.k)\n}\n"
    )
    before = {t: dict(fs) for t, fs in pkg.types.fields.items()}
    for name in ("f", "g"):
        scope = pkg.scope(function(pkg, name))
        assert scope.pkg.fields[scope.names["cache" if name == "f" else "local"]]
    assert pkg.types.fields == before
    assert set(pkg.types.fields["struct:cache"]) == {"mu", "m"}
