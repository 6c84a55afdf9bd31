"""Receives that cannot block: a flag set under a lock says the value was sent and is still there.

The shape (fasthttp's timeout race): a goroutine sends its one reply under a lock and sets a
flag right after, in the same critical section; the waiter's select takes either the reply or a
timeout, and in the timeout case, under the same lock, receives the reply only if the flag is set:

    go func() {                               select {
        mu.Lock()                             case v := <-ch:     // the other case
        if !timedOut {                        case <-timer.C:
            ch <- v                               mu.Lock()
            responded = true                      if responded {
        }                                             v := <-ch   // cannot block
        mu.Unlock()                               }
    }()                                           mu.Unlock()
                                              }

The receive `<-ch` cannot block when all of these hold (each read from the syntax of the
outermost function alone, so the answer depends on nothing else in the package):

- it is in the then-branch of `if flag {` (or of a condition `a && flag`), in a case of a select
  statement, and it and the select run at most once per made channel (see slots._once);
- `ch` is a local channel that never leaves the function and its literals (slots.local_channel):
  its value is a `make(..)`, or a sync.Pool's channel (pools.py) whose `Put`s run after the select
  (deferred, or later in a block around it), so no one else holds it meanwhile;
- every other receive on `ch` is in another case of that select: on this path it did not run;
- `flag` is a bool local declared once, false (no value, or `false`), in the block `ch` is declared
  in (a new flag for each new channel); its address is never taken, and it is set only by
  `flag = false` and by `flag = true` statements each of which comes right after a send on `ch`;
- a local mutex `mu` (declared once, used only as `mu.Lock()` and `mu.Unlock()` statements, each
  Unlock after a Lock in its own block, so a literal called in between never unlocks it) is held
  at the `if` and at each of those sends (a `mu.Lock()` earlier in a block around it, with no
  `mu.Unlock()` in between and no loop or literal crossed).

Then a true flag was written in the critical section of a send that completed, and it is read in
a later critical section of the same lock: the value is in the buffer (an unbuffered send could
not have completed, as no receive ran), since the only receives that could take it are the
select's other cases. A receive on a closed channel does not block either.
"""

from __future__ import annotations

from tree_sitter import Node

from linter.analysis.imports import SYNC, Imports
from linter.analysis.pools import pool_local
from linter.analysis.slots import LocalChannel, runs_once, local_channel
from linter.analysis.syntax import text, unparen

_FUNCTIONS = frozenset({"function_declaration", "method_declaration", "source_file"})
_THROUGH = frozenset({  # what a lock taken before may be climbed through to a statement it covers
    "block", "statement_list", "if_statement", "select_statement", "communication_case", "default_case",
    "expression_switch_statement", "type_switch_statement", "expression_case", "type_case",
})


def flag_received(receive: Node) -> bool:
    """Whether the receive expression `<-ch` finds its value (see the module)."""
    operand = receive.child_by_field_name("operand")
    operand = unparen(operand) if operand is not None else None
    if operand is None or operand.type != "identifier":
        return False
    guards, case = _guards(receive)
    if case is None or not guards:
        return False
    name = text(operand)
    local = local_channel(receive, name)
    if local is None or local.value is None or not runs_once(receive, local.scope):
        return False
    select = case.parent
    for other in local.receives:
        if other != receive and not _in_other_case(other, case):
            return False
    if not _settled(local, select):
        return False
    for flag, guard in guards:
        mutex = _held_mutex(guard)
        if mutex and _flag_after_sends(flag, local, name, mutex):
            return True
    return False


def _guards(receive: Node) -> tuple[list[tuple[str, Node]], Node | None]:
    """The flags the `if`s around `receive` require (`flag`, or a conjunct of `a && flag`), each with
    its `if`, up to the select case that holds them, and that case; no loop or literal crossed."""
    guards: list[tuple[str, Node]] = []
    child, node = receive, receive.parent
    while node is not None and node.type not in _FUNCTIONS:
        if node.type in ("for_statement", "func_literal"):
            return [], None
        if node.type == "communication_case":
            return guards, node if child != node.child_by_field_name("communication") else None
        if node.type == "if_statement" and node.child_by_field_name("consequence") == child:
            guards.extend((flag, node) for flag in _conjuncts(node.child_by_field_name("condition")))
        child, node = node, node.parent
    return [], None


def _conjuncts(condition: Node | None) -> list[str]:
    """The plain names a condition requires true: `flag`, each side of `a && b`."""
    if condition is None:
        return []
    condition = unparen(condition)
    if condition.type == "identifier":
        return [text(condition)]
    if condition.type == "binary_expression" and text(condition.child_by_field_name("operator")) == "&&":
        return _conjuncts(condition.child_by_field_name("left")) + _conjuncts(condition.child_by_field_name("right"))
    return []


