"""What calling a function does to locks, summarised once per function for its callers.

A summary says, in terms a call site can translate (`LockRef`), which
mutexes the function leaves locked at every return (a lock helper),
which mutexes held on entry it releases on every path (an unlock helper),
every lock it takes on the way (callees included, for double locking and
lock ordering), which locks a function value it returns will release
(`return mu.Unlock`), and which mutexes it expects its caller to hold.

Summaries are computed on demand, callees first over the package's call
graph; the functions of a recursive cycle are iterated to a fixpoint
(bounded). The dataflow reads a cheaper table without `takes` (see Summaries).
`expander(fn)` turns them into the `expand` hook of the lock-state
dataflow, so a call to a helper that locks is an ACQUIRE at the call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from tree_sitter import Node

from linter.analysis import argguards, emptiness
from linter.analysis.bindings import FUNCTION_VALUES
from linter.analysis.cfg import on_every_path, statements
from linter.analysis.functions import Function, literal_of
from linter.analysis.handles import Handle
from linter.analysis.lockrefs import LockRef, map_ref
from linter.analysis.lockstate import EMPTY, Event, Held, LockState, analyse
from linter.analysis.ops import LOCK_METHODS, Op, OpKind, flag_guard
from linter.analysis.syntax import callee, expr_key, text, unparen, walk_expr
from linter.rule import Site

if TYPE_CHECKING:
    from linter.analysis.package import Package

# Names that say a function takes a lock for its caller, or runs with it held:
# lock, Lock, rlock, RLock, lockShard, readLock, TryLock, fooLocked, acquire...
# Such a function returning with the lock held is its purpose, not a leak.
LOCK_HELPER_NAMES: tuple[str, ...] = (
    r"^[rRwW]?[lL]ock(?![a-z])",
    r"[a-z0-9_]R?Lock$",
    r"(?:^l|L)ocked$",
    r"^[aA]cquire",
)
_HELPER_RE = tuple(re.compile(p) for p in LOCK_HELPER_NAMES)
_UNLOCK_RE = re.compile(r"[uU]n[lL]ock")
UNLOCK_METHODS = {"Unlock": True, "RUnlock": False}
TRY_METHODS = frozenset({"TryLock", "TryRLock"})
MAX_ROUNDS = 6  # fixpoint iterations over one recursive cycle
MAX_ASSUMED = 4  # bool parameters whose values a take may be certain under (`Take.must_if`), first ones first
MAX_TAKES = 64  # acquisitions kept per summary; more are dropped (deep call graphs over many fields)


def named_lock_helper(name: str) -> bool:
    """Whether a function's name says it takes (or expects) a lock on purpose."""
    return bool(name) and not _UNLOCK_RE.search(name) and any(p.search(name) for p in _HELPER_RE)


@dataclass(frozen=True, slots=True)
class Take:
    """One lock a function acquires, releases or hands back, as its callers can name it."""

    ref: LockRef | None
    identity: str | None  # package-wide name, for lock ordering
    write: bool  # Lock/Unlock (True) or RLock/RUnlock (False)
    origin: Site  # the Lock() or Unlock() call that does it
    chain: tuple[str, ...] = ()  # the functions called on the way down, outermost first
    must: bool = False  # taken on every path that returns normally, not just on some
    # locks the caller holds on entry that are released at this point (`s.mu.Unlock(); r.lookup(); s.mu.Lock()`):
    # the caller holding one of them does not hold it while this lock is taken
    dropped: frozenset[LockRef] = frozenset()
    guard: argguards.Guard = argguards.NONE  # bool parameters (position, value) it is taken under
    nonempty: emptiness.Guard = emptiness.NONE  # collections it is taken only in a loop over
    flag: str = ""  # for a release under a flag of the caller's: that flag
    # taken on every path on which these bool parameters have these values (`if doLock { mu.RLock() }`):
    # a call whose arguments make them so takes it for sure (see argguards)
    must_if: argguards.Guard = argguards.NONE
    # not taken in this mode on every path, but the mutex is, in one mode or the other
    # (`if fresh { mu.Lock() ... } else { mu.RLock() ... }`)
    either: bool = False

    @property
    def key(self) -> tuple:
        return self.ref, self.identity, self.write

    @property
    def method(self) -> str:
        return "Lock" if self.write else "RLock"


@dataclass(frozen=True, slots=True)
class Summary:
    keeps: tuple[Take, ...] = ()  # held at every return, taken inside: the caller holds it after the call
    releases: tuple[Take, ...] = ()  # held on entry and released on every path: the caller no longer holds it
    takes: tuple[Take, ...] = ()  # every acquisition during the call, callees included
    unlockers: tuple[Take, ...] = ()  # what a function value it returns releases (`return mu.Unlock`)
    expects: frozenset[str] = frozenset()  # mutexes (as written inside) it releases before taking them
    lock_helper: bool = False  # takes a lock on purpose: returning with it held is no leak
    releases_if: tuple[Take, ...] = ()  # a literal's releases under its enclosing function's flag (Take.flag)

    @property
    def signature(self) -> tuple:
        return (
            tuple(t.key for t in self.keeps), tuple(t.key for t in self.releases), tuple(t.key for t in self.takes),
            tuple(t.key for t in self.unlockers), self.expects, self.lock_helper,
            tuple(t.key for t in self.takes if t.must), tuple(t.dropped for t in self.takes),
            tuple(t.guard for t in self.takes), tuple((t.key, t.flag) for t in self.releases_if),
            tuple(t.nonempty for t in self.takes), tuple((t.must_if, t.either) for t in self.takes),
        )

    @property
    def affects_callers(self) -> bool:
        return bool(self.keeps or self.releases or self.takes or self.unlockers)


NOTHING = Summary()


@dataclass(frozen=True, slots=True)
class Acquisition:
    """A lock taken in `fn`, directly or by a call, with the lock state just before it."""

    fn: Function
    node: Node  # the Lock() call, or the call of a function that takes the lock
    mutex: str | None  # as `fn` would write it; None when only the identity is known
    identity: str | None
    write: bool
    state: LockState
    callee: Function | None = None
    take: Take | None = None  # what the callee does, when through a call
    dropped: frozenset[str] = frozenset()  # locks of `state` the callee has released when it takes this one

    @property
    def method(self) -> str:
        return "Lock" if self.write else "RLock"


def _common(per_target: list[list[tuple[str, Take]]]) -> list[tuple[str, Take]]:
    """Effects every target has (a call through an interface may reach several)."""
    if not per_target:
        return []
    keys = set.intersection(*({(m, t.write) for m, t in lst} for lst in per_target))
    seen: set[tuple[str, bool]] = set()
    out: list[tuple[str, Take]] = []
    for m, t in per_target[0]:
        if (m, t.write) in keys and (m, t.write) not in seen:
            seen.add((m, t.write))
            out.append((m, t))
    return out


_IDENTIFIER = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
_WORD_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_CALL = frozenset({"call_expression"})  # the node types of locals' values asked about (see Package.local_value)
_SELECTOR = frozenset({"selector_expression"})
# Go's predeclared functions and conversions: the calls of a body that are surely not of a local
_PREDECLARED = frozenset(
    b"append cap clear close complex copy delete imag len make max min new panic print println real recover "
    b"bool byte complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string "
    b"uint uint8 uint16 uint32 uint64 uintptr any".split()
)


