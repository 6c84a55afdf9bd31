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

A fresh local can also be built in two steps, `t := &Tx{}; t.init(db)`: the
methods called on it before anything else uses it set the fields they surely
set from their parameters (`Handles.sets`: `tx.db = db` on every path, nothing
after it writing a field of that name). What a handle CAN release, a method
unlocking through a back-pointer on some path only (`if tx.writable {..}`),
is `may_release`: enough for LJ102 to excuse a return that hands the handle
over, never taken by the rules for which a call releases the lock.

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
from linter.analysis.syntax import call_args, expr_key, in_literal, text, unparen, walk_expr

if TYPE_CHECKING:
    from linter.analysis.functions import Function
    from linter.analysis.writes import Writes
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
        self._sets: dict[int, tuple[tuple[str, int], ...]] = {}
        self._setters: dict[tuple[int, str, str], list[tuple[Node, Function]]] = {}

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
            if bound is not None and (inner is None or isinstance(inner, Handle)):  # `t := &Tx{}; t.init(db)`
                inner = self._initialised(fn, name, bound, inner, depth + 1) or inner
            if isinstance(inner, Handle):
                return replace(inner, name=name)
        return expr_key(expr) if kind in ("identifier", "selector_expression") and _is_path(expr) else None

    def _literal(self, fn: "Function", lit: Node, depth: int, *, empty: bool = False) -> Handle | None:
        """The handle a composite literal builds; None when no field points back (unless `empty`)."""
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
        return Handle(name, tuple(fields)) if fields or empty else None

    # initialising --------------------------------------------------------------------------

    def _initialised(self, fn: "Function", name: str, bound: Node, built: Handle | None, depth: int) -> Handle | None:
        """The handle a fresh local holds after the setters called on it first (`t := &Tx{}; t.init(db)`,
        where init sets `tx.db = db`): each field a setter surely sets from a parameter becomes what
        the call passes there, and any other field the setter may write is forgotten. None when no
        setter is called, or when no field points back afterwards."""
        lit = unparen(bound)
        if lit.type == "unary_expression" and text(lit.child_by_field_name("operator")) == "&":
            operand = lit.child_by_field_name("operand")
            lit = unparen(operand) if operand is not None else lit
        if lit.type != "composite_literal":
            return None
        start = built or self._literal(fn, lit, depth, empty=True)
        calls = self._setter_calls(name, bound, start.type) if start is not None else []
        if start is None or not calls:
            return None
        fields = dict(start.fields)
        for call, method in calls:
            written = self.pkg.call_writes.of_function(method)
            surely = dict(self.sets(method))
            for field in list(fields):
                if written is None or (field in written.fields and field not in surely):
                    del fields[field]
            args = call_args(call)
            for field, index in surely.items():
                value = self._value(fn, args[index], depth + 1) if index < len(args) else None
                if value is None:
                    fields.pop(field, None)
                else:
                    fields[field] = value
        return Handle(start.type, tuple(fields.items())) if fields else None

    def _setter_calls(self, name: str, bound: Node, type_name: str) -> list[tuple[Node, "Function"]]:
        """The calls `name.m(..)` of methods of `type_name` made on the fresh local `name` before
        anything else uses it: statements of the block that binds it, after the binding, up to the
        first other statement that mentions it, or a `goto` or a label (which may skip them)."""
        key = (bound.id, name, type_name)
        found = self._setters.get(key)
        if found is None:
            found = self._setters[key] = self._find_setter_calls(name, bound, type_name)
        return found

    def _find_setter_calls(self, name: str, bound: Node, type_name: str) -> list[tuple[Node, "Function"]]:
        stmt = bound
        while stmt.parent is not None and stmt.parent.type not in ("statement_list", "block"):
            stmt = stmt.parent
        if stmt.type != "short_var_declaration":
            return []
        out: list[tuple[Node, Function]] = []
        sibling = stmt.next_named_sibling
        while sibling is not None:
            nodes = list(walk_expr(sibling, into_literals=True))
            if any(n.type in ("goto_statement", "labeled_statement") for n in nodes):
                break
            if any(n.type == "identifier" and text(n) == name for n in nodes):
                call = unparen(sibling.named_children[0]) if sibling.type == "expression_statement" else sibling
                method = self._setter(call, name, type_name)
                if method is None:
                    break
                out.append((call, method))
                if self._given_away(method):
                    break  # the next one would no longer run on a fresh object
            sibling = sibling.next_named_sibling
        return out

    def _setter(self, call: Node, name: str, type_name: str) -> "Function | None":
        """The method of `type_name` that `call` runs when it is `name.m(args)`, args not naming `name`."""
        target = call.child_by_field_name("function") if call.type == "call_expression" else None
        target = unparen(target) if target is not None else None
        if target is None or target.type != "selector_expression":
            return None
        operand = target.child_by_field_name("operand")
        if operand is None or unparen(operand).type != "identifier" or text(unparen(operand)) != name:
            return None
        if any(n.type == "identifier" and text(n) == name for a in call_args(call) for n in walk_expr(a, into_literals=True)):
            return None
        own = self.pkg.resolver.methods.get(type_name, {}).get(text(target.child_by_field_name("field")), [])
        return own[0] if len(own) == 1 else None

    def sets(self, method: "Function") -> tuple[tuple[str, int], ...]:
        """(field, parameter position) for each field `method` leaves equal to a parameter on every
        path: `func (tx *Tx) init(db *DB) { tx.db = db; ... }`. The receiver is a pointer, the
        assignment `recv.f = p` is the only write of a field named f in the body (literals included,
        by any root, no `&x.f`), no call there may write a field named f (see linter.analysis.writes),
        and neither the receiver nor the parameter is ever reassigned. A call whose writes are unknown
        (bolt's `db.meta().copy(tx.meta)` reaches `fnv`) counts only once the receiver may have been
        given away: used otherwise than as `recv.field` before it (or in a loop around it), or
        captured by a literal. The handle is fresh when its setter runs (see `_setter_calls`), so
        until then no other code can reach it."""
        key = id(method)
        found = self._sets.get(key)
        if found is not None:
            return found
        found = ()
        receiver = method.node.child_by_field_name("receiver")
        body, graph = method.body, self.pkg.cfg(method)
        bindings = self.pkg.bindings(method)
        if method.receiver and receiver is not None and "*" in text(receiver) and body is not None \
                and graph is not None and bindings is not None and bindings.unchanged(method.receiver):
            params = list(method.params)
            nodes = list(walk_expr(body, into_literals=True))
            candidates: dict[int, tuple[str, int]] = {}
            written: dict[str, int] = {}  # field name -> writes of it in the body
            for node in nodes:
                for target in _field_targets(node):
                    written[target] = written.get(target, 0) + 1
                pair = _setting(node, method.receiver, params)
                if pair is not None and bindings.unchanged(params[pair[1]]):
                    candidates[node.id] = pair
            always = on_every_path(graph, lambda node: (node.id,) if node.id in candidates else ())
            kept = [candidates[i] for i in sorted(always & candidates.keys()) if written.get(candidates[i][0]) == 1]
            if kept:
                given = self._receiver_uses(method)
                writes: list[Writes | None] = []
                for call in (n for n in nodes if n.type == "call_expression"):
                    w = self.pkg.call_writes.of_node(method, call)
                    if w is None and not any(n.start_byte < call.end_byte or _in_loop_around(n, call, body) for n in given):
                        continue  # writes unknown, but nothing it runs can reach the receiver yet
                    writes.append(w)
                found = tuple((f, i) for f, i in kept if all(w is not None and f not in w.fields for w in writes))
        self._sets[key] = found
        return found

    def _receiver_uses(self, method: "Function") -> list[Node]:
        """Where `method` may give its receiver away: a use other than `recv.field` (passed, stored,
        a method called on it), or any use in a function literal."""
        body = method.body
        if body is None or not method.receiver:
            return []
        declared = self._fields(method.receiver_type)
        return [n for n in walk_expr(body, into_literals=True) if n.type == "identifier" and text(n) == method.receiver
                and (in_literal(n, body) or not _field_read(n, declared))]

    def _given_away(self, method: "Function") -> bool:
        return bool(self._receiver_uses(method))

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

    def returned(self, fn: "Function", ret: Node) -> tuple[Handle, ...]:
        """The handles the return statement `ret` of `fn` hands to its caller, in `fn`'s terms."""
        out: list[Handle] = []
        for expr in ret.named_children:
            for value in expr.named_children if expr.type == "expression_list" else [expr]:
                built = self._value(fn, value, 0) if value.type != "comment" else None
                if isinstance(built, Handle):
                    out.append(built)
        return tuple(out)

    def may_release(self, handle: Handle) -> frozenset[tuple[str, bool]]:
        """(mutex as the handle's builder writes it, write) for each lock that some method of the
        handle's type, or of a handle it holds, unlocks through a back-pointer on some path without
        having locked it (`tx.db.rwlock.Unlock()` when `tx.writable`, else `tx.db.removeTx(tx)`).
        Which path runs is the caller's choice (what it built, which method it calls), so this is
        only what the handle CAN release, never what a call of it surely does (see `releases`)."""
        out: set[tuple[str, bool]] = set()
        todo: list[tuple[Handle, int]] = [(handle, 0)]
        while todo:
            h, depth = todo.pop()
            for name in sorted(self.pkg.resolver.methods.get(h.type, {})):
                for method in self.pkg.resolver.methods[h.type][name]:
                    expects = self.pkg.effects(method).expects
                    for ev in self.pkg.lock_events(method) if expects else ():
                        op = ev.op
                        if op.kind not in (OpKind.RELEASE, OpKind.DEFER_RELEASE) or op.mutex not in expects:
                            continue
                        at = method.body if op.kind is OpKind.DEFER_RELEASE else op.node  # runs at return
                        segments = self._entry_path(method, op.mutex, at) if at is not None else None
                        mutex = self._through(h, segments) if segments is not None else None
                        if mutex is not None:
                            out.add((mutex, op.write))
            if depth < MAX_DEPTH:
                todo.extend((v, depth + 1) for _, v in h.fields if isinstance(v, Handle))
        return frozenset(out)

    def _entry_path(self, method: "Function", mutex: str, at: Node) -> tuple[str, ...] | None:
        """The fields after the receiver of `mutex`, when at `at` it is still what they named on entry.
        `tx.db = nil` after `tx.db.rwlock.Unlock()` (bolt's close) makes the path unstable for a
        LockRef, but it does not change what the unlock unlocked: an assignment to a prefix of the
        path counts only before `at` in the source, in a loop around `at`, or in a function literal
        (for a deferred unlock `at` is the whole body: any assignment counts)."""
        parsed = split_key(mutex)
        bindings = self.pkg.bindings(method)
        body = method.body
        if parsed is None or not method.receiver or parsed[0] != method.receiver or body is None \
                or any(seg.startswith("[") for seg in parsed[1]) or bindings is None \
                or not bindings.unchanged(method.receiver):
            return None
        for node in walk_expr(body, into_literals=True):
            if node.type != "assignment_statement":
                continue
            left = node.child_by_field_name("left")
            keys = [expr_key(n) for n in (left.named_children if left is not None else ())]
            if not any(mutex == k or mutex.startswith(k + ".") for k in keys):
                continue
            if node.start_byte < at.end_byte or _in_loop_around(node, at, body) or in_literal(node, body):
                return None
        return parsed[1]

    def _through(self, handle: Handle, segments: tuple[str, ...]) -> str | None:
        """The caller's name for `receiver<segments>`: fields followed down to a back-pointer
        (a lock inside the handle itself has no name outside)."""
        value = _follow(self._fields, handle, segments)
        return value if isinstance(value, str) else (value.name or None) if value is not None else None


