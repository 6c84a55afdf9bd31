"""discover -> group into packages -> prefilter -> parse once -> rules -> suppressions -> sorted report.

A package is the unit of work: rules see every file of one directory and
package clause together, so facts can cross files. The per-package step is
a plain function of plain values, so it can run in another process.
"""

from __future__ import annotations

import os
import re
import stat
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from linter.config import DEFAULT, Settings
from linter.discovery import FileRef, discover, display_path
from linter.model import Finding, Level, Notice, NoticeKind, Report
from linter.rule import Context, Rule

if TYPE_CHECKING:
    from linter.cache import Cache
    from linter.source import SourceFile

BUG_HINT = "this is a bug in lockjaw; please report it with the file that triggers it"


@dataclass(slots=True)
class PackageResult:
    findings: list[Finding] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    excerpts: dict[str, dict[int, str]] = field(default_factory=dict)
    parsed: int = 0


@dataclass(frozen=True, slots=True)
class Loaded:
    ref: FileRef
    data: bytes


def _read(ref: FileRef, notices: list[Notice]) -> bytes | None:
    """The file's bytes, or None (with a notice) when it cannot or should not be parsed."""
    try:
        mode = ref.path.stat().st_mode
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            # A FIFO, socket or device named *.go: reading it could block forever.
            notices.append(Notice(ref.display, NoticeKind.SPECIAL_FILE, "not a regular file (a pipe, socket or device); skipped"))
            return None
        data = ref.path.read_bytes()
    except FileNotFoundError:
        why = "broken symbolic link" if ref.path.is_symlink() else "file vanished during the scan"
        notices.append(Notice(ref.display, NoticeKind.UNREADABLE, why, level=Level.ERROR))
        return None
    except IsADirectoryError:
        notices.append(Notice(ref.display, NoticeKind.UNREADABLE, "is a directory", level=Level.ERROR))
        return None
    except OSError as err:
        notices.append(Notice(ref.display, NoticeKind.UNREADABLE, f"cannot read file: {err.strerror or err}", level=Level.ERROR))
        return None
    if b"\0" in data[:8192]:
        notices.append(Notice(ref.display, NoticeKind.BINARY, "binary file, not Go source; skipped"))
        return None
    if not data.strip():
        notices.append(Notice(ref.display, NoticeKind.EMPTY, "empty file; nothing to analyse"))
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        notices.append(
            Notice(ref.display, NoticeKind.ENCODING,
                   f"invalid UTF-8 at byte {err.start}; analysed as far as the parser could", line=line)
        )
    return data


def load(refs: Sequence[FileRef]) -> tuple[list[Loaded], list[Notice]]:
    """Read a group's files; notices only for files that are targets, not context."""
    notices: list[Notice] = []
    loaded = [Loaded(ref, data) for ref in refs if (data := _read(ref, notices if ref.target else [])) is not None]
    return loaded, notices


def settings_needles(settings: Settings) -> tuple[bytes, ...]:
    """What the configuration adds to every rule's needles. A configured handler type makes
    a handler of a function in a package that names no framework lockjaw knows, and a lock
    helper takes a lock without `Lock` in sight: such a package must not be skipped."""
    paths = [h.package for h in settings.handler_types]
    helpers = [name.rsplit(".", 1)[-1] for name in settings.lock_helpers]
    return tuple(dict.fromkeys(n.encode() for n in (*paths, *helpers) if n))


def applicable(
    rules: Sequence[Rule], loaded: Sequence[Loaded], extra: Sequence[bytes | re.Pattern[bytes]] = ()
) -> list[Rule]:
    """The rules that can fire on these files: a rule with needles needs one of them (or of
    `extra`) somewhere in the package; a rule without needles always runs. Each distinct
    needle is looked for once, in all the files at once."""
    blob = b"\0".join(f.data for f in loaded)
    found: dict[bytes | re.Pattern[bytes], bool] = {}

    def present(needle: bytes | re.Pattern[bytes]) -> bool:
        if needle not in found:
            found[needle] = needle in blob if isinstance(needle, bytes) else needle.search(blob) is not None
        return found[needle]

    if any(present(n) for n in extra):
        return list(rules)
    return [r for r in rules if not r.meta.needles or any(present(n) for n in r.meta.needles)]


