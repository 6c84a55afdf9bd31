"""Which files are scanned."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from linter.discovery import discover


def touch(root: Path, *names: str) -> None:
    for name in names:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("package p\n")


def found(root: Path, *paths: str) -> list[str]:
    files, notices = discover(list(paths), root)
    assert not notices
    return [f.display for f in files]


def test_skips_vendor_testdata_hidden_and_underscore(tmp_path: Path) -> None:
    touch(tmp_path, "a.go", "a_test.go", "sub/b.go", "vendor/v.go", "testdata/t.go", ".hidden/h.go",
          "_tools/x.go", "notes.txt")
    assert found(tmp_path) == ["a.go", "a_test.go", "sub/b.go"]


def test_honours_gitignore(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    touch(tmp_path, "a.go", "gen/g.go", "sub/keep.go", "sub/skip_gen.go")
    (tmp_path / ".gitignore").write_text("gen/\n")
    (tmp_path / "sub" / ".gitignore").write_text("*_gen.go\n")
    assert found(tmp_path) == ["a.go", "sub/keep.go"]


def test_named_files_are_always_analysed(tmp_path: Path) -> None:
    touch(tmp_path, "vendor/v.go")
    assert found(tmp_path, "vendor/v.go") == ["vendor/v.go"]


def test_directory_symlink_loop_is_not_followed(tmp_path: Path) -> None:
    touch(tmp_path, "a/x.go")
    os.symlink(tmp_path / "a", tmp_path / "a" / "loop")
    assert found(tmp_path) == ["a/x.go"]


def test_each_file_once(tmp_path: Path) -> None:
    touch(tmp_path, "a.go")
    assert found(tmp_path, ".", "a.go", "./a.go") == ["a.go"]
