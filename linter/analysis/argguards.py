"""Boolean parameters that guard a statement, so a call passing constants can rule it out.

`func (c *client) allowed(s string, hasLock bool) { if !hasLock { c.mu.Lock() } ... }`
takes `c.mu` only when `hasLock` is false: the statement's guard is
{(1, False)}. A call `c.allowed(s, true)` contradicts it, so the lock is
not taken on that call. A guard is a set of (parameter position, value)
that all hold whenever the statement runs; only `p`, `!p` and `&&` of
them are read, and only for `bool` parameters the function never assigns.

The same guard read the other way makes a lock certain: `func (r *R) match(k
string, doLock bool) { if doLock { r.mu.RLock() } ... }` takes r.mu on every
path on which doLock is true, so `r.match(k, true)` takes it for sure. Such a
take's `must_if` is its guard, or one parameter's value for a take no `if` of
the parameter encloses (`if locked { return }; mu.Lock()`); a call whose arguments (constants, or the
caller's own parameters under the caller's assumption) make every part of it
true takes the lock on every path (`implied`). The paths are those of the
callee's graph whose branch conditions the assumption does not contradict
(`feasible`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

from linter.analysis.lockrefs import rebound_keys
from linter.analysis.syntax import call_args, text, unparen, walk_expr

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
    return _steady(fn.body, out) if out and fn.body is not None else out


_DECLARES = frozenset({"short_var_declaration", "range_clause", "assignment_statement", "receive_statement"})


def _steady(body: Node, params: dict[str, int]) -> dict[str, int]:
    """`params` less those whose name may stand for another value somewhere in the body: assigned
    inside a literal, declared again in an inner scope (a literal's parameter too), or whose address
    is taken (assigned through the pointer)."""
    touched: set[str] = set()
    for node in walk_expr(body, into_literals=True):
        kind = node.type
        if kind in _DECLARES:
            left = node.child_by_field_name("left")
            touched.update(text(n) for n in (left.named_children if left is not None else ()) if n.type == "identifier")
        elif kind in ("var_spec", "parameter_declaration"):
            touched.update(text(n) for n in node.children_by_field_name("name"))
        elif kind == "unary_expression" and text(node.child_by_field_name("operator")) == "&":
            operand = node.child_by_field_name("operand")
            if operand is not None and unparen(operand).type == "identifier":
                touched.add(text(unparen(operand)))
    return {name: position for name, position in params.items() if name not in touched}


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


def _value(arg: Node, params: dict[str, int], assume: Guard) -> bool | None:
    """What `arg` evaluates to: a constant, or `p`/`!p` for a parameter the assumption fixes."""
    constant = _constant(arg)
    if constant is not None:
        return constant
    atom = _atom(arg, params) if assume else None
    if atom is None:
        return None
    if (atom[0], True) in assume and (atom[0], False) not in assume:
        return atom[1]
    if (atom[0], False) in assume and (atom[0], True) not in assume:
        return not atom[1]
    return None


def implied(call: Node, callee: "Function", must_if: Guard, params: dict[str, int] | None = None,
            assume: Guard = NONE) -> bool:
    """Whether `call`'s arguments make every part of the callee's `must_if` true: constants, or
    parameters of the caller (`params`) whose value the caller's assumption `assume` fixes."""
    if not must_if:
        return False
    args = call_args(call)
    if len(args) != arity(callee):
        return False  # a method expression, or arguments spread from a call: positions do not line up
    return all(position < len(args) and _value(args[position], params or {}, assume) is value
               for position, value in must_if)


def feasible(condition: Node, outcome: bool, params: dict[str, int], assume: Guard) -> bool:
    """Whether a branch on `condition` can go the `outcome` way when the parameters have the values
    `assume` gives them: a true `&&` needs each of its parts true, a false one needs one of them false."""
    values = [_value(c, params, assume) for c in _conjuncts(condition)]
    if outcome:
        return all(v is not False for v in values)
    return not all(v is True for v in values)


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
        atom = _atom(args[position], params) if position < len(args) else None
        if atom is not None:  # the argument is `p` (p == value) or `!p` (p != value)
            out.add((atom[0], value == atom[1]))
    return frozenset(out)