def _syntax_notice(source) -> Notice | None:
    root = source.root
    if not root.has_error:
        return None
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            line = node.start_point[0] + 1
            what = "missing " + node.type if node.is_missing else "syntax error"
            return Notice(source.display, NoticeKind.PARSE_ERROR,
                          f"{what}; the rest of the file was analysed where the syntax tree is intact", line=line)
        stack.extend(c for c in reversed(node.children) if c.has_error or c.is_missing)
    return Notice(source.display, NoticeKind.PARSE_ERROR, "syntax error; analysed where the tree is intact")


def _culprit(err: BaseException, default: str) -> tuple[str, int | None]:
    """The file (and function's line) being analysed when `err` was raised.

    Read from the traceback's innermost frame that holds a Function or a
    SourceFile, so a bug report can name the input that triggers it.
    """
    from linter.analysis.functions import Function
    from linter.source import SourceFile

    found: tuple[str, int | None] = (default, None)
    tb = err.__traceback__
    while tb is not None:
        values = list(tb.tb_frame.f_locals.values())
        fn = next((v for v in values if isinstance(v, Function)), None)
        if fn is not None:
            found = (fn.file.display, fn.node.start_point[0] + 1)
        else:
            source = next((v for v in values if isinstance(v, SourceFile)), None)
            if source is not None:
                found = (source.display, None)
        tb = tb.tb_next
    return found


def _internal_error(err: Exception, default: str, rule_id: str = "") -> Notice:
    import traceback  # only for a crash

    path, line = _culprit(err, default)
    frames = traceback.extract_tb(err.__traceback__)
    at = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    where = f" in {rule_id}" if rule_id else ""
    return Notice(path, NoticeKind.INTERNAL_ERROR,
                  f"internal error{where} ({type(err).__name__}: {err}{at}); {BUG_HINT}", level=Level.ERROR, line=line)


def _views(files: list[SourceFile]) -> list[list[SourceFile]]:
    """The packages one package's files are analysed as. A non-test file is read with the non-test
    files only, the package as it ships and as its one-file run (`plan`) sees it, so no fact about it
    (what another package's code may write, which types implement an interface, ...) takes in test
    code, and its findings do not depend on whether the tests were there. The test files are read
    with the non-test files as context, reported on in a view of their own."""
    shipped = [f for f in files if not f.path.name.endswith("_test.go")]
    tests = [f for f in files if f.path.name.endswith("_test.go")]
    if not tests or not any(f.is_target for f in shipped):
        return [files]
    if not any(f.is_target for f in tests):
        return [shipped]
    return [shipped, [f.as_context() for f in shipped] + tests]


