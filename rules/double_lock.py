"""LJ103: a mutex is locked again on a path that already holds it, directly or inside a call."""

from __future__ import annotations

from linter.analysis.functions import Function
from linter.analysis.lockrefs import confined
from linter.analysis.lockstate import Held
from linter.analysis.ops import OpKind, lock_call
from linter.analysis.package import Package
from linter.analysis.summaries import Acquisition
from linter.model import Level, Precision
from linter.rule import Context, RuleMeta, Site

META = RuleMeta(
    id="LJ103",
    name="double-lock",
    summary="Reports a Lock or RLock of a mutex that the same path already holds, including inside a called function.",
    rationale=(
        "Go's mutexes are not reentrant. `Lock()` on a `sync.Mutex` this goroutine already holds waits for "
        "itself forever; so do `Lock()` after `RLock()` on the same `sync.RWMutex` (a read lock cannot be "
        "upgraded) and `RLock()` after `Lock()`. Taking a read lock twice works until a writer calls `Lock()` "
        "in between: the writer waits for the first read lock and the second `RLock()` waits for the writer, "
        "so it deadlocks under load. The usual cause is a method that locks calling another method of the "
        "same type that locks too; calls to the package's own functions and methods, through interfaces "
        "too, are followed."
    ),
    bad="""\
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

func (c *Cache) Add(k string, v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Len() >= c.max { // Len locks c.mu again: deadlock
		return
	}
	c.items[k] = v
}""",
    good="""\
func (c *Cache) lenLocked() int { return len(c.items) }

func (c *Cache) Add(k string, v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lenLocked() >= c.max {
		return
	}
	c.items[k] = v
}""",
    level=Level.ERROR,
    precision=Precision.LOW,
    tags=("concurrency", "deadlock", "reliability"),
    needles=(b"Lock",),
)


def _why(first: Held, acq: Acquisition) -> str:
    m = acq.mutex
    line: int | str = first.site.start_point[0] + 1
    if first.site.id == acq.node.id:
        line = f"{line}, by this same call in an earlier iteration"
    if first.write and acq.write:
        return f"{m} is already locked (line {line}) and sync.Mutex is not reentrant: this goroutine waits for itself forever"
    if first.write:
        return f"{m} is already locked (line {line}): RLock waits for the writer, which is this goroutine: deadlock"
    if acq.write:
        return (f"{m} is read-locked by this goroutine (line {line}): a read lock cannot be upgraded, so Lock "
                f"waits forever for the reader that is waiting on it")
    return (f"{m} is already read-locked (line {line}); recursive read locking deadlocks when a writer calls "
            f"Lock between the two RLocks (the writer waits for the first, the second waits for the writer)")


def _why_either(first: Held, acq: Acquisition) -> str:
    """Why a callee that takes the mutex on every path, in one mode on some and the other on the rest,
    deadlocks whichever path it runs: no mode can be taken again by the goroutine that holds it."""
    m = acq.mutex
    line = first.site.start_point[0] + 1
    if first.write:
        return (f"{m} is already locked (line {line}): Lock waits for this goroutine forever, "
                f"and so does RLock")
    return (f"{m} is read-locked by this goroutine (line {line}): Lock cannot upgrade it, and RLock "
            f"deadlocks when a writer calls Lock in between")


def _taken(h: Held) -> str:
    if h.site.type == "call_expression" and lock_call(h.site) is None:
        return f"{h.mutex} first locked by this call"
    return f"{h.mutex}.{h.method}() first taken here"


def _started_here(pkg: Package, fn: Function, mutex: str) -> bool:
    """Whether `fn` itself starts the goroutine that unlocks `mutex` (`go func() { mu.Unlock() }()`):
    the lock state then knows the paths on which it was started, and a path that did not start it
    locks again for good (missed before the audit)."""
    return any(ev.op.kind is OpKind.RELEASE and ev.op.mutex == mutex and ev.op.node.type == "go_statement"
               for ev in pkg.lock_events(fn))


def check(ctx: Context) -> None:
    pkg = ctx.package
    for root in pkg.target_functions:  # findings in context files would not be reported
        reported: set[tuple[int, str]] = set()
        # a call that surely takes the mutex in one mode is reported as that, not as taking it in either
        sure = {(acq.node.id, acq.mutex) for acq in pkg.acquisitions(root) if acq.take is not None and acq.take.must}
        for acq in pkg.acquisitions(root):
            if acq.mutex is None or (acq.node.id, acq.mutex) in reported:
                continue
            either = (acq.take is not None and not acq.take.must and acq.take.either
                      and (acq.node.id, acq.mutex) not in sure)
            if acq.take is not None and not acq.take.must and not either:
                continue  # the callee locks only on some of its paths: too weak to call a deadlock
            held = acq.state.holding(acq.mutex)
            if not held or pkg.unstable(acq.fn, acq.mutex):
                continue  # a rebound variable may name another mutex each time
            if acq.mutex in pkg.handoffs(acq.fn) and not _started_here(pkg, acq.fn, acq.mutex):
                continue  # another goroutine unlocks it: locking again waits for that, on purpose
            if (not acq.write or either) and not any(h.write for h in held) and confined(pkg, acq.fn, acq.mutex):
                continue  # recursive read locks deadlock only if a writer queues in between: none can reach it
            reported.add((acq.node.id, acq.mutex))
            first = next((h for h in held if h.write), held[0])
            here = Site(acq.fn.file, acq.node)
            related = [(Site(acq.fn.file, first.site), _taken(first))]
            if either and acq.callee is not None and acq.take is not None:
                chain = " -> ".join((acq.callee.display_name, *acq.take.chain))
                what = (f"call to {acq.callee.display_name}() takes {acq.mutex} on every path, by Lock() on some "
                        f"and RLock() on others (in {chain})")
                related.append((acq.take.origin, f"{acq.mutex}.{acq.method}() taken again here, in {chain}"))
                ctx.report(here, f"{what} while {_why_either(first, acq)}", related=related,
                           flow=[*related[:1], (here, "locked again")])
                continue
            if acq.callee is not None and acq.take is not None:
                chain = " -> ".join((acq.callee.display_name, *acq.take.chain))
                what = f"call to {acq.callee.display_name}() takes {acq.mutex}.{acq.method}() (in {chain})"
                related.append((acq.take.origin, f"{acq.mutex}.{acq.method}() taken again here, in {chain}"))
            else:
                what = f"{acq.mutex}.{acq.method}()"
            ctx.report(here, f"{what} while {_why(first, acq)}", related=related, flow=[*related[:1], (here, "locked again")])
