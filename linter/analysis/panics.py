"""Can this expression panic? One question per expression kind.

Each classifier returns (what, why): the expression as written, shortened,
and the runtime error it can raise; or None when it cannot panic (or
lockjaw can tell it is safe).
"""

from __future__ import annotations

from tree_sitter import Node

from linter.analysis.syntax import callee, expr_key, text, unparen
from linter.analysis.types import Scope

Panic = tuple[str, str] | None
EXPLICIT = "explicit panic"


def short(node: Node, limit: int = 40) -> str:
    s = " ".join(text(node).split())
    return s if len(s) <= limit else s[: limit - 3] + "..."


def explicit_panic(call: Node, log_names: frozenset[str], extra_panickers: frozenset[str] = frozenset()) -> str:
    """`panic(..)`, `log.Panicf(..)`, `regexp.MustCompile(..)`, `template.Must(..)`."""
    qual, name = callee(call)
    if not qual and name == "panic":
        return "panic()"
    if qual in log_names and name.startswith("Panic"):
        return f"{qual}.{name}()"
    if name.startswith("Must") and (len(name) == 4 or name[4].isupper()):
        return f"{qual + '.' if qual else ''}{name}()"
    full = f"{qual}.{name}" if qual else name
    if full in extra_panickers or name in extra_panickers:
        return f"{full}()"
    return ""


def _ranged_by_key(start: Node, operand: Node, index: Node, bound: str = "") -> bool:
    """`for i := range xs { xs[i] }` and `for i := 0; i < len(xs); i++ { xs[i] }` cannot go out of range.

    `bound` is an array's declared length: `for i := 0; i < N; i++ { arr[i] }` is safe too.
    Loops are looked for from `start` up. Each `Node.parent` costs the node's depth
    in tree-sitter, so callers start from the statement, not from a deep expression.
    """
    index = unparen(index)
    if index.type != "identifier":
        return False
    key, target = text(index), expr_key(operand)
    conditions = {f"{key}<len({target})", f"len({target})>{key}"}
    if bound:
        conditions |= {f"{key}<{bound}", f"{bound}>{key}"}
    node = start.parent
    while node is not None and node.type not in ("func_literal", "function_declaration", "method_declaration"):
        if node.type == "for_statement":
            for clause in node.named_children:
                if clause.type == "range_clause":
                    left = clause.child_by_field_name("left")
                    right = clause.child_by_field_name("right")
                    names = [text(n) for n in left.named_children] if left is not None else []
                    if names and names[0] == key and right is not None and expr_key(right) == target:
                        return True
                elif clause.type == "for_clause":
                    cond = clause.child_by_field_name("condition")
                    if cond is not None and "".join(text(cond).split()) in conditions:
                        return True
        node = node.parent
    return False


def _is_array(t: str) -> bool:
    return t.startswith("[") and not t.startswith("[]")


def _array_length(t: str) -> str:
    return t[1 : t.index("]")] if _is_array(t) and "]" in t else ""


def index_panic(node: Node, scope: Scope, imported: frozenset[str], statement: Node | None = None) -> Panic:
    """`statement`: the CFG node holding `node`, if known (see _ranged_by_key)."""
    parent = node.parent
    if parent is not None and parent.type == "call_expression" and parent.child_by_field_name("function") == node:
        return None  # a generic instantiation f[T](...)
    operand = node.child_by_field_name("operand")
    index = node.child_by_field_name("index")
    if operand is None or index is None:
        return None
    if comma_ok(node) or scope.is_map(operand):
        return None  # only maps have a comma-ok index form
    operand_type = scope.pkg.underlying(scope.type_of(operand))
    if _ranged_by_key(statement or node, operand, index, _array_length(operand_type)):
        return None
    if _is_array(operand_type) and scope.is_constant(index, imported):
        return None  # the compiler checks constant indexes into arrays
    return short(node), "index out of range"


def _range_key_bound(node: Node, operand: Node, bound: Node) -> bool:
    """`xs[:i]`, `xs[i+1:]` with i a range key over xs (or bounded by len(xs))."""
    bound = unparen(bound)
    if bound.type == "binary_expression" and text(bound.child_by_field_name("operator")) == "+":
        right = bound.child_by_field_name("right")
        if right is None or text(right) != "1":
            return False
        bound = bound.child_by_field_name("left")
    return bound is not None and _ranged_by_key(node, operand, bound)


def slice_panic(node: Node, scope: Scope, imported: frozenset[str]) -> Panic:
    operand = node.child_by_field_name("operand")
    bounds = [node.child_by_field_name(f) for f in ("start", "end", "capacity")]
    present = [b for b in bounds if b is not None]
    if all(text(b) == "0" for b in present) and bounds[2] is None:
        return None  # x[:], x[0:], x[:0] never go out of range
    if operand is not None:
        if _is_array(scope.pkg.underlying(scope.type_of(operand))) and all(
            scope.is_constant(b, imported) for b in present
        ):
            return None  # the compiler checks constant bounds on arrays
        if present and all(_range_key_bound(node, operand, b) for b in present):
            return None
    return short(node), "slice bounds out of range"


def comma_ok(node: Node) -> bool:
    """`v, ok := x.(T)` or `v, ok := m[k]`: the form that reports failure instead of panicking."""
    parent = node.parent
    if parent is None or parent.type != "expression_list" or parent.named_child_count != 1:
        return False
    holder = parent.parent
    if holder is None or holder.type not in ("short_var_declaration", "assignment_statement", "var_spec"):
        return False
    if holder.type == "var_spec":
        lefts = holder.children_by_field_name("name")
    else:
        left = holder.child_by_field_name("left")
        lefts = left.named_children if left is not None else []
    return len(lefts) == 2


def assertion_panic(node: Node) -> Panic:
    """Single-value type assertions panic on a mismatch; `v, ok := x.(T)` does not."""
    if comma_ok(node):
        return None
    return short(node), "failed type assertion"


def division_panic(node: Node, divisor: Node, dividend: Node | None, scope: Scope, imported: frozenset[str]) -> Panic:
    if scope.is_constant(divisor, imported):
        return None
    if scope.is_float(divisor) or (dividend is not None and scope.is_float(dividend)):
        return None
    return short(node), "integer divide by zero"


def deref_panic(node: Node) -> Panic:
    parent = node.parent
    if parent is not None and parent.type == "parenthesized_expression":
        holder = parent.parent
        if holder is not None and holder.type == "call_expression" and holder.child_by_field_name("function") == parent:
            return None  # `(*T)(x)` is a conversion, not a dereference
    return short(node), "nil pointer dereference"