def analyse_loaded(
    loaded: Sequence[Loaded], rules: Sequence[Rule], active: Sequence[Rule], settings: Settings = DEFAULT,
    *, release: bool = True,
) -> PackageResult:
    """Parse the files (once) and run the `active` rules, the enabled `rules` that can fire
    here (nothing is parsed when none can). Suppressions are judged against every enabled rule,
    as if the others had run and found nothing, which is what they would have done.

    A crash is contained where it happens: in one file's parse (that file is
    lost), in building one package's facts (that package), or in one rule (that
    rule on that package); each becomes an internal-error notice, which fails the run.

    `release=False` leaves the package's facts for the process's exit to free (a worker about
    to exit would spend time freeing trees the kernel reclaims at once).
    """
    result = PackageResult()
    if not active:
        return result
    from linter import suppressions
    from linter.analysis.package import Package
    from linter.source import SourceFile

    sources: dict[str, list[SourceFile]] = defaultdict(list)
    for item in loaded:
        ref = item.ref
        try:
            source = SourceFile(ref.path, ref.display, item.data, is_target=ref.target)
            notice = _syntax_notice(source)
            name = source.package_name
        except Exception as err:  # lose this file only
            if ref.target:
                result.notices.append(_internal_error(err, ref.display))
            continue
        result.parsed += 1
        if notice is not None and source.is_target:
            result.notices.append(notice)
        sources[name].append(source)
    views = [view for group in sources.values() for view in _views(group)]
    for index, files in enumerate(views):
        try:
            package = Package(
                files, extra_panickers=frozenset(settings.extra_panic_functions),
                handler_types=settings.handler_pairs, lock_helpers=frozenset(settings.lock_helpers),
                lock_order_depth=settings.lock_order_depth,
            )
        except Exception as err:  # lose this package only
            result.notices.append(_internal_error(err, files[0].display))
            continue
        found: list[Finding] = []
        for rule in active:
            ctx = Context(rule.meta, package)
            try:
                rule.check(ctx)
            except RecursionError as err:  # walkers are iterative or bounded; this is a safety net
                path, line = _culprit(err, files[0].display)
                result.notices.append(Notice(path, NoticeKind.TOO_DEEP,
                                             f"{rule.meta.id}: code nested too deeply to analyse; rule skipped", line=line))
            except Exception as err:  # contain one rule's crash; the others still run
                result.notices.append(_internal_error(err, files[0].display, rule.meta.id))
            found.extend(ctx.findings)
        result.findings.extend(suppressions.apply(package, found, rules, settings))
        result.notices.extend(n for n in package.notices if n not in result.notices)
        if release or index < len(views) - 1:  # the next view's facts would come on top of these
            package.release()
        by_path = {f.display: f for f in files}
        for finding in result.findings:
            for span in (finding.span, *(r.span for r in finding.related)):
                source = by_path.get(span.path)
                if source is not None:
                    lines = result.excerpts.setdefault(span.path, {})
                    for line in range(span.start.line, span.end.line + 1):
                        lines.setdefault(line, source.line_text(line))
    return result


def plan(files: Sequence[FileRef], cwd: Path) -> list[list[FileRef]]:
    """Group files by directory. Files named on their own bring their directory's
    other non-test files along as context, so facts can cross files."""
    by_dir: dict[str, dict[str, FileRef]] = defaultdict(dict)
    for ref in files:
        full = str(ref.path)
        by_dir[os.path.dirname(full)][full] = ref
    for directory, members in by_dir.items():
        if not all(m.explicit for m in members.values()):
            continue
        try:
            siblings = sorted(p for p in Path(directory).iterdir() if p.suffix == ".go" and p.is_file())
        except OSError:
            continue
        for p in siblings:
            if str(p) not in members and not p.name.endswith("_test.go"):
                members[str(p)] = FileRef(p, display_path(p, cwd), explicit=False, target=False)
    ordered = sorted(by_dir.items(), key=lambda item: item[0].split(os.sep))
    return [sorted(m.values(), key=lambda r: r.display) for _, m in ordered]


def run(
    paths: list[str], rules: Sequence[Rule], *, cwd: Path | None = None, prefilter: bool = True,
    settings: Settings = DEFAULT, jobs: int = 1, cache: "Cache | None" = None,
    progress: "Callable[[int, int], None] | None" = None,
) -> Report:
    """Analyse `paths`. `jobs` > 1 may use worker processes; `cache` reuses earlier results;
    `progress(done, total)` hears about finished files. The report is the same either way."""
    from linter.scheduler import analyse_groups

    cwd = cwd or Path.cwd()
    files, notices = discover(paths, cwd, excluded=settings.excluded if settings.exclude else None)
    report = Report(notices=list(notices), files_seen=len(files))
    groups = plan(files, cwd)
    total = sum(len(g) for g in groups)
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    results = analyse_groups(groups, rules, prefilter=prefilter, settings=settings, jobs=jobs, cache=cache,
                             progress=advance if progress is not None else None)
    for result in results:
        report.findings.extend(result.findings)
        report.notices.extend(result.notices)
        report.files_parsed += result.parsed
        for path, lines in result.excerpts.items():
            report.excerpts.setdefault(path, {}).update(lines)
    report.findings = sorted(set(report.findings), key=lambda f: f.sort_key)
    report.notices.sort(key=lambda n: (n.path, n.line or 0, n.kind.value, n.message))
    return report
