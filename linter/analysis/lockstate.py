"""Which mutexes are held at each point of a function: a forward dataflow over its CFG.

The state is a may-analysis for held locks (held on some path reaching
the point). Each held lock carries whether a deferred unlock covers it on
its path, so `if c { mu.Lock(); defer mu.Unlock() }` is never a leak; the
set of mutexes whose unlock is already deferred is a must-analysis (every
path), used for locks taken after the defer.

A deferred unlock under a flag (`defer func() { if locked { mu.Unlock() } }()`)
covers a held lock while the flag is true on its path: the flags known true
are a must-analysis, and each held lock remembers the flag that covers it, so
`locked = false` uncovers exactly the locks that relied on it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Sequence

from tree_sitter import Node

from linter.analysis.cfg import CFG
from linter.analysis.ops import Op, OpKind


@dataclass(frozen=True, slots=True)
class Held:
    mutex: str
    write: bool  # Lock (True) or RLock (False)
    site: Node  # the acquiring call
    covered: bool = False  # a deferred unlock on this path will release it
    flag: str = ""  # when covered by a deferred unlock under a flag: that flag
    guard: str = ""  # taken under `if guard {`: the path that finds the flag false does not hold it

    @property
    def order(self) -> tuple[int, str, bool, bool]:
        """A total order: source position first, then the rest, so that two locks taken by
        one call (a helper that takes two) never come out in hash order."""
        return (self.site.start_byte, self.mutex, self.write, self.covered)

    @property
    def method(self) -> str:
        return "Lock" if self.write else "RLock"


@dataclass(frozen=True, slots=True)
class LockState:
    held: frozenset[Held] = frozenset()
    deferred: frozenset[str] = frozenset()  # mutexes whose unlock is deferred on every path
    deferred_if: frozenset[tuple[str, str]] = frozenset()  # (mutex, flag): deferred unlock under a flag, every path
    flags: frozenset[str] = frozenset()  # boolean variables true on every path
    # mutexes whose Unlock was handed out as a value on some path (`cb = mu.Unlock`): others release
    # them, so this function holds none of their locks from then on (a one-shot signal)
    handed: frozenset[str] = frozenset()
    # mutexes that a failed TryLock found locked by someone else, on some path: not this function's to unlock
    free: frozenset[str] = frozenset()

    def unreleased(self) -> list[Held]:
        """Locks that a panic or return here would leave locked, in source order."""
        return sorted((h for h in self.held if not h.covered), key=lambda h: h.order)

    def holding(self, mutex: str) -> list[Held]:
        return sorted((h for h in self.held if h.mutex == mutex), key=lambda h: h.order)

    def join(self, other: "LockState") -> "LockState":
        return LockState(self.held | other.held, self.deferred & other.deferred,
                         self.deferred_if & other.deferred_if, self.flags & other.flags, self.handed | other.handed,
                         self.free | other.free)

    def meet(self, other: "LockState") -> "LockState":
        """Locks held on both paths (the must-analysis, for what a function keeps at return)."""
        keys = {(h.mutex, h.write, h.covered) for h in other.held}
        return LockState(frozenset(h for h in self.held if (h.mutex, h.write, h.covered) in keys),
                         self.deferred & other.deferred, self.deferred_if & other.deferred_if, self.flags & other.flags,
                         self.handed | other.handed, self.free & other.free)

    def with_held(self, held: frozenset[Held]) -> "LockState":
        return LockState(held, self.deferred, self.deferred_if, self.flags, self.handed, self.free)

    def assuming_false(self, flag: str, unchanged: Callable[[str], bool]) -> "LockState":
        """On the else-edge of `if flag {`, when the function never changes the flag: a lock taken
        under `if flag {` is not held on this path."""
        if not any(h.guard == flag for h in self.held) or not unchanged(flag):
            return self
        return self.with_held(frozenset(h for h in self.held if h.guard != flag))

    def covering_flag(self, mutex: str) -> str:
        """A flag, true here, under which a deferred unlock of `mutex` will run; "" if none."""
        return next((f for m, f in sorted(self.deferred_if) if m == mutex and f in self.flags), "")


EMPTY = LockState()


# The kinds of operation that change the state; most operations (calls, panics, blocking) do not.
# By value: an Enum member's hash is a Python-level call, five times the cost of a string's.
_CHANGES = frozenset(k._value_ for k in (
    OpKind.ACQUIRE, OpKind.RELEASE, OpKind.HANDOFF, OpKind.DEFER_RELEASE, OpKind.SET_FLAG, OpKind.CLEAR_FLAG,
))


def transfer(state: LockState, op: Op) -> LockState:
    kind = op.kind
    if kind._value_ not in _CHANGES:
        return state
    if kind is OpKind.ACQUIRE:
        if op.mutex in state.handed:
            return state  # someone else will unlock it: `mu.Lock()` waits for a signal
        if op.mutex in state.deferred:
            held = Held(op.mutex, op.write, op.node, True, guard=op.guard)
        else:
            flag = state.covering_flag(op.mutex)
            held = Held(op.mutex, op.write, op.node, bool(flag), flag, op.guard)
        state = replace(state, free=state.free - {op.mutex}) if op.mutex in state.free else state
        return state.with_held(state.held | {held})
    if kind is OpKind.RELEASE and op.site is not None:
        return state.with_held(frozenset(h for h in state.held if h.mutex != op.mutex or h.site.id != op.site.id))
    if kind is OpKind.RELEASE:
        return state.with_held(frozenset(h for h in state.held if h.mutex != op.mutex))
    if kind is OpKind.HANDOFF:
        return replace(state.with_held(frozenset(h for h in state.held if h.mutex != op.mutex)),
                       handed=state.handed | {op.mutex})
    if kind is OpKind.DEFER_RELEASE and op.guard:
        pending = state.deferred_if | {(op.mutex, op.guard)}
        on = op.guard in state.flags
        held = frozenset(
            replace(h, covered=True, flag=op.guard) if on and h.mutex == op.mutex and not h.covered else h
            for h in state.held
        )
        return LockState(held, state.deferred, pending, state.flags, state.handed, state.free)
    if kind is OpKind.DEFER_RELEASE and op.site is not None:  # covers only what that call took
        site = op.site.id
        held = frozenset(replace(h, covered=True, flag="") if h.mutex == op.mutex and h.site.id == site else h
                         for h in state.held)
        return state.with_held(held)
    if kind is OpKind.DEFER_RELEASE:
        held = frozenset(replace(h, covered=True, flag="") if h.mutex == op.mutex else h for h in state.held)
        return LockState(held, state.deferred | {op.mutex}, state.deferred_if, state.flags, state.handed, state.free)
    if kind is OpKind.SET_FLAG:
        covers = {m for m, f in state.deferred_if if f == op.guard}
        held = frozenset(
            replace(h, covered=True, flag=op.guard) if h.mutex in covers and not h.covered else h
            for h in state.held
        )
        return LockState(held, state.deferred, state.deferred_if, state.flags | {op.guard}, state.handed, state.free)
    if kind is OpKind.CLEAR_FLAG:
        held = frozenset(replace(h, covered=False, flag="") if h.flag == op.guard else h for h in state.held)
        return LockState(held, state.deferred, state.deferred_if, state.flags - {op.guard}, state.handed, state.free)
    return state


@dataclass(frozen=True, slots=True)
class Event:
    """An operation together with the lock state just before it."""

    op: Op
    state: LockState


OpsOf = Callable[[Node], Sequence[Op]]
Expand = Callable[[Op], Sequence[Op]]


def _no_expansion(op: Op) -> Sequence[Op]:
    return (op,)


def _no_flag(name: str) -> bool:
    return False


def _fixpoint(
    cfg: CFG, ops_of: OpsOf, expand: Expand, initial: LockState, must: bool, unchanged: Callable[[str], bool],
) -> tuple[dict[int, LockState], Callable[[int], list[Op]]]:
    """The state at entry of every reachable block, and each block's (expanded) operations."""
    block_ops: dict[int, list[Op]] = {}

    def ops(block_id: int) -> list[Op]:
        cached = block_ops.get(block_id)
        if cached is None:
            cached = [x for n in cfg.blocks[block_id].nodes for op in ops_of(n) for x in expand(op)]
            block_ops[block_id] = cached
        return cached

    changing: dict[int, list[Op]] = {}  # each block's operations that change the state (see _CHANGES)
    entry_state: dict[int, LockState] = {cfg.entry: initial}
    work = [cfg.entry]
    queued = {cfg.entry}
    while work:
        b = work.pop()
        queued.discard(b)
        state = entry_state[b]
        todo = changing.get(b)
        if todo is None:
            todo = changing[b] = [op for op in ops(b) if op.kind._value_ in _CHANGES]
        for op in todo:
            state = transfer(state, op)
        for s in cfg.blocks[b].succs:
            flag = cfg.false_edges.get((b, s))
            out = state.assuming_false(flag, unchanged) if flag else state
            tried = cfg.try_edges.get((b, s)) if cfg.try_edges else None
            if tried:
                out = _tried(out, ops(b), tried)
            old = entry_state.get(s)
            new = out if old is None else (old.meet(out) if must else old.join(out))
            if new != old:
                entry_state[s] = new
                if s not in queued:
                    queued.add(s)
                    work.append(s)
    return entry_state, ops


