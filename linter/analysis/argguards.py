"""Boolean parameters that guard a statement, so a call passing constants can rule it out.

`func (c *client) allowed(s string, hasLock bool) { if !hasLock { c.mu.Lock() } ... }`
takes `c.mu` only when `hasLock` is false: the statement's guard is
{(1, False)}. A call `c.allowed(s, true)` contradicts it, so the lock is
not taken on that call. A guard is a set of (parameter position, value)
that all hold whenever the statement runs; only `p`, `!p` and `&&` of
them are read, and only for `bool` parameters the function never assigns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

from linter.analysis.lockrefs import rebound_keys
from linter.analysis.syntax import call_args, text, unparen

if TYPE_CHECKING:
    from linter.analysis.functions import Function

Guard = frozenset[tuple[int, bool]]
NONE: Guard = frozenset()


def bool_params(fn: "Function") -> dict[str, int]:
    """Position of each `bool` parameter that `fn` never assigns; none for a variadic function,
    whose arguments need not line up with its parameters."""
    params = fn.node.child_by_field_name("parameters")
    if params is None:
        return {}
    rebound = rebound_keys(fn.body)
    out: dict[str, int] = {}
    position = 0
    for decl in params.named_children:
        if decl.type == "variadic_parameter_declaration":
            return {}
        if decl.type != "parameter_declaration":
            continue
        names = decl.children_by_field_name("name")
        is_bool = text(decl.child_by_field_name("type")) == "bool"
        for name in names:
            if is_bool and text(name) not in rebound:
                out[text(name)] = position
            position += 1
        position += not names  # an unnamed parameter still takes a position
    return out


def arity(fn: "Function") -> int:
    """How many arguments a call of `fn` passes (a method expression `T.m(recv, ...)` passes one more)."""
    params = fn.node.child_by_field_name("parameters")
    if params is None:
        return 0
    return sum(max(1, len(d.children_by_field_name("name"))) for d in params.named_children
               if d.type in ("parameter_declaration", "variadic_parameter_declaration"))


def _atom(expr: Node, params: dict[str, int]) -> tuple[int, bool] | None:
    """(position, value) when `expr` is `p` or `!p` for a guarding parameter p."""
    expr = unparen(expr)
    value = True
    while expr.type == "unary_expression" and text(expr.child_by_field_name("operator")) == "!":
        operand = expr.child_by_field_name("operand")
        if operand is None:
            return None
        expr, value = unparen(operand), not value
    if expr.type == "identifier" and text(expr) in params:
        return params[text(expr)], value
    return None


def _conjuncts(expr: Node) -> list[Node]:
    expr = unparen(expr)
    if expr.type == "binary_expression" and text(expr.child_by_field_name("operator")) == "&&":
        left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
        if left is not None and right is not None:
            return _conjuncts(left) + _conjuncts(right)
    return [expr]


def guard_of(fn: "Function", node: Node, params: dict[str, int]) -> Guard:
    """What the enclosing `if`s of `node` (inside `fn`'s own body) say about `fn`'s bool parameters."""
    if not params or fn.body is None:
        return NONE
    out: set[tuple[int, bool]] = set()
    child, parent = node, node.parent
    while parent is not None and parent.id != fn.body.id:
        if parent.type == "if_statement":
            cond = parent.child_by_field_name("condition")
            if cond is not None:
                if parent.child_by_field_name("consequence") == child:
                    out.update(a for a in (_atom(c, params) for c in _conjuncts(cond)) if a is not None)
                elif parent.child_by_field_name("alternative") == child:
                    atom = _atom(cond, params)
                    if atom is not None:
                        out.add((atom[0], not atom[1]))
        elif parent.type in ("func_literal", "function_declaration", "method_declaration"):
            break
        child, parent = parent, parent.parent
    return frozenset(out)


def _constant(arg: Node) -> bool | None:
    arg = unparen(arg)
    return {"true": True, "false": False}.get(arg.type)


def ruled_out(call: Node, callee: "Function", guard: Guard) -> bool:
    """Whether a constant argument of `call` contradicts the callee's `guard`."""
    if not guard:
        return False
    args = call_args(call)
    if len(args) != arity(callee):
        return False  # a method expression, or arguments spread from a call: positions do not line up
    for position, value in guard:
        if position < len(args) and _constant(args[position]) is (not value):
            return True
    return False


def forward(call: Node, guard: Guard, params: dict[str, int]) -> Guard:
    """The callee's `guard` in the caller's terms, where an argument is one of the caller's parameters."""
    if not guard or not params:
        return NONE
    args = call_args(call)
    out: set[tuple[int, bool]] = set()
    for position, value in guard:
        arg = unparen(args[position]) if position < len(args) else None
        if arg is not None and arg.type == "identifier" and text(arg) in params:
            out.add((params[text(arg)], value))
    return frozenset(out)
