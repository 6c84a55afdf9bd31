"""Which package groups to analyse, and where: from the cache, in this process, or in a pool.

The parent reads every file once (reading is cheap next to parsing) and drops
the groups no enabled rule can fire on; only the rest is parsed. Large runs
go to a pool of worker processes, largest group first so the slowest group
does not start last; small runs stay in this process, where a pool would cost
more to start than it saves. Results are returned in group order whatever
finished first, so the report does not depend on --jobs.
"""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from linter.engine import Loaded, PackageResult, analyse_loaded, applicable, load
from linter.model import Notice

if TYPE_CHECKING:
    from linter.cache import Cache
    from linter.discovery import FileRef
    from linter.rule import Rule

# Below this many files to parse, starting worker processes costs more than it saves.
SERIAL_FILES = 40

Progress = Callable[[int], None]  # called with the number of files just finished


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@dataclass(slots=True)
class Work:
    """One group that must be parsed: its files, the rules that apply, where its result goes."""

    index: int
    loaded: list[Loaded]
    rules: list["Rule"]
    notices: list[Notice]
    key: str | None
    size: int = field(init=False)

    def __post_init__(self) -> None:
        self.size = sum(len(f.data) for f in self.loaded)


def _finish(work: Work, result: PackageResult) -> PackageResult:
    result.notices[:0] = work.notices
    return result


def _prepare(index: int, group: Sequence["FileRef"], rules: Sequence["Rule"], prefilter: bool,
             cache: "Cache | None") -> tuple[PackageResult | None, bool, Work]:
    """(result if already known, whether it came from the cache, the group's work)."""
    digests: list[bytes | None] = [cache.known_digest(ref.path) for ref in group] if cache else []
    key = None
    if cache is not None and all(d is not None for d in digests):
        key = cache.key(group, digests)  # type: ignore[arg-type]  # all known: no read at all
        hit = cache.get(key)
        if hit is not None:
            return hit, True, Work(index, [], [], [], key)
    loaded, notices = load(group)
    if cache is not None and key is None and len(loaded) == len(group):
        data = {f.ref.path: f.data for f in loaded}
        key = cache.key(group, [d or cache.remember(r.path, data[r.path]) for r, d in zip(group, digests)])
        hit = cache.get(key)
        if hit is not None:
            return hit, True, Work(index, [], [], [], key)
    active = applicable(rules, loaded) if prefilter else list(rules)
    work = Work(index, loaded, active, notices, key)
    if not active:
        return _finish(work, PackageResult()), False, work
    return None, False, work


def analyse_groups(groups: Sequence[Sequence["FileRef"]], rules: Sequence["Rule"], *, prefilter: bool = True,
                   jobs: int = 1, cache: "Cache | None" = None,
                   progress: Progress | None = None) -> list[PackageResult]:
    """One result per group, in group order, whatever order they were computed in."""
    results: list[PackageResult | None] = [None] * len(groups)
    pending: list[Work] = []
    for index, group in enumerate(groups):
        result, cached, work = _prepare(index, group, rules, prefilter, cache)
        if result is None:
            pending.append(work)
            continue
        results[index] = result
        if cache is not None and work.key is not None and not cached:
            cache.put(work.key, result)
        if progress:
            progress(len(group))
    files = sum(len(w.loaded) for w in pending)
    if jobs > 1 and len(pending) > 1 and files >= SERIAL_FILES:
        finished = _in_pool(pending, rules, jobs)
    else:
        finished = _in_process(pending)
    for work, result in finished:
        results[work.index] = result
        if cache is not None and work.key is not None:
            cache.put(work.key, result)
        if progress:
            progress(len(groups[work.index]))
    return [r if r is not None else PackageResult() for r in results]


def _in_process(pending: list[Work]) -> Iterator[tuple[Work, PackageResult]]:
    for work in pending:
        yield work, _finish(work, analyse_loaded(work.loaded, work.rules))


# The worker side. Rules are handed over once, when the worker starts (inherited
# on fork), and named by their index afterwards, so a rule need not be picklable.
_WORKER_RULES: Sequence["Rule"] = ()


def _worker_start(rules: Sequence["Rule"]) -> None:
    global _WORKER_RULES
    _WORKER_RULES = rules
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles ^C and stops the workers


def _worker_analyse(loaded: list[Loaded], rule_indexes: list[int]) -> PackageResult:
    return analyse_loaded(loaded, [_WORKER_RULES[i] for i in rule_indexes])


def _in_pool(pending: list[Work], rules: Sequence["Rule"], jobs: int) -> Iterator[tuple[Work, PackageResult]]:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    from linter.source import go_language

    go_language()  # load the grammar before forking, so every worker starts with it
    index_of = {id(r): i for i, r in enumerate(rules)}
    context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(pending)), mp_context=context,
                               initializer=_worker_start, initargs=(tuple(rules),))
    unfinished: dict = {}
    left = {w.index: w for w in pending}  # not yet handed back
    try:
        for work in sorted(pending, key=lambda w: -w.size):  # largest first
            future = pool.submit(_worker_analyse, work.loaded, [index_of[id(r)] for r in work.rules])
            unfinished[future] = work
        while unfinished:
            done, _ = wait(unfinished, return_when=FIRST_COMPLETED)
            for future in done:
                work = unfinished[future]
                result = future.result()
                del unfinished[future], left[work.index]
                yield work, _finish(work, result)
    except BrokenProcessPool:  # a worker died (killed, out of memory): finish here
        unfinished.clear()
        yield from _in_process([left[i] for i in sorted(left)])
    finally:
        if unfinished:  # interrupted or failed: do not wait for the rest
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
        else:
            pool.shutdown(wait=True)
