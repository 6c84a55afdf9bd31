"""Which package groups to analyse, and where: from the cache, in this process, or in a pool.

A group whose files are unchanged since a cached run is not even read. The
others are read once, in this process (reading is cheap next to parsing), and
a group on which no enabled rule can fire is dropped there: only the rest is
parsed. Large runs go to a pool of worker processes, largest group first so
that the slowest group does not start last, while this process goes on
reading; small runs stay in this process, where a pool costs more to start
than it saves. Parse trees take about twenty times the bytes of their source,
so the source being analysed at once is capped. Results come back in group
order whatever finished first, so the report does not depend on --jobs.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Sequence

from linter import interrupt
from linter.config import DEFAULT, Settings
from linter.engine import Loaded, PackageResult, analyse_loaded, applicable, load, settings_needles
from linter.model import Notice

if TYPE_CHECKING:
    from linter.cache import Cache
    from linter.discovery import FileRef
    from linter.rule import Rule

SERIAL_FILES = 40  # fewer files than this to read: no pool
IN_FLIGHT_BYTES = 4_000_000  # source bytes analysed at once by all workers (any one group may exceed it)
SMALL_BYTES = 256_000  # a group this small always fits beside the others

Progress = Callable[[int], None]  # called with the number of files just finished
Miss = tuple[int, "str | None"]  # a group's index and its cache key, if known


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@dataclass(slots=True)
class Work:
    """One group: its result if known without parsing, else what to parse and with which rules."""

    index: int
    key: str | None = None  # cache key, when the cache is on and every file was readable
    result: PackageResult | None = None
    cached: bool = False
    loaded: Sequence[Loaded] = ()
    rules: Sequence["Rule"] = ()
    notices: Sequence[Notice] = ()
    size: int = 0

    def finish(self, result: PackageResult) -> PackageResult:
        result.notices[:0] = self.notices
        return result


def _from_cache(index: int, group: Sequence["FileRef"], cache: "Cache") -> Work | None:
    """A hit found by the files' stat alone, without reading them."""
    digests = [cache.known_digest(ref.path) for ref in group]
    if any(d is None for d in digests):
        return None
    key = cache.key(group, digests)  # type: ignore[arg-type]
    hit = cache.get(key)
    return Work(index, key, hit, cached=True) if hit is not None else Work(index, key)


def _prepare(index: int, group: Sequence["FileRef"], rules: Sequence["Rule"], prefilter: bool,
             settings: Settings, cache: "Cache | None", key: str | None) -> Work:
    """Read the group; its result is known now if the cache has it or no rule applies."""
    loaded, notices = load(group)
    if cache is not None and key is None and len(loaded) == len(group):
        data = {f.ref.path: f.data for f in loaded}
        key = cache.key(group, [cache.remember(ref.path, data[ref.path]) for ref in group])
        hit = cache.get(key)
        if hit is not None:
            return Work(index, key, hit, cached=True)
    if len(loaded) != len(group):
        key = None  # a file vanished, or is binary or empty: not worth remembering, and maybe a race
    active = applicable(rules, loaded, settings_needles(settings)) if prefilter else list(rules)
    work = Work(index, key, None, False, loaded, active, notices, sum(len(f.data) for f in loaded))
    if not active:
        work.result = work.finish(PackageResult())
    return work


def analyse_groups(groups: Sequence[Sequence["FileRef"]], rules: Sequence["Rule"], *, prefilter: bool = True,
                   settings: Settings = DEFAULT, jobs: int = 1, cache: "Cache | None" = None,
                   progress: Progress | None = None) -> list[PackageResult]:
    """One result per group, in group order, whatever order they were computed in."""
    results: list[PackageResult | None] = [None] * len(groups)
    misses: list[tuple[int, str | None]] = []
    for index, group in enumerate(groups):
        known = _from_cache(index, group, cache) if cache is not None else None
        if known is not None and known.result is not None:
            results[index] = known.result
            if progress:
                progress(len(group))
        else:
            misses.append((index, known.key if known is not None else None))

    def prepare(miss: tuple[int, str | None]) -> Work:
        return _prepare(miss[0], groups[miss[0]], rules, prefilter, settings, cache, miss[1])

    files = sum(len(groups[i]) for i, _ in misses)
    if jobs > 1 and hasattr(os, "fork") and len(misses) > 1 and files >= SERIAL_FILES:
        sized = sorted(((sum(_size(ref) for ref in groups[i]), (i, key)) for i, key in misses),
                       key=lambda pair: -pair[0])
        finished = _in_pool(deque(sized), prepare, rules, settings, jobs)
    else:
        finished = _in_process(map(prepare, misses), rules, settings)
    for work, result in finished:
        interrupt.check()
        results[work.index] = result
        if cache is not None and work.key is not None and not work.cached:
            cache.put(work.key, result)
        if progress:
            progress(len(groups[work.index]))
    interrupt.check()
    return [r if r is not None else PackageResult() for r in results]


def _size(ref: "FileRef") -> int:
    try:
        return os.stat(ref.path).st_size
    except OSError:
        return 0


def _in_process(prepared: Iterable[Work], rules: Sequence["Rule"],
                settings: Settings) -> Iterator[tuple[Work, PackageResult]]:
    for work in prepared:
        if work.result is not None:
            yield work, work.result
        else:
            yield work, work.finish(analyse_loaded(work.loaded, rules, work.rules, settings))


def _fits(size: int, in_flight: int) -> bool:
    return in_flight == 0 or size <= SMALL_BYTES or in_flight + size <= IN_FLIGHT_BYTES


def _died(work: Work, status: int) -> PackageResult:
    """A worker died on this group: say so (the run fails) and go on with the others."""
    from linter.engine import BUG_HINT
    from linter.model import Level, NoticeKind

    how = f"was killed by signal {-status}" if status < 0 else f"exited with status {status}"
    where = work.loaded[0].ref.display if work.loaded else ""
    return work.finish(PackageResult(notices=[Notice(
        where, NoticeKind.INTERNAL_ERROR,
        f"the worker process analysing this package {how} (out of memory?); {BUG_HINT}", level=Level.ERROR)]))


def _in_pool(queue: deque[tuple[int, Miss]], prepare: Callable[[Miss], Work], rules: Sequence["Rule"],
             settings: Settings, jobs: int) -> Iterator[tuple[Work, PackageResult]]:
    """Feed idle workers the largest group that fits the memory cap; while a large group
    keeps the cap full, the smallest groups go alongside it. Groups are read just in time."""
    from linter.workers import ForkPool

    pool = ForkPool(rules, settings, jobs)
    in_flight = 0
    try:
        while queue or pool.busy():
            while queue and pool.idle():
                if _fits(queue[0][0], in_flight):
                    _, miss = queue.popleft()
                elif _fits(queue[-1][0], in_flight):
                    _, miss = queue.pop()
                else:
                    break  # wait for memory to be freed
                work = prepare(miss)
                if work.result is not None:  # cached after all, or no rule applies: nothing to parse
                    yield work, work.result
                    continue
                pool.submit(work, work.loaded, work.rules, work.size)
                in_flight += work.size
            if pool.busy():
                for work, outcome in pool.collect():
                    in_flight -= work.size
                    if isinstance(outcome, BaseException):
                        raise outcome
                    done = work.finish(outcome) if isinstance(outcome, PackageResult) else _died(work, outcome)
                    work.loaded = ()
                    yield work, done
    except BaseException:
        pool.close(kill=True)
        raise
    pool.close()
