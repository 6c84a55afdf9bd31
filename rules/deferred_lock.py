"""LJ105: `defer mu.Lock()` where `defer mu.Unlock()` was meant."""

from __future__ import annotations

from linter.analysis.ops import OpKind
from linter.model import Level, Precision
from linter.rule import Context, RuleMeta, Site

META = RuleMeta(
    id="LJ105",
    name="deferred-lock",
    summary="Reports `defer mu.Lock()` and `defer mu.RLock()`, which lock the mutex at return instead of unlocking it.",
    rationale=(
        "A deferred `Lock()` runs when the function returns. If the function locked the mutex before, the "
        "deferred call waits for a lock its own goroutine holds and never returns: the goroutine deadlocks, "
        "and in a handler the request hangs with the mutex held, so every later request that needs it hangs "
        "too. If it did not, the function returns with the mutex locked and the next `Lock()` hangs forever. "
        "The deliberate form, unlocking a lock the caller holds and taking it back at return "
        "(`mu.Unlock(); defer mu.Lock()`), is not reported. Deferring a package helper or literal that locks "
        "(`defer s.lockAll()`) counts as a deferred lock."
    ),
    bad="""\
func (s *Store) Put(key, value string) {
	s.mu.Lock()
	defer s.mu.Lock() // blocks forever at return
	s.items[key] = value
}""",
    good="""\
func (s *Store) Put(key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[key] = value
}""",
    level=Level.ERROR,
    precision=Precision.HIGH,
    tags=("concurrency", "deadlock", "reliability"),
    needles=(b"Lock",),
)


def check(ctx: Context) -> None:
    pkg = ctx.package
    for root in pkg.target_functions:  # findings in context files would not be reported
        events = list(pkg.all_events(root))
        for owner, ev in events:
            op = ev.op
            if op.kind is not OpKind.DEFER_ACQUIRE:
                continue
            held = ev.state.holding(op.mutex)
            relock = any(
                o is owner and e.op.kind is OpKind.RELEASE and e.op.mutex == op.mutex and e.op.write == op.write
                and e.op.node.start_byte < op.node.start_byte  # `RUnlock(); defer Lock()` gives back another mode
                for o, e in events
            )
            if relock and not held:
                continue  # `mu.Unlock(); defer mu.Lock()`: gives the caller its lock back
            m = op.mutex
            unlock = "RUnlock" if not (held[0].write if held else op.write) else "Unlock"
            if held and (op.write or any(h.write for h in held)):
                line = held[0].site.start_point[0] + 1
                consequence = (
                    f"{m} is still held ({held[0].method}() at line {line}), so the deferred {op.method}() waits for its own "
                    "goroutine and never returns: a deadlock at return, and everything that needs "
                    f"{m} afterwards hangs too"
                )
            elif held:
                consequence = f"{m} is then read-locked twice and stays read-locked, so every later Lock() of {m} hangs"
            else:
                consequence = f"the function returns with {m} locked, so the next Lock() of {m} hangs forever"
            what = f"the deferred call of {op.via}() locks" if op.via else f"defer {m}.{op.method}() locks"
            message = (
                f"{what} {m} when the function returns instead of unlocking it "
                f"(meant defer {m}.{unlock}()?): {consequence}"
            )
            here = Site(owner.file, op.node)
            related = [(Site(owner.file, h.site), f"{h.mutex}.{h.method}() taken here") for h in held]
            ctx.report(here, message, related=related, flow=[*related, (here, f"deferred {op.method}() here")])
