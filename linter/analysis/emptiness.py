"""Locks taken only in a loop over a collection, and calls on a value whose collection is surely empty.

`for _, s := range t.streams { s.mu.Lock() }` takes a stream's lock only if
`t.streams` is non-empty when the loop starts. When that is still the value
the function was entered with (nothing mentions `t` before the loop), the
take carries the guard "t.streams is non-empty", named as a caller can
translate it (a LockRef on the receiver or a parameter). A caller that makes
the call on a fresh composite literal omitting the field (`t := &T{};
t.delete()`), with `t` mentioned nowhere in between, rules the take out.

Soundness rests on no one else holding the value: the local is declared
once, never assigned nor addressed, and every other mention of it (literals
included) comes after the call, which no loop repeats unless the loop also
declares the local afresh; a function with a `goto` is not read at all.
Only slices and maps count: a zero array has elements.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tree_sitter import Node

from linter.analysis.calls import base_type
from linter.analysis.lockrefs import LockRef, map_ref, split_key
from linter.analysis.syntax import call_args, expr_key, text, unparen, within

if TYPE_CHECKING:
    from linter.analysis.functions import Function
    from linter.analysis.package import Package

# (the collection as callers name it, the field's package-wide identity or None for a bare parameter)
Guard = frozenset[tuple[LockRef, str | None]]
NONE: Guard = frozenset()


def _collection(t: str) -> bool:
    return t.startswith(("[]", "map["))


def _root(expr: Node) -> Node:
    """The identifier a path expression starts with (`t` in `t.streams`)."""
    expr = unparen(expr)
    while expr.type == "selector_expression":
        operand = expr.child_by_field_name("operand")
        if operand is None:
            break
        expr = unparen(operand)
    return expr


def _guard_item(pkg: "Package", fn: "Function", key: str) -> tuple[LockRef, str | None] | None:
    """`key` (`t.streams`, `items`) as a caller can name it: the receiver's or a parameter's
    own field, or a parameter itself; None for anything else."""
    ref = pkg.lock_ref(fn, key)
    if ref is None or ref.base not in ("recv", "param") or ref.path.count(".") > 1:
        return None
    if not ref.path:
        return ref, None
    ident = pkg.lock_identity(fn, key)
    return (ref, ident) if ident is not None else None


def _in_body(node: Node, loop: Node) -> bool:
    body = loop.child_by_field_name("body")
    return body is not None and within(node, body)


def _untouched(fn: "Function", name: str, point: Node, allowed: Node | None, decl: Node | None,
               stmt: Node | None = None) -> bool:
    """Whether `name` holds at `point` the value it got at `decl` (or on entry, for a parameter):
    nothing mentions it before `point` nor inside it but `allowed`, and no loop of `fn` runs
    `stmt` (the statement `point` is evaluated by; `point` itself by default) again unless its
    body declares the local afresh."""
    body = fn.body
    if body is None or b"goto" in fn.file.data[body.start_byte : body.end_byte]:
        return False
    node = (stmt or point).parent
    if node is not None and node.type in ("defer_statement", "go_statement"):
        return False  # runs later (or elsewhere), after what follows it
    while node is not None and node.id != body.id:
        if node.type == "func_literal":
            return False
        if node.type == "for_statement" and (decl is None or not _in_body(decl, node)):
            return False
        node = node.parent
    data, root = fn.file.data, fn.file.root
    for m in re.finditer(rb"\b" + re.escape(name.encode()) + rb"\b", data[body.start_byte : body.end_byte]):
        start = body.start_byte + m.start()
        ident = root.descendant_for_byte_range(start, start + len(m.group()))
        if ident is None or ident.type != "identifier":
            continue
        if decl is not None and decl.start_byte <= start < decl.end_byte:
            continue
        if allowed is not None and ident.id == allowed.id:
            continue
        if start < point.end_byte:
            return False
    return True


def loop_guard(pkg: "Package", fn: "Function", node: Node) -> Guard:
    """The collections `node` runs only when non-empty: the `range` loops of `fn` around it over
    its receiver's or a parameter's field (or a parameter), each still as `fn` was entered."""
    body = fn.body
    if body is None:
        return NONE
    out: set[tuple[LockRef, str | None]] = set()
    child, parent = node, node.parent
    while parent is not None and parent.id != body.id:
        if parent.type == "func_literal":
            break
        if parent.type == "for_statement" and parent.child_by_field_name("body") == child:
            clause = next((c for c in parent.named_children if c.type == "range_clause"), None)
            right = clause.child_by_field_name("right") if clause is not None else None
            if right is not None and unparen(right).type in ("identifier", "selector_expression"):
                item = _guard_item(pkg, fn, expr_key(right))
                root = _root(right)
                # evaluated once as the loop starts: mentions in its body come after
                if item is not None and root.type == "identifier" and _untouched(fn, text(root), right, root, None, parent):
                    out.add(item)
        child, parent = parent, parent.parent
    return frozenset(out)


def _passed(call: Node, name: str) -> Node | None:
    """The mention of `name` through which `call` hands it (or its field) to the callee: as the
    receiver or as an argument."""
    target = unparen(call.child_by_field_name("function"))
    operand = target.child_by_field_name("operand") if target.type == "selector_expression" else None
    for expr in ([operand] if operand is not None else []) + call_args(call):
        root = _root(expr)
        if root.type == "identifier" and text(root) == name:
            return root
    return None


def forward(pkg: "Package", fn: "Function", call: Node, guard: Guard) -> Guard:
    """A callee's `guard` in `fn`'s terms, where the collection is `fn`'s receiver's or a parameter's
    and nothing has touched that before the call."""
    out: set[tuple[LockRef, str | None]] = set()
    for ref, ident in guard:
        key = map_ref(pkg, fn, call, ref)
        item = _guard_item(pkg, fn, key) if key is not None else None
        if item is None or (ident is not None and item[1] != ident):
            continue  # through a promoted method: another struct's field
        name = item[0].root
        if _untouched(fn, name, call, _passed(call, name), None):
            out.add(item)
    return frozenset(out)


def _keyed(element: Node) -> str:
    """The key of `f: v` in a composite literal; "" for a positional element."""
    if element.type != "keyed_element" or not element.named_children:
        return ""
    key = element.named_children[0]
    key = key.named_children[0] if key.type == "literal_element" and key.named_children else key
    return text(key)


def _empty_literal(pkg: "Package", fn: "Function", key: str, ident: str | None) -> tuple[Node, str] | None:
    """(declaration, local) when `key` is a field, omitted, of a composite literal a local was
    declared with (`t := &T{}` for `t.streams`), or the local itself bound to an empty one."""
    parsed = split_key(key)
    bindings = pkg.bindings(fn)
    if parsed is None or bindings is None or len(parsed[1]) > 1 or any(s[0] != "." for s in parsed[1]):
        return None
    name, segments = parsed
    value = bindings.value(name) if bindings.declares(name) and name not in fn.params else None
    if value is None or name == fn.receiver:
        return None
    literal = value
    if literal.type == "unary_expression" and text(literal.child_by_field_name("operator")) == "&":
        literal = unparen(literal.child_by_field_name("operand"))
    type_node = literal.child_by_field_name("type")
    elements = literal.child_by_field_name("body")
    if literal.type != "composite_literal" or type_node is None or elements is None:
        return None
    items = [e for e in elements.named_children if e.type != "comment"]
    types = pkg.types
    if segments:
        field = segments[0][1:]
        struct = base_type(text(type_node))
        fields = types.fields.get(struct, {})
        # a field of the literal's own type, and the one the callee ranges over (not a promoted one)
        own = pkg.lock_identity(fn, key)
        if field not in fields or own != f"(*{struct}).{field}" or (ident is not None and ident != own):
            return None
        if not _collection(types.underlying(fields[field])) or any(not _keyed(e) or _keyed(e) == field for e in items):
            return None
    elif items or not _collection(types.underlying(text(type_node))):
        return None
    decl = value.parent.parent if value.parent is not None else None
    if decl is None or decl.type != "short_var_declaration":
        return None
    return decl, name


def ruled_out(pkg: "Package", fn: "Function", call: Node, guard: Guard) -> bool:
    """Whether `call` passes a collection the callee's `guard` needs non-empty, and it is surely empty."""
    for ref, ident in guard:
        key = map_ref(pkg, fn, call, ref)
        found = _empty_literal(pkg, fn, key, ident) if key is not None else None
        if found is None:
            continue
        decl, name = found
        scope = decl.parent
        passed = _passed(call, name)
        if passed is None or not (scope is not None and within(call, scope)):
            continue  # the name at the call is another variable than the local
        if decl.end_byte <= call.start_byte and _untouched(fn, name, call, passed, decl):
            return True
    return False
