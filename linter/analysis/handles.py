"""Handles: values a call returns that point back to its receiver or arguments.

`txn := s.Write()` may return `&storeTxnWrite{s: s}` with s.mu read-locked,
and `txn.End()` release it as `t.s.mu.RUnlock()`. The lock was kept by one
call and is released by a method of what it returned, through the handle's
back-pointer. A `Handle` is the shape of such a value as the syntax shows it:
its concrete type and, for each field set when it was built, either the path
it points back to (`s`, written in the terms of the function that built it)
or the handle it holds (a wrapper: `&metricsTxnWrite{tw}`). A method of the
handle releases a lock when its summary releases one of its receiver's paths
(`t.s.mu`), or when on every path it calls a method of a field holding an
inner handle (`defer tw.TxnWrite.End()`), which is followed into that handle.

Everything is bounded: a value is built through at most MAX_STEPS
expressions, locals and calls, fields and delegations are followed at most
MAX_DEPTH deep, a function's result is known only when every non-nil return
builds the same handle, and a call inside a handle is followed only when it
resolves to one function. A local bound to a handle keeps its name
(`s := NewStore(..)`), so a path past the fields the handle was built with
(`s.mu`) is still named as the caller writes it. Callers use these facts
only for locks the producing call keeps (see Summaries._handle_releases).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Iterator, Sequence, Union

from tree_sitter import Node

from linter.analysis.calls import base_type
from linter.analysis.cfg import on_every_path
from linter.analysis.lockrefs import _is_path, map_ref, split_key
from linter.analysis.ops import OpKind
from linter.analysis.syntax import call_args, expr_key, text, unparen, walk_expr

if TYPE_CHECKING:
    from linter.analysis.functions import Function
    from linter.analysis.package import Package
    from linter.analysis.summaries import Take

MAX_DEPTH = 4  # handles inside handles
MAX_STEPS = 16  # expressions, locals and calls followed to build one value


@dataclass(frozen=True, slots=True)
class Handle:
    """A value of a package struct type built in place, with the fields it was built with."""

    type: str  # the struct's name
    fields: tuple[tuple[str, "Value"], ...]  # field -> the path it points back to, or the handle it holds
    name: str = ""  # a path that names the value itself (`s` for `s := NewStore(..)`), if any

    def field(self, types_fields: Callable[[str], dict[str, str]], name: str) -> "Value | None":
        """The value of field `name`, promoted through embedded fields like a Go selector (shallowest first)."""
        level: list[Handle] = [self]
        for _ in range(MAX_DEPTH):
            following: list[Handle] = []
            for h in level:
                own = dict(h.fields)
                if name in own:
                    return own[name]
                if name in types_fields(h.type):
                    return None  # declared here, not known: a deeper one is hidden by it
                following.extend(v for f, v in h.fields if isinstance(v, Handle) and _embedded(types_fields(h.type), f))
            if not following:
                return None
            level = following
        return None


Value = Union[str, Handle]


def _element(node: Node) -> Node:
    """The expression a `literal_element` wraps (a `{...}` without a type stays itself: unknown)."""
    return node.named_children[0] if node.type == "literal_element" and node.named_child_count == 1 else node


def _follow(fields: Callable[[str], dict[str, str]], value: Value, segments: tuple[str, ...]) -> Value | None:
    """`value` followed along `segments` (`.s`, `.mu`): through a handle's fields, then appended to
    a path; past a field the handle was not built with, appended to the handle's own name."""
    for i, seg in enumerate(segments):
        if isinstance(value, str):
            return value + "".join(segments[i:])
        found = value.field(fields, seg[1:]) if seg.startswith(".") else None
        if found is None:
            return value.name + "".join(segments[i:]) if value.name else None
        if isinstance(found, Handle) and value.name and not found.name:  # `s.store` names the store s holds
            found = replace(found, name=value.name + seg)
        value = found
    return value


def _embedded(fields: dict[str, str], name: str) -> bool:
    t = fields.get(name)
    return t is not None and base_type(t).rsplit(".", 1)[-1] == name


