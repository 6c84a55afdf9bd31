"""Channel sends that cannot block: the buffer is known to have a free slot.

A send blocks only when the channel's buffer is full (or it has none). Two shapes
are known, from the syntax of the function the send is written in alone (so the
answer depends on nothing else in the package):

1. A fresh channel just made: `f.done = make(chan T, k)` (or a local's `:=`) with
   a constant k >= 1, and on every path from there to the send, `f.done <- v`,
   nothing but statements with no call, no channel operation, no `go`, `defer`,
   function literal or label, and no assignment (one through an alias, `c.done = x`
   with `c == f`, may write a field chain; a local only by its name or through a
   pointer). Reached only through `if` conditions and the statements before it
   in its own and enclosing blocks, never out of a loop, a case or a literal. Until
   the send this goroutine performs no synchronising operation, so no other
   goroutine can have read the new channel without a data race, nor put another
   one in the field: the channel is empty, and the send finds its slot (nats.go's
   pubAckFuture.Ok).
2. A local made with a constant capacity k >= 1 that never leaves the function it
   is made in and the literals written there: its name is declared once in the
   outermost function and every other occurrence is a send on it (`ch <- v`), a
   receive from it (`<-ch`, `range ch`), within its scope. When the sends are at
   most k statements, none in a loop (or a literal bound to a name, which may be
   called many times, or under a `goto`) between it and the declaration, each
   runs at most once per made channel, so each finds a free slot whatever the
   receives do (a goroutine's one reply to a waiter that may have left). Its value
   may also be bound by one assignment `ch = v` after `var ch chan T`, a statement
   of the same block, before any other use; and it may be a channel taken from a
   sync.Pool whose channels all have k slots (`chv.(chan T)`, see pools.py: the
   value also goes back to the pool's Put, which by the pool's contract is done
   with it). (fasthttp client.go:907.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from tree_sitter import Node

from linter.analysis.syntax import expr_key, text, unparen

_FUNCTIONS = frozenset({"function_declaration", "method_declaration", "source_file"})
# what may not stand between a fresh channel's make and its send (shape 1)
_SYNCING = frozenset({
    "call_expression", "send_statement", "go_statement", "defer_statement", "func_literal", "labeled_statement",
    "goto_statement", "select_statement", "receive_statement", "for_statement",
})
_BINDING = frozenset({"assignment_statement", "short_var_declaration", "inc_statement", "dec_statement", "var_spec"})


def free_slot(send: Node, pooled: Callable[[Node], int] | None = None) -> bool:
    """Whether the send statement `send` finds a free slot in its channel's buffer (see the module);
    `pooled` gives the slots of a channel a value takes from a sync.Pool (see pools.py), 0 if unknown."""
    channel = send.child_by_field_name("channel")
    if channel is None:
        return False
    channel = unparen(channel)
    return just_made(send, channel) or (channel.type == "identifier" and _private(send, text(channel), pooled))


def capacity(value: Node | None) -> int:
    """k for `make(chan T, k)` with an integer literal k; 0 for anything else."""
    if value is None or value.type != "call_expression":
        return 0
    function, args = value.child_by_field_name("function"), value.child_by_field_name("arguments")
    if function is None or text(function) != "make" or args is None:
        return 0
    named = args.named_children
    if len(named) != 2 or named[0].type != "channel_type" or named[1].type != "int_literal":
        return 0
    digits = text(named[1]).replace("_", "")
    try:
        return int(digits, 0)
    except ValueError:
        return int(digits, 8) if digits.isdigit() else 0  # Go's old octal `010`


def makes_buffered(stmt: Node, key: str) -> bool:
    """`key = make(chan T, k)` or `key := make(chan T, k)` with k >= 1, one name, one value."""
    if stmt.type not in ("assignment_statement", "short_var_declaration"):
        return False
    if stmt.type == "assignment_statement" and text(stmt.child_by_field_name("operator")) != "=":
        return False
    left, right = stmt.child_by_field_name("left"), stmt.child_by_field_name("right")
    if left is None or right is None or left.named_child_count != 1 or right.named_child_count != 1:
        return False
    return expr_key(left.named_children[0]) == key and capacity(unparen(right.named_children[0])) >= 1


def _root(channel: Node) -> str:
    """The name a plain channel expression starts from (`f` in `f.a.done`); "" for any other expression."""
    node = channel
    while node.type == "selector_expression":
        operand = node.child_by_field_name("operand")
        if operand is None:
            return ""
        node = unparen(operand)
    return text(node) if node.type == "identifier" else ""


def quiet(node: Node, root: str, field: bool) -> bool:
    """Whether running `node` cannot sync with another goroutine nor change what the send's channel
    expression reads: its root name `root`, or, for a `field` chain, any memory at all (shape 1)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type in _SYNCING:
            return False
        if n.type == "unary_expression" and text(n.child_by_field_name("operator")) == "<-":
            return False
        if n.type in _BINDING and _rebinds(n, root, field):
            return False
        stack.extend(n.named_children)
    return True