def _field_targets(node: Node) -> list[str]:
    """The names of the fields a node writes in place: `x.f = ..`, `x.f++`, `&x.f` (which may be written through)."""
    if node.type == "assignment_statement":
        left = node.child_by_field_name("left")
        targets = left.named_children if left is not None and left.type == "expression_list" else [left]
    elif node.type in ("inc_statement", "dec_statement"):
        targets = node.named_children[:1]
    elif node.type == "unary_expression" and text(node.child_by_field_name("operator")) == "&":
        targets = [node.child_by_field_name("operand")]
    else:
        return []
    out: list[str] = []
    for t in targets:
        t = unparen(t) if t is not None else None
        if t is not None and t.type == "selector_expression":
            out.append(text(t.child_by_field_name("field")))
    return out


def _field_read(node: Node, declared: dict[str, str]) -> bool:
    """Whether the identifier `node` is the operand of a selector of one of the `declared` fields."""
    parent = node.parent
    return parent is not None and parent.type == "selector_expression" \
        and parent.child_by_field_name("operand") == node and text(parent.child_by_field_name("field")) in declared


def _setting(node: Node, receiver: str, params: list[str]) -> tuple[str, int] | None:
    """(f, position of p) for `receiver.f = p`, p a parameter."""
    if node.type != "assignment_statement" or text(node.child_by_field_name("operator")) != "=":
        return None
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is None or right is None or left.named_child_count != 1 or right.named_child_count != 1:
        return None
    target, value = unparen(left.named_children[0]), unparen(right.named_children[0])
    operand = target.child_by_field_name("operand") if target.type == "selector_expression" else None
    if operand is None or unparen(operand).type != "identifier" or text(unparen(operand)) != receiver:
        return None
    if value.type != "identifier" or text(value) not in params:
        return None
    return text(target.child_by_field_name("field")), params.index(text(value))


def _in_loop_around(node: Node, at: Node, body: Node) -> bool:
    """Whether a `for` statement inside `body` holds both `node` and `at`."""
    outer = node.parent
    while outer is not None and outer.id != body.id:
        if outer.type == "for_statement" and outer.start_byte <= at.start_byte and at.end_byte <= outer.end_byte:
            return True
        outer = outer.parent
    return False
