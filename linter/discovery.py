"""Which files to read: Go files under the named paths, minus what a Go team never wants scanned."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from linter.model import Level, Notice, NoticeKind

SKIPPED_DIRS = frozenset({"vendor", "testdata", "node_modules"})


@dataclass(frozen=True, slots=True)
class FileRef:
    path: Path  # absolute
    display: str  # POSIX, relative to the working directory when below it
    explicit: bool  # named on the command line (analysed even if ignored)
    target: bool = True  # False: a sibling read only so that facts can cross files


def printable(name: str) -> str:
    """A file name that is not valid UTF-8 (its bytes arrive as surrogates) shown with
    backslash escapes, `caf\\xe9.go`: every output format can then encode it."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def display_path(path: Path, cwd: Path) -> str:
    try:
        return printable(path.relative_to(cwd).as_posix())
    except ValueError:
        return printable(path.as_posix())


def find_repo_root(start: Path) -> Path | None:
    for d in (start, *start.parents):
        if (d / ".git").exists():
            return d
    return None


class _GitIgnore:
    """The .gitignore files of a repository, read as the walk reaches them."""

    def __init__(self, root: Path | None):
        self.root = root
        self.specs: dict[Path, object] = {}
        if root is not None:
            exclude = root / ".git" / "info" / "exclude"
            self._load(root, [exclude, root / ".gitignore"])

    def _load(self, directory: Path, files: list[Path]) -> None:
        lines: list[str] = []
        for f in files:
            try:
                lines.extend(f.read_text("utf-8", "replace").splitlines())
            except OSError:
                continue
        if lines:
            import pathspec

            self.specs[directory] = pathspec.GitIgnoreSpec.from_lines(lines)

    def enter(self, directory: Path) -> None:
        if self.root is not None and directory != self.root and directory not in self.specs:
            if (directory / ".gitignore").is_file():
                self._load(directory, [directory / ".gitignore"])

    def ignored(self, path: Path, is_dir: bool) -> bool:
        if self.root is None or not self.specs:
            return False
        for base, spec in self.specs.items():
            try:
                rel = path.relative_to(base).as_posix()
            except ValueError:
                continue
            if spec.match_file(rel + ("/" if is_dir else "")):  # type: ignore[attr-defined]
                return True
        return False


def _skip_dir(name: str) -> bool:
    return name in SKIPPED_DIRS or name.startswith(".") or name.startswith("_")


def discover(
    paths: list[str], cwd: Path, excluded: Callable[[Path, bool], bool] | None = None
) -> tuple[list[FileRef], list[Notice]]:
    """Expand the command line's paths into Go files, sorted, each once.

    `excluded(path, is_dir)` (the configuration's `exclude`) drops files and
    prunes directories, even ones named on the command line: pre-commit names
    every changed file, and an excluded file must stay excluded.
    """
    excluded = excluded or (lambda _path, _is_dir: False)
    files: dict[Path, FileRef] = {}
    notices: list[Notice] = []
    for raw in paths or ["."]:
        path = (cwd / raw).absolute()
        if not path.exists():
            notices.append(Notice(printable(raw), NoticeKind.MISSING, "no such file or directory", level=Level.ERROR))
            continue
        if excluded(path, path.is_dir()):
            continue
        if not path.is_dir():  # a file, or a pipe or device that reading will refuse
            files.setdefault(path, FileRef(path, display_path(path, cwd), True))
            continue
        ignore = _GitIgnore(find_repo_root(path))

        def onerror(err: OSError) -> None:
            where = display_path(Path(err.filename), cwd) if err.filename else printable(raw)
            notices.append(Notice(where, NoticeKind.UNREADABLE, f"cannot read directory: {err.strerror}", level=Level.ERROR))

        for dirpath, dirnames, filenames in os.walk(path, onerror=onerror):
            here = Path(dirpath)
            ignore.enter(here)
            dirnames[:] = sorted(
                d for d in dirnames
                if not _skip_dir(d) and not ignore.ignored(here / d, True) and not excluded(here / d, True)
            )
            for name in filenames:
                if not name.endswith(".go"):
                    continue
                full = here / name
                if full in files or ignore.ignored(full, False) or excluded(full, False):
                    continue
                files[full] = FileRef(full, display_path(full, cwd), False)
    return sorted(files.values(), key=lambda f: f.display), notices
