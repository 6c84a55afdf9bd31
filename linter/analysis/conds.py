"""Which mutex each sync.Cond waits with: `c.Wait()` releases that lock and no other.

Only the simple shapes are understood, because a wrong answer is worse than
none: `x.f = sync.NewCond(&x.mu)` (the field `f` of x's struct type waits with
the sibling `mu` of the same value), `c := sync.NewCond(&mu)` and the composite
`&sync.Cond{L: &mu}`. Anything else (`NewCond(s.mu.RLocker())`, conds built in
a composite literal of their owner or by a helper, a field bound to different
locks in different places, owners of unknown type) leaves the lock unknown ("").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from tree_sitter import Node

from linter.analysis.syntax import FUNCTION_KINDS, call_args, callee, enclosing_function, expr_key, text, unparen
from linter.analysis.types import squash

_PACKAGE_LEVEL = (-1, -1)  # the "function" of package-level variables
EMBEDDED_LOCKS = (".Mutex", ".RWMutex")

# what lies between a name ending in `Cond` and the call or composite literal it names
_NAME_PARTS = frozenset({
    "identifier", "field_identifier", "type_identifier", "selector_expression", "qualified_type",
    "parenthesized_expression",
})

TypeOf = Callable[[Node], str]  # the type of an expression where it stands, "" when unknown


@dataclass(slots=True)
class CondLocks:
    """The conds a package builds and the lock each one waits with."""

    fields: dict[str, str] = field(default_factory=dict)  # "Struct.cond" -> lock path relative to the owner, or ""
    names: dict[tuple[tuple[int, int], str], str] = field(default_factory=dict)  # (function, variable) -> lock, or ""

    def collect(self, root: Node, sync_names: frozenset[str], type_of: TypeOf, data: bytes) -> None:
        """Record every `sync.NewCond(..)` and `sync.Cond{L: ..}` of one file (`data`, parsed as `root`).

        Both spell `Cond` at the end of their name: they are found from the node at each
        occurrence of those bytes (a name, its selector or qualified type, parentheses, then the
        call or literal), not by walking the tree. Merging is order-free (see `_merge`)."""
        if not sync_names:
            return
        types = {f"{s}.Cond" for s in sync_names}
        i = data.find(b"Cond")
        while i != -1:
            node = root.descendant_for_byte_range(i, i + 4)
            i = data.find(b"Cond", i + 4)
            while node is not None and node.type in _NAME_PARTS:
                node = node.parent
            if node is None:
                continue
            if node.type == "call_expression":
                qual, name = callee(node)
                args = call_args(node)
                if qual in sync_names and name == "NewCond" and len(args) == 1:
                    self._bind(node, args[0], type_of)
            elif node.type == "composite_literal":
                kind = node.child_by_field_name("type")
                if kind is not None and squash(kind) in types:
                    self._bind(node, _keyed(node, "L"), type_of)

    def _bind(self, cond: Node, lock_expr: Node | None, type_of: TypeOf) -> None:
        lock = expr_key(lock_expr) if lock_expr is not None and _is_path(lock_expr) else ""
        assigned = _assigned_to(cond)
        if assigned is None:
            return
        target, keyed = assigned
        if keyed:  # `Owner{cond: ..}`: the owner is not named, so the lock cannot be related to it
            literal = _enclosing_literal(target)
            struct = _struct(type_of(literal)) if literal is not None else ""
            if struct:
                _merge(self.fields, f"{struct}.{text(target)}", "")
        elif target.type == "identifier":
            fn = enclosing_function(target)
            key = (_where(fn) if fn is not None else _PACKAGE_LEVEL, text(target))
            _merge(self.names, key, lock)
        elif target.type == "selector_expression":
            owner = target.child_by_field_name("operand")
            struct = _struct(type_of(owner)) if owner is not None else ""
            if not struct:
                return
            prefix = expr_key(owner) + "."
            relative = lock[len(prefix):] if lock.startswith(prefix) else ""
            _merge(self.fields, f"{struct}.{text(target.child_by_field_name('field'))}", relative)

    def knows(self, cond: Node, type_of: TypeOf) -> bool:
        """Whether `cond` (the operand of `.Wait()`) is a cond this package builds."""
        return self._lookup(unparen(cond), type_of) is not None

    def lock_of(self, cond: Node, type_of: TypeOf) -> str:
        """The lock `cond.Wait()` releases, as written where `cond` is; "" when unknown."""
        return self._lookup(unparen(cond), type_of) or ""

    def _lookup(self, cond: Node, type_of: TypeOf) -> str | None:
        if cond.type == "identifier":
            name = text(cond)
            fn = enclosing_function(cond)
            while fn is not None:
                if (_where(fn), name) in self.names:
                    return self.names[(_where(fn), name)]
                fn = enclosing_function(fn)
            return self.names.get((_PACKAGE_LEVEL, name))
        if cond.type == "selector_expression":
            owner = cond.child_by_field_name("operand")
            struct = _struct(type_of(owner)) if owner is not None else ""
            relative = self.fields.get(f"{struct}.{text(cond.child_by_field_name('field'))}") if struct else None
            if not relative or owner is None:
                return relative
            return f"{expr_key(owner)}.{relative}"
        return None


def is_own_lock(cond: str, lock: str, held: str) -> bool:
    """Whether the held mutex is the one a Cond's Wait releases: its lock as known, `c.L`,
    or an embedded mutex locked through its owner (`t.Lock()` for the lock `t.Mutex`)."""
    if held == f"{cond}.L" or (lock and held == lock):
        return True
    return bool(lock) and any(lock.endswith(e) and held == lock[: -len(e)] for e in EMBEDDED_LOCKS)


def _struct(t: str) -> str:
    return t.lstrip("*").split("[", 1)[0]


def _enclosing_literal(key: Node) -> Node | None:
    node = key.parent
    while node is not None and node.type != "composite_literal":
        node = node.parent
    return node


def _is_path(expr: Node) -> bool:
    """`mu`, `&s.mu`, `s.inner.mu`: a variable or field, not a call like `s.rw.RLocker()`."""
    node = unparen(expr)
    if node.type == "unary_expression" and text(node.child_by_field_name("operator")) == "&":
        node = unparen(node.child_by_field_name("operand"))
    while node.type == "selector_expression":
        node = unparen(node.child_by_field_name("operand"))
    return node.type == "identifier"


def _where(fn: Node) -> tuple[int, int]:
    """A function node's identity across the package's trees."""
    return fn.id, fn.start_byte


def _merge(into: dict, key, lock: str) -> None:
    """Two different locks for the same name make it unknown."""
    old = into.get(key)
    into[key] = lock if old is None or old == lock else ""


def _keyed(literal: Node, key: str) -> Node | None:
    """The value of `key: value` in a composite literal."""
    body = literal.child_by_field_name("body")
    for element in body.named_children if body is not None else ():
        if element.type != "keyed_element" or element.named_child_count != 2:
            continue
        k, v = element.named_children
        if text(k) == key:
            return v.named_children[0] if v.type == "literal_element" and v.named_child_count else v
    return None


def _assigned_to(value: Node) -> tuple[Node, bool] | None:
    """The variable or selector a cond is assigned to, or the key of the composite
    literal element it initialises (then True), or None."""
    node = value
    parent = node.parent
    while parent is not None and (
        parent.type == "parenthesized_expression"
        or (parent.type == "unary_expression" and text(parent.child_by_field_name("operator")) == "&")
    ):
        node, parent = parent, parent.parent
    if parent is None:
        return None
    if parent.type == "literal_element" and parent.parent is not None and parent.parent.type == "keyed_element":
        key = parent.parent.named_children[0]
        inner = key.named_children[0] if key.type == "literal_element" and key.named_child_count else key
        if inner.type in ("identifier", "field_identifier") and key is not parent:
            return inner, True
        return None
    if parent.type != "expression_list":
        return None
    holder = parent.parent
    if holder is None or holder.type in FUNCTION_KINDS:
        return None
    index = next((i for i, c in enumerate(parent.named_children) if c == node), -1)
    if holder.type in ("short_var_declaration", "assignment_statement"):
        if holder.type == "assignment_statement" and text(holder.child_by_field_name("operator")) != "=":
            return None
        if holder.child_by_field_name("right") != parent:
            return None
        left = holder.child_by_field_name("left")
        lefts = left.named_children if left is not None else []
    elif holder.type == "var_spec":
        lefts = holder.children_by_field_name("name")
    else:
        return None
    if len(lefts) != parent.named_child_count or index < 0:
        return None
    target = unparen(lefts[index])
    return (target, False) if target.type in ("identifier", "selector_expression") else None
