"""Speed must cost nothing: skipping, the cache and the worker pool never change a report.

No timings here (bench/run.py measures); only that every fast path finds
exactly what the slow one does, on the fixtures.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import shutil
import signal
from pathlib import Path

import pytest

from linter import scheduler
from linter.cache import Cache, default_dir
from linter.engine import run
from linter.model import NoticeKind
from linter.rule import Rule
from rules import ALL_RULES
from tests.test_cli import lockjaw

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RULE_IDS = [r.meta.id for r in ALL_RULES]


def summary(report) -> tuple:
    """Everything a formatter sees, except which files happened to be parsed."""
    return report.findings, report.notices, report.excerpts, report.files_seen


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The fixtures twice over: enough files and packages for the worker pool (about 600 files in 44
    directories), and a package of the same name in another directory."""
    root = tmp_path / "corpus"
    for i in range(2):
        shutil.copytree(FIXTURES, root / f"copy{i}")
    return root


@pytest.fixture
def pooled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use worker processes however small the run."""
    monkeypatch.setattr(scheduler, "SERIAL_FILES", 0)


def test_fixtures_have_findings_to_compare() -> None:
    assert run([str(FIXTURES)], ALL_RULES, cwd=FIXTURES).findings


def test_skipping_packages_loses_nothing() -> None:
    skipping = run([str(FIXTURES)], ALL_RULES, cwd=FIXTURES, prefilter=True)
    everything = run([str(FIXTURES)], ALL_RULES, cwd=FIXTURES, prefilter=False)
    assert skipping.findings == everything.findings
    assert skipping.excerpts == everything.excerpts


def test_a_package_without_needles_is_not_parsed(tmp_path: Path) -> None:
    (tmp_path / "a.go").write_text("package a\n\nfunc F(xs []int) int { return xs[3] }\n")
    assert run([str(tmp_path)], ALL_RULES, cwd=tmp_path).files_parsed == 0
    assert run([str(tmp_path)], ALL_RULES, cwd=tmp_path, prefilter=False).files_parsed == 1


def test_rules_without_needles_always_run(tmp_path: Path) -> None:
    """A rule that declares no needles can fire anywhere, so nothing may be skipped for it."""
    from linter.rule import Site

    def everywhere(ctx) -> None:
        for fn in ctx.package.functions:
            ctx.report(Site(fn.file, fn.node), "seen")

    meta = ALL_RULES[0].meta
    from dataclasses import replace

    rule = Rule(replace(meta, id="LJ999", needles=()), everywhere)
    (tmp_path / "a.go").write_text("package a\n\nfunc F() {}\n")
    report = run([str(tmp_path)], [*ALL_RULES, rule], cwd=tmp_path)
    assert [f.rule_id for f in report.findings] == ["LJ999"]


def test_cache_cold_then_warm_gives_the_same_report(corpus: Path, tmp_path: Path) -> None:
    plain = run([str(corpus)], ALL_RULES, cwd=corpus)
    cache = Cache.open(tmp_path / "cache", rule_ids=RULE_IDS)
    cold = run([str(corpus)], ALL_RULES, cwd=corpus, cache=cache)
    cache.close()
    assert cache.hits == 0 and cold.files_parsed == plain.files_parsed
    cache = Cache.open(tmp_path / "cache", rule_ids=RULE_IDS)
    warm = run([str(corpus)], ALL_RULES, cwd=corpus, cache=cache)
    assert warm.files_parsed == 0 and cache.misses == 0 and cache.hits > 0
    assert summary(plain) == summary(cold) == summary(warm)


def test_a_changed_file_is_analysed_again(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(FIXTURES / "LJ101", src)
    target = src / "seed_recovered_dogs.go"
    past = target.stat().st_mtime - 3600
    os.utime(target, (past, past))  # old enough for its digest to be remembered by stat
    cache = Cache.open(tmp_path / "cache", rule_ids=RULE_IDS)
    before = run([str(src)], ALL_RULES, cwd=src, cache=cache)
    cache.close()
    text = target.read_text()
    changed = text.replace("dogs[len(dogs)]", "dogs[len(dogz)]")  # same size, one finding's text changes
    assert len(changed) == len(text) and changed != text
    target.write_text(changed)
    os.utime(target, (past, past))  # same size and mtime: only ctime and content differ
    cache = Cache.open(tmp_path / "cache", rule_ids=RULE_IDS)
    after = run([str(src)], ALL_RULES, cwd=src, cache=cache)
    assert cache.misses >= 1
    assert summary(after) == summary(run([str(src)], ALL_RULES, cwd=src))
    assert summary(after) != summary(before)


def test_corrupt_cache_entries_are_ignored(corpus: Path, tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    cache = Cache.open(directory, rule_ids=RULE_IDS)
    expected = run([str(corpus)], ALL_RULES, cwd=corpus, cache=cache)
    cache.close()
    entries = [p for p in (directory / "results").rglob("*") if p.is_file()]
    assert entries
    for i, entry in enumerate(entries):  # garbage, truncation, a foreign pickle
        entry.write_bytes([b"not a cache entry", entry.read_bytes()[:20], b"lockjaw-cache-4\x80\x04K\x01."][i % 3])
    (directory / "files.pickle").write_bytes(b"\x00garbage")
    cache = Cache.open(directory, rule_ids=RULE_IDS)
    again = run([str(corpus)], ALL_RULES, cwd=corpus, cache=cache)
    assert cache.hits == 0
    assert summary(again) == summary(expected)


def test_other_rules_or_options_do_not_share_entries(tmp_path: Path) -> None:
    a = Cache.open(tmp_path / "c", rule_ids=["LJ101"])
    b = Cache.open(tmp_path / "c", rule_ids=["LJ101", "LJ102"])
    c = Cache.open(tmp_path / "c", rule_ids=["LJ101"], options=b"no-skip")
    assert len({a.salt, b.salt, c.salt}) == 3


def test_a_cache_others_can_write_to_is_not_used(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    assert Cache.open(shared, rule_ids=RULE_IDS) is None


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LOCKJAW_CACHE_DIR", str(tmp_path / "explicit"))
    assert default_dir() == tmp_path / "explicit"
    monkeypatch.delenv("LOCKJAW_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_dir() == tmp_path / "xdg" / "lockjaw"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_dir() == tmp_path / "home" / ".cache" / "lockjaw"


def test_worker_pool_gives_the_same_report(corpus: Path, pooled: None) -> None:
    serial = run([str(corpus)], ALL_RULES, cwd=corpus, jobs=1)
    parallel = run([str(corpus)], ALL_RULES, cwd=corpus, jobs=2)
    assert summary(serial) == summary(parallel)
    assert serial.files_parsed == parallel.files_parsed


def test_a_dying_worker_costs_only_its_package(corpus: Path, pooled: None) -> None:
    parent = os.getpid()
    victim = "copy1/LJ101/seed_recovered_dogs.go"

    def crash_in_worker(ctx) -> None:
        if os.getpid() != parent and any(f.display == victim for f in ctx.package.files):
            os.kill(os.getpid(), signal.SIGKILL)
        ALL_RULES[0].check(ctx)

    rule = Rule(ALL_RULES[0].meta, crash_in_worker)
    report = run([str(corpus)], [rule], cwd=corpus, jobs=2)
    died = [n for n in report.notices if n.kind is NoticeKind.INTERNAL_ERROR]
    assert len(died) == 1 and "killed by signal 9" in died[0].message and died[0].path.startswith("copy1/LJ101/")
    assert report.exit_code == 2
    expected = run([str(corpus)], [ALL_RULES[0]], cwd=corpus)
    # the victim's package is the directory itself, not its subdirectories (fixtures/LJ101/external/*)
    assert [f for f in expected.findings if os.path.dirname(f.span.path) != "copy1/LJ101"] == report.findings


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_cli_output_is_byte_identical_whatever_the_jobs_and_cache(corpus: Path, tmp_path: Path, fmt: str) -> None:
    cache = str(tmp_path / "cli-cache")
    outputs = [
        lockjaw("check", "--format", fmt, "--no-cache", "--jobs", "1", ".", cwd=corpus),
        lockjaw("check", "--format", fmt, "--no-cache", "--jobs", "2", ".", cwd=corpus),
        lockjaw("check", "--format", fmt, "--cache-dir", cache, ".", cwd=corpus),  # fills the cache
        lockjaw("check", "--format", fmt, "--cache-dir", cache, "--jobs", "2", ".", cwd=corpus),  # from it
        lockjaw("check", "--format", fmt, "--no-cache", "--no-skip", ".", cwd=corpus),
    ]
    assert {o.returncode for o in outputs} == {1}, [o.stderr for o in outputs]
    assert len({o.stdout for o in outputs}) == 1


def test_cli_stats_show_the_cache_working(corpus: Path, tmp_path: Path) -> None:
    import json

    cache = str(tmp_path / "cli-cache")

    def stats(*args: str) -> dict:
        result = lockjaw("check", "--stats", "-q", *args, ".", cwd=corpus)
        line = next(line for line in result.stderr.splitlines() if line.startswith("lockjaw-stats: "))
        return json.loads(line.split(": ", 1)[1])

    cold = stats("--cache-dir", cache)
    warm = stats("--cache-dir", cache)
    assert cold["files_parsed"] > 0 and cold["cache_hits"] == 0
    assert warm["files_parsed"] == 0 and warm["cache_misses"] == 0 and warm["findings"] == cold["findings"]


def test_unused_entries_are_pruned_daily(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(FIXTURES / "LJ101", src)
    for go in src.iterdir():  # old enough to be remembered by stat
        os.utime(go, (go.stat().st_mtime - 3600,) * 2)
    directory = tmp_path / "cache"
    cache = Cache.open(directory, rule_ids=RULE_IDS)
    run([str(src)], ALL_RULES, cwd=src, cache=cache)
    cache.close()
    assert any(path.endswith("sites.go") for path in Cache.open(directory, rule_ids=RULE_IDS)._memo)
    entries = [p for p in (directory / "results").rglob("*") if p.is_file()]
    assert entries
    ancient = entries[0].stat().st_mtime - 90 * 86400
    for p in [*entries, directory / "pruned"]:
        os.utime(p, (ancient, ancient))
    (src / "sites.go").unlink()  # its remembered digest goes too
    cache = Cache.open(directory, rule_ids=[*RULE_IDS, "other"])  # a run that uses none of them
    cache.close()
    assert not [p for p in (directory / "results").rglob("*") if p.is_file()]
    assert not any(path.endswith("sites.go") for path in Cache.open(directory, rule_ids=RULE_IDS)._memo)


def test_progress_bar_only_for_long_scans(monkeypatch: pytest.MonkeyPatch) -> None:
    from linter import progress

    clock = [100.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: clock[0])
    quick = progress.ProgressBar()
    quick(10, 20)
    quick(20, 20)
    assert quick._bar is None
    cached = progress.ProgressBar()  # large but over at once: a cached re-run
    cached(4000, 5000)
    assert cached._bar is None
    slow = progress.ProgressBar()
    clock[0] += 1.5
    slow(1, 20)
    assert slow._bar is not None
    slow.close()
    large = progress.ProgressBar()
    clock[0] += 0.3
    large(1, 5000)
    assert large._bar is not None
    large(5000, 5000)
    large.close()
    assert large._bar is None


def test_configured_handler_types_and_lock_helpers_keep_a_package(tmp_path: Path) -> None:
    """A handler of an in-house framework names none of LJ201's needles; skipping must not lose it."""
    from linter.config import HandlerType, Settings

    (tmp_path / "h.go").write_text(
        'package h\n\nimport "example.com/web"\n\n'
        "func Start(c *web.Context) {\n\tgo work(c)\n}\n\nfunc work(c *web.Context) {}\n"
    )
    settings = Settings(handler_types=(HandlerType("example.com/web", "*Context"),))
    everything = run([str(tmp_path)], ALL_RULES, cwd=tmp_path, settings=settings, prefilter=False)
    assert [f.rule_id for f in everything.findings] == ["LJ201"]
    assert run([str(tmp_path)], ALL_RULES, cwd=tmp_path, settings=settings).findings == everything.findings
    assert run([str(tmp_path)], ALL_RULES, cwd=tmp_path).files_parsed == 0  # not configured: nothing can fire


