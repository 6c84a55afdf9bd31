"""What evaluating one CFG node does, as an ordered list of operations.

Operations come out in evaluation order (children before parents), so in
`s.mus[i].Lock()` the index is evaluated before the lock is taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Callable

from tree_sitter import Node

from linter.analysis import panics
from linter.analysis.conds import CondLocks
from linter.analysis.flagged import flag_received
from linter.analysis.slots import free_slot
from linter.analysis.syntax import callee, call_args, expr_key, guarding_condition, text, unparen
from linter.analysis.types import Scope

LOCK_METHODS = {"Lock": (True, True), "RLock": (True, False), "Unlock": (False, True), "RUnlock": (False, False)}
TRY_LOCK_METHODS = {"TryLock": True, "TryRLock": False}  # method -> write?

# Reasons of BLOCK ops that rules tell apart.
WAITGROUP_WAIT = "waits for a sync.WaitGroup"
COND_WAIT = "waits on a sync.Cond"  # the op's mutex is the Cond's own lock, "" when unknown
RANGE_CHANNEL = "receives from a channel until it is closed"


class OpKind(Enum):
    ACQUIRE = "acquire"
    TRY_ACQUIRE = "try-acquire"  # `mu.TryLock()`: an acquisition only on the CFG edges where it succeeded
    RELEASE = "release"
    DEFER_RELEASE = "defer-release"
    DEFER_ACQUIRE = "defer-acquire"
    DEFER_CALL = "defer-call"  # a deferred call whose effect summaries may know
    PANIC = "panic"
    CALL = "call"
    BLOCK = "block"
    GO = "go"
    HANDOFF = "handoff"  # `cb = mu.Unlock`: the Unlock method value escapes, others will release mu
    SET_FLAG = "set-flag"  # `locked = true`: the guard of a deferred unlock now holds
    CLEAR_FLAG = "clear-flag"  # `locked = false`, `var locked bool`
    RETURN = "return"
    END = "end"  # falling off the end of the body


@dataclass(frozen=True, slots=True)
class Op:
    kind: OpKind
    node: Node
    mutex: str = ""  # for a sync.Cond wait: the lock the Cond releases ("" when unknown)
    write: bool = True  # Lock/Unlock (True) or RLock/RUnlock (False)
    detail: str = ""  # the expression as written (shortened), or the callee's name
    reason: str = ""  # why it panics, or how it blocks
    via: str = ""  # the package function whose summary this op stands for (a call that locks)
    guard: str = ""  # a boolean variable: the flag a SET/CLEAR_FLAG sets, a DEFER_RELEASE runs under, or
    # an ACQUIRE was taken under (`if doLock { mu.Lock() }`)
    site: Node | None = None  # a release through a handle (`txn.End()`): the call that took the lock it
    # releases (`txn := s.Write()`); what other calls took of the same mutex stays held

    @property
    def method(self) -> str:
        acquire = self.kind in (OpKind.ACQUIRE, OpKind.DEFER_ACQUIRE)
        return ("" if self.write else "R") + ("Lock" if acquire else "Unlock")


@dataclass(frozen=True, slots=True)
class OpEnv:
    """What ops extraction needs to know about the surrounding file and function."""

    scope: Scope
    log_names: frozenset[str]
    time_names: frozenset[str]
    imported: frozenset[str]  # every local package name of the file
    extra_panickers: frozenset[str] = frozenset()
    sync_names: frozenset[str] = frozenset()
    conds: CondLocks | None = None
    not_mutex: Callable[[Node], bool] | None = None  # `x.Unlock` on a lock token, not a mutex (see tokens.py)
    stays: Callable[[str], bool] | None = None  # a local bound once to a value and only called (or deferred)
    pooled: Callable[[Node], int] | None = None  # the slots of a channel taken from a sync.Pool (see pools.py)
    once_slot: Callable[[Node], bool] | None = None  # a send in a once-flag region with a free slot (oncesends.py)
    claimed: Callable[[Node], bool] | None = None  # a lazy future's producer send with a free slot (claims.py)


def _mutex_call(call: Node, env: OpEnv) -> tuple[str, bool, bool] | None:
    """lock_call, unless the operand is known not to be a mutex (`l.Unlock()` on a lock token)."""
    lock = lock_call(call)
    if lock is not None and env.not_mutex is not None and env.not_mutex(unparen(call.child_by_field_name("function"))):
        return None
    return lock


def _once_do(call: Node, env: OpEnv) -> tuple[str, bool, bool] | None:
    """`once.Do(mu.Unlock)` on a sync.Once: Do calls its argument in place (at most once), so a
    lock method value passed to it locks or unlocks right there, like `mu.Unlock()`."""
    fn = unparen(call.child_by_field_name("function"))
    args = call_args(call)
    if fn.type != "selector_expression" or text(fn.child_by_field_name("field")) != "Do" or len(args) != 1:
        return None
    value = unparen(args[0])
    operand = fn.child_by_field_name("operand")
    if value.type != "selector_expression" or operand is None or _sync_type(env.scope.type_of(operand), env) != "Once":
        return None
    spec = LOCK_METHODS.get(text(value.child_by_field_name("field")))
    mutex = value.child_by_field_name("operand")
    if spec is None or mutex is None or (env.not_mutex is not None and env.not_mutex(value)):
        return None
    return expr_key(mutex), spec[0], spec[1]


def _try_lock(call: Node, name: str, env: OpEnv) -> Op | None:
    """`mu.TryLock()`: whether it took the lock is known only where its result is tested (see
    cfg.try_successes); the dataflow acquires it on those edges, and nowhere else."""
    fn = unparen(call.child_by_field_name("function"))
    operand = fn.child_by_field_name("operand") if fn.type == "selector_expression" else None
    if operand is None or call_args(call) or (env.not_mutex is not None and env.not_mutex(fn)):
        return None
    return Op(OpKind.TRY_ACQUIRE, call, expr_key(operand), TRY_LOCK_METHODS[name], guard=_bound_to(call))


def _bound_to(value: Node) -> str:
    """`ok` for the value of `ok := v` or `ok = v`: the flag a TryLock's result is tested through, so
    that a later `if ok {` knows that its else-path did not take the lock (see LockState.assuming_false)."""
    values = value.parent
    binding = values.parent if values is not None and values.type == "expression_list" else None
    if binding is None or binding.type not in ("short_var_declaration", "assignment_statement"):
        return ""
    left = binding.child_by_field_name("left")
    if left is None or left.named_child_count != 1 or values.named_child_count != 1:
        return ""
    name = left.named_children[0]
    return text(name) if name.type == "identifier" else ""


def lock_call(call: Node) -> tuple[str, bool, bool] | None:
    """(mutex, acquire?, write?) for `x.Lock()`, `x.RUnlock()`, ...; None otherwise."""
    fn = call.child_by_field_name("function")
    if fn is None:
        return None
    fn = unparen(fn)
    if fn.type != "selector_expression":
        return None
    method = text(fn.child_by_field_name("field"))
    spec = LOCK_METHODS.get(method)
    if spec is None or call_args(call):
        return None
    parent = call.parent
    if parent is not None and parent.type not in ("expression_statement", "defer_statement", "go_statement"):
        return None  # a result is used: not sync's Lock (`unlock, err := fileMu.Lock()`)
    operand = fn.child_by_field_name("operand")
    if operand is None:
        return None
    parent = call.parent
    if parent is None or parent.type not in ("expression_statement", "defer_statement", "go_statement"):
        return None  # sync's lock methods return nothing; `unlock, err := m.Lock()` is another kind of lock
    return expr_key(operand), spec[0], spec[1]


def flag_guard(node: Node) -> str:
    """`flag` when `node` runs in the then-branch of `if flag {` (the innermost if around it)."""
    guard = guarding_condition(node)
    return guard if guard.isidentifier() else ""


def _select_operation(root: Node) -> Node | None:
    """The send or receive a select case waits on, when `root` is a case's communication.

    The select blocks as a whole, so its cases' own channel operations are not
    separate blocking operations. Decided once per CFG node, from the top: climbing
    from a deep expression would cost its depth at every step.
    """
    parent = root.parent
    if parent is None or parent.type != "communication_case":
        return None
    if root.type == "receive_statement":
        right = root.child_by_field_name("right")
        return unparen(right) if right is not None else None
    return root


def _post_order(root: Node):
    """Children before parents; function literal bodies are skipped."""
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            yield node
            continue
        stack.append((node, True))
        if node.type == "func_literal":
            continue
        if node.named_child_count:
            stack.extend((c, False) for c in reversed(node.named_children))


def _expression_ops(root: Node, env: OpEnv) -> list[Op]:
    ops: list[Op] = []
    add = ops.append
    in_select = _select_operation(root)
    for node in _post_order(root):
        kind = node.type
        if kind == "call_expression":
            lock = _mutex_call(node, env)
            if lock is not None:
                mutex, acquire, write = lock
                if acquire:
                    add(Op(OpKind.ACQUIRE, node, mutex, write, guard=flag_guard(node)))
                else:
                    add(Op(OpKind.RELEASE, node, mutex, write))
                continue
            how = panics.explicit_panic(node, env.log_names, env.extra_panickers)
            if how:
                add(Op(OpKind.PANIC, node, detail=how, reason=panics.EXPLICIT))
                continue
            qual, name = callee(node)
            if name in TRY_LOCK_METHODS:
                tried = _try_lock(node, name, env)
                if tried is not None:
                    add(tried)
            once = _once_do(node, env) if name == "Do" and env.sync_names else None
            if once is not None:
                mutex, acquire, write = once
                add(Op(OpKind.ACQUIRE if acquire else OpKind.RELEASE, node, mutex, write))
            if qual in env.time_names and name == "Sleep":
                add(Op(OpKind.BLOCK, node, detail=f"{qual}.Sleep()", reason="sleeps"))
            elif name == "Wait" and env.sync_names:
                wait = _sync_wait(node, env)
                if wait is not None:
                    add(wait)
            add(Op(OpKind.CALL, node, detail=f"{qual}.{name}" if qual else name))
        elif kind == "selector_expression" and text(node.child_by_field_name("field")) in _UNLOCK_METHODS:
            handoff = _handoff(node, env)
            if handoff is not None:
                add(handoff)
        elif kind == "index_expression":
            how = panics.index_panic(node, env.scope, env.imported, root)
            if how:
                add(Op(OpKind.PANIC, node, detail=how[0], reason=how[1]))
        elif kind == "slice_expression":
            how = panics.slice_panic(node, env.scope, env.imported)
            if how:
                add(Op(OpKind.PANIC, node, detail=how[0], reason=how[1]))
        elif kind == "type_assertion_expression":
            how = panics.assertion_panic(node)
            if how:
                add(Op(OpKind.PANIC, node, detail=how[0], reason=how[1]))
        elif kind == "binary_expression":
            op = text(node.child_by_field_name("operator"))
            right = node.child_by_field_name("right")
            if op in ("/", "%") and right is not None:
                how = panics.division_panic(node, right, node.child_by_field_name("left"), env.scope, env.imported)
                if how:
                    add(Op(OpKind.PANIC, node, detail=how[0], reason=how[1]))
        elif kind == "assignment_statement":
            op = text(node.child_by_field_name("operator"))
            right = node.child_by_field_name("right")
            left = node.child_by_field_name("left")
            if op in ("/=", "%=") and right is not None and right.named_child_count == 1:
                dividend = left.named_children[0] if left is not None and left.named_child_count else None
                how = panics.division_panic(node, right.named_children[0], dividend, env.scope, env.imported)
                if how:
                    add(Op(OpKind.PANIC, node, detail=how[0], reason=how[1]))
        elif kind == "unary_expression":
            op = text(node.child_by_field_name("operator"))
            if op == "*":
                how = panics.deref_panic(node)
                if how:
                    add(Op(OpKind.PANIC, node, detail=how[0], reason=how[1]))
            elif op == "<-" and node != in_select and not flag_received(node):  # see flagged.py
                add(Op(OpKind.BLOCK, node, detail=panics.short(node), reason="channel receive"))
        elif kind == "send_statement" and node != in_select and not _free(node, env):
            add(Op(OpKind.BLOCK, node, detail=panics.short(node), reason="channel send"))
        if kind in _BINDINGS:
            ops.extend(_flag_ops(node))
    return ops


_BINDINGS = frozenset({"assignment_statement", "short_var_declaration", "var_spec"})
_UNLOCK_METHODS = frozenset({"Unlock", "RUnlock"})


def _handoff(value: Node, env: OpEnv) -> Op | None:
    """`srv.NotifyStarted = mu.Unlock`, `f(mu.Unlock)`: a mutex's Unlock handed out as a value.

    Whoever gets it may unlock the mutex at any time, from any goroutine (sync.Mutex has no
    owner), as with a goroutine that takes over a lock: from here on this function holds none
    of its locks. Not a hand-off: a call (`mu.Unlock()`), a returned unlocker (summaries'
    `unlockers`), `once.Do(mu.Unlock)` (runs in place), and a local bound once and only
    called, in place or deferred (`unlock := mu.Unlock; ...; unlock()`)."""
    outer = value
    while outer.parent is not None and outer.parent.type == "parenthesized_expression":
        outer = outer.parent
    parent = outer.parent
    operand = value.child_by_field_name("operand")
    if parent is None or operand is None or (env.not_mutex is not None and env.not_mutex(value)):
        return None
    if parent.type == "call_expression" and parent.child_by_field_name("function") == outer:
        return None
    if parent.type == "argument_list" and parent.parent is not None and _once_do(parent.parent, env) is not None:
        return None
    if parent.type == "expression_list":
        statement = parent.parent
        if statement is not None and statement.type == "return_statement":
            return None
        if statement is not None and statement.type in _BINDINGS and env.stays is not None:
            left = statement.child_by_field_name("name" if statement.type == "var_spec" else "left")
            names = statement.children_by_field_name("name") if statement.type == "var_spec" else (
                left.named_children if left is not None else [])
            values = parent.named_children
            if len(names) == len(values):
                target = names[values.index(outer)] if outer in values else None
                if target is not None and target.type == "identifier" and env.stays(text(target)):
                    return None
    elif parent.type == "return_statement":
        return None
    return Op(OpKind.HANDOFF, value, expr_key(operand), text(value.child_by_field_name("field")) == "Unlock")


def _flag_ops(node: Node) -> list[Op]:
    """`locked = true`, `locked := false`, `var locked bool`: the value of a flag that may guard a
    deferred unlock (`defer func() { if locked { mu.Unlock() } }()`). Only boolean constants are
    followed; other assignments leave what is known of the flag as it was."""
    if node.type == "var_spec":
        value = node.child_by_field_name("value")
        pairs = list(zip(node.children_by_field_name("name"), value.named_children if value is not None else []))
        if value is None:
            return [Op(OpKind.CLEAR_FLAG, node, guard=text(n)) for n in node.children_by_field_name("name")]
    else:
        if node.type == "assignment_statement" and text(node.child_by_field_name("operator")) != "=":
            return []
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None or left.named_child_count != right.named_child_count:
            return []
        pairs = list(zip(left.named_children, right.named_children))
    out: list[Op] = []
    for name, value in pairs:
        value = unparen(value)
        if name.type == "identifier" and value.type in ("true", "false"):
            out.append(Op(OpKind.SET_FLAG if value.type == "true" else OpKind.CLEAR_FLAG, node, guard=text(name)))
    return out


def _sync_type(t: str, env: OpEnv) -> str:
    """"WaitGroup" for `sync.WaitGroup` / `*sync.WaitGroup` under any alias of "sync", ...; else ""."""
    t = env.scope.pkg.underlying(t.lstrip("*")).lstrip("*")
    qual, _, name = t.partition(".")
    return name if qual in env.sync_names else ""


def _sync_wait(call: Node, env: OpEnv) -> Op | None:
    """`wg.Wait()` on a sync.WaitGroup, `c.Wait()` on a sync.Cond (with the Cond's lock)."""
    fn = unparen(call.child_by_field_name("function"))
    operand = fn.child_by_field_name("operand") if fn.type == "selector_expression" else None
    if operand is None or call_args(call):
        return None
    detail = f"{expr_key(operand)}.Wait()"
    owner = env.scope.type_of(operand)
    kind = _sync_type(owner, env)
    if not kind and owner and _sync_type(env.scope.pkg.field_type(owner, "WaitGroup"), env) == "WaitGroup":
        kind = "WaitGroup"  # Wait promoted from an embedded sync.WaitGroup (missed before the audit)
    if kind == "WaitGroup":
        return Op(OpKind.BLOCK, call, detail=detail, reason=WAITGROUP_WAIT)
    type_of = env.scope.type_of
    if kind == "Cond" or (env.conds is not None and env.conds.knows(operand, type_of)):
        lock = env.conds.lock_of(operand, type_of) if env.conds is not None else ""
        return Op(OpKind.BLOCK, call, mutex=lock, detail=detail, reason=COND_WAIT)  # detail names the Cond
    return None


def _range_receive(node: Node, env: OpEnv) -> Op | None:
    """`for v := range ch` receives from `ch` on every iteration (when ch is known to be a channel)."""
    clause = node.parent
    if clause is None or clause.type != "range_clause" or clause.child_by_field_name("right") != node:
        return None
    over = env.scope.pkg.underlying(env.scope.type_of(node))
    if not over.startswith(("chan", "<-chan")) or over.startswith("chan<-"):
        return None
    return Op(OpKind.BLOCK, node, detail=f"range over {panics.short(node)}", reason=RANGE_CHANNEL)


def _deferred_ops(stmt: Node, env: OpEnv) -> list[Op]:
    call = next((c for c in stmt.named_children if c.type == "call_expression"), None)
    if call is None:
        return []
    ops: list[Op] = []
    fn = call.child_by_field_name("function")
    fn = unparen(fn) if fn is not None else None
    if fn is not None and fn.type == "call_expression":  # `defer s.lock()()`: s.lock() runs now
        ops.extend(_expression_ops(fn, env))
    args = call.child_by_field_name("arguments")
    if args is not None:  # arguments are evaluated now, the call runs at return
        ops.extend(_expression_ops(args, env))
    lock = _mutex_call(call, env) or (_once_do(call, env) if env.sync_names else None)
    if lock is not None:
        mutex, acquire, write = lock
        ops.append(Op(OpKind.DEFER_ACQUIRE if acquire else OpKind.DEFER_RELEASE, stmt, mutex, write))
        return ops
    if fn is not None and fn.type == "func_literal":
        # What the literal releases comes from its summary (see summaries.Summaries._defer_ops):
        # `defer func() { h.Lock(); n := h.n; h.Unlock() }()` releases nothing of the caller's.
        ops.append(Op(OpKind.DEFER_CALL, stmt, detail="func literal"))
        return ops
    qual, name = callee(call)
    ops.append(Op(OpKind.DEFER_CALL, stmt, detail=f"{qual}.{name}" if qual else name))
    return ops


def _free(send: Node, env: OpEnv) -> bool:
    """A send statement that finds a free slot in its channel's buffer (see slots.py, pools.py, oncesends.py
    and claims.py)."""
    return free_slot(send, env.pooled) or (env.once_slot is not None and env.once_slot(send)) or (
        env.claimed is not None and env.claimed(send))


def _ready_case(case: Node, env: OpEnv) -> bool:
    """A case that lets a select go on at once: `default:`, or a send into a free slot."""
    if case.type == "default_case":
        return True
    send = case.child_by_field_name("communication") if case.type == "communication_case" else None
    return send is not None and send.type == "send_statement" and _free(send, env)


def node_ops(node: Node, env: OpEnv) -> list[Op]:
    """The operations of one CFG node, in evaluation order."""
    kind = node.type
    if kind == "}":
        return [Op(OpKind.END, node)]
    if kind == "select":
        select = node.parent
        if select is not None and not any(_ready_case(c, env) for c in select.named_children):
            return [Op(OpKind.BLOCK, select, detail="select", reason="select without default")]
        return []
    if kind == "defer_statement":
        return _deferred_ops(node, env)
    if kind == "go_statement":
        call = next((c for c in node.named_children if c.type == "call_expression"), None)
        args = call.child_by_field_name("arguments") if call is not None else None
        ops = _expression_ops(args, env) if args is not None else []
        ops.append(Op(OpKind.GO, node))
        return ops
    ops = _expression_ops(node, env)
    receive = _range_receive(node, env)
    if receive is not None:
        ops.append(receive)
    if kind == "return_statement":
        ops.append(Op(OpKind.RETURN, node))
    return ops
