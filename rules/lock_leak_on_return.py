"""LJ102: a path leaves the function with a mutex locked that no deferred unlock releases."""

from __future__ import annotations

from tree_sitter import Node

from linter.analysis.functions import Function
from linter.analysis.handover import address_returned
from linter.analysis.lockrefs import split_key
from linter.analysis.lockstate import Event, Held
from linter.analysis.ops import OpKind, lock_call
from linter.analysis.package import Package
from linter.analysis.summaries import Take
from linter.analysis.syntax import guarding_condition, text, unparen
from linter.model import Level, Precision
from linter.rule import Context, RuleMeta, Site

META = RuleMeta(
    id="LJ102",
    name="lock-leak-on-return",
    summary="Reports a return, or the end of a function, reached with a mutex still locked and no deferred unlock.",
    rationale=(
        "A path that returns without unlocking leaves the mutex locked for good: the next `Lock()` on it, in "
        "this goroutine or any other, blocks forever. It is usually an early return added after the fact "
        "(`if err != nil { return err }`) between `Lock()` and `Unlock()`. In an HTTP handler every later "
        "request that needs the mutex hangs. Calls to the package's own helpers count: a helper that locks "
        "and returns holds the lock for its caller, and one that unlocks releases it. Functions whose name or "
        "result says they take a lock for their caller (`lock`, `RLock`, `fooLocked`, `acquire`, returning "
        "`mu.Unlock`) are not reported (one that returns `mu.Unlock` only at the returns that return it)."
    ),
    bad="""\
func (s *Store) Put(k string, v []byte) error {
	s.mu.Lock()
	if len(v) > s.max {
		return errTooBig // s.mu stays locked
	}
	s.items[k] = v
	s.mu.Unlock()
	return nil
}""",
    good="""\
func (s *Store) Put(k string, v []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(v) > s.max {
		return errTooBig
	}
	s.items[k] = v
	return nil
}""",
    level=Level.WARNING,
    precision=Precision.LOW,
    tags=("concurrency", "deadlock", "reliability"),
    needles=(b"Lock",),
)

_HANDLER_CONSEQUENCE = "every later request that locks it hangs"
_OTHER_CONSEQUENCE = "the next Lock() on it blocks forever"


def _released_by_pair(pkg: Package) -> set[str]:
    """Locks the package's named functions release for their callers (a Begin/End pair's End)."""
    out: set[str] = set()
    for fn in pkg.functions:
        if not fn.is_literal:
            out.update(t.identity for t in pkg.effects(fn).releases if t.identity)
    return out


def _suffix(mutex: str) -> tuple[str, ...] | None:
    parsed = split_key(mutex)
    return parsed[1] if parsed is not None and parsed[1] else None


class _Excuses:
    """Why a lock still held at a return may be no leak, from what else the function does."""

    def __init__(self, pkg: Package, fn: Function, events: list[Event], paired: set[str]):
        self.pkg, self.fn, self.paired = pkg, fn, paired
        self.unlocks = [ev.op for ev in events if ev.op.kind in (OpKind.RELEASE, OpKind.DEFER_RELEASE)]
        self.unlocked = {op.mutex for op in self.unlocks}

    def excused(self, h: Held, exit: Event) -> bool:
        return (
            self._handed_over(h) or self._same_guard(h, exit) or self._paired(h)
            or self._handed_off(h, exit)
            or self._returned(h, exit) or self._kept_by_handle(h, exit)
            or (exit.op.kind is OpKind.RETURN and address_returned(self.fn, h.mutex, exit.op.node))
        )

    def _handed_off(self, h: Held, exit: Event) -> bool:
        """Another goroutine of this function unlocks it; not at a return before every `go` that
        could start that goroutine (missed before the audit)."""
        if h.mutex not in self.pkg.handoffs(self.fn):
            return False
        starts = self.pkg.go_statements(self.fn)
        return not starts or any(g.start_byte < exit.op.node.start_byte for g in starts)

    def _returned(self, h: Held, exit: Event) -> bool:
        """`tx.Lock(); return &txn{tx: tx}`: the locked local goes to the caller with the result."""
        parsed = split_key(h.mutex)
        return exit.op.kind is OpKind.RETURN and parsed is not None and (
            parsed[0] in self.pkg.returned_locals(self.fn, exit.op.node)
        )

    def _kept_by_handle(self, h: Held, exit: Event) -> bool:
        """`t := &Tx{}; t.init(db); return t, nil` with db.mmaplock read-locked: the returned handle
        points back to db and a method of it can unlock db.mmaplock (see Handles.may_release)."""
        if exit.op.kind is not OpKind.RETURN or _with_error(self.fn, exit.op.node):
            return False
        handles = self.pkg.handles
        return any((h.mutex, h.write) in handles.may_release(t) for t in handles.returned(self.fn, exit.op.node))

    def _handed_over(self, h: Held) -> bool:
        """Hand-over-hand locking: `prev.mu.Unlock()` releases what an earlier iteration's `x.mu` took."""
        suffix = _suffix(h.mutex)
        return suffix is not None and any(
            m != h.mutex and _suffix(m) == suffix and (self.pkg.unstable(self.fn, m) or self.pkg.unstable(self.fn, h.mutex))
            for m in self.unlocked
        )

    def _same_guard(self, h: Held, exit: Event) -> bool:
        """`if locked { mu.Lock() } ... if locked { mu.Unlock() }`: the lock and unlock go together,
        for a return after the guarded unlock; one between the two leaks (missed before the audit)."""
        guard = guarding_condition(h.site)
        return bool(guard) and any(
            op.mutex == h.mutex and guarding_condition(op.node) == guard
            and (op.kind is OpKind.DEFER_RELEASE or op.node.start_byte < exit.op.node.start_byte)
            for op in self.unlocks
        )

    def _paired(self, h: Held) -> bool:
        """Locked here and never unlocked here, but another function of the package unlocks it."""
        if h.mutex in self.unlocked:
            return False
        ident = self.pkg.lock_identity(self.fn, h.mutex)
        return ident is not None and ident in self.paired