def test_settings_needles() -> None:
    from linter.config import HandlerType, Settings
    from linter.engine import settings_needles

    settings = Settings(handler_types=(HandlerType("example.com/web", "*Context"),), lock_helpers=("store.acquire",))
    assert settings_needles(settings) == (b"example.com/web", b"acquire")


@pytest.mark.parametrize("call", [
    'r.Handle("/", ', "r.HandleFunc(\"/\", ", 'r.HandlerFunc /* a comment */ ("/", ', 'r.Handle[int]("/", ',
])
def test_handler_registrations_of_any_router_keep_a_package(tmp_path: Path, call: str) -> None:
    """LJ201's needle for registrations is a pattern, not the bytes `Handle`: every form must still match."""
    name = call.split(".")[1].split("(")[0].split("[")[0].split(" ")[0]
    generic = "[T any]" if "[int]" in call else ""
    (tmp_path / "r.go").write_text(
        "package r\n\ntype Router struct{}\n\ntype Ctx struct{}\n\n"
        f"func {name}{generic}(r Router, p string, h func(c *Ctx)) {{}}\n\n"
        "func Setup(r Router) {\n"
        f"\t{call.replace('r.', '', 1).replace('(', '(r, ', 1)}func(c *Ctx) {{\n\t\tgo work()\n\t}})\n}}\n\n"
        "func work() {}\n"
    )
    everything = run([str(tmp_path)], ALL_RULES, cwd=tmp_path, prefilter=False)
    assert [f.rule_id for f in everything.findings] == ["LJ201"], (tmp_path / "r.go").read_text()
    assert run([str(tmp_path)], ALL_RULES, cwd=tmp_path).findings == everything.findings