def _rebinds(binding: Node, root: str, field: bool) -> bool:
    """Whether a binding may change the channel a send on `root` (or a field chain of it) reads. Any
    binding may write a field chain through an alias (`c := f; c.done = other`, `*p = T{}`, `v = T{}`
    with `f == &v`); a local only through its name or a pointer (`*p = other` with `p == &ch`)."""
    if field:
        return True
    return any(
        (i.type == "identifier" and text(i) == root) or (i.type == "unary_expression" and text(i).startswith("*"))
        for i in _names_in(binding)
    )


def _names_in(binding: Node) -> list[Node]:
    """What a binding statement writes through: every identifier and dereference on its left side."""
    if binding.type in ("inc_statement", "dec_statement"):
        sides = binding.named_children[:1]
    elif binding.type == "var_spec":
        sides = binding.children_by_field_name("name")
    else:
        left = binding.child_by_field_name("left")
        sides = [left] if left is not None else []
    out: list[Node] = []
    stack = list(sides)
    while stack:
        n = stack.pop()
        if n.type in ("identifier", "unary_expression"):
            out.append(n)
        stack.extend(n.named_children)
    return out


def just_made(send: Node, channel: Node) -> bool:
    """Shape 1: the statements before the send, back to the make of its channel, are all quiet."""
    root = _root(channel)
    if not root:
        return False
    key, field = expr_key(channel), channel.type != "identifier"
    value = send.child_by_field_name("value")
    if value is not None and not quiet(value, root, field):  # evaluated before the send
        return False
    current = send
    while True:
        sibling = current.prev_named_sibling
        while sibling is not None and sibling.type == "comment":
            sibling = sibling.prev_named_sibling
        if sibling is not None:
            if makes_buffered(sibling, key):
                return True
            if not quiet(sibling, root, field):
                return False
            current = sibling
            continue
        parent = current.parent
        if parent is None or parent.type != "statement_list":
            return False
        block = parent.parent
        outer = block.parent if block is not None and block.type == "block" else None
        if outer is None or outer.type != "if_statement":
            return False
        if block not in (outer.child_by_field_name("consequence"), outer.child_by_field_name("alternative")):
            return False
        for part in ("initializer", "condition"):
            found = outer.child_by_field_name(part)
            if found is not None and not quiet(found, root, field):
                return False
        while outer.parent is not None and outer.parent.type == "if_statement":  # `else if`: the outer conditions ran
            if outer != outer.parent.child_by_field_name("alternative"):
                return False
            outer = outer.parent
            for part in ("initializer", "condition"):
                found = outer.child_by_field_name(part)
                if found is not None and not quiet(found, root, field):
                    return False
        current = outer


def _private(send: Node, name: str, pooled: Callable[[Node], int] | None) -> bool:
    """Shape 2: `name` is a local made with k >= 1 slots (or taken from a sync.Pool whose channels have
    k, see pools.py) that never leaves its family, and at most k send statements on it, none of which
    can run twice for one made channel."""
    local = local_channel(send, name)
    if local is None or local.value is None:
        return False
    slots = capacity(local.value)
    if slots < 1 and pooled is not None:
        slots = pooled(local.value)
    return slots >= 1 and len(local.sends) <= slots and all(runs_once(s, local.scope) for s in local.sends)


@dataclass(frozen=True, slots=True)
class LocalChannel:
    """A local channel whose value never leaves the function it is declared in and that function's
    literals: every use of its name but the one binding is a send or a receive."""

    scope: Node  # the statement list it is declared in
    value: Node | None  # the one value it is bound to (its declaration's, or a later `ch = v` after `var ch T`)
    sends: tuple[Node, ...]  # send statements on it
    receives: tuple[Node, ...]  # `<-ch` expressions and `range ch` clauses