class Handles:
    """What a package's functions return as handles, and what a handle's methods release."""

    def __init__(self, pkg: "Package"):
        self.pkg = pkg
        self._results: dict[int, Handle | None] = {}
        self._delegates: dict[int, frozenset[tuple[str, str]]] = {}

    def _fields(self, type_name: str) -> dict[str, str]:
        return self.pkg.types.fields.get(type_name, {})

    # building ------------------------------------------------------------------------------

    def result(self, fn: "Function") -> Handle | None:
        """The handle `fn` returns as its first result, in `fn`'s terms, when every return that is
        not `nil` builds the same one."""
        key = id(fn)
        if key in self._results:
            return self._results[key]
        self._results[key] = None  # a recursive constructor builds nothing known
        found: Handle | None = None
        body = fn.body
        shapes: set[Handle | None] = set()
        for node in walk_expr(body) if body is not None and not fn.is_literal else ():
            if node.type != "return_statement" or node.named_child_count == 0:
                continue
            first = node.named_children[0]
            if first.type == "expression_list":
                first = first.named_children[0] if first.named_child_count else first
            if unparen(first).type == "nil":
                continue
            value = self._value(fn, first, 0)
            shapes.add(value if isinstance(value, Handle) else None)
            if None in shapes or len(shapes) > 1:
                break
        if len(shapes) == 1:
            found = next(iter(shapes))
        self._results[key] = found
        return found

    def at_call(self, fn: "Function", call: Node, depth: int = 0) -> tuple[Handle, ...]:
        """The handles `call` (in `fn`) may return, one per function it may reach, in `fn`'s terms:
        each back-pointer to the callee's receiver or a parameter becomes what the call passes there
        (a path, or the handle a local holds). () unless every function reached returns a handle."""
        out: list[Handle] = []
        for target in self.pkg.resolve(fn, call):
            built = self.result(target)
            value = self._substitute(fn, call, target, built, depth) if built is not None else None
            if not isinstance(value, Handle):
                return ()
            out.append(value)
        return tuple(out)

    def _substitute(self, fn: "Function", call: Node, target: "Function", value: Value, depth: int) -> Value | None:
        """`value`, built by `target`, seen from `fn` at `call`; fields that cannot be seen are forgotten."""
        if isinstance(value, Handle):
            fields = tuple(
                (f, v) for f, inner in value.fields if (v := self._substitute(fn, call, target, inner, depth)) is not None
            )
            ref = self.pkg.lock_ref(target, value.name) if value.name else None
            name = (map_ref(self.pkg, fn, call, ref) if ref is not None else None) or ""
            return Handle(value.type, fields, name) if fields else (name or None)
        ref = self.pkg.lock_ref(target, value)
        if ref is None:
            return None  # a local of the callee
        node: Node | None = None
        if ref.base == "recv":
            function = unparen(call.child_by_field_name("function"))
            node = function.child_by_field_name("operand") if function.type == "selector_expression" else None
        elif ref.base == "param":
            args = call_args(call)
            node = args[ref.index] if 0 <= ref.index < len(args) else None
        elif ref.base == "global" and ref.root not in self.pkg.scope(fn).names:
            return value
        base = self._value(fn, node, depth + 1) if node is not None else None
        parsed = split_key(value)
        return _follow(self._fields, base, parsed[1]) if base is not None and parsed is not None else None

    def _value(self, fn: "Function", expr: Node, depth: int) -> Value | None:
        """What `expr` in `fn` is: a handle, a path as `fn` writes it, or None when unknown."""
        expr = unparen(expr)
        if depth > MAX_STEPS:
            return None
        kind = expr.type
        if kind == "unary_expression" and text(expr.child_by_field_name("operator")) == "&":
            operand = expr.child_by_field_name("operand")
            return self._value(fn, operand, depth) if operand is not None else None
        if kind == "composite_literal":
            return self._literal(fn, expr, depth)
        if kind == "call_expression":  # a constructor: `newMetricsTxnWrite(tw)`
            built = self.at_call(fn, expr, depth + 1)
            return built[0] if len(built) == 1 else None
        if kind == "identifier":  # a local bound once to a handle: `tw := &storeTxnWrite{...}`
            bindings = self.pkg.bindings(fn)
            name = text(expr)
            bound = bindings.value(name) if bindings is not None and bindings.declares(name) else None
            inner = self._value(fn, bound, depth + 1) if bound is not None else None
            if isinstance(inner, Handle):
                return replace(inner, name=name)
        return expr_key(expr) if kind in ("identifier", "selector_expression") and _is_path(expr) else None

    def _literal(self, fn: "Function", lit: Node, depth: int) -> Handle | None:
        type_node = lit.child_by_field_name("type")
        body = lit.child_by_field_name("body")
        if type_node is None or body is None or type_node.type not in ("type_identifier", "generic_type"):
            return None
        name = base_type(text(type_node))
        declared = self._fields(name)
        if not declared:
            return None
        elements = [e for e in body.named_children if e.type != "comment"]
        pairs: list[tuple[str, Node]] = []
        if all(e.type == "keyed_element" and e.named_child_count == 2 for e in elements):
            pairs = [(text(_element(e.named_children[0])), _element(e.named_children[1])) for e in elements]
        elif len(elements) == len(declared) and all(e.type == "literal_element" for e in elements):
            pairs = [(f, _element(e)) for f, e in zip(declared, elements)]
        fields: list[tuple[str, Value]] = []
        for field, value in pairs:
            v = self._value(fn, value, depth + 1) if field in declared else None
            if v is not None:
                fields.append((field, v))
        return Handle(name, tuple(fields)) if fields else None

    # releasing -----------------------------------------------------------------------------

    def delegates(self, method: "Function") -> frozenset[tuple[str, str]]:
        """(field, method) such that `method` calls `recv.field.method()` on every path to its end,
        in place or deferred: `defer tw.TxnWrite.End()`."""
        key = id(method)
        found = self._delegates.get(key)
        if found is not None:
            return found
        found = frozenset()
        graph = self.pkg.cfg(method)
        if method.receiver and graph is not None:
            ops_of = self.pkg.ops_of(method)

            def delegated(node: Node) -> set[tuple[str, str]]:
                g: set[tuple[str, str]] = set()
                for op in ops_of(node):
                    if op.kind is OpKind.CALL:
                        call: Node | None = op.node
                    elif op.kind is OpKind.DEFER_CALL:
                        call = next((c for c in op.node.named_children if c.type == "call_expression"), None)
                    else:
                        continue
                    d = self._delegation(method, call) if call is not None else None
                    if d is not None:
                        g.add(d)
                return g

            found = on_every_path(graph, delegated)
        self._delegates[key] = found
        return found

    @staticmethod
    def _delegation(method: "Function", call: Node) -> tuple[str, str] | None:
        target = call.child_by_field_name("function")
        target = unparen(target) if target is not None else None
        if target is None or target.type != "selector_expression":
            return None
        operand = target.child_by_field_name("operand")
        parsed = split_key(expr_key(operand)) if operand is not None and _is_path(operand) else None
        if parsed is None or parsed[0] != method.receiver or len(parsed[1]) != 1 or not parsed[1][0].startswith("."):
            return None
        return parsed[1][0][1:], text(target.child_by_field_name("field"))

    def methods(self, handle: Handle, name: str) -> Iterator[tuple["Function", Handle]]:
        """The methods calling `name` on `handle` runs for sure, each with the handle that is its receiver:
        the handle type's own method (or one promoted from the one embedded field that holds a
        handle with it), then those it delegates to on inner handles."""
        todo: list[tuple[Handle, str, int]] = [(handle, name, 0)]
        while todo:
            h, m, depth = todo.pop()
            if depth > MAX_DEPTH:
                continue
            own = self.pkg.resolver.methods.get(h.type, {}).get(m, [])
            if len(own) == 1:
                target = own[0]
                yield target, h
                for field, inner in sorted(self.delegates(target)):
                    value = h.field(self._fields, field)
                    if isinstance(value, Handle):
                        todo.append((value, inner, depth + 1))
            elif not own:
                declared = self._fields(h.type)
                promoted = [
                    v for f, v in h.fields
                    if _embedded(declared, f) and isinstance(v, Handle) and self.pkg.resolver.has_method(v.type, m)
                ]
                if len(promoted) == 1 and isinstance(promoted[0], Handle):
                    todo.append((promoted[0], m, depth + 1))

    def releases(self, handle: Handle, name: str,
                 releases_of: Callable[["Function"], Sequence["Take"]]) -> list[tuple[str, "Take", "Function"]]:
        """(mutex as the caller writes it, take, method) for each lock `handle.name()` releases
        through the handle's back-pointers (`t.s.mu` where the handle's `s` is the caller's `s`)."""
        out: list[tuple[str, Take, Function]] = []
        for method, receiver in self.methods(handle, name):
            for take in releases_of(method):
                ref = take.ref
                if ref is None or ref.base != "recv":
                    continue
                parsed = split_key(ref.text)
                mutex = self._through(receiver, parsed[1]) if parsed is not None else None
                if mutex is not None:
                    out.append((mutex, take, method))
        return out

    def _through(self, handle: Handle, segments: tuple[str, ...]) -> str | None:
        """The caller's name for `receiver<segments>`: fields followed down to a back-pointer
        (a lock inside the handle itself has no name outside)."""
        value = _follow(self._fields, handle, segments)
        return value if isinstance(value, str) else (value.name or None) if value is not None else None