def _in_other_case(other: Node, case: Node) -> bool:
    """Whether `other` is in a case of the select `case` belongs to, but not in `case`."""
    node = other.parent
    while node is not None and node.type not in _FUNCTIONS:
        if node.type == "communication_case" and node.parent == case.parent:
            return node != case
        node = node.parent
    return False


def _settled(local: LocalChannel, select: Node) -> bool:
    """The channel is a `make(..)`, or a pool's whose every Put runs after `select` (see the module)."""
    value = local.value
    if value is None:
        return False
    if value.type == "call_expression" and text(value.child_by_field_name("function")) == "make":
        return True
    operand = value.child_by_field_name("operand") if value.type == "type_assertion_expression" else None
    operand = unparen(operand) if operand is not None else None
    if operand is None or operand.type != "identifier":
        return False
    pooled = pool_local(value, text(operand))
    return pooled is not None and pooled.assertions == (value,) and all(_after(put, select) for put in pooled.puts)


def _after(put: Node, select: Node) -> bool:
    """`defer pool.Put(chv)` in the outermost function's body, or `pool.Put(chv)` as a statement of a
    block around `select`, after it: the Put runs once the select has run."""
    statement = put.parent
    if statement is None or statement.type not in ("expression_statement", "defer_statement"):
        return False
    if _literal_between(statement):
        return False
    if _literal_between(select):
        return False  # the outermost function may return (and Put) before a goroutine's select runs
    if statement.type == "defer_statement":
        return True
    node = select
    while node is not None and node.type not in _FUNCTIONS and node.type != "func_literal":
        if node.parent == statement.parent:
            return node.end_byte <= statement.start_byte
        node = node.parent
    return False


def _literal_between(node: Node) -> bool:
    """Whether a function literal holds `node` (it is not the outermost function's own statement)."""
    node = node.parent
    while node is not None and node.type not in _FUNCTIONS:
        if node.type == "func_literal":
            return True
        node = node.parent
    return False


def _flag_after_sends(flag: str, local: LocalChannel, name: str, mutex: str) -> bool:
    """`flag` is declared false in the channel's block, never has its address taken, and is set true
    only right after a send on the channel with `mutex` held (see the module)."""
    declared: Node | None = None
    uses: list[Node] = []
    top = local.scope
    while top.parent is not None and top.type not in _FUNCTIONS:
        top = top.parent
    stack = [top]
    while stack:
        n = stack.pop()
        if n.type == "identifier" and text(n) == flag:
            if n.parent.type in ("var_spec", "parameter_declaration", "variadic_parameter_declaration") \
                    or _declared_by(n):
                if declared is not None:
                    return False
                declared = n
            else:
                uses.append(n)
        stack.extend(n.named_children)
    if declared is None or not _false_declaration(declared, local.scope):
        return False
    statement = declared.parent
    for use in uses:
        if use.start_byte < statement.end_byte or use.end_byte > local.scope.end_byte:
            return False  # another declaration's name
        parent = use.parent
        if parent.type == "unary_expression" and text(parent.child_by_field_name("operator")) == "&":
            return False
        if parent.type in ("inc_statement", "dec_statement"):
            return False
        binding = parent.parent if parent.type == "expression_list" else None
        if binding is None or parent not in (binding.child_by_field_name("left"), binding.child_by_field_name("alias")):
            continue  # read (`if flag`, `f(flag)`, `x := flag`)
        right = binding.child_by_field_name("right")
        if binding.type != "assignment_statement" or text(binding.child_by_field_name("operator")) != "=" \
                or parent.named_child_count != 1 or right is None or right.named_child_count != 1:
            return False
        value = unparen(right.named_children[0])
        if value.type == "false":
            continue
        if value.type != "true" or not _right_after_send(binding, name, mutex):
            return False
    return True


def _declared_by(name: Node) -> bool:
    """`name` on the left of a `:=` (or in a range clause's `:=`)."""
    names = name.parent
    binding = names.parent if names.type == "expression_list" else None
    return binding is not None and binding.type in ("short_var_declaration", "range_clause") \
        and binding.child_by_field_name("left") == names


def _false_declaration(name: Node, scope: Node) -> bool:
    """`var a, flag bool` or `var flag = false` or `flag := false`, a statement of `scope`."""
    spec = name.parent
    if spec.type == "var_spec":
        outer = spec.parent
        if outer is None or outer.type != "var_declaration" or outer.parent != scope:
            return False
        value = spec.child_by_field_name("value")
        if value is None:
            return text(spec.child_by_field_name("type")) == "bool"
        names = spec.children_by_field_name("name")
        return len(names) == 1 and value.named_child_count == 1 and unparen(value.named_children[0]).type == "false"
    statement = spec.parent
    if statement is None or statement.type != "short_var_declaration" or statement.parent != scope:
        return False
    right = statement.child_by_field_name("right")
    return spec.named_child_count == 1 and right is not None and right.named_child_count == 1 \
        and unparen(right.named_children[0]).type == "false"