def _may_reach_locks(pkg: "Package") -> set[int]:
    """ids of the functions whose calls may reach one that touches a lock: they mention a lock
    method themselves, or the name of such a function (a call, a method value and a literal all
    spell out what they reach, and a literal's bytes are its parent's). A superset, found on the
    bytes; for every other function the summary is NOTHING (or a named lock helper's) however its
    calls resolve, so resolving them, half the cost of summaries on the standard library, is skipped."""
    reach: set[int] = set()
    names: set[bytes] = set()
    rest: list[tuple[Function, set[bytes]]] = []
    for fn in pkg.functions:
        body = fn.body
        if body is None:
            continue
        if pkg.uses_locks(fn):
            reach.add(id(fn))
            if fn.name:
                names.add(fn.name.encode())
        else:
            rest.append((fn, set(_IDENTIFIER.findall(fn.file.data, body.start_byte, body.end_byte))))
    grew = True
    while grew and rest:
        grew = False
        still: list[tuple[Function, set[bytes]]] = []
        for fn, words in rest:
            if words.isdisjoint(names):
                still.append((fn, words))
                continue
            reach.add(id(fn))
            if fn.name:
                names.add(fn.name.encode())
            grew = True
        rest = still
    return reach


def _merge(old: Take | None, new: Take) -> Take:
    """One take per lock: the first seen (a must-take preferred), dropping only what every path drops."""
    if old is None:
        return new
    keep = new if new.must and not old.must else old
    # the constructor rather than `replace`, which costs several times more (merged for every call that takes)
    return Take(keep.ref, keep.identity, keep.write, keep.origin, keep.chain, old.must or new.must,
                old.dropped & new.dropped, old.guard & new.guard, old.nonempty & new.nonempty, keep.flag)


_LOCK_KINDS = frozenset({OpKind.ACQUIRE, OpKind.RELEASE, OpKind.DEFER_ACQUIRE, OpKind.DEFER_RELEASE})


def _top_level_flag(fn: Function, call: Node) -> str:
    """`flag` when `call` is a statement of `if flag {...}`, itself a statement of fn's body
    that no return precedes; "" otherwise."""
    stmt = call.parent
    block = stmt.parent if stmt is not None else None
    if block is not None and block.type == "statement_list":
        block = block.parent
    if_stmt = block.parent if block is not None else None
    body = fn.body
    if stmt is None or if_stmt is None or body is None or if_stmt.type != "if_statement":
        return ""
    if if_stmt.child_by_field_name("consequence") != block or if_stmt.child_by_field_name("initializer") is not None:
        return ""
    condition = if_stmt.child_by_field_name("condition")
    flag = text(condition) if condition is not None and condition.type == "identifier" else ""
    top = statements(body)
    if not flag or all(s.id != if_stmt.id for s in top) or all(s.id != stmt.id for s in statements(block)):
        return ""
    for s in top:
        if s.id == if_stmt.id:
            return flag
        if any(n.type in ("return_statement", "goto_statement") for n in walk_expr(s)):
            return ""
    return ""


def _outermost(fn: Function) -> Function:
    while fn.parent is not None:
        fn = fn.parent
    return fn


def _reach_names(pkg: "Package", reach: set[int]) -> frozenset[str]:
    """Names of the functions that may reach a lock: a call spelled with any other name cannot."""
    return frozenset(fn.name for fn in pkg.functions if fn.name and id(fn) in reach)


def _returns(root: Node, data: bytes, start: int, end: int) -> list[Node]:
    """The return statements between the bytes `start` and `end`, found at their keyword."""
    out: list[Node] = []
    i = data.find(b"return", start, end)
    while i != -1:
        token = root.descendant_for_byte_range(i, i + 6)
        if token is not None and token.type == "return" and token.start_byte == i:
            statement = token.parent
            if statement is not None and statement.type == "return_statement":
                out.append(statement)
        i = data.find(b"return", i + 6, end)
    return out


