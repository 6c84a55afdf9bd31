"""LJ104: an unlock that does not match the lock: Unlock after RLock, RUnlock after Lock, or no lock at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from tree_sitter import Node

from linter.analysis.functions import Function
from linter.analysis.handover import bound_elsewhere, owned_value, foreign_lock
from linter.analysis.lockstate import Event
from linter.analysis.ops import Op, OpKind, flag_guard
from linter.analysis.package import Package
from linter.analysis.syntax import call_args, expr_key
from linter.model import Level, Precision
from linter.rule import Context, RuleMeta, Site

META = RuleMeta(
    id="LJ104",
    name="unlock-mismatch",
    summary=(
        "Reports `Unlock()` of a read-locked RWMutex, `RUnlock()` of a write-locked one, unlocks of a "
        "mutex that the function never locks, and unlocks on a path where a `TryLock()` of it failed."
    ),
    rationale=(
        "Releasing a mutex in the wrong mode, or one that is not locked, is not a panic but a fatal error of "
        "the Go runtime (`sync: Unlock of unlocked RWMutex`, `sync: RUnlock of unlocked RWMutex`, "
        "`sync: unlock of unlocked mutex`): no `recover()` can stop it, so one request takes the whole "
        "server down. The classic form is `mu.RLock()` followed by `defer mu.Unlock()`. A `TryLock()` whose "
        "result a branch tests holds the mutex on its success path only: an unlock reached from its failure "
        "path (`if mu.TryLock() { n++ }; mu.Unlock()`) releases someone else's lock. An unlock of a mutex "
        "the function never locks is reported only when nothing suggests a hand-over: functions named "
        "`...Locked`, `unlock...` or `release...`, mutexes passed in as parameters or to other calls, "
        "`TryLock()`, and package functions that return with a mutex of the same name (and of the same lock, "
        "when both are known) still locked (lock helpers, `Begin()`/`Commit()` pairs) all silence it. Values with `Lock`/`Unlock` methods that are "
        "not mutexes (a file lock's token, an Unlock-only handle) are left out when their type or origin "
        "shows it, and so are locks of another package's type (not sync's), whose Lock and Unlock are that "
        "package's API; but not every such type, nor every hand-over, can be told from source: on code it had not "
        "seen before, all ten findings of two hold-outs were such hand-overs (each cause fixed since), so "
        "precision is low."
    ),
    bad="""\
func (s *Store) Get(key string) string {
	s.mu.RLock()
	defer s.mu.Unlock() // fatal error: sync: Unlock of unlocked RWMutex
	return s.items[key]
}""",
    good="""\