def fixture_packages():
    """Every fixture directory's Go packages, loaded as the engine loads them."""
    from collections import defaultdict

    from linter.analysis.package import Package
    from linter.discovery import discover
    from linter.engine import load, plan
    from linter.source import SourceFile

    files, _ = discover([str(FIXTURES)], FIXTURES)
    for group in plan(files, FIXTURES):
        by_name = defaultdict(list)
        for item in load(group)[0]:
            source = SourceFile(item.ref.path, item.ref.display, item.data)
            by_name[source.package_name].append(source)
        yield from (Package(sources) for sources in by_name.values())


def test_summaries_skip_only_functions_that_cannot_reach_a_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Call sites are resolved only in functions that may reach a lock; every summary stays the same."""
    from linter.analysis import summaries

    def signatures(package) -> list:
        table = package.summaries
        return [(fn.display_name, table.get(fn).signature) for fn in package.functions]

    gated = [signatures(p) for p in fixture_packages()]
    skipped = sum(len(p.functions) - len(summaries._may_reach_locks(p)) for p in fixture_packages())
    monkeypatch.setattr(summaries, "_may_reach_locks", lambda pkg: {id(fn) for fn in pkg.functions})
    assert gated == [signatures(p) for p in fixture_packages()]
    assert skipped > 0


def test_summaries_on_demand_do_not_depend_on_what_was_asked_first() -> None:
    """A summary is the same whichever function was asked for first, and the table without `takes`
    (what the dataflow reads) agrees with the full one on everything else."""


    def without_takes(summary) -> tuple:
        return summary.signature[:2] + summary.signature[3:6]

    checked = 0
    for forward, backward in zip(fixture_packages(), fixture_packages()):
        asked_forward = [forward.summary(fn).signature for fn in forward.functions]
        asked_backward = [backward.summary(fn).signature for fn in reversed(backward.functions)][::-1]
        assert asked_forward == asked_backward
        assert [without_takes(forward.summary(fn)) for fn in forward.functions] == [
            without_takes(backward.effects(fn)) for fn in backward.functions
        ]
        assert all(backward.effects(fn).takes == () for fn in backward.functions)
        checked += len(forward.functions)
    assert checked > 100


def test_one_file_runs_report_exactly_the_package_findings_in_that_file() -> None:
    """A file named on its own (its siblings read as context, as a pre-commit hook runs it) gets
    exactly the findings a run over its whole package reports in it: package-wide facts narrowed
    to what can end in the checked file must not lose, add or change a finding."""
    files = [path for directory in sorted(p for p in FIXTURES.iterdir() if p.is_dir())
             for path in sorted(directory.glob("*.go"))]
    files.sort(key=lambda p: -len(list(p.parent.glob("*.go"))))  # the largest packages first, to share the load
    with multiprocessing.get_context("fork").Pool(2) as pool:  # the two CPUs of CI
        results = pool.map(_one_file_difference, files, chunksize=1)
    assert [path for _, path in results if path] == []
    assert sum(checked for checked, _ in results) > 100


@functools.lru_cache(maxsize=None)
def _package_findings(directory: Path) -> list:
    return run([str(directory)], ALL_RULES, cwd=directory).findings


def _one_file_difference(path: Path) -> tuple[int, str]:
    """(findings checked, the file if its one-file run differs from its package's run, else "")."""
    alone = run([str(path)], ALL_RULES, cwd=path.parent).findings
    expected = [f for f in _package_findings(path.parent) if f.span.path == path.name]
    return len(alone), "" if alone == expected else str(path)


def test_a_plain_one_file_run_imports_only_what_it_needs() -> None:
    """Start-up counts in a pre-commit hook: colour, pools, baselines and git are imported when used."""
    import subprocess
    import sys

    code = (
        "import runpy, sys\n"
        f"sys.argv = ['lockjaw', 'check', {str(FIXTURES / 'LJ101' / 'seed_recovered_dogs.go')!r}, '--no-cache', "
        "'--color', 'never']\n"
        "try:\n    runpy.run_module('linter', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "heavy = ('rich', 'multiprocessing', 'pathspec', 'linter.baseline', 'linter.gitdiff', 'linter.cache')\n"
        "print('imported:', sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                          env={**os.environ, "PYTHONPATH": str(root)})
    assert "LJ101" in done.stdout
    assert "imported: []" in done.stderr


RECURSIVE_A = """package p

import "sync"

func entry(s *S) { c(s, 1) }

type S struct{ mu sync.Mutex }

func a(s *S, k int) {
	if k > 0 {
		b(s, k-1)
	}
	s.mu.Lock()
	s.mu.Unlock()
}

func b(s *S, k int) {
	if k > 0 {
		c(s, k-1)
		a(s, k)
	}
}
"""

RECURSIVE_B = """package p

func c(s *S, k int) {
	if k > 0 {
		a(s, k-1)
		b(s, k)
	}
}

func d(s *S, k int) { e(s, k) }

func e(s *S, k int) {
	if k > 0 {
		d(s, k-1)
		func() { e(s, k-1) }()
	}
	c(s, k)
}
"""


def test_recursive_components_keep_the_whole_package_order_when_found_from_their_callers() -> None:
    """With context files, summaries are solved without a Tarjan pass over the whole package; a
    recursive component's members must still come in that pass's order (it decides what a cycle
    keeps under MAX_TAKES), found from the functions that can reach the component."""
    from linter.analysis.package import Package
    from linter.source import SourceFile

    def package(target: int | None) -> Package:
        files = [SourceFile(Path(f"{n}.go"), f"{n}.go", text.encode(), is_target=target in (None, i))
                 for i, (n, text) in enumerate((("a", RECURSIVE_A), ("b", RECURSIVE_B)))]
        return Package(files)

    for target in (0, 1):
        partial, whole = package(target).effects_table, package(None).effects_table
        assert partial._partial and not whole._partial
        groups = [m for m in whole._order().members if len(m) > 1]
        assert sorted(len(m) for m in groups) == [3, 3]  # a, b, c; d, e and the literal in e
        for members in groups:
            names = [fn.display_name for fn in members]
            assert partial._reaching([fn for fn in partial.pkg.functions if fn.display_name in names]) is not None
            found = [fn.display_name for fn in partial._package_order(
                [fn for fn in partial.pkg.functions if fn.display_name in names][::-1])]
            assert found == names
        partial.pkg.summaries.get(partial.pkg.functions[0])  # solving from `entry` agrees too
        for fn, other in zip(partial.pkg.functions, whole.pkg.functions):
            assert partial.pkg.summary(fn).signature == whole.pkg.summary(other).signature


def test_a_recursive_component_with_a_name_beyond_ascii_keeps_the_package_order() -> None:
    """Callers are found by the words of the source; a name the ASCII word index cannot hold
    makes every function a candidate caller rather than none."""
    from linter.analysis.package import Package
    from linter.source import SourceFile

    text = RECURSIVE_B.replace("c(s, ", "çc(s, ").replace("func c(", "func çc(")
    # `entry` mentions a lock, so its calls are resolved although no ASCII word of it names `çc`
    first = RECURSIVE_A.replace("c(s, ", "çc(s, ").replace("{ çc(s, 1) }", "{ s.mu.Lock(); çc(s, 1); s.mu.Unlock() }")
    files = [SourceFile(Path("a.go"), "a.go", first.encode(), is_target=False),
             SourceFile(Path("b.go"), "b.go", text.encode())]
    table = Package(files).effects_table
    groups = [m for m in table._order().members if len(m) > 1]
    assert any("çc" in [fn.display_name for fn in m] for m in groups)
    for members in groups:
        assert table._package_order(members[::-1]) == members


def test_findings_in_shipped_files_do_not_depend_on_the_tests(tmp_path: Path) -> None:
    """A non-test file gets the findings of its package without the `_test.go` files (as it ships,
    as its one-file run reads it): a test writing a field or faking an interface changes no fact
    used for it, so CI and pre-commit agree. fixtures/LJ101/shipped read as one package with its
    test reports both its shipped functions."""
    from linter.analysis.package import Package
    from linter.rule import Context
    from linter.source import SourceFile

    def key(f) -> tuple:
        return f.rule_id, f.span.path, f.span.start.line, f.message

    directories = sorted({p.parent for p in FIXTURES.rglob("*_test.go")})
    assert FIXTURES / "LJ101" / "shipped" in directories
    checked = 0
    for directory in directories:
        shipped = tmp_path / directory.relative_to(FIXTURES)
        shipped.mkdir(parents=True)
        for path in directory.glob("*.go"):
            if not path.name.endswith("_test.go"):
                shutil.copy(path, shipped)
        whole = run([str(directory)], ALL_RULES, cwd=directory).findings
        alone = run([str(shipped)], ALL_RULES, cwd=shipped).findings
        top = [key(f) for f in whole if "/" not in f.span.path and not f.span.path.endswith("_test.go")]
        assert top == [key(f) for f in alone if "/" not in f.span.path], directory
        checked += len(top)
    assert checked > 100
    paths = sorted((FIXTURES / "LJ101" / "shipped").glob("*.go"))
    rule = next(r for r in ALL_RULES if r.meta.id == "LJ101")
    ctx = Context(rule.meta, Package([SourceFile(p, p.name, p.read_bytes()) for p in paths]))
    rule.check(ctx)
    assert sorted(f.span.start.line for f in ctx.findings) == [28, 48]