def _tried(state: LockState, ops: list[Op], calls: tuple[tuple[Node, bool], ...]) -> LockState:
    """The state on an edge that knows the result of TryLock calls of the block's branch condition: one
    that succeeded holds its mutex (under the variable its result was bound to, if any); one tested directly
    that failed on a path not holding it leaves the mutex `free`."""
    results = {c.id: ok for c, ok in calls}
    for op in ops:
        ok = results.get(op.node.id) if op.kind is OpKind.TRY_ACQUIRE else None
        if ok:
            state = transfer(state, replace(op, kind=OpKind.ACQUIRE))
        elif ok is not None and not op.guard and not state.holding(op.mutex):
            # not through a variable: a later `if ok {` would find the mutex free on a path that took it
            state = replace(state, free=state.free | {op.mutex})
    return state


def analyse(
    cfg: CFG, ops_of: OpsOf, expand: Expand = _no_expansion, initial: LockState = EMPTY, *, must: bool = False,
    unchanged: Callable[[str], bool] = _no_flag,
) -> list[Event]:
    """Run the dataflow to a fixpoint and return every reachable operation with its state.

    `expand` lets package summaries replace a call by the lock operations its
    callee performs (a helper that locks, one that unlocks). `initial` is the
    state at entry: empty, except for a literal called where locks are held.
    With `must`, paths meet instead of join: a lock is held only if every path holds it.
    `unchanged(name)` says whether a flag keeps its value in the function (see LockState.assuming_false).
    """
    entry_state, ops = _fixpoint(cfg, ops_of, expand, initial, must, unchanged)
    events: list[Event] = []
    for b in sorted(entry_state):
        state = entry_state[b]
        for op in ops(b):
            events.append(Event(op, state))
            if op.kind._value_ in _CHANGES:
                state = transfer(state, op)
    events.sort(key=lambda e: (e.op.node.start_byte, e.op.kind is OpKind.END))  # stable: evaluation order within a node
    return events


def node_states(
    cfg: CFG, ops_of: OpsOf, expand: Expand = _no_expansion, initial: LockState = EMPTY, *, must: bool = False,
    unchanged: Callable[[str], bool] = _no_flag,
) -> dict[int, LockState]:
    """The state just before each reachable CFG node runs, by node id (see `analyse`)."""
    entry_state, _ = _fixpoint(cfg, ops_of, expand, initial, must, unchanged)
    out: dict[int, LockState] = {}
    for b, state in entry_state.items():
        for node in cfg.blocks[b].nodes:
            if node is None:
                continue
            old = out.get(node.id)
            out[node.id] = state if old is None else (old.meet(state) if must else old.join(state))
            for op in ops_of(node):
                for x in expand(op):
                    state = transfer(state, x)
    return out