func (s *Store) Get(key string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.items[key]
}""",
    level=Level.ERROR,
    precision=Precision.LOW,
    tags=("concurrency", "crash", "reliability"),
    needles=(b"Unlock",),
)

RELEASES = frozenset({OpKind.RELEASE, OpKind.DEFER_RELEASE})
ACQUIRES = frozenset({OpKind.ACQUIRE, OpKind.DEFER_ACQUIRE})
TRY_METHODS = (".TryLock", ".TryRLock")
HELPER_PREFIXES = ("unlock", "runlock", "release")
UNCATCHABLE = "which no recover() can stop, so it kills the whole program"


@dataclass(slots=True)
class Family:
    """A declared function with every literal written inside it: one unit of lock hand-overs."""

    top: Function
    events: list[tuple[Function, Event]] = field(default_factory=list)


def _top(fn: Function) -> Function:
    while fn.parent is not None:
        fn = fn.parent
    return fn


def _families(pkg: Package) -> Iterator[Family]:
    by_top: dict[int, Family] = {}
    for root in pkg.target_functions:  # a family is reported in its own file: context files need none
        for owner, ev in pkg.all_events(root):
            top = _top(owner)
            by_top.setdefault(id(top), Family(top)).events.append((owner, ev))
    return iter(by_top.values())


def _segment(mutex: str) -> str:
    return mutex.rsplit(".", 1)[-1]


def _named(fn: Function) -> str:
    """The name of fn, or of the nearest named function around a literal."""
    current: Function | None = fn
    while current is not None and not current.name:
        current = current.parent
    return current.name if current is not None else ""


def _is_parameter(fn: Function, mutex: str) -> bool:
    root = mutex.split(".", 1)[0].split("[", 1)[0]
    current: Function | None = fn
    while current is not None:
        if root in current.params:
            return True
        current = current.parent
    return False


class Evidence:
    """What makes an unlock without a lock plausible: the package hands locked mutexes over.

    A function that returns with a mutex still locked (`Begin()`, `lockAll()`)
    means some other function is meant to unlock it; mutexes are matched by
    their last field name, since the two sides name the owner differently.
    """

    def __init__(self, pkg: Package):
        self.pkg = pkg
        self._held_at_return: dict[str, set[str | None]] | None = None

    def held_at_return(self, fn: Function, mutex: str) -> bool:
        """Whether some package function returns with a mutex of this field name still locked: one
        of the same lock identity when both are known (another type's `lockConn()` that returns
        with its `mu` held says nothing of this type's `mu`: missed before the audit)."""
        if self._held_at_return is None:
            found: dict[str, set[str | None]] = {}
            for root in self.pkg.functions:
                for owner, ev in self.pkg.all_events(root):
                    if ev.op.kind in (OpKind.RETURN, OpKind.END):
                        for h in ev.state.unreleased():
                            found.setdefault(_segment(h.mutex), set()).add(self.pkg.lock_identity(owner, h.mutex))
            self._held_at_return = found
        held = self._held_at_return.get(_segment(mutex))
        if not held:
            return False
        ident = self.pkg.lock_identity(fn, mutex)
        if ident is None and owned_value(fn, mutex):
            return False
        return ident is None or ident in held or None in held


def _unheld_is_plausible(pkg: Package, family: Family, owner: Function, release: Op, evidence: Evidence) -> bool:
    """Whether an unlock of a mutex the family never locks may be a deliberate hand-over."""
    mutex = release.mutex
    name = _named(owner)
    if name.endswith(("Locked", "locked")) or name.lower().startswith(HELPER_PREFIXES):
        return True
    if _is_parameter(owner, mutex) or bound_elsewhere(owner, mutex) or foreign_lock(pkg, owner, mutex):
        return True
    segment = _segment(mutex)
    for other, ev in family.events:
        op = ev.op
        if op.kind in ACQUIRES and _segment(op.mutex) == segment and _hands_over(pkg, family.events, owner, release, other, op):
            return True
        if op.kind is OpKind.CALL:
            if op.detail in (mutex + t for t in TRY_METHODS):
                return True  # a TryLock whose result the lock state does not follow (tested later, stored)
            if any(expr_key(a) == mutex for a in call_args(op.node)) and _may_lock_argument(pkg, other, op.node):
                return True
    return evidence.held_at_return(owner, mutex)


def _hands_over(pkg: Package, family_events: list[tuple[Function, Event]], owner: Function, release: Op,
                other: Function, acquire: Op) -> bool:
    """Whether an acquisition of a mutex named like the released one may be what it releases:
    another function of the family's (a literal, a goroutine); hand-over-hand locking through a
    rebound variable (`l.mu.Lock(); ...; y.mu.Unlock(); y = l`); or, for the same mutex, a lock
    taken back after a caller's lock is dropped (`mu.Unlock(); slow(); mu.Lock()`). Not another
    owner's field of the same name, nor a lock before it that is already released: a double
    unlock (both missed before the audit)."""
    if other is not owner:
        return True
    if acquire.mutex != release.mutex:
        return pkg.unstable(owner, acquire.mutex) or pkg.unstable(owner, release.mutex)
    return acquire.node.start_byte > release.node.start_byte or _nested(family_events, owner, release)


def _nested(family_events: list[tuple[Function, Event]], owner: Function, release: Op) -> bool:
    """More locks than unlocks of the mutex before this unlock (`RLock(); RLock(); RUnlock(); RUnlock()`):
    the lock state does not count them, so the second unlock may still release a held lock."""
    before = [ev.op for o, ev in family_events if o is owner and ev.op.mutex == release.mutex
              and ev.op.node.start_byte < release.node.start_byte]
    return sum(op.kind is OpKind.ACQUIRE for op in before) > sum(op.kind is OpKind.RELEASE for op in before)


def _may_lock_argument(pkg: Package, fn: Function, call: Node) -> bool:
    """A call the mutex is passed to may lock it for this function, unless it is the package's own
    code and takes no lock (`logState(&s.mu)`) (missed before the audit)."""
    targets = pkg.resolve(fn, call)
    return not targets or any(pkg.summary(t).affects_callers for t in targets)


def _mode_slip(family: Family, owner: Function, release: Op) -> list[tuple[Function, Op]]:
    """`mu.RLock(); go func() { defer mu.Unlock() }()`: a literal releases, in one mode, a mutex
    that the rest of its family only takes in the other mode (missed before the audit)."""
    taken = [(o, ev.op) for o, ev in family.events if ev.op.kind is OpKind.ACQUIRE and ev.op.mutex == release.mutex
             and o is not owner]
    if not owner.is_literal or not taken or any(op.write == release.write for _, op in taken):
        return []
    call = owner.node.parent
    started = call is not None and call.parent is not None and call.parent.type == "go_statement"
    if not started and not flag_guard(release.node):
        return []  # a deferred or called literal's release is reported where its enclosing function runs it
    return taken


def _display(fn: Function) -> str:
    if fn.is_literal:
        return "the func literal" + (f" in {_named(fn)}" if _named(fn) else "")
    return fn.display_name


def _what(op) -> str:
    call = f"{op.mutex}.{op.method}()"
    return f"deferred {call}" if op.kind is OpKind.DEFER_RELEASE else call


def _reported_inside(pkg: Package, owner: Function, op: Op) -> bool:
    """A release that stands for what a literal called in place, a goroutine handed the lock, or a
    deferred unlock under a flag does: their own unlock is reported where it is written."""
    return op.node.type == "go_statement" or bool(op.guard) or pkg.called_literal(owner, op.node) is not None


def check(ctx: Context) -> None:
    pkg = ctx.package
    evidence = Evidence(pkg)
    for family in _families(pkg):
        unheld_reported: set[str] = set()
        for owner, ev in sorted(family.events, key=lambda e: e[1].op.node.start_byte):
            op = ev.op
            if op.kind not in RELEASES or (op.via and _reported_inside(pkg, owner, op)):
                continue
            here = Site(owner.file, op.node)
            held = ev.state.holding(op.mutex)
            if held and all(h.write != op.write for h in held):
                _report_mismatch(ctx, owner, op, held, here)
            elif op.mutex in ev.state.free and not op.via:
                _report_failed_try(ctx, owner, op, here)
            elif not held and _mode_slip(family, owner, op):
                _report_slip(ctx, owner, op, _mode_slip(family, owner, op), here)
            elif not held and op.mutex not in unheld_reported:
                unheld_reported.add(op.mutex)
                if not _unheld_is_plausible(pkg, family, owner, op, evidence):
                    _report_unheld(ctx, owner, op, here)


def _report_mismatch(ctx: Context, owner: Function, op, held, here: Site) -> None:
    m = op.mutex
    first = held[0]
    line = first.site.start_point[0] + 1
    if op.write:
        message = (
            f"{_what(op)} releases {m}, which is read-locked (RLock() at line {line}): Unlock of a read-locked "
            f'RWMutex is the fatal error "sync: Unlock of unlocked RWMutex", {UNCATCHABLE}; use {m}.RUnlock()'
        )
    else:
        message = (
            f"{_what(op)} releases {m}, which is write-locked (Lock() at line {line}): RUnlock of a write-locked "
            f'RWMutex is the fatal error "sync: RUnlock of unlocked RWMutex" (or corrupts the lock when readers '
            f"wait), {UNCATCHABLE}; use {m}.Unlock()"
        )
    related = [(Site(owner.file, h.site), f"{h.mutex}.{h.method}() taken here") for h in held]
    ctx.report(here, message, related=related, flow=[*related, (here, f"released with {op.method}() here")])


def _report_slip(ctx: Context, owner: Function, op, taken: list[tuple[Function, Op]], here: Site) -> None:
    m = op.mutex
    first = taken[0][1]
    line = first.node.start_point[0] + 1
    fatal = '"sync: Unlock of unlocked RWMutex"' if op.write else '"sync: RUnlock of unlocked RWMutex"'
    message = (
        f"{_what(op)} in {_display(owner)} releases {m} with {op.method}(), but {_display(_top(owner))} takes it "
        f"only with {first.method}() (line {line}): that is the fatal error {fatal}, {UNCATCHABLE}; "
        f"use {m}.{'RUnlock' if op.write else 'Unlock'}()"
    )
    related = [(Site(o.file, a.node), f"{a.mutex}.{a.method}() taken here") for o, a in taken]
    ctx.report(here, message, related=related, flow=[*related, (here, f"released with {op.method}() here")])


def _report_failed_try(ctx: Context, owner: Function, op, here: Site) -> None:
    m = op.mutex
    message = (
        f"{_what(op)} in {_display(owner)} runs on a path where a TryLock of {m} failed: {m} is locked by someone "
        f"else there, so this releases their lock, or, if it is unlocked by then, is the fatal error "
        f'"sync: unlock of unlocked mutex", {UNCATCHABLE}; unlock only where TryLock() succeeded'
    )
    ctx.report(here, message)


def _report_unheld(ctx: Context, owner: Function, op, here: Site) -> None:
    m = op.mutex
    fatal = (
        '"sync: RUnlock of unlocked RWMutex"'
        if not op.write
        else '"sync: unlock of unlocked mutex" (for an RWMutex "sync: Unlock of unlocked RWMutex")'
    )
    message = (
        f"{_what(op)} but {_display(owner)} never locks {m}: unlocking a mutex that is not locked is the "
        f"fatal error {fatal}, {UNCATCHABLE} (and if another goroutine holds {m}, this releases its lock)"
    )
    ctx.report(here, message)
