"""LJ107: an operation that can block indefinitely runs while a mutex is held."""

from __future__ import annotations

from tree_sitter import Node

from linter.analysis.conds import is_own_lock
from linter.analysis.functions import Function
from linter.analysis.lockstate import Held
from linter.analysis.ops import COND_WAIT, RANGE_CHANNEL, WAITGROUP_WAIT, Op, OpKind
from linter.model import Level, Precision
from linter.rule import Context, RuleMeta, Site

META = RuleMeta(
    id="LJ107",
    name="blocking-while-locked",
    summary=(
        "Reports operations that can block indefinitely while a mutex is held: channel sends and receives, "
        "selects without a default, `sync.WaitGroup.Wait`, `time.Sleep`, `sync.Cond.Wait` with a second "
        "mutex held, and calls to package functions that block on every path; deferred ones too, when they run "
        "before a deferred unlock."
    ),
    rationale=(
        "While the goroutine blocks, every other goroutine that needs the mutex waits too, however long the "
        "block lasts; if the goroutine that would unblock it (the receiver, the sender, the worker calling "
        "`Done()`, the signaller) needs the same mutex first, nothing ever proceeds: a deadlock that no "
        "timeout of net/http breaks. `<-ctx.Done()` and `for v := range ch` block as well, and so does a call "
        "to a package function that runs such an operation (or such a call) on every path without first "
        "releasing a lock its caller holds: the call is reported, through an interface too when every type "
        "of the package that implements it blocks. A deferred call runs at return before the unlocks deferred "
        "ahead of it (`defer mu.Unlock(); defer wg.Wait()` waits with mu held) and is reported at the `defer`. "
        "`sync.Cond.Wait` "
        "releases only the Cond's own lock and is reported only when another mutex is held too (and the "
        "Cond's lock is known). A send known to find a free slot is not reported: on a channel just made with "
        "a constant capacity and nothing in between, or on a local that never leaves the function and its "
        "literals and gets no more sends than slots, or on an unexported field that only ever holds a channel "
        "made with k slots and is sent on only inside `if !x.done { x.done = true; ... }` under x's own mutex, "
        "the flag never cleared, at most k sends on a path; nor a send on a local channel from a package "
        "`sync.Pool` whose channels all have slots, a lazy future's one value (a field made with a slot under a "
        "nil check, sent by a producer that claims the object from a map once), or a receive under a lock "
        "after the flag its only sender sets right after sending, in that lock. Other sends on buffered "
        "channels block only when the "
        "buffer is full, and some channels are known by design to be ready, so precision is medium."
    ),
    bad="""\
func (q *Queue) Push(job Job) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.pending++
	q.jobs <- job // blocks with q.mu held until a worker receives
}""",
    good="""\
func (q *Queue) Push(job Job) {
	q.mu.Lock()
	q.pending++
	q.mu.Unlock()
	q.jobs <- job
}""",
    level=Level.WARNING,
    precision=Precision.MEDIUM,
    tags=("concurrency", "deadlock", "performance"),
    needles=(b"Lock",),
)

BLOCKS = frozenset({OpKind.BLOCK, OpKind.CALL, OpKind.DEFER_CALL})


def _what(op) -> str:
    d = op.detail
    if d == "select":
        return "select without a default case"
    return {
        "channel send": f"channel send {d}",
        "channel receive": f"channel receive {d}",
        WAITGROUP_WAIT: f"{d} on a sync.WaitGroup",
        RANGE_CHANNEL: f"{d} (receives until the channel is closed)",
    }.get(op.reason, d)


def check(ctx: Context) -> None:
    pkg = ctx.package
    for root in pkg.target_functions:  # findings in context files would not be reported
        for fn, ev in pkg.events_while_locked(root, BLOCKS):
            if ev.op.kind is OpKind.DEFER_CALL:
                # deferred calls run last in, first out: this one runs at return holding the locks whose
                # deferred unlock was registered before it (as LJ103 and LJ106 see deferred calls), not
                # those covered only under a flag, which may be cleared by then
                held = [h for h in ev.state.held if h.covered and not h.flag]
                for op in pkg.blocking.deferred(fn, ev.op.node) if held else ():
                    _check(ctx, fn, op, held, ev.op.node)
            else:
                _check(ctx, fn, ev.op, list(ev.state.held), None)


def _check(ctx: Context, fn: Function, op: Op, held: list[Held], deferred: Node | None) -> None:
    """Report `op` run with `held` locked; `deferred`: the defer statement that registered it, if any."""
    pkg = ctx.package
    held = sorted(held, key=lambda h: h.order)
    block = None
    if op.kind is OpKind.CALL:
        if deferred is None and pkg.called_literal(fn, op.node) is not None:
            return  # run in place: its own events are among fn's
        block = pkg.blocking.call_blocks(fn, op.node)
        if block is None:
            return
    if op.reason == COND_WAIT:
        if not op.mutex:
            return  # which lock the Cond releases is unknown
        cond = op.detail.removesuffix(".Wait()")
        held = [h for h in held if not is_own_lock(cond, op.mutex, h.mutex)]
        if not held:
            return  # waiting with only the Cond's own lock held is how a Cond is used
    mutexes = list(dict.fromkeys(h.mutex for h in held))
    names = " and ".join(mutexes)
    verb = "is" if len(mutexes) == 1 else "are"
    line = held[0].site.start_point[0] + 1
    what = _what(op)
    # a deferred call runs at return, before the unlocks deferred ahead of it
    late = "deferred " if deferred is not None else ""
    when = " at return" if deferred is not None else ""
    locked = f"locked at line {line}" + (", its deferred unlock runs after this" if deferred is not None else "")
    if block is not None:
        name = f"call to {op.detail}()" if op.detail else "call to a function literal"
        message = (
            f"{late}{name} blocks{when} ({_what(block.op)} in {block.owner.display_name}) while "
            f"{names} {verb} held ({locked}): every goroutine that needs {names} waits as "
            f"long as it blocks, and if the goroutine that would unblock it needs {names} too, they deadlock"
        )
    elif op.reason == COND_WAIT:
        message = (
            f"{late}{op.detail}{when} releases only {op.mutex} while it waits, but {names} ({locked}) "
            f"{'stays' if len(mutexes) == 1 else 'stay'} held: whoever would Signal() or Broadcast() "
            f"and needs {names} deadlocks with it"
        )
    else:
        message = (
            f"{late}{what} can block{when} while {names} {verb} held ({locked}): every goroutine that "
            f"needs {names} waits as long as it blocks, and if the goroutine that would unblock it "
            f"needs {names} too, they deadlock"
        )
    here = Site(fn.file, deferred if deferred is not None else op.node)
    related = [(Site(fn.file, h.site), f"{h.mutex}.{h.method}() taken here") for h in held]
    if block is not None:
        inner = (Site(block.owner.file, block.op.node), f"blocks here, in {block.owner.display_name}")
        ctx.report(here, message, related=[*related, inner], flow=[*related, (here, "calls"), inner])
    else:
        ctx.report(here, message, related=related, flow=[*related, (here, "blocks here")])