def _with_error(fn: Function, ret: Node) -> bool:
    """`return t, err` in a function whose last result is an error: a caller that sees the error
    does not use t, so nothing will release what t holds."""
    result = fn.node.child_by_field_name("result")
    values = ret.named_children[0] if ret.named_child_count else None
    if result is None or result.type != "parameter_list" or values is None or values.type != "expression_list":
        return False
    declared = [p for p in result.named_children if p.type == "parameter_declaration"]
    last = declared[-1].child_by_field_name("type") if declared else None
    given = [v for v in values.named_children if v.type != "comment"]
    return last is not None and text(last) == "error" and bool(given) and unparen(given[-1]).type != "nil"


def _hands_unlocker(fn: Function, unlockers: tuple[Take, ...], exit: Event) -> bool:
    """Whether this exit returns the unlock function `fn` hands out; when where it is written is
    unknown (a package function as a value), every exit counts. A `return nil, err` after the lock
    hands nothing over (missed before the audit)."""
    ret = exit.op.node
    mine = [t.origin.node for t in unlockers if t.origin.file is fn.file
            and fn.node.start_byte <= t.origin.node.start_byte < fn.node.end_byte]
    if len(mine) < len(unlockers):
        return True
    return exit.op.kind is OpKind.RETURN and any(ret.start_byte <= n.start_byte < ret.end_byte for n in mine)


def _taken(h: Held) -> str:
    if h.site.type == "call_expression" and lock_call(h.site) is None:
        return f"{h.mutex} locked by this call"
    return f"{h.mutex}.{h.method}() taken here"


def check(ctx: Context) -> None:
    pkg = ctx.package
    paired: set[str] | None = None
    for fn in pkg.target_functions:  # findings in context files would not be reported
        if pkg.is_invoked_literal(fn):
            continue  # its locks are its caller's: analysed there through its summary
        if fn.file.display.endswith("_test.go"):
            continue  # tests end holding locks on purpose ("no need to unlock") and the process exits
        summary = pkg.effects(fn)
        if summary.lock_helper and not summary.unlockers:
            continue
        events = pkg.lock_events(fn)
        exits = [ev for ev in events if ev.op.kind in (OpKind.RETURN, OpKind.END) and ev.state.unreleased()]
        if not exits:
            continue
        if paired is None:
            paired = _released_by_pair(pkg)
        excuses = _Excuses(pkg, fn, events, paired)
        for ev in exits:
            leaked: dict[str, Held] = {}
            if summary.unlockers and _hands_unlocker(fn, summary.unlockers, ev):
                continue  # `return mu.Unlock, nil`: the caller gets the lock with the means to release it
            for h in ev.state.unreleased():
                if h.mutex not in summary.expects and not excuses.excused(h, ev):
                    leaked.setdefault(h.mutex, h)
            if leaked:
                _report(ctx, fn, ev, list(leaked.values()))


def _report(ctx: Context, fn: Function, ev: Event, leaked: list[Held]) -> None:
    names = " and ".join(h.mutex for h in leaked)
    first = leaked[0]
    line = first.site.start_point[0] + 1
    consequence = _HANDLER_CONSEQUENCE if fn.in_handler else _OTHER_CONSEQUENCE
    if ev.op.kind is OpKind.RETURN:
        what = f"returns with {names} locked (line {line})"
    else:
        what = f"{fn.display_name} reaches its end with {names} locked (line {line})"
    message = f"{what} and no deferred unlock on this path; {consequence}"
    here = Site(fn.file, ev.op.node)
    related = [(Site(fn.file, h.site), _taken(h)) for h in leaked]
    ctx.report(
        here,
        message,
        related=related,
        flow=[*related, (here, "leaves the function still locked")],
        level=Level.ERROR if fn.in_handler else Level.WARNING,
    )
