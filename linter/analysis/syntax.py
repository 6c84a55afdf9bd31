"""Small, iterative helpers over tree-sitter-go nodes.

Nothing here recurses on the tree, so files nested thousands deep are safe.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

FUNCTION_KINDS = frozenset({"function_declaration", "method_declaration", "func_literal"})


def text(node: Node | None) -> str:
    if node is None:
        return ""
    raw = node.text
    return raw.decode("utf-8", "replace") if raw is not None else ""


# Node types that hold no statement, declaration or clause except inside a function literal (in Go
# only a literal puts statements in an expression): a walk looking for those need not enter them.
HOLDS_NO_STATEMENT = frozenset({
    "expression_list", "call_expression", "argument_list", "selector_expression", "index_expression",
    "slice_expression", "binary_expression", "unary_expression", "parenthesized_expression",
    "type_assertion_expression", "composite_literal", "literal_value", "keyed_element", "literal_element",
    "expression_statement", "assignment_statement", "return_statement", "go_statement", "defer_statement",
    "send_statement", "inc_statement", "dec_statement", "var_spec", "const_spec",
})


def unparen(node: Node) -> Node:
    """Strip redundant parentheses: `(s.mu)` is `s.mu`."""
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def loop_condition(loop: Node) -> Node | None:
    """The condition of a `for` statement: its clause's, or the expression of a bare `for cond {`,
    which tree-sitter-go gives no field name (so `child_by_field_name("condition")` misses it);
    None for `for {` and a range."""
    for child in loop.named_children:
        if child.type == "for_clause":
            return child.child_by_field_name("condition")
        if child.type == "range_clause":
            return None
    body = loop.child_by_field_name("body")
    return next((c for c in loop.named_children if c != body and c.type != "comment"), None)


def expr_key(node: Node) -> str:
    """A mutex or operand as written, without spaces, parentheses or a leading `&`."""
    node = unparen(node)
    if node.type == "unary_expression" and text(node.child_by_field_name("operator")) == "&":
        node = unparen(node.child_by_field_name("operand"))
    return "".join(text(node).split()).replace("(", "").replace(")", "")


def walk_expr(root: Node, *, into_literals: bool = False) -> Iterator[Node]:
    """Pre-order walk of `root` in source order; function literal bodies are skipped.

    A function literal that is only defined is not executed where it stands,
    so its body belongs to another function's analysis.
    """
    stack = [root]
    pop, extend = stack.pop, stack.extend
    while stack:
        node = pop()
        yield node
        if node.type == "func_literal" and not into_literals and node is not root:
            continue
        if node.child_count:
            extend(reversed(node.children))


def callee(call: Node) -> tuple[str, str]:
    """(qualifier, name) of a call: `log.Panicf(...)` -> ("log", "Panicf"), `f()` -> ("", "f")."""
    fn = call.child_by_field_name("function")
    if fn is None:
        return "", ""
    fn = unparen(fn)
    if fn.type == "identifier":
        return "", text(fn)
    if fn.type == "selector_expression":
        operand = fn.child_by_field_name("operand")
        return expr_key(operand) if operand is not None else "", text(fn.child_by_field_name("field"))
    if fn.type == "generic_type" or fn.type == "index_expression":
        # f[T](...) instantiations
        inner = fn.named_children[0] if fn.named_child_count else None
        if inner is not None and inner.type == "identifier":
            return "", text(inner)
    return "", ""


def call_args(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    return [a for a in args.named_children if a.type != "comment"] if args is not None else []


def within(node: Node, outer: Node) -> bool:
    """Whether `node` lies inside `outer` (or is it), by bytes."""
    return outer.start_byte <= node.start_byte and node.end_byte <= outer.end_byte


def in_literal(node: Node, body: Node) -> bool:
    """Whether `node` lies in a function literal inside `body` rather than in `body` itself."""
    parent = node.parent
    while parent is not None and parent != body:
        if parent.type == "func_literal":
            return True
        parent = parent.parent
    return False


def enclosing_function(node: Node) -> Node | None:
    parent = node.parent
    while parent is not None and parent.type not in FUNCTION_KINDS:
        parent = parent.parent
    return parent


def guarding_condition(node: Node) -> str:
    """The condition of the innermost `if` whose then-branch holds `node`, without spaces; "" if none.

    Two statements under the same condition text run together (when nothing
    in between changes it), which is how a lock taken under `if locked {` is
    matched to its unlock under another `if locked {`.
    """
    child, parent = node, node.parent
    while parent is not None and parent.type not in FUNCTION_KINDS:
        if parent.type == "if_statement" and parent.child_by_field_name("consequence") == child:
            return "".join(text(parent.child_by_field_name("condition")).split())
        child, parent = parent, parent.parent
    return ""
