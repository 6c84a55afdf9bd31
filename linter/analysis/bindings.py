"""Local names bound once to a function value: `unlock := func() { mu.Unlock() }`, `f := s.helper`.

Calling such a name calls the value it was bound to, so a local lock helper
is seen through like the package function it stands for. A name counts only
when one declaration binds it and nothing assigns it again (in the body or in
any literal inside it); anything else may call another function each time.
The same test tells a flag that keeps its value (`doLock` in `if doLock {`)
from one that may change between two tests of it.
"""

from __future__ import annotations

from tree_sitter import Node

from linter.analysis.syntax import enclosing_function, text, unparen, walk_expr


def _declared(node: Node) -> list[tuple[Node, Node | None]]:
    """(name, value) pairs a declaration binds; value None when it has none."""
    if node.type == "short_var_declaration":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    elif node.type == "var_spec":
        names = node.children_by_field_name("name")
        right = node.child_by_field_name("value")
        values = right.named_children if right is not None else []
        return [(n, values[i] if len(values) == len(names) else None) for i, n in enumerate(names)]
    else:
        return []
    lefts = left.named_children if left is not None else []
    rights = right.named_children if right is not None else []
    if len(lefts) != len(rights):
        return [(n, None) for n in lefts]
    return list(zip(lefts, rights))


def single_binding(body: Node, name: str) -> Node | None:
    """The value `name` is bound to in `body`, when one declaration binds it and nothing rebinds it."""
    found: Node | None = None
    count = 0
    for node in walk_expr(body):  # declarations of the body itself, not of its literals
        for ident, value in _declared(node):
            if text(ident) == name:
                count += 1
                found = value
    if count != 1 or found is None or _rebound(body, name):
        return None
    return unparen(found)


def _rebound(body: Node, name: str) -> bool:
    """Whether `name` is assigned in `body` or a literal inside it, or its address is taken."""
    for node in walk_expr(body, into_literals=True):
        if node.type == "assignment_statement":
            left = node.child_by_field_name("left")
            if any(unparen(n).type == "identifier" and text(n) == name for n in (left.named_children if left else ())):
                return True
        elif node.type in ("inc_statement", "dec_statement"):
            if node.named_child_count and text(node.named_children[0]) == name:
                return True
        elif node.type == "unary_expression" and text(node.child_by_field_name("operator")) == "&":
            operand = node.child_by_field_name("operand")
            if operand is not None and text(unparen(operand)) == name:
                return True  # a pointer to it may change it
    return False


def unchanged(body: Node, name: str) -> bool:
    """Whether `name` keeps one value in `body`: declared at most once (a parameter, or one local,
    literals included, so no shadowing), never assigned, its address never taken."""
    declared = sum(
        1 for node in walk_expr(body, into_literals=True) for ident, _ in _declared(node) if text(ident) == name
    )
    return declared <= 1 and not _rebound(body, name)


def only_called(body: Node, name: str, declared: Node) -> bool:
    """Whether every use of `name` in `body` (outside its declaration `declared`) calls it in place:
    in the body itself (not in a literal, which may run anywhere), not under `go` or `defer`,
    never passed, stored or returned."""
    owner = body.parent
    for node in walk_expr(body, into_literals=True):
        if node.type != "identifier" or text(node) != name or node.parent is None:
            continue
        parent = node.parent
        if parent.id == declared.id or parent == declared.child_by_field_name("left"):
            continue  # the name being declared
        if parent.type != "call_expression" or parent.child_by_field_name("function") != node:
            return False
        if owner is None or enclosing_function(node) != owner:
            return False
        if parent.parent is not None and parent.parent.type in ("go_statement", "defer_statement"):
            return False
    return True