def _right_after_send(binding: Node, name: str, mutex: str) -> bool:
    """The statement before `binding` in its block is a send on `name`, made with `mutex` held."""
    before = binding.prev_named_sibling
    while before is not None and before.type == "comment":
        before = before.prev_named_sibling
    if before is None or before.type != "send_statement":
        return False
    channel = before.child_by_field_name("channel")
    if channel is None or unparen(channel).type != "identifier" or text(unparen(channel)) != name:
        return False
    return _held_mutex(before) == mutex


def _held_mutex(node: Node) -> str:
    """The local mutex (see the module) a `mu.Lock()` earlier in a block around `node` holds there, with
    no `mu.Unlock()` in between; "" when there is none."""
    unlocked: set[str] = set()
    child, parent = node, node.parent
    while parent is not None and parent.type in _THROUGH:
        if parent.type == "statement_list":
            sibling = child.prev_named_sibling
            while sibling is not None:
                lock = _lock_statement(sibling)
                if lock is not None and lock[1] == "Lock" and lock[0] not in unlocked:
                    return lock[0] if _local_mutex(sibling, lock[0]) else ""
                unlocked.update(_unlocks_in(sibling))
                sibling = sibling.prev_named_sibling
        child, parent = parent, parent.parent
    return ""


def _lock_statement(statement: Node, deferred: bool = False) -> tuple[str, str] | None:
    """(mu, method) for the statement `mu.Lock()` or `mu.Unlock()` (with `deferred`, also
    `defer mu.Unlock()`), mu a plain name."""
    kinds = ("expression_statement", "defer_statement") if deferred else ("expression_statement",)
    call = statement.named_children[0] if statement.type in kinds and statement.named_child_count else None
    fn = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    args = call.child_by_field_name("arguments") if fn is not None else None
    if fn is None or fn.type != "selector_expression" or args is None or args.named_child_count:
        return None
    operand, method = fn.child_by_field_name("operand"), text(fn.child_by_field_name("field"))
    if operand is None or operand.type != "identifier" or method not in ("Lock", "Unlock"):
        return None
    if statement.type == "defer_statement" and method != "Unlock":
        return None
    return text(operand), method


def _unlocks_in(statement: Node) -> set[str]:
    """The names `mu.Unlock()` statements in `statement` (its literals aside) unlock."""
    found: set[str] = set()
    stack = [statement]
    while stack:
        n = stack.pop()
        if n.type == "func_literal":
            continue
        lock = _lock_statement(n)
        if lock is not None and lock[1] == "Unlock":
            found.add(lock[0])
        stack.extend(n.named_children)
    return found


def _local_mutex(node: Node, name: str) -> bool:
    """`name` is declared once in the outermost function around `node` as `var name sync.Mutex`, and is
    otherwise only used in `name.Lock()`, `name.Unlock()` and `defer name.Unlock()` statements, each
    Unlock after a Lock in its own block: it never leaves, and no literal unlocks a lock it did not
    take (a `defer` unlocks only when its own function returns)."""
    top = node
    while top.parent is not None and top.type not in _FUNCTIONS:
        top = top.parent
    if top.type == "source_file":
        return False
    declared = 0
    stack = [top]
    while stack:
        n = stack.pop()
        stack.extend(n.named_children)
        if n.type != "identifier" or text(n) != name:
            continue
        spec = n.parent
        if spec.type == "var_spec":
            kind = spec.child_by_field_name("type")
            if len(spec.children_by_field_name("name")) != 1 or spec.child_by_field_name("value") is not None \
                    or not _sync_mutex(kind, top):
                return False
            declared += 1
            continue
        call = spec.parent
        statement = call.parent if call is not None else None
        lock = _lock_statement(statement, deferred=True) if statement is not None else None
        if lock is None or statement.named_children[0] != call or spec.child_by_field_name("operand") != n:
            return False
        if lock[1] == "Unlock" and not _after_lock(statement, name):
            return False
    return declared == 1


def _sync_mutex(kind: Node | None, top: Node) -> bool:
    """Whether the type `kind` is sync.Mutex under the name the file imports sync by."""
    if kind is None or kind.type != "qualified_type" or text(kind.child_by_field_name("name")) != "Mutex":
        return False
    root = top
    while root.parent is not None:
        root = root.parent
    return text(kind.child_by_field_name("package")) in Imports.from_root(root).of(SYNC)


def _after_lock(unlock: Node, name: str) -> bool:
    """An earlier statement of the block `unlock` is in is `name.Lock()`."""
    sibling = unlock.prev_named_sibling
    while sibling is not None:
        lock = _lock_statement(sibling)
        if lock is not None and lock[0] == name:
            return lock[1] == "Lock"
        sibling = sibling.prev_named_sibling
    return False
