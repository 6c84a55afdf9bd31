"""Fields that keep, for the life of their object, the value a composite literal gave them.

`&rrBalanced{scs: scs}` sets `scs`; when no statement of the package assigns
`x.scs` of an `x` that may be an rrBalanced (nor increments it, ranges or
receives into it, or takes its address; an `x` of unknown type may be any)
and no `=` overwrites a whole `rrBalanced` value (`*p = ..`, or any value of
the type: `x = rrBalanced{..}`, `x = *q`, `a[i] = f()`), every such object
keeps its `scs`: a fact
about `len(rb.scs)` holds as long as `rb` does, across calls and across
releasing the lock (etcd's round-robin picker checks the length under one
lock and divides by it under the next).

A write `v.f = ..` (or `v.f++`) while v is a local bound to a new object that
has not escaped by the end of the statement (linter.analysis.escape: not passed,
stored, returned, captured, nor its address taken) is part of making the object,
like the literal: no other code can reach it yet, so once it is shared its
`f` no longer changes (`kv := &KV{}; kv.lc = newCtl(); return kv`). A write in
a function with a `goto` never counts as such (a jump back may run it after an
escape written below it), nor one on a parameter, a named result or a receiver
(`func (d *DB) init() { d.lc = .. }` may run on a shared d), nor one on a struct
value copied from elsewhere (`e := m[k]; e.f++; m[k] = e` writes it back whole).

Only unexported fields count, as no other package can name them; another
package could still overwrite a whole value (`*p = pkg.T{}`), which lockjaw
assumes it does not, and a value whose type lockjaw cannot infer is not seen
(go vet's copylocks reports most such copies of a struct holding a mutex,
where this fact matters). A field of a named type
(`atomic.Int64`, a slice type with pointer methods) may change through its
methods, so it is never fixed. The search reads each file's bytes for the
field's selectors and the package's `=` assignments; nothing walks whole trees
(but the fresh locals of a function that writes one). Writes through reflect or
unsafe pointers are not seen.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tree_sitter import Node

from linter.analysis.calls import base_type
from linter.analysis.syntax import enclosing_function, text, unparen
from linter.analysis.types import SCALAR_TYPES

if TYPE_CHECKING:
    from linter.analysis.package import Package

LENGTH = "length"  # the value and its len/cap are fixed (a slice, array or string)
VALUE = "value"  # the value is fixed, not what it refers to (a pointer, map, channel, number)
_ASSIGN = re.compile(rb"(?<![=!<>:+\-*/%&|^])=(?!=)")
UNKNOWN_TYPE = ""  # an overwritten value of unknown type: any struct may be
_NOT_STRUCT = frozenset({  # values that are never a struct
    "int_literal", "float_literal", "imaginary_literal", "rune_literal", "interpreted_string_literal",
    "raw_string_literal", "nil", "true", "false", "func_literal", "binary_expression", "iota",
})


def _type_kind(t: str) -> str:
    if t.startswith("[") or t == "string":
        return LENGTH
    if t.startswith(("*", "map[", "chan", "<-chan", "func")) or t in SCALAR_TYPES:
        return VALUE
    return ""


class FixedFields:
    """The fixed fields of one package, each decided on first question."""

    def __init__(self, pkg: "Package"):
        self.pkg = pkg
        self._kinds: dict[tuple[str, str], str] = {}
        self._written: dict[str, set[str]] = {}
        self._overwritten: set[str] | None = None

    def kind(self, struct: str, name: str) -> str:
        """LENGTH or VALUE when the field `name` of the package struct `struct` is fixed; "" if not."""
        found = self._kinds.get((struct, name))
        if found is None:
            found = self._kinds[(struct, name)] = self._kind(struct, name)
        return found

    def _kind(self, struct: str, name: str) -> str:
        declared = self.pkg.types.fields.get(struct, {})
        if not name or not (name[0].islower() or name[0] == "_") or name not in declared:
            return ""
        kind = _type_kind(declared[name])
        written = self._writers(name)
        if not kind or UNKNOWN_TYPE in written or struct in written:
            return ""
        overwritten = self._overwritten_structs()
        return "" if UNKNOWN_TYPE in overwritten or struct in overwritten else kind

    def _writers(self, name: str) -> set[str]:
        """The structs whose field `name` some `x.name` of the package assigns, increments,
        ranges or receives into, or takes the address of (UNKNOWN_TYPE for an x of unknown type,
        or one that reaches the field through an embedded struct)."""
        found = self._written.get(name)
        if found is not None:
            return found
        found = set()
        fields = self.pkg.types.fields
        for selector in field_selectors(self.pkg.files, name):
            if is_written(selector) and not self.initializes(selector, name):
                operand = selector.child_by_field_name("operand")
                scope = self._scope(selector)
                owner = base_type(scope.type_of(operand)) if scope is not None and operand is not None else ""
                found.add(owner if name in fields.get(owner, {}) else UNKNOWN_TYPE)
        self._written[name] = found
        return found

    def initializes(self, selector: Node, name: str) -> bool:
        """`v.f = ..` (or `v.f++`) of a local v bound to a new object that has not escaped by the
        end of the statement (see linter.analysis.escape): no other code can reach the object
        yet, so the write is part of making it, like a composite literal's. Not of a struct
        value copied from elsewhere, which may be written back whole (`e := m[k]; e.f++; m[k] = e`)."""
        operand = selector.child_by_field_name("operand")
        stmt = write_statement(selector)
        if operand is None or operand.type != "identifier" or stmt is None:
            return False
        literal = enclosing_function(selector)
        fn = self.pkg.function_of(literal) if literal is not None else None
        body = fn.body if fn is not None else None
        if fn is None or body is None or b"goto" in (body.text or b""):
            return False  # a jump back may run the write after an escape written below it
        found = self.pkg.escapes(fn)
        return found is not None and found.private_new(f"{text(operand)}.{name}", stmt)

    def _overwritten_structs(self) -> set[str]:
        """Struct types of the package a whole value of which some `=` overwrites (the value's
        type is the target's); UNKNOWN_TYPE among them when a `*p = ..` writes through a pointer of
        unknown type."""
        if self._overwritten is not None:
            return self._overwritten
        out: set[str] = set()
        for file in self.pkg.files:
            for m in _ASSIGN.finditer(file.data):
                node = file.root.descendant_for_byte_range(m.start(), m.end())
                stmt = node.parent if node is not None else None
                if stmt is not None and stmt.type == "assignment_statement" and text(node) == "=":
                    out.update(self._whole_writes(stmt))
        fields = self.pkg.types.fields
        self._overwritten = {t for t in out if t == UNKNOWN_TYPE or t in fields}
        return self._overwritten

    def _whole_writes(self, stmt: Node) -> list[str]:
        """The named types whose values `stmt` overwrites whole (UNKNOWN_TYPE: through a pointer of
        unknown type)."""
        left, right = stmt.child_by_field_name("left"), stmt.child_by_field_name("right")
        targets = [unparen(n) for n in left.named_children] if left is not None else []
        values = [unparen(n) for n in right.named_children] if right is not None else []
        scope = self._scope(stmt)
        out: list[str] = []
        for target in targets:
            if target.type == "unary_expression" and text(target.child_by_field_name("operator")) == "*":
                operand = target.child_by_field_name("operand")
                t = scope.type_of(operand) if scope is not None and operand is not None else ""
                if not t.startswith("*"):
                    out.append(UNKNOWN_TYPE)
                elif _named(t[1:]):  # not `*xs = nil` of a *[]int
                    out.append(base_type(t[1:]))
        if len(values) != len(targets):  # `v, err = f()`
            types = scope.results_of(values[0]) if scope is not None and len(values) == 1 else []
        else:
            types = [self._value_type(v, scope) for v in values]
        out.extend(n for n in map(_named, types) if n)
        return out

    @staticmethod
    def _value_type(value: Node, scope) -> str:
        if value.type == "composite_literal":
            return text(value.child_by_field_name("type"))
        if value.type in _NOT_STRUCT or scope is None:
            return ""
        return scope.type_of(value)

    def _scope(self, node: Node):
        literal = enclosing_function(node)
        fn = self.pkg.function_of(literal) if literal is not None else None
        return self.pkg.scope(fn) if fn is not None else None


def field_selectors(files, name: str):
    """Every selector `x.name` of the files, found from their bytes: no tree is walked whole."""
    pattern = re.compile(rb"\.\s*" + re.escape(name.encode()) + rb"\b")
    for file in files:
        for m in pattern.finditer(file.data):
            node = file.root.descendant_for_byte_range(m.end() - len(name), m.end())
            selector = node.parent if node is not None else None
            if selector is not None and selector.type == "selector_expression" and (
                selector.child_by_field_name("field") == node
            ):
                yield selector


def _named(t: str) -> str | None:
    """The name of a named type (`pkg.T`, `T[int]` -> `T`); None for a pointer, slice, map, ..."""
    return base_type(t) if t[:1].isalpha() or t[:1] == "_" else None


def write_statement(selector: Node) -> Node | None:
    """The assignment, `++` or `--` statement whose target is `selector`; None for another write."""
    outer = selector
    while outer.parent is not None and outer.parent.type == "parenthesized_expression":
        outer = outer.parent
    parent = outer.parent
    if parent is not None and parent.type in ("inc_statement", "dec_statement"):
        return parent
    holder = parent.parent if parent is not None and parent.type == "expression_list" else None
    return holder if holder is not None and holder.type == "assignment_statement" else None


def is_written(selector: Node) -> bool:
    """Whether the field `selector` reads is written there: assigned, incremented, ranged or
    received into, or its address taken."""
    outer = selector
    while outer.parent is not None and outer.parent.type == "parenthesized_expression":
        outer = outer.parent
    parent = outer.parent
    if parent is None:
        return False
    kind = parent.type
    if kind in ("inc_statement", "dec_statement"):
        return True
    if kind == "unary_expression":
        return text(parent.child_by_field_name("operator")) == "&"
    holder = parent.parent
    return kind == "expression_list" and holder is not None and holder.type in (
        "assignment_statement", "range_clause", "receive_statement"
    ) and holder.child_by_field_name("left") == parent