def _occurrences(data: bytes, words: set[bytes], start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) of every occurrence of the words between `start` and `end`, also inside longer
    words (the caller keeps those that are a whole node)."""
    for word in words:
        i = data.find(word, start, end)
        while i != -1:
            yield i, i + len(word)
            i = data.find(word, i + 1, end)


class Summaries:
    """Functions' summaries, each computed on first demand, callees first.

    Asking for one summary solves the strongly connected components of the
    call graph below it (and nothing else), so a package's functions that no
    analysed function calls are never summarised. With `takes=False` only
    what a call does to the caller's lock state is computed (keeps, releases,
    unlockers, expects): the dataflow needs no more, and it does not depend
    on what callees take, which is costly and matters only to a caller that
    holds a lock at the call.
    """

    def __init__(self, pkg: "Package", *, takes: bool = True, calls_of: "Summaries | None" = None):
        """`calls_of`: another table of the same package whose resolved call sites to share."""
        self.pkg = pkg
        self.with_takes = takes
        self.table: dict[int, Summary] = {}
        self._solving = False
        self._in_cycle = False  # solving a recursive cycle: its members' summaries are not final yet
        self._components_cache: _Components | None = None
        self._sibling = calls_of
        self._bool_params: dict[int, dict[str, int]] = {}
        self._acquired: dict[int, list[Acquisition]] = {}
        # some files are context: solve below what is asked without a pass over the whole package
        self._partial = any(not f.is_target for f in pkg.files)
        self._words: dict[bytes, list[Function]] | None = None  # word -> the outermost functions that hold it
        if calls_of is not None:
            self._member_orders = calls_of._member_orders
            self._position_cache = calls_of._positions()
            self._targets, self._deps = calls_of._targets, calls_of._deps
            self._children, self._reach = calls_of._literals(), calls_of._reach
            self._names, self._names_bytes = calls_of._names, calls_of._names_bytes
            self._per_call = calls_of._per_call
            return
        # (kind, fn, call) -> what `_handle_call`, `_bound_lock` or `_unlocker_source` found: they read
        # only the package's syntax and bindings, and each call is expanded in every run of its function
        self._per_call: dict[tuple[int, int, int], object] = {}
        self._member_orders: dict[int, list[Function]] = {}  # function id -> its component, in package order
        self._position_cache: dict[int, int] | None = None
        self._targets: dict[int, list[Function]] = {}
        self._deps: dict[int, list[Function]] = {}
        self._children: dict[int, list[Function]] | None = None
        reach = _may_reach_locks(pkg)
        self._reach = reach
        self._names = _reach_names(pkg, reach)
        ascii_names = all(_IDENTIFIER.fullmatch(n.encode()) for n in self._names)
        self._names_bytes = frozenset(n.encode() for n in self._names) if ascii_names else None

    def deps(self, fn: Function) -> list[Function]:
        """The functions whose summaries `fn`'s summary reads: what it calls, returns as a value, or defines."""
        found = self._deps.get(id(fn))
        if found is not None:
            return found
        pkg = self.pkg
        deps: list[Function] = []
        if id(fn) in self._reach and fn.body is not None:  # the others summarise to NOTHING whatever they call
            calls, values = self._sites(fn)
            for call in calls:
                deps.extend(self.targets(fn, call))
            for value in values:  # returned method values may be unlockers
                deps.extend(pkg.resolve_value(fn, value))
            for call in calls:  # `txn.End()` on a handle runs its type's End, whatever txn's static type
                found = self._handle_call(fn, call)
                if found is not None:
                    deps.extend(method for h in found[2] for method, _ in pkg.handles.methods(h, found[3]))
        deps.extend(self._literals().get(id(fn), ()))  # returned or deferred literals
        self._deps[id(fn)] = deps
        return deps

    def _sites(self, fn: Function) -> tuple[list[Node], list[Node]]:
        """The calls of `fn`'s own body that may reach a summarised function, and the identifiers
        and selectors of its return statements, each in source order (as a walk finds them).

        Found at the bytes of the names of functions that may reach a lock (and at the literals
        `fn` calls in place), not by walking the body: a call or value spelled otherwise resolves
        to nothing with a summary."""
        body = fn.body
        assert body is not None
        if self._names_bytes is None:
            return self._walked_sites(fn)
        names = self._names_bytes
        root = fn.file.root
        calls: dict[int, Node] = {}
        values: dict[int, Node] = {}
        data = fn.file.data
        declared = self.pkg.declared_around(fn)
        bound = {n.encode() for n, kinds in declared.items() if not FUNCTION_VALUES.isdisjoint(kinds)}
        spelled = set(_IDENTIFIER.findall(data, body.start_byte, body.end_byte))
        wanted = (spelled & names) | (spelled & bound)
        # Byte ranges instead of climbing from each name: a node's parent costs a descent from the root.
        literals = [(f.node.start_byte, f.node.end_byte) for f in self._literals().get(id(fn), ())]
        returns = [
            (r.start_byte, r.end_byte) for r in _returns(root, data, body.start_byte, body.end_byte)
            if not (literals and any(s <= r.start_byte < e for s, e in literals))
        ]
        for start, end in _occurrences(data, wanted, body.start_byte, body.end_byte):
            if end < len(data) and data[end] in _WORD_CHARS:
                continue  # inside a longer word: no identifier ends where an identifier character follows
            if literals and any(s <= start < e for s, e in literals):
                continue  # in a literal's body, not in fn's own
            word = data[start:end]
            if word not in names and not (data[end : end + 1] == b"(" and self._bound_function(fn, word)):
                continue
            node = root.descendant_for_byte_range(start, end)
            if node is None or node.start_byte != start or node.end_byte != end:
                continue
            if node.type == "field_identifier":
                expr = node.parent
                if expr is None or expr.type != "selector_expression" or expr.child_by_field_name("field") != node:
                    continue
            elif node.type == "identifier":
                expr = node
            else:
                continue
            call = None
            outer, parent = expr, expr.parent  # each parent is a descent from the root: asked once
            while parent is not None and parent.type == "parenthesized_expression":
                outer, parent = parent, parent.parent
            if parent is not None and parent.type == "call_expression" and parent.child_by_field_name("function") == outer:
                call = parent
            if call is not None:
                calls[call.id] = call
            if returns and any(s <= start and end <= e for s, e in returns):
                values[expr.id] = expr
        for literal in self._literals().get(id(fn), ()):
            outer = literal.node
            while outer.parent is not None and outer.parent.type == "parenthesized_expression":
                outer = outer.parent
            parent = outer.parent
            if parent is not None and parent.type == "call_expression" and literal_of(parent) is not None:
                calls[parent.id] = parent
        order = lambda n: (n.start_byte, -n.end_byte)  # noqa: E731 - pre-order of a walk
        return sorted(calls.values(), key=order), sorted(values.values(), key=order)

    def _bound_function(self, fn: Function, name: bytes) -> bool:
        """Whether `name` is a local bound once to a function value (`unlock := func() {...}`,
        `f := s.helper`): calling it calls what it was bound to (see linter.analysis.bindings)."""
        if name in _PREDECLARED:
            return False
        return self.pkg.local_value(fn, name.decode(), FUNCTION_VALUES) is not None

    def _walked_sites(self, fn: Function) -> tuple[list[Node], list[Node]]:
        """`_sites` by walking the body, for names the byte search cannot find (not ASCII)."""
        calls = [n for n in walk_expr(fn.body) if n.type == "call_expression"]
        values = [
            value for node in walk_expr(fn.body) if node.type == "return_statement"
            for value in walk_expr(node) if value.type in ("selector_expression", "identifier")
        ]
        return calls, values

    def _literals(self) -> dict[int, list[Function]]:
        if self._children is None:
            self._children = {}
            for fn in self.pkg.functions:
                if fn.parent is not None:
                    self._children.setdefault(id(fn.parent), []).append(fn)
        return self._children

    # call sites ---------------------------------------------------------------------------

    def targets(self, fn: Function, call: Node) -> list[Function]:
        """The package functions a call may reach whose summary can say anything: a call spelled
        with a name no lock-reaching function has is not resolved (its targets summarise to NOTHING)."""
        cached = self._targets.get(call.id)
        if cached is None:
            target = call.child_by_field_name("function")
            target = unparen(target) if target is not None else None
            name = ""
            if target is not None and target.type == "identifier":
                name = text(target)
            elif target is not None and target.type == "selector_expression":
                name = text(target.child_by_field_name("field"))
            unnamed = name and name not in self._names and not (
                target.type == "identifier" and self._bound_function(fn, name.encode()))
            cached = [] if unnamed else self.pkg.resolve(fn, call)
            self._targets[call.id] = cached
        return cached

    def get(self, fn: Function) -> Summary:
        found = self.table.get(id(fn))
        if found is not None:
            return found
        if self._solving:  # a member of the cycle being solved, not summarised yet
            return NOTHING
        self._solve(fn)
        return self.table[id(fn)]

    def bound_call(self, fn: Function, name: str) -> Node | None:
        """The call whose result `name` holds: `unlock := s.lock()`."""
        bindings = self.pkg.bindings(fn)
        value = bindings.values.get(name) if bindings is not None else None
        return value if value is not None and value.type == "call_expression" else None

    def _mapped(self, fn: Function, call: Node, effects: Sequence[Take]) -> list[tuple[str, Take]]:
        out: list[tuple[str, Take]] = []
        for t in effects:
            m = map_ref(self.pkg, fn, call, t.ref) if t.ref is not None else None
            if m is not None:
                out.append((m, t))
        return out

    def _effects(self, fn: Function, call: Node, which: str) -> list[tuple[str, Take, Function]]:
        targets = self.targets(fn, call)
        if not targets:
            return []
        per = [self._mapped(fn, call, getattr(self.get(t), which)) for t in targets]
        return [(m, t, targets[0]) for m, t in _common(per)]

    def _unlocker_source(self, fn: Function, call: Node) -> Node | None:
        key = (0, id(fn), call.id)
        if key not in self._per_call:
            self._per_call[key] = self._unlocker_source_uncached(fn, call)
        return self._per_call[key]  # type: ignore[return-value]

    def _unlocker_source_uncached(self, fn: Function, call: Node) -> Node | None:
        """For `f()` or `defer f()`: the call that produced `f`, if it returns an unlocker."""
        target = call.child_by_field_name("function")
        target = unparen(target) if target is not None else None
        if target is None:
            return None
        if target.type == "call_expression":
            return target
        if target.type == "identifier" and self.pkg.may_bind(fn, text(target), _CALL) and not self.pkg.resolve(fn, call):
            return self.bound_call(fn, text(target))
        return None

    def _handle_call(self, fn: Function, call: Node) -> tuple[Function, Node, tuple[Handle, ...], str] | None:
        key = (1, id(fn), call.id)
        if key not in self._per_call:
            self._per_call[key] = self._handle_call_uncached(fn, call)
        return self._per_call[key]  # type: ignore[return-value]

    def _handle_call_uncached(self, fn: Function, call: Node) -> tuple[Function, Node, tuple[Handle, ...], str] | None:
        """For `txn.End()` where `txn := s.Write()` is a local bound once to a call that returns a
        handle (see linter.analysis.handles): (the function declaring txn, `s.Write()`, the handles
        it may return, "End")."""
        target = call.child_by_field_name("function")
        target = unparen(target) if target is not None else None
        if target is None or target.type != "selector_expression":
            return None
        method = text(target.child_by_field_name("field"))
        operand = target.child_by_field_name("operand")
        operand = unparen(operand) if operand is not None else None
        if method not in self._names or operand is None or operand.type != "identifier":
            return None
        bound = self.pkg.local_value(fn, text(operand), _CALL)
        if bound is None:
            return None
        owner, source = bound
        handles = self.pkg.handles.at_call(owner, source)
        return (owner, source, handles, method) if handles else None

    def _handle_releases(self, fn: Function, call: Node) -> list[tuple[str, Take, Function, Node]]:
        """The locks the call that made a handle keeps and that a method of the handle releases through
        its back-pointers, whichever handle it returned, each with that call: `txn := s.Write(); txn.End()`
        releases the `s.mu` that this Write left read-locked (not what another Write took)."""
        found = self._handle_call(fn, call)
        if found is None:
            return []
        owner, source, handles, method = found
        kept = {(m, t.write) for m, t, _ in self._effects(owner, source, "keeps")}
        per = [self.pkg.handles.releases(h, method, lambda target: self.get(target).releases) for h in handles]
        common = set.intersection(*({(m, t.write) for m, t, _ in released} for released in per)) & kept
        out: dict[tuple[str, bool], tuple[str, Take, Function, Node]] = {}
        for m, t, target in per[0]:
            if (m, t.write) in common:
                out.setdefault((m, t.write), (m, t, target, source))
        return list(out.values())

    def _bound_lock(self, fn: Function, call: Node) -> tuple[str, bool, bool] | None:
        key = (2, id(fn), call.id)
        if key not in self._per_call:
            self._per_call[key] = self._bound_lock_uncached(fn, call)
        return self._per_call[key]  # type: ignore[return-value]

    def _bound_lock_uncached(self, fn: Function, call: Node) -> tuple[str, bool, bool] | None:
        """(mutex, acquire?, write?) for `unlock()` where `unlock := mu.Unlock` is a local bound once
        (see bindings): calling the method value is calling the method."""
        target = call.child_by_field_name("function")
        target = unparen(target) if target is not None else None
        if target is None or target.type != "identifier":
            return None
        bound = self.pkg.local_value(fn, text(target), _SELECTOR)
        if bound is None:
            return None
        owner, value = bound
        spec = LOCK_METHODS.get(text(value.child_by_field_name("field")))
        operand = value.child_by_field_name("operand")
        if spec is None or operand is None or self.pkg.tokens.not_mutex(owner, value):
            return None
        return expr_key(operand), spec[0], spec[1]

    def _call_ops(self, fn: Function, call: Node) -> list[Op]:
        ops: list[Op] = []
        bound = self._bound_lock(fn, call)
        if bound is not None:
            mutex, acquire, write = bound
            kind = OpKind.ACQUIRE if acquire else OpKind.RELEASE
            return [Op(kind, call, mutex, write, guard=flag_guard(call) if acquire else "")]
        for m, t, target in self._effects(fn, call, "releases"):
            ops.append(Op(OpKind.RELEASE, call, m, t.write, detail=target.display_name, via=target.display_name))
        for m, t, target in self._effects(fn, call, "keeps"):
            ops.append(Op(OpKind.ACQUIRE, call, m, t.write, detail=target.display_name, via=target.display_name,
                          guard=flag_guard(call)))
        source = self._unlocker_source(fn, call)
        if source is not None:
            for m, t, target in self._effects(fn, source, "unlockers"):
                ops.append(Op(OpKind.RELEASE, call, m, t.write, detail=target.display_name, via=target.display_name))
        for m, t, target, made in self._handle_releases(fn, call):
            ops.append(Op(OpKind.RELEASE, call, m, t.write, detail=target.display_name, via=target.display_name,
                          site=made))
        return ops

    def _defer_ops(self, fn: Function, stmt: Node) -> list[Op]:
        call = next((c for c in stmt.named_children if c.type == "call_expression"), None)
        if call is None:
            return []
        bound = self._bound_lock(fn, call)
        if bound is not None:
            mutex, acquire, write = bound
            return [Op(OpKind.DEFER_ACQUIRE if acquire else OpKind.DEFER_RELEASE, stmt, mutex, write)]
        source = self._unlocker_source(fn, call)
        effects = self._effects(fn, source, "unlockers") if source is not None else self._effects(fn, call, "releases")
        if source is None:
            effects += self._effects(fn, call, "releases_if")
        handled = [
            Op(OpKind.DEFER_RELEASE, stmt, m, t.write, detail=target.display_name, via=target.display_name, site=made)
            for m, t, target, made in (self._handle_releases(fn, call) if source is None else ())
        ]
        # `defer s.lockAll()`: a deferred helper (or literal) that keeps a lock takes it at return
        kept = [
            Op(OpKind.DEFER_ACQUIRE, stmt, m, t.write, detail=target.display_name, via=target.display_name)
            for m, t, target in (self._effects(fn, call, "keeps") if source is None else ())
        ]
        return [
            Op(OpKind.DEFER_RELEASE, stmt, m, t.write, detail=target.display_name, via=target.display_name,
               guard=t.flag)
            for m, t, target in effects
        ] + handled + kept

    def _go_ops(self, fn: Function, stmt: Node) -> list[Op]:
        """`go func() { defer mu.Unlock(); ... }()`: the goroutine takes over the caller's lock, so
        after the `go` statement the caller no longer holds it (sync.Mutex has no owner goroutine)."""
        call = next((c for c in stmt.named_children if c.type == "call_expression"), None)
        if call is None:
            return []
        return [
            Op(OpKind.RELEASE, stmt, m, t.write, detail=target.display_name, via=target.display_name)
            for m, t, target in self._effects(fn, call, "releases")
        ]

    def expander(self, fn: Function) -> Callable[[Op], Sequence[Op]]:
        """The `expand` hook for `fn`'s dataflow: calls become the lock operations of their callees."""

        def expand(op: Op) -> Sequence[Op]:
            if op.kind is OpKind.CALL:
                extra = self._call_ops(fn, op.node)
            elif op.kind is OpKind.DEFER_CALL:
                extra = self._defer_ops(fn, op.node)
            elif op.kind is OpKind.GO:
                extra = self._go_ops(fn, op.node)
            else:
                return (op,)
            return (op, *extra) if extra else (op,)

        return expand

    def relevant(self, fn: Function) -> bool:
        """Whether a call in `fn` reaches a function that does something to locks."""
        return any(self.get(t).affects_callers for t in self.deps(fn))

    # summarising --------------------------------------------------------------------------

    def _trylocked(self, fn: Function) -> set[str]:
        out: set[str] = set()
        body = fn.body
        if body is None or id(fn) not in self._reach:
            return out
        chunk = fn.file.data[body.start_byte : body.end_byte]
        if b"TryLock" not in chunk and b"TryRLock" not in chunk:
            return out
        for call in (n for n in walk_expr(body) if n.type == "call_expression"):
            qual, name = callee(call)
            if name in TRY_METHODS and qual:
                out.add(qual)
        return out

    def _run(self, fn: Function, initial: LockState, *, must: bool = False) -> list[Event]:
        if not must and self._run_is_shared(fn, initial):
            # every callee is final: the very events the rules ask for, computed once for both
            return self.pkg.lock_events(fn)
        graph = self.pkg.cfg(fn)
        if graph is None:
            return []
        return analyse(graph, self.pkg.ops_of(fn), self.expander(fn), initial, must=must,
                       unchanged=self.pkg.unchanged_flag(fn))

    def _run_is_shared(self, fn: Function, initial: LockState) -> bool:
        """Whether `_run(fn, initial)` answers with the rules' events (`Package.lock_events`, expanded by the
        table without takes) rather than running the dataflow with this table's own expansion."""
        return not initial.held and not self._in_cycle and (not self.with_takes or self.pkg.uses_locks(fn))

    @staticmethod
    def _may_keep(fn: Function, events: list[Event], exits: list[Event], expects: dict[str, bool]) -> bool:
        """Whether the must-analysis (the same operations, paths met instead of joined) can find a lock
        kept at every exit, judged from the may-analysis's events. A held lock's mutex, site and guard
        follow from its path alone; with no flag and no hand-off among the operations (else the answer
        is yes), so does whether it is covered: by an unlock deferred on the path, or by one deferred on
        every path before the lock was taken, a set that only shrinks as the dataflow goes on, so a lock
        ever seen uncovered is uncovered at the fixpoint. A lock the must-analysis holds uncovered at an
        exit is therefore held uncovered there by the may-analysis, and a (mutex, write) that not every
        may-exit holds uncovered is kept by no must-exit."""
        for ev in events:
            kind = ev.op.kind
            if kind is OpKind.SET_FLAG or kind is OpKind.CLEAR_FLAG or kind is OpKind.HANDOFF or (
                kind is OpKind.DEFER_RELEASE and ev.op.guard
            ):
                return True
        common: set[tuple[str, bool]] | None = None
        for ev in exits:
            keys = {(h.mutex, h.write) for h in ev.state.held
                    if not h.covered and h.site.id != fn.node.id and h.mutex not in expects}
            common = keys if common is None else common & keys
            if not common:
                return False
        return common is not None

    @staticmethod
    def _exits(events: list[Event]) -> list[Event]:
        return [ev for ev in events if ev.op.kind in (OpKind.RETURN, OpKind.END)]

    def summarise(self, fn: Function) -> Summary:
        pkg = self.pkg
        helper = named_lock_helper(fn.name) or self._configured_helper(fn)
        if fn.body is None or not (pkg.uses_locks(fn) or self.relevant(fn)):
            return Summary(lock_helper=helper) if helper else NOTHING
        events = self._run(fn, EMPTY)
        expects = self._expects(fn, events)
        initial = EMPTY
        if expects:
            initial = LockState(frozenset(Held(m, w, fn.node) for m, w in expects.items()))
            events = self._run(fn, initial)
        exits = self._exits(events)
        # What a function keeps is what every path holds at return: with a may-analysis,
        # `if c { mu.Lock() } ... if c { mu.Unlock() }` would look like it keeps mu.
        keeps: tuple[Take, ...] = ()
        if self._may_keep(fn, events, exits, expects) or (self.with_takes and self._run_is_shared(fn, initial)):
            keeps = self._keeps(fn, self._exits(self._run(fn, initial, must=True)), expects)
        # `mu.Unlock(); defer mu.Lock()` hands the lock back before returning: no release.
        relocked = {ev.op.mutex for ev in events if ev.op.kind is OpKind.DEFER_ACQUIRE}
        releases = self._releases(fn, events, exits, {m: w for m, w in expects.items() if m not in relocked})
        takes = self._takes(fn, events, expects, self._must_take(fn)) if self.with_takes else ()
        unlockers = self._unlockers(fn, exits)
        released = {t.ref for t in releases}
        releases_if = self._releases_if(fn, events, expects, released) if fn.is_literal else ()
        return Summary(keeps, releases, takes, unlockers, frozenset(expects), helper or bool(unlockers), releases_if)

    def _configured_helper(self, fn: Function) -> bool:
        """Named in the configuration's `lock-helpers`, as `name` or `Type.name`."""
        names = self.pkg.lock_helpers
        return bool(names) and bool(fn.name) and (fn.name in names or fn.display_name in names)

    def _expects(self, fn: Function, events: list[Event]) -> dict[str, bool]:
        """Mutexes released where this function has not taken them: its caller must hold them."""
        trylocked = self._trylocked(fn)
        acquired = {ev.op.mutex for ev in events if ev.op.kind is OpKind.ACQUIRE}
        out: dict[str, bool] = {}
        for ev in events:
            op = ev.op
            unlock = op.kind is OpKind.RELEASE or (op.kind is OpKind.DEFER_RELEASE and op.mutex not in acquired)
            if unlock and op.mutex not in trylocked and (not ev.state.holding(op.mutex) or self._relocked_later(events, op)):
                out.setdefault(op.mutex, op.write)
        return out

    @staticmethod
    def _relocked_later(events: list[Event], release: Op) -> bool:
        """`for !ready { mu.Unlock(); wait(); mu.Lock() }`: an unlock held only through the loop's back
        edge, since every lock of the mutex comes after it; the first iteration releases the caller's
        hold (hold-out 5, quic-go's receiveStream.readImpl)."""
        if release.kind is not OpKind.RELEASE:
            return False
        locks = [ev.op for ev in events if ev.op.kind is OpKind.ACQUIRE and ev.op.mutex == release.mutex]
        return bool(locks) and all(op.node.start_byte > release.node.start_byte for op in locks)

    def _take(self, fn: Function, mutex: str, write: bool, origin: Site, chain: tuple[str, ...] = ()) -> Take | None:
        ref = self.pkg.lock_ref(fn, mutex)
        ident = self.pkg.lock_identity(fn, mutex)
        if ref is None and ident is None:
            return None
        return Take(ref, ident, write, origin, chain)

    def _keeps(self, fn: Function, exits: list[Event], expects: dict[str, bool]) -> tuple[Take, ...]:
        if not exits:
            return ()
        per_exit = [
            {(h.mutex, h.write): h for h in ev.state.unreleased() if h.site.id != fn.node.id and h.mutex not in expects}
            for ev in exits
        ]
        common = set.intersection(*(set(d) for d in per_exit))
        out: list[Take] = []
        for (mutex, write), h in sorted(per_exit[0].items(), key=lambda kv: (kv[1].site.start_byte, kv[0])):
            if (mutex, write) in common:
                take = self._take(fn, mutex, write, Site(fn.file, h.site))
                if take is not None and take.ref is not None:
                    out.append(take)
        return tuple(out)

    def _releases(self, fn: Function, events: list[Event], exits: list[Event], expects: dict[str, bool]) -> tuple[Take, ...]:
        if not exits:
            return ()
        out: list[Take] = []
        for mutex, write in expects.items():
            if any(h.mutex == mutex and not h.covered for ev in exits for h in ev.state.held):
                continue  # taken again before returning on some path: the caller still holds it
            site = next(
                (ev.op.node for ev in events if ev.op.mutex == mutex and ev.op.kind in (OpKind.RELEASE, OpKind.DEFER_RELEASE)),
                fn.node,
            )
            take = self._take(fn, mutex, write, Site(fn.file, site))
            if take is not None and take.ref is not None:
                out.append(take)
        return tuple(out)

    def _releases_if(self, fn: Function, events: list[Event], expects: dict[str, bool],
                     released: set[LockRef | None]) -> tuple[Take, ...]:
        """`func() { if locked { mu.Unlock() } }`: the caller's lock is released exactly when the
        caller's flag is true. Each unlock of the mutex must sit directly in an `if flag {` that is a
        top-level statement of the literal, with no return before it, and the literal must not
        assign the flag (it is the enclosing function's variable)."""
        out: list[Take] = []
        for mutex, write in expects.items():
            ops = [ev.op for ev in events if ev.op.mutex == mutex and ev.op.kind in _LOCK_KINDS]
            if not ops or any(op.kind is not OpKind.RELEASE or op.via for op in ops):
                continue
            flags = {_top_level_flag(fn, op.node) for op in ops}
            flag = flags.pop() if len(flags) == 1 else ""
            bindings = self.pkg.bindings(fn)
            if not flag or flag in fn.params or bindings is None or bindings.declares(flag) or not bindings.unchanged(flag):
                continue
            take = self._take(fn, mutex, write, Site(fn.file, ops[0].node))
            if take is not None and take.ref is not None and take.ref not in released:
                out.append(replace(take, flag=flag))
        return tuple(out)

    def _must_take(self, fn: Function, assume: argguards.Guard = argguards.NONE) -> frozenset[tuple[str, bool | None]]:
        """(mutex, write) that every path reaching a normal return takes (a must-analysis), and
        (mutex, None) for a mutex every path takes in one mode or the other. With `assume`, only
        the paths on which fn's bool parameters can have the values it gives them."""
        graph = self.pkg.cfg(fn)
        if graph is None:
            return frozenset()
        ops_of = self.pkg.ops_of(fn)
        params = self.bool_params(fn) if assume else {}

        def taken(node: Node) -> set[tuple[str, bool | None]]:
            g: set[tuple[str, bool | None]] = set()
            for op in ops_of(node):
                if op.kind is OpKind.ACQUIRE:
                    g.add((op.mutex, op.write))
                    g.add((op.mutex, None))
                elif op.kind is OpKind.CALL:
                    g |= self._must_of_call(fn, op.node, params, assume)
            return g

        if not assume:
            return on_every_path(graph, taken)
        return on_every_path(graph, taken, lambda cond, outcome: argguards.feasible(cond, outcome, params, assume))

    def _must_of_call(self, fn: Function, call: Node, params: dict[str, int] | None = None,
                      assume: argguards.Guard = argguards.NONE) -> set[tuple[str, bool | None]]:
        per = []
        for target in self.targets(fn, call):
            sure = [t for t in self.get(target).takes if t.must or t.either or t.must_if]
            g: set[tuple[str, bool | None]] = set()
            for m, t in self._mapped(fn, call, sure):
                if t.must or (t.must_if and argguards.implied(call, target, t.must_if, params, assume)):
                    g.add((m, t.write))
                    g.add((m, None))
                elif t.either:
                    g.add((m, None))
            per.append(g)
        return set.intersection(*per) if per else set()

    def _dropped(self, fn: Function, expects: dict[str, bool], state: LockState,
                 also: frozenset[str] = frozenset()) -> frozenset[LockRef]:
        """The caller's locks (as refs) released at a point of `fn`: expected ones it no longer holds,
        and those a callee released (`also`) and `fn` has not taken back."""
        names = {m for m in expects if not state.holding(m)} | {m for m in also if not state.holding(m) or m in expects}
        refs = (self.pkg.lock_ref(fn, m) for m in names)
        return frozenset(r for r in refs if r is not None)

    def _takes(self, fn: Function, events: list[Event], expects: dict[str, bool],
               must: frozenset[tuple[str, bool | None]]) -> tuple[Take, ...]:
        out: dict[tuple, Take] = {}
        names: dict[tuple, str | None] = {}  # take key -> the mutex as fn writes it
        for ev in events:
            op = ev.op
            take: Take | None = None
            if op.kind is OpKind.ACQUIRE and not op.via:
                if op.mutex not in expects:
                    take = self._take(fn, op.mutex, op.write, Site(fn.file, op.node))
                    if take is not None:
                        take = replace(take, must=(op.mutex, op.write) in must,
                                       dropped=self._dropped(fn, expects, ev.state),
                                       guard=argguards.guard_of(fn, op.node, self.bool_params(fn)),
                                       nonempty=emptiness.loop_guard(self.pkg, fn, op.node))
                if take is not None:
                    out[take.key] = _merge(out.get(take.key), take)
                    names.setdefault(take.key, op.mutex)
            elif op.kind is OpKind.CALL:
                around: emptiness.Guard | None = None  # the loops around the call, found once
                ifs: argguards.Guard | None = None  # and the `if`s around it
                for acq in self._call_takes(fn, op.node, ev.state):
                    if acq.mutex in expects or acq.take is None or acq.callee is None:
                        continue
                    ref = self.pkg.lock_ref(fn, acq.mutex) if acq.mutex is not None else None
                    if ref is None and acq.identity is None:
                        continue
                    params = self.bool_params(fn)
                    if ifs is None:
                        ifs = argguards.guard_of(fn, op.node, params)
                    guard = ifs | argguards.forward(op.node, acq.take.guard, params)
                    if around is None:
                        around = emptiness.loop_guard(self.pkg, fn, op.node)
                    nonempty = around
                    if acq.take.nonempty:
                        nonempty |= emptiness.forward(self.pkg, fn, op.node, acq.take.nonempty)
                    take = Take(ref, acq.identity, acq.write, acq.take.origin, (acq.callee.display_name, *acq.take.chain),
                                (acq.mutex, acq.write) in must, self._dropped(fn, expects, ev.state, acq.dropped), guard,
                                nonempty=nonempty)
                    out[take.key] = _merge(out.get(take.key), take)
                    names.setdefault(take.key, acq.mutex)
            if len(out) >= MAX_TAKES:
                break
        return self._sure(fn, tuple(out.values())[:MAX_TAKES], names, must)

    def _sure(self, fn: Function, takes: tuple[Take, ...], names: dict[tuple, str | None],
              must: frozenset[tuple[str, bool | None]]) -> tuple[Take, ...]:
        """The takes that are certain only under a value of fn's bool parameters (`must_if`): their guard,
        or else one parameter's value (`if locked { return m[k] }; mu.Lock()` is certain when locked is
        false), and those certain only in some mode (`either`)."""
        under: dict[argguards.Guard, frozenset[tuple[str, bool | None]]] = {}
        positions = sorted(set(self.bool_params(fn).values()))[:MAX_ASSUMED]
        atoms = [frozenset({(p, v)}) for p in positions for v in (True, False)]
        out: list[Take] = []
        for t in takes:
            mutex = names.get(t.key)
            if t.must or mutex is None:
                out.append(t)
                continue
            either = (mutex, None) in must and (mutex, not t.write) not in must
            must_if = argguards.NONE
            for assume in ([t.guard] if t.guard else []) + [a for a in atoms if a != t.guard]:
                if assume not in under:
                    under[assume] = self._must_take(fn, assume)
                if (mutex, t.write) in under[assume]:
                    must_if = assume
                    break
            out.append(replace(t, must_if=must_if, either=either) if either or must_if else t)
        return tuple(out)

    def _unlockers(self, fn: Function, exits: list[Event]) -> tuple[Take, ...]:
        out: list[Take] = []
        for ev in exits:
            if ev.op.kind is not OpKind.RETURN:
                continue
            for expr in ev.op.node.named_children:
                values = expr.named_children if expr.type == "expression_list" else [expr]
                for value in map(unparen, values):
                    out.extend(self._unlocker_of(fn, value))
        return tuple({t.key: t for t in out}.values())

    def _unlocker_of(self, fn: Function, value: Node) -> list[Take]:
        """`mu.Unlock` or `func() { mu.Unlock() }` as a returned value."""
        if value.type == "selector_expression":
            write = UNLOCK_METHODS.get(text(value.child_by_field_name("field")))
            operand = value.child_by_field_name("operand")
            if operand is None:
                return []
            if write is None:  # a method value of the package: `return tx.closemuRUnlock`
                recv = expr_key(operand)
                return self._releases_of_value(fn, value, lambda ref: recv + ref.path if ref.base == "recv" else None)
            take = self._take(fn, expr_key(operand), write, Site(fn.file, value))
            return [take] if take is not None and take.ref is not None else []
        if value.type == "identifier":  # a package function as a value: `return unlockAll`
            names = self.pkg.scope(fn).names
            return self._releases_of_value(
                fn, value, lambda ref: ref.text if ref.base == "global" and ref.root not in names else None
            )
        if value.type == "func_literal":
            literal = self.pkg.function_of(value)
            out = []
            for t in self.get(literal).releases if literal is not None else ():
                if t.ref is not None and t.ref.base in ("free", "global"):
                    take = self._take(fn, t.ref.text, t.write, t.origin)
                    if take is not None and take.ref is not None:
                        out.append(take)
            return out
        return []

    def _releases_of_value(self, fn: Function, value: Node, rename: Callable[[LockRef], str | None]) -> list[Take]:
        out = []
        for target in self.pkg.resolve_value(fn, value):
            for t in self.get(target).releases:
                mutex = rename(t.ref) if t.ref is not None else None
                take = self._take(fn, mutex, t.write, t.origin, (target.display_name,)) if mutex else None
                if take is not None and take.ref is not None:
                    out.append(take)
        return out

    # acquisitions seen from one function ----------------------------------------------------

    def bool_params(self, fn: Function) -> dict[str, int]:
        params = self._bool_params.get(id(fn))
        if params is None:
            params = self._bool_params[id(fn)] = argguards.bool_params(fn)
        return params

    def _call_takes(self, fn: Function, call: Node, state: LockState) -> Iterator[Acquisition]:
        for target in self.targets(fn, call):
            for t in self.get(target).takes:
                if argguards.ruled_out(call, target, t.guard):
                    continue  # `f(true)` where f locks only `if !hasLock`
                if t.nonempty and emptiness.ruled_out(self.pkg, fn, call, t.nonempty):
                    continue  # `t := &T{}; t.f()` where f locks only in `range t.items`
                if t.must_if and not t.must and argguards.implied(call, target, t.must_if):
                    t = replace(t, must=True)  # `r.match(k, true)` where match locks on every path `if doLock`
                mutex = map_ref(self.pkg, fn, call, t.ref) if t.ref is not None else None
                # the caller's view is the more specific one: `cfgProc.mu` rather than any `(*Proc).mu`
                ident = (self.pkg.lock_identity(fn, mutex) if mutex is not None else None) or t.identity
                if mutex is None and ident is None:
                    continue
                dropped = frozenset(m for m in (map_ref(self.pkg, fn, call, r) for r in t.dropped) if m is not None)
                yield Acquisition(fn, call, mutex, ident, t.write, state, target, t, dropped)

    def acquisitions(self, root: Function) -> Iterator[Acquisition]:
        """Every lock taken in `root` (and literals it runs in place): directly, or through calls
        made while another lock is held (what callees take matters only against a held lock).
        Listed once per function: LJ103 and LJ106's graph both read them all."""
        found = self._acquired.get(id(root))
        if found is None:
            found = self._acquired[id(root)] = list(self._acquisitions(root))
        return iter(found)

    def _acquisitions(self, root: Function) -> Iterator[Acquisition]:
        pkg = self.pkg
        for fn, ev in pkg.all_events(root):
            op = ev.op
            if op.kind is OpKind.ACQUIRE and not op.via:
                yield Acquisition(fn, op.node, op.mutex, pkg.lock_identity(fn, op.mutex), op.write, ev.state)
            elif op.kind is OpKind.CALL and ev.state.held and pkg.called_literal(fn, op.node) is None:
                yield from self._call_takes(fn, op.node, ev.state)
            elif op.kind is OpKind.DEFER_CALL:
                # `mu.Lock(); defer mu.Unlock(); defer s.flush()`: deferred calls run last in, first out,
                # so flush runs at return with every lock whose deferred unlock was registered before it
                # (missed before the audit)
                covered = frozenset(h for h in ev.state.held if h.covered)
                call = next((c for c in op.node.named_children if c.type == "call_expression"), None)
                if covered and call is not None:
                    yield from self._call_takes(fn, call, ev.state.with_held(covered))

    # the fixpoint ---------------------------------------------------------------------------

    def _needed(self, root: Function) -> list[list[Function]]:
        """`root`'s unsolved component and every unsolved one below it, callees first, each
        with its members in the order of the whole package's Tarjan pass (see `_order`)."""
        if self._partial:
            below = self._components([root], lambda fn: id(fn) in self.table)
            return [group if len(group) == 1 else self._package_order(group) for group in below]
        order = self._order()
        todo = [order.component[id(root)]]
        needed: set[int] = set(todo)
        while todo:
            for member in order.members[todo.pop()]:
                for dep in self.deps(member):
                    c = order.component[id(dep)]
                    if c not in needed and id(dep) not in self.table:
                        needed.add(c)
                        todo.append(c)
        return [order.members[c] for c in sorted(needed)]

    def _solve(self, root: Function) -> None:
        """Solve `root`'s component and, first, every unsolved one below it."""
        needed = self._needed(root)
        self._solving = True
        try:
            for component in needed:  # callees first
                recursive = len(component) > 1 or any(d is component[0] for d in self.deps(component[0]))
                rounds = MAX_ROUNDS if recursive else 1
                self._in_cycle = recursive
                for _ in range(rounds):
                    changed = False
                    for fn in component:
                        new = self.summarise(fn)
                        old = self.table.get(id(fn))
                        if old is None or old.signature != new.signature:
                            changed = True
                        self.table[id(fn)] = new
                    if not changed:
                        break
        finally:
            self._solving = self._in_cycle = False

    def _order(self) -> "_Components":
        """The call graph's components, computed once for the whole package as if every
        summary were wanted: which function a caller meets first decides the order a cycle's
        members are solved in, and with it (through MAX_TAKES) what a cycle's summaries keep,
        so that order must not depend on which summary was asked for first."""
        if self._sibling is not None:
            return self._sibling._order()
        if self._components_cache is None:
            members = self._components(self.pkg.functions)
            component = {id(fn): i for i, group in enumerate(members) for fn in group}
            self._components_cache = _Components(members, component)
        return self._components_cache

    def _package_order(self, group: list[Function]) -> list[Function]:
        """A recursive component's members in the order the whole package's Tarjan pass lists them,
        found from the component's callers alone (when only part of the package is analysed, that
        pass would resolve the calls of every function).

        The pass starts a search at each function in package order; the first start that can reach
        the component is the first function, in package order, of the component and the functions
        that can reach it (any earlier start would reach it too), and functions that cannot reach
        it never lead into it, so searching only those finds the member the pass enters first. From
        there the pass visits the members in the preorder of a search inside the component (a path
        between two members runs through members only) and lists them in reverse."""
        cached = self._member_orders.get(id(group[0]))
        if cached is not None:
            return cached
        members = {id(fn) for fn in group}
        reaching = self._reaching(group)
        if reaching is None:  # its callers cannot be found by name: take the order from the pass itself
            order = self._order()
            ordered = order.members[order.component[id(group[0])]]
            for fn in ordered:
                self._member_orders[id(fn)] = ordered
            return ordered
        position = self._positions()
        start = min((fn for fn in reaching.values()), key=lambda fn: position[id(fn)])

        def preorder(first: Function, inside: dict[int, Function] | set[int], stop: bool) -> list[Function]:
            seen = {id(first)}
            out = [first]
            work: list[Iterator[Function]] = [iter(self.deps(first))]
            while work and not (stop and id(out[-1]) in members):
                for dep in work[-1]:
                    if id(dep) in inside and id(dep) not in seen:
                        seen.add(id(dep))
                        out.append(dep)
                        work.append(iter(self.deps(dep)))
                        break
                else:
                    work.pop()
            return out

        entry = preorder(start, reaching, stop=True)[-1]
        ordered = preorder(entry, members, stop=False)[::-1]
        for fn in ordered:
            self._member_orders[id(fn)] = ordered
        return ordered

    def _reaching(self, group: list[Function]) -> dict[int, Function] | None:
        """The component and every function whose calls can reach it (id -> function). Callers are
        looked for among the functions that can name a member: a call, method value or bound local
        that resolves to a function spells its name in the caller's outermost function, and a
        literal is reached only from functions written around it. None when a method is met: a
        handle's method may run a method of an inner handle that its caller never names (`deps`)."""
        found = {id(fn): fn for fn in group}
        todo = list(group)
        while todo:
            callee = todo.pop()
            if callee.receiver_type:
                return None  # a handle's method may run it on an inner handle where no caller names it
            for caller in self._may_call(callee):
                if id(caller) not in found and any(d is callee for d in self.deps(caller)):
                    found[id(caller)] = caller
                    todo.append(caller)
        return found

    def _may_call(self, callee: Function) -> list[Function]:
        pkg = self.pkg
        tops = [_outermost(callee)]
        if callee.name:
            if not _IDENTIFIER.fullmatch(callee.name.encode()):
                return pkg.functions  # a name beyond ASCII: the index of words cannot find it
            tops += self._naming(callee.name)
        return [fn for top in dict.fromkeys(tops) for fn in pkg.family(top)]

    def _naming(self, name: str) -> list[Function]:
        """The outermost functions whose text holds `name` as a word (an index of the words of
        every outermost function, made on first use: 0.03-0.04 s for net/http or go/types)."""
        if self._sibling is not None:
            return self._sibling._naming(name)
        if self._words is None:
            self._words = {}
            for fn in self.pkg.functions:
                if fn.parent is None:
                    for word in set(_IDENTIFIER.findall(fn.file.data, fn.node.start_byte, fn.node.end_byte)):
                        self._words.setdefault(word, []).append(fn)
        return self._words.get(name.encode(), [])

    def _positions(self) -> dict[int, int]:
        if self._position_cache is None:
            self._position_cache = {id(fn): i for i, fn in enumerate(self.pkg.functions)}
        return self._position_cache

    def _components(self, starts: Sequence[Function], solved: Callable[[Function], bool] = lambda fn: False,
                    ) -> list[list[Function]]:
        """Strongly connected components of the call graph below `starts` (searched in that order),
        callees before callers (Tarjan, iterative); `solved` functions are not entered."""
        by_id: dict[int, Function] = {}
        index: dict[int, int] = {}
        low: dict[int, int] = {}
        on_stack: set[int] = set()
        stack: list[int] = []
        out: list[list[Function]] = []
        counter = 0
        for start in starts:
            if id(start) in index or solved(start):
                continue
            work: list[tuple[int, Iterator[Function]]] = [(id(start), iter(self.deps(start)))]
            by_id[id(start)] = start
            index[id(start)] = low[id(start)] = counter
            counter += 1
            stack.append(id(start))
            on_stack.add(id(start))
            while work:
                v, children = work[-1]
                advanced = False
                for w_fn in children:
                    w = id(w_fn)
                    if w not in index and not solved(w_fn):
                        by_id[w] = w_fn
                        index[w] = low[w] = counter
                        counter += 1
                        stack.append(w)
                        on_stack.add(w)
                        work.append((w, iter(self.deps(w_fn))))
                        advanced = True
                        break
                    if w in on_stack:
                        low[v] = min(low[v], index[w])
                if advanced:
                    continue
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[v])
                if low[v] == index[v]:
                    component: list[Function] = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(by_id[w])
                        if w == v:
                            break
                    out.append(component)
        return out


@dataclass(frozen=True, slots=True)
class _Components:
    members: list[list[Function]]  # callees before callers
    component: dict[int, int]  # function id -> its index in members