def local_channel(node: Node, name: str) -> LocalChannel | None:
    """The local `name` as seen from `node` inside its function, when it is such a channel; else None.

    Its name is declared once in the outermost function; every other occurrence, after the
    binding and within its scope, is a send or a receive. `var ch chan T` may be followed by one
    assignment `ch = v` in the same block, before any other use: that is its value (an earlier send
    on the nil channel would be a use before it, which is not allowed)."""
    top = node
    while top.parent is not None and top.type not in _FUNCTIONS:
        top = top.parent
    if top.type == "source_file":
        return None
    declared: Node | None = None  # the declaring identifier
    uses: list[Node] = []
    stack = [top]
    while stack:
        n = stack.pop()
        if n.type == "goto_statement":
            return None
        if n.type == "identifier" and text(n) == name:
            if declared is None and declares(n):
                declared = n
            else:
                uses.append(n)
        stack.extend(n.named_children)
    if declared is None:
        return None
    statement = declared.parent.parent if declared.parent.type == "expression_list" else declared.parent
    value = value_of(statement)
    whole = statement.parent if statement.type == "var_spec" else statement  # `var ch = ..` as a statement
    scope = whole.parent if whole is not None else None
    if scope is None or scope.type != "statement_list":
        return None  # not a statement of a block (`for ch := ..;;`, `var (..)`): its scope may repeat
    uses.sort(key=lambda n: n.start_byte)
    if statement.type == "var_spec" and statement.child_by_field_name("value") is None and uses:
        bound = _assigned(uses[0], scope)
        if bound is not None:
            whole, value, uses = bound, value_of(bound), uses[1:]
    sends, receives = [], []
    for use in uses:
        if not (use.start_byte >= whole.end_byte and use.end_byte <= scope.end_byte):
            return None  # outside its scope, or before it: another declaration's name
        parent = use.parent
        if parent.type == "send_statement" and parent.child_by_field_name("channel") == use:
            sends.append(parent)
        elif parent.type == "unary_expression" and text(parent.child_by_field_name("operator")) == "<-":
            receives.append(parent)
        elif parent.type == "range_clause" and parent.child_by_field_name("right") == use:
            receives.append(parent)
        else:
            return None
    return LocalChannel(scope, value, tuple(sends), tuple(receives))


def _assigned(use: Node, scope: Node) -> Node | None:
    """The statement `ch = v` of the block `scope` when `use` is its one name (one value)."""
    names = use.parent
    statement = names.parent if names.type == "expression_list" else None
    if statement is None or statement.type != "assignment_statement" or statement.parent != scope:
        return None
    if text(statement.child_by_field_name("operator")) != "=" or statement.child_by_field_name("left") != names:
        return None
    right = statement.child_by_field_name("right")
    return statement if names.named_child_count == 1 and right is not None and right.named_child_count == 1 else None


def declares(name: Node) -> bool:
    """`name := make(..)` or `var name = make(..)`, one name and one value (other declarations are uses,
    which make the local not private)."""
    parent = name.parent
    if parent.type == "var_spec":
        names = parent.children_by_field_name("name")
        return len(names) == 1 and names[0] == name
    statement = parent.parent if parent.type == "expression_list" else None
    return (
        statement is not None and statement.type == "short_var_declaration"
        and statement.child_by_field_name("left") == parent and parent.named_child_count == 1
    )


def value_of(statement: Node) -> Node | None:
    """The one value a declaration binds."""
    value = statement.child_by_field_name("value" if statement.type == "var_spec" else "right")
    if value is None or value.named_child_count != 1:
        return None
    return unparen(value.named_children[0])


def runs_once(send: Node, scope: Node) -> bool:
    """Whether `send` runs at most once each time `scope` runs: no loop between them, and only
    literals called where they stand (`go func() {..}()`), never one bound to a name."""
    node = send.parent
    while node is not None and node != scope:
        if node.type == "for_statement":
            return False
        if node.type == "func_literal":
            outer = node
            while outer.parent is not None and outer.parent.type == "parenthesized_expression":
                outer = outer.parent
            call = outer.parent
            if call is None or call.type != "call_expression" or call.child_by_field_name("function") != outer:
                return False
        node = node.parent
    return node == scope
