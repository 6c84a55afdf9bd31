"""Sends on a lazy future's channel field: each channel gets at most one value.

The shape (nats.go's pubAckFuture), for a package struct S with a channel field c and a field v:

    func (f *S) Err() <-chan error {        // the consumer: any number of times
        ..
        if f.c == nil {
            f.c = make(chan error, 1)
            if f.v != nil {
                f.c <- f.v
            }
        }
        return f.c
    }

    f := p.m[id]                            // the producer: once per object, claimed from a map
    if f == nil {
        ..
        return
    }
    delete(p.m, id)
    ..
    f.v = err
    if f.c != nil {
        f.c <- f.v
    }

The facts, all read from the syntax of the package (its types and the resolution of calls):

1. c is unexported, of a channel type; every write of it is a *lazy make*: `o.c = make(chan T, k)`
   with a constant k >= 1, a statement of the then-branch of an `if` (no initializer, no call or
   receive in the condition) with the conjunct `o.c == nil`, after quiet statements only (slots.py:
   no call, channel operation, binding, `go`, `defer`, literal or label). So it is never reset.
   Every other use of c is a send (2. or 3.), a receive, `len`, `cap`, `close`, a comparison with
   nil, or `return o.c` as a receive-only result: no other code can send on a channel of c.
2. A *consumer's send* on `o.c` follows a make of `o.c` with nothing between but quiet statements
   and `if` conditions (slots.py's shape 1), inside an `if` between the two with the conjunct
   `o.v != nil`: it runs only when v was already written.
3. A *producer's send* is in the then-branch of an `if` (no initializer, quiet condition with the
   conjunct `o.c != nil`) after quiet statements, and that `if` follows `o.v = e` in its block with
   quiet statements between: the write, the test and the send are one quiet block. Every write of
   v in the package is the write of such a producer (none while making the object, no literal
   names c or v): v is nil until the producer writes it. v is a pointer or an interface, which no
   method call can change (a named slice's pointer method could: `o.v.grow()`).
4. Every producer runs at most once per object: `o` is a local of the function F the producer is
   written in (or of the F around it, for a function literal bound by `name := func(..) {..}`
   whose name is used only as the callee of call statements of F, outside any literal), bound
   once in F (never rebound, nor its address taken), by the *claim*: `o := m[k]` (or a call of
   the package's one method g whose every return is `nil` or `r.f[p]`, r its receiver and p a
   parameter it never rebinds, with no `defer`, which would run between the lookup and the delete),
   not in a loop or a literal, followed by `if`s that test
   `o == nil` as a disjunct and end in a return, then `delete(m, k)` with the same map and key,
   all quiet. Along every path of F after the delete, at most one write of v by a producer runs
   (a call of the literal counts the most writes along a path of its body; a loop, `go` or
   `defer` around one counts without bound).
5. Every producer of c claims from the same field f, unexported, of a map type, of a package
   struct S2. f is written only as `x.f = make(map..)`, `= nil` or `= map..{}` (a new empty map,
   also in literals of S2), and read only as `x.f[k]`, `delete(x.f, k)`, `len`, a comparison
   with nil or `range`: no map of f is ever another map. Every element write `x.f[k] = y` puts a
   fresh object: y is a local bound once to `&S{..}` in the same function, or a parameter of an
   unexported, non-variadic function h that nothing rebinds, put at one place in h outside any
   loop, every call of which passes such a local (h's name appears nowhere but as the callee of
   calls with as many arguments as parameters: a method value could pass anything, a method
   expression shifts them); and each such local is put (directly, or through h) at one place only,
   which runs at most once per run of its binding (slots.runs_once: no loop or named literal between,
   and no `goto` in the function). So an object is put into a map of f at most once in its life.
6. Every object of S is made by `&S{..}` with keyed elements that do not name c or v: S appears in
   the package only in its declaration, behind pointers and as the type of those literals (as
   oncesends.py requires), no `=` overwrites a whole S (fields.py), and no `*p` of a *S (or of an
   unknown type) is read anywhere: an object is never copied, so c and v start nil in each.

Why at most one send: the claim's lookup and delete are one quiet block, so (under the assumption
below) no other run finds the object between them; as the object is put into a map of f once and
maps of f never share what another map holds, one claim per object succeeds, and 4. runs one write
of v per claim. The consumer's block (test of c, make, test of v, send) and the producer's (write of
v, test of c, send) are quiet: two such blocks of different goroutines that touch the same memory
are ordered as wholes. If the consumer's send ran, v was written before its block, so the producer
ran before the make, when c was nil: no producer send. If the producer's send ran, c had been made
before its block, when v was zero: no consumer send. A second consumer finds c made and sends nothing.
So one send in all, into a channel made with k >= 1 slots.

Assumed: the program has no data race (all accesses to v, c and the map are ordered; `go test -race`
reports the rest): no lock is looked at, so `paf.js.mu` and `js.mu` need not be proved one mutex.
Another package cannot name the unexported fields, nor call h, but could overwrite a whole S, which
lockjaw assumes it does not (as fields.py does). Writes through reflect or unsafe are not seen. The
answer depends only on the package's syntax, types and call resolution, never on the order of the
questions nor on lock states.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from tree_sitter import Node

from linter.analysis.calls import base_type
from linter.analysis.fields import UNKNOWN_TYPE, is_written, write_statement
from linter.analysis.functions import Function
from linter.analysis.oncesends import (
    assigned_value, binds, discarded, harmless_channel_use, literal_element_type, outer_expression, pointer_conversion,
    unexported,
    received_result, stable_name,
)
from linter.analysis.slots import capacity, just_made, makes_buffered, runs_once, quiet
from linter.analysis.syntax import call_args, enclosing_function, expr_key, in_literal, text, unparen, walk_expr

if TYPE_CHECKING:
    from linter.analysis.package import Package

_MANY = 1 << 30  # writes along a path with no bound
_NONE = -1  # no path of that kind
_CASES = frozenset({"expression_case", "default_case", "type_case", "communication_case"})
_SWITCHES = frozenset({"expression_switch_statement", "type_switch_statement", "select_statement"})
_MAP_READS = frozenset({"len", "delete", "clear"})


@dataclass(frozen=True, slots=True)
class _Producer:
    """A producer (3.): `owner.v = e` then `if owner.c != nil { .. owner.c <- .. }`."""

    owner: str
    value: str  # v
    write: Node  # the statement `owner.v = e`


@dataclass(frozen=True, slots=True)
class _Claim:
    """The claim (4.) of a producer's object: the map field, the delete, the function and the claimed local."""

    map_struct: str
    map_field: str
    delete: Node  # the statement `delete(m, k)`
    top: Function
    owner: str


class ClaimedSends:
    """The package's lazy-future channel fields whose producers' sends find a free slot, decided per field."""

    def __init__(self, pkg: "Package"):
        self.pkg = pkg
        self._fields: dict[tuple[str, str], str] = {}

    def free(self, fn: Function, send: Node) -> bool:
        """Whether the send statement `send`, written in `fn`, is a producer's send that finds a free slot."""
        producer = _producer(send)
        if producer is None:
            return False
        channel = unparen(send.child_by_field_name("channel"))
        struct = base_type(self.pkg.scope(fn).type_of(channel.child_by_field_name("operand")))
        name = text(channel.child_by_field_name("field"))
        if name not in self.pkg.types.fields.get(struct, {}):
            return False
        found = self._fields.get((struct, name))
        if found is None:
            found = self._fields[(struct, name)] = self._decide(struct, name)
        return found == producer.value

    def _decide(self, struct: str, c: str) -> str:
        """v when the channel field c of `struct` is a lazy future's (see the module); "" if not."""
        declared = self.pkg.types.fields[struct]
        if not unexported(c) or not declared[c].startswith("chan"):
            return ""
        found = self._channel_uses(struct, c)
        if found is None:
            return ""
        v, producers = found
        if not v or not unexported(v) or v not in declared or not producers or not self._nilable(declared[v]):
            return ""
        writes = {p.write.id for p, _ in producers}
        for selector, _ in self.pkg.once_sends.selectors(struct, v):
            if is_written(selector) and getattr(write_statement(selector), "id", None) not in writes:
                return ""
        if not self._objects(struct, (c, v)):
            return ""
        claims = self._claims(producers)
        if claims is None or len({(k.map_struct, k.map_field) for k in claims}) != 1:
            return ""
        return v if self._map(claims[0].map_struct, claims[0].map_field, struct) else ""

    # 1-3. the channel's uses ------------------------------------------------------------

    def _channel_uses(self, struct: str, c: str) -> tuple[str, list[tuple[_Producer, Function]]] | None:
        """The one v every send of c is tied to, and the producers with their functions; None when a
        use of c is none of the module's."""
        v = ""
        producers: list[tuple[_Producer, Function]] = []
        for selector, fn in self.pkg.once_sends.selectors(struct, c):
            outer = outer_expression(selector)
            parent = outer.parent
            operand = unparen(selector.child_by_field_name("operand"))
            sent_on = parent is not None and parent.type == "send_statement"
            if sent_on and parent.child_by_field_name("channel") == outer:
                producer = _producer(parent)
                if producer is not None and fn is not None:
                    producers.append((producer, fn))
                    here = producer.value
                else:
                    here = _consumer(parent, operand, c)
                if not here or (v and here != v):
                    return None
                v = here
            elif is_written(selector):
                if not _lazy_make(selector, operand, c):
                    return None
            elif not (harmless_channel_use(selector) or received_result(selector)) or self._shadowed(fn, selector):
                return None
        return v, producers

    def _nilable(self, t: str) -> bool:
        """A pointer or an interface: a value no method call can change (a slice or map of a named
        type may be replaced by a method with a pointer receiver, `o.v.grow()`)."""
        t = "".join(t.split())
        underlying = "".join(self.pkg.types.underlying(t).split())
        return t.startswith("*") or t in ("error", "any") or underlying.startswith("interface{")

    def _shadowed(self, fn: Function | None, node: Node) -> bool:
        """`len(x.f)` where `len` is a function of the package, not the builtin."""
        args = outer_expression(node).parent
        call = args.parent if args is not None and args.type == "argument_list" else None
        return call is not None and (fn is None or bool(self.pkg.resolve(fn, call)))

    # 6. the objects ---------------------------------------------------------------------

    def _objects(self, struct: str, fields: tuple[str, ...]) -> bool:
        """Whether every object of `struct` is made by `&S{..}` not naming `fields`, and none is ever copied."""
        pattern = re.compile(rb"\b" + re.escape(struct.encode()) + rb"\b")
        for file in self.pkg.files:
            for m in pattern.finditer(file.data):
                node = file.root.descendant_for_byte_range(m.start(), m.end())
                if node is None or node.type not in ("type_identifier", "identifier") or text(node) != struct:
                    continue
                parent = node.parent
                if node.type == "identifier" and pointer_conversion(node):
                    continue
                if node.type == "identifier" or parent is None:
                    return False
                if parent.type == "type_spec" and parent.child_by_field_name("name") == node:
                    if parent.child_by_field_name("type_parameters") is not None:
                        return False
                    continue
                if parent.type == "composite_literal" and parent.child_by_field_name("type") == node:
                    if not discarded(parent) and not _new_object(parent, fields):
                        return False
                    continue
                if parent.type != "pointer_type" or literal_element_type(parent):
                    return False
        overwritten = self.pkg.fixed_fields._overwritten_structs()
        return struct not in overwritten and UNKNOWN_TYPE not in overwritten and not self._copied(struct)

    def _copied(self, struct: str) -> bool:
        """Whether some `*p` reads an object of `struct` (or of a type lockjaw does not know)."""
        for file in self.pkg.files:
            for n in walk_expr(file.root, into_literals=True):
                if n.type != "unary_expression" or text(n.child_by_field_name("operator")) != "*":
                    continue
                operand = unparen(n.child_by_field_name("operand"))
                if operand.type == "identifier" and pointer_conversion(operand):
                    continue  # `(*T)(v)`: a conversion, nothing read
                literal = enclosing_function(n)
                fn = self.pkg.function_of(literal) if literal is not None else None
                t = self.pkg.scope(fn).type_of(operand) if fn is not None else ""
                if not t.startswith("*") or (t[1:2].isalpha() or t[1:2] == "_") and base_type(t[1:]) == struct:
                    return True
        return False

    # 4. the claims ----------------------------------------------------------------------

    def _claims(self, producers: list[tuple[_Producer, Function]]) -> list[_Claim] | None:
        """The claim of every producer; None when one has none, or a claim's producers may write v twice."""
        groups: dict[tuple[int, str], tuple[_Claim, list[tuple[_Producer, Function]]]] = {}
        for producer, fn in producers:
            top = fn.parent if fn.is_literal else fn
            if top is None or top.is_literal or (fn.is_literal and producer.owner in fn.params):
                return None
            claim = self._claim(top, producer.owner)
            if claim is None:
                return None
            groups.setdefault((top.node.id, producer.owner), (claim, []))[1].append((producer, fn))
        for claim, members in groups.values():
            if not self._writes_once(claim, members):
                return None
        return [claim for claim, _ in groups.values()]

    def _claim(self, top: Function, owner: str) -> _Claim | None:
        """The claim binding `owner` in `top` (see the module, 4.); None if there is none."""
        body = top.body
        if body is None or b"goto" in (body.text or b"") or owner in (top.receiver, *top.params, *top.results):
            return None
        bindings = [n for n in walk_expr(body, into_literals=True) if binds(n, owner)]
        if len(bindings) != 1 or bindings[0].type != "short_var_declaration" or in_literal(bindings[0], body):
            return None
        binding = bindings[0]
        left, right = binding.child_by_field_name("left"), binding.child_by_field_name("right")
        if left is None or right is None or left.named_child_count != 1 or right.named_child_count != 1:
            return None
        lookup = self._lookup(top, unparen(right.named_children[0]))
        node = binding.parent
        while node is not None and node != body:
            if node.type in ("for_statement", "func_literal"):
                return None
            node = node.parent
        if lookup is None or node is None or binding.parent.type != "statement_list":
            return None
        map_key, operand, map_field, key = lookup
        sibling = _next(binding)
        while sibling is not None and sibling.type == "if_statement" and _exit(sibling, owner):
            sibling = _next(sibling)
        if sibling is None or not self._deletes(top, sibling, map_key, key):
            return None
        map_struct = base_type(self.pkg.scope(top).type_of(operand)) if operand.type == "identifier" else ""
        declared = self.pkg.types.fields.get(map_struct, {})
        if not unexported(map_field) or not declared.get(map_field, "").startswith("map["):
            return None
        return _Claim(map_struct, map_field, sibling, top, owner)

    def _lookup(self, top: Function, value: Node) -> tuple[str, Node, str, str] | None:
        """The map `x.f` (as written, x, f) and key name of a lookup `x.f[k]`, or of a call `x.g(.., k, ..)` of
        the package's one function g whose returns are `nil` or `r.f[p]` (r its receiver, p a parameter)."""
        if value.type == "index_expression":
            operand, index = value.child_by_field_name("operand"), value.child_by_field_name("index")
            operand = unparen(operand) if operand is not None else None
            if operand is None or index is None or unparen(index).type != "identifier" or not _plain(operand):
                return None
            inner = unparen(operand.child_by_field_name("operand"))
            return expr_key(operand), inner, text(operand.child_by_field_name("field")), text(unparen(index))
        if value.type != "call_expression":
            return None
        targets = self.pkg.resolve(top, value)
        function = unparen(value.child_by_field_name("function"))
        if len(targets) != 1 or targets[0].is_literal or function.type != "selector_expression":
            return None
        g = targets[0]
        body, receiver = g.body, unparen(function.child_by_field_name("operand"))
        if body is None or not g.receiver or receiver.type != "identifier" or b"defer" in (body.text or b""):
            return None  # a deferred call would run between the lookup and the caller's delete
        params = list(g.params)
        returned: set[tuple[str, str]] = set()
        for n in walk_expr(body):
            if n.type == "return_statement":
                values = [c for c in n.named_children if c.type != "comment"]
                lists = values[0].named_children if values and values[0].type == "expression_list" else values
                if len(lists) != 1:
                    return None
                got = unparen(lists[0])
                if got.type == "nil":
                    continue
                if got.type != "index_expression":
                    return None
                operand, index = unparen(got.child_by_field_name("operand")), unparen(got.child_by_field_name("index"))
                inner = operand.child_by_field_name("operand") if operand.type == "selector_expression" else None
                if inner is None or text(unparen(inner)) != g.receiver or index.type != "identifier":
                    return None
                returned.add((text(operand.child_by_field_name("field")), text(index)))
        if len(returned) != 1:
            return None
        field, param = returned.pop()
        rebinds = any(binds(n, g.receiver) or binds(n, param) for n in walk_expr(body, into_literals=True))
        if param not in params or rebinds:
            return None
        args = call_args(value)
        if len(args) != len(params) or unparen(args[params.index(param)]).type != "identifier":
            return None
        return f"{text(receiver)}.{field}", receiver, field, text(unparen(args[params.index(param)]))

    def _deletes(self, top: Function, stmt: Node, map_key: str, key: str) -> bool:
        """`delete(m, k)` with the builtin delete, as a statement."""
        call = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_child_count else None
        if call is None or call.type != "call_expression" or text(call.child_by_field_name("function")) != "delete":
            return False
        args = call_args(call)
        return len(args) == 2 and expr_key(args[0]) == map_key and unparen(args[1]).type == "identifier" and (
            text(unparen(args[1])) == key) and not self.pkg.resolve(top, call)

    def _writes_once(self, claim: _Claim, members: list[tuple[_Producer, Function]]) -> bool:
        """Whether at most one write of v by the claim's producers runs along a path of its function
        after the delete (see the module, 4.)."""
        top, body, delete = claim.top, claim.top.body, claim.delete
        direct: set[int] = set()
        literals: dict[int, tuple[Function, set[int]]] = {}
        for producer, fn in members:
            if not (delete.end_byte <= producer.write.start_byte and producer.write.end_byte <= delete.parent.end_byte):
                return False
            if fn.is_literal:
                literals.setdefault(fn.node.id, (fn, set()))[1].add(producer.write.id)
            else:
                direct.add(producer.write.id)
        closures: dict[str, int] = {}
        for fn, writes in literals.values():
            name = self._closure(top, fn, delete)
            if not name:
                return False
            inner = fn.body
            statements = inner.named_children[0].named_children if inner is not None and inner.named_child_count else []
            closures[name] = max(_most(statements, writes, {}))
        after: list[Node] = []
        sibling = _next(delete)
        while sibling is not None:
            after.append(sibling)
            sibling = _next(sibling)
        return body is not None and max(_most(after, direct, closures)) <= 1

    def _closure(self, top: Function, literal: Function, delete: Node) -> str:
        """The name of a literal bound by `name := func(..) {..}` after the delete, used only as the
        callee of call statements of `top` outside any literal; "" for any other literal."""
        node = outer_expression(literal.node)
        values = node.parent
        binding = values.parent if values is not None and values.type == "expression_list" else None
        if binding is None or binding.type != "short_var_declaration" or values.named_child_count != 1:
            return ""
        left = binding.child_by_field_name("left")
        if binding.child_by_field_name("right") != values or left is None or left.named_child_count != 1:
            return ""
        name = text(left.named_children[0])
        body = top.body
        if body is None or binding.start_byte < delete.end_byte or binding.end_byte > delete.parent.end_byte:
            return ""
        for n in walk_expr(body, into_literals=True):
            if binds(n, name) and n != binding:
                return ""
            if n.type != "identifier" or text(n) != name or n.parent == left:
                continue
            call = n.parent
            if call.type != "call_expression" or call.child_by_field_name("function") != n or in_literal(call, body):
                return ""
            if call.parent is None or call.parent.type != "expression_statement" or call.start_byte < binding.end_byte:
                return ""
        return name

    # 5. the map -------------------------------------------------------------------------

    def _map(self, struct: str, field: str, element: str) -> bool:
        """Whether the map field only ever holds objects of `element` put into a map of it once each."""
        inserts: list[tuple[Function, Node, Node]] = []  # function, assignment, value
        for selector, fn in self.pkg.once_sends.selectors(struct, field):
            outer = outer_expression(selector)
            parent = outer.parent
            if is_written(selector):
                stmt = write_statement(selector)
                value = assigned_value(stmt, outer) if stmt is not None else None
                if value is None or not _empty_map(value):
                    return False
                continue
            indexed = parent is not None and parent.type == "index_expression"
            if indexed and parent.child_by_field_name("operand") == outer:
                target = outer_expression(parent)
                holder = target.parent
                owner = holder.parent if holder is not None and holder.type == "expression_list" else None
                if owner is not None and owner.child_by_field_name("left") == holder:
                    value = assigned_value(owner, target) if owner.type == "assignment_statement" else None
                    if fn is None or value is None:
                        return False
                    inserts.append((fn, owner, value))
                elif holder is not None and holder.type in ("inc_statement", "dec_statement", "unary_expression"):
                    return False
                continue
            if not self._map_read(fn, selector):
                return False
        if not self._literal_keys(struct, field):
            return False
        sites = {value.id for _, _, value in inserts}
        puts = {
            (fn.node.id, text(value)) for fn, _, value in inserts
            if value.type == "identifier" and text(value) in fn.params
        }
        return all(self._fresh_put(fn, value, element, sites, puts) for fn, _, value in inserts)

    def _map_read(self, fn: Function | None, selector: Node) -> bool:
        """`len(m)`, `delete(m, k)`, `clear(m)` (the builtins), a comparison with nil, `range m`."""
        outer = outer_expression(selector)
        parent = outer.parent
        if parent is not None and parent.type == "argument_list":
            call = parent.parent
            function = call.child_by_field_name("function") if call is not None else None
            first = [c for c in parent.named_children if c.type != "comment"][:1] == [outer]
            return function is not None and text(function) in _MAP_READS and first and not self._shadowed(fn, selector)
        compared = parent is not None and parent.type in ("binary_expression", "range_clause")
        return compared and harmless_channel_use(selector)

    def _literal_keys(self, struct: str, field: str) -> bool:
        """Whether every composite literal that may be of `struct` gives `field` a new empty map, if anything."""
        pattern = re.compile(rb"\b" + re.escape(field.encode()) + rb"\b")
        for file in self.pkg.files:
            for m in pattern.finditer(file.data):
                node = file.root.descendant_for_byte_range(m.start(), m.end())
                key = node.parent if node is not None else None
                element = key.parent if key is not None and key.type == "literal_element" else None
                if element is None or element.type != "keyed_element" or element.child_by_field_name("key") != key:
                    continue
                literal = element.parent.parent if element.parent is not None else None
                is_literal = literal is not None and literal.type == "composite_literal"
                kind = literal.child_by_field_name("type") if is_literal else None
                if kind is not None and kind.type == "type_identifier" and text(kind) != struct:
                    continue
                value = element.child_by_field_name("value")
                inner = value.named_children[0] if value is not None and value.named_child_count else None
                if inner is None or not _empty_map(unparen(inner)):
                    return False
        return True

    def _fresh_put(self, fn: Function, value: Node, element: str, sites: set[int], puts: set[tuple[int, str]]) -> bool:
        """Whether the value an element write puts is fresh (see the module, 5.)."""
        body = fn.body
        if fn.is_literal or body is None or value.type != "identifier" or b"goto" in (body.text or b""):
            return False
        name = text(value)
        if name not in fn.params:
            return self._fresh_local(fn, value, element, sites, puts)
        if not unexported(fn.name) or name == fn.receiver:
            return False
        if not stable_name(fn, body, name) or not runs_once(value, body):
            return False
        if self._puts_of(fn, name, sites, puts) != [value]:
            return False
        return self._callers_fresh(fn, list(fn.params).index(name), element, sites, puts)

    def _fresh_local(self, fn: Function, use: Node, element: str, sites: set[int], puts: set[tuple[int, str]]) -> bool:
        """Whether `use` is the one place a local bound once to `&element{..}` is put into a map of the field."""
        body, name = fn.body, text(use)
        if body is None or fn.is_literal or b"goto" in (body.text or b"") or not stable_name(fn, body, name):
            return False  # a jump back may put the same object again
        binding = next((n for n in walk_expr(body) if binds(n, name)), None)
        if binding is None or binding.type != "short_var_declaration":
            return False
        right = binding.child_by_field_name("right")
        value = unparen(right.named_children[0]) if right is not None and right.named_child_count == 1 else None
        addressed = value is not None and value.type == "unary_expression" and (
            text(value.child_by_field_name("operator")) == "&")
        literal = unparen(value.child_by_field_name("operand")) if addressed else None
        is_literal = literal is not None and literal.type == "composite_literal"
        kind = literal.child_by_field_name("type") if is_literal else None
        if kind is None or text(kind) != element or binding.parent is None or binding.parent.type != "statement_list":
            return False
        return self._puts_of(fn, name, sites, puts) == [use] and runs_once(use, binding.parent)

    def _puts_of(self, fn: Function, name: str, sites: set[int], puts: set[tuple[int, str]]) -> list[Node]:
        """The uses of `name` in `fn` that put its value into a map of the field: an element write's
        value, or an argument of a call of a function whose parameter there is put."""
        out: list[Node] = []
        for n in walk_expr(fn.body, into_literals=True):
            if n.type != "identifier" or text(n) != name:
                continue
            if n.id in sites:
                out.append(n)
                continue
            args = outer_expression(n).parent
            call = args.parent if args is not None and args.type == "argument_list" else None
            if call is None:
                continue
            position = [c for c in args.named_children if c.type != "comment"].index(outer_expression(n))
            for target in self.pkg.resolve(fn, call):
                params = list(target.params)
                if position < len(params) and (target.node.id, params[position]) in puts:
                    out.append(n)
                    break
        return out

    def _callers_fresh(self, h: Function, position: int, element: str, sites: set[int],
                       puts: set[tuple[int, str]]) -> bool:
        """Whether `h`'s name is used only as the callee of calls that each pass, at `position`, a fresh local."""
        pattern = re.compile(rb"\b" + re.escape(h.name.encode()) + rb"\b")
        declared = h.node.child_by_field_name("name")
        for file in self.pkg.files:
            for m in pattern.finditer(file.data):
                node = file.root.descendant_for_byte_range(m.start(), m.end())
                if node is None or node.type not in ("identifier", "field_identifier") or text(node) != h.name:
                    continue
                if node == declared:
                    continue
                function = node.parent if node.type == "field_identifier" else node
                if function is None or (node.type == "field_identifier" and function.type != "selector_expression"):
                    return False
                callee = outer_expression(function)
                call = callee.parent
                if call is None or call.type != "call_expression" or call.child_by_field_name("function") != callee:
                    return False
                literal = enclosing_function(call)
                caller = self.pkg.function_of(literal) if literal is not None else None
                if caller is None:
                    return False
                targets = self.pkg.resolve(caller, call)
                if h not in targets:
                    if targets:
                        continue  # another function of that name
                    return False
                args = call_args(call)
                if len(args) != len(h.params) or _variadic(h) or in_literal(call, caller.body) or caller.is_literal:
                    return False  # a method expression `(*T).h(t, ..)` passes the receiver first
                arg = unparen(args[position])
                if arg.type != "identifier" or not self._fresh_local(caller, arg, element, sites, puts):
                    return False
        return True


def _variadic(fn: Function) -> bool:
    params = fn.node.child_by_field_name("parameters")
    return params is not None and any(c.type == "variadic_parameter_declaration" for c in params.named_children)


def _producer(send: Node) -> _Producer | None:
    """The producer around a send (see the module, 3.), from the syntax alone."""
    channel = send.child_by_field_name("channel")
    channel = unparen(channel) if channel is not None else None
    selected = channel is not None and channel.type == "selector_expression"
    operand = channel.child_by_field_name("operand") if selected else None
    if operand is None or unparen(operand).type != "identifier":
        return None
    owner, key = text(unparen(operand)), expr_key(channel)
    value = send.child_by_field_name("value")
    if value is None or not quiet(value, owner, True) or not _after_quiet(send):
        return None
    test = _quiet_if_around(send, owner)
    if test is None or not any(_nil_test(c, key, "!=") for c in _leaves(test.child_by_field_name("condition"), "&&")):
        return None
    write = _prev(test)
    while write is not None and write.type != "assignment_statement" and quiet(write, owner, True):
        write = _prev(write)
    if write is None or write.type != "assignment_statement" or text(write.child_by_field_name("operator")) != "=":
        return None
    left = write.child_by_field_name("left")
    target = unparen(left.named_children[0]) if left is not None and left.named_child_count == 1 else None
    if target is None or target.type != "selector_expression" or assigned_value(write, left.named_children[0]) is None:
        return None
    inner = unparen(target.child_by_field_name("operand"))
    if inner.type != "identifier" or text(inner) != owner:
        return None
    between = write
    while (between := _next(between)) is not None and between != test:
        if not quiet(between, owner, True):
            return None
    return _Producer(owner, text(target.child_by_field_name("field")), write)


def _consumer(send: Node, operand: Node, c: str) -> str:
    """v for a consumer's send (see the module, 2.); "" for any other send."""
    channel = unparen(send.child_by_field_name("channel"))
    if operand.type != "identifier" or not just_made(send, channel):
        return ""
    owner, key = text(operand), expr_key(channel)
    guard, node = "", send
    while node.parent is not None and node.parent.type == "statement_list":
        sibling = _prev(node)
        while sibling is not None:
            if makes_buffered(sibling, key):
                return guard
            sibling = _prev(sibling)
        block = node.parent.parent
        test = block.parent if block is not None and block.type == "block" else None
        if test is None or test.type != "if_statement":
            return ""
        if test.child_by_field_name("consequence") == block and not guard:
            for leaf in _leaves(test.child_by_field_name("condition"), "&&"):
                tested = _nil_tested(leaf, "!=")
                if tested is not None and tested.type == "selector_expression" and (
                    text(unparen(tested.child_by_field_name("operand"))) == owner
                ) and text(tested.child_by_field_name("field")) != c:
                    guard = text(tested.child_by_field_name("field"))
        node = test
    return ""


def _lazy_make(selector: Node, operand: Node, c: str) -> bool:
    """`o.c = make(chan T, k)`, k >= 1, in the then-branch of `if o.c == nil` after quiet statements."""
    stmt = write_statement(selector)
    value = assigned_value(stmt, outer_expression(selector)) if stmt is not None else None
    if value is None or capacity(value) < 1 or operand.type != "identifier":
        return False
    left = stmt.child_by_field_name("left")
    if left is None or left.named_child_count != 1:
        return False
    owner, key = text(operand), f"{text(operand)}.{c}"
    test = _quiet_if_around(stmt, owner)
    if test is None or not any(_nil_test(c, key, "==") for c in _leaves(test.child_by_field_name("condition"), "&&")):
        return False
    return _after_quiet(stmt)


def _quiet_if_around(stmt: Node, owner: str) -> Node | None:
    """The `if` whose then-branch holds the statement `stmt` directly, when it has no initializer
    and a quiet condition (slots.quiet, for a field chain of `owner`)."""
    block = stmt.parent.parent if stmt.parent is not None and stmt.parent.type == "statement_list" else None
    test = block.parent if block is not None and block.type == "block" else None
    if test is None or test.type != "if_statement" or test.child_by_field_name("consequence") != block:
        return None
    condition = test.child_by_field_name("condition")
    if test.child_by_field_name("initializer") is not None or condition is None or not quiet(condition, owner, True):
        return None
    return test


def _after_quiet(stmt: Node) -> bool:
    """Whether every statement before `stmt` in its block is quiet (slots.py)."""
    sibling = _prev(stmt)
    while sibling is not None:
        if not quiet(sibling, "", True):
            return False
        sibling = _prev(sibling)
    return True


def _exit(test: Node, owner: str) -> bool:
    """`if .. owner == nil .. { ..; return }`: a quiet condition with that disjunct, no else."""
    condition = test.child_by_field_name("condition")
    consequence = test.child_by_field_name("consequence")
    if test.child_by_field_name("initializer") is not None or test.child_by_field_name("alternative") is not None:
        return False
    if condition is None or consequence is None or not quiet(condition, owner, True):
        return False
    statements = consequence.named_children[0] if consequence.named_child_count else None
    last = [c for c in statements.named_children if c.type != "comment"][-1:] if statements is not None else []
    return bool(last) and last[0].type == "return_statement" and any(
        _nil_test(leaf, owner, "==") for leaf in _leaves(condition, "||"))


def _most(statements: Iterable[Node], writes: set[int], closures: dict[str, int]) -> tuple[int, int]:
    """The most writes (the statements `writes`, and calls of `closures`) along a path through the
    statements that goes on after them, and along one that returns in them (_NONE if none does)."""
    fall, term = 0, _NONE
    for stmt in statements:
        f, t = _stmt_most(stmt, writes, closures)
        if t != _NONE:
            term = max(term, min(_MANY, fall + t))
        if f == _NONE:
            return _NONE, term
        fall = min(_MANY, fall + f)
    return fall, term


def _stmt_most(stmt: Node, writes: set[int], closures: dict[str, int]) -> tuple[int, int]:
    kind = stmt.type
    if kind == "comment" or kind == "empty_statement":
        return 0, _NONE
    if kind == "return_statement":
        return _NONE, _count(stmt, writes, closures)
    if kind == "block":
        listed = stmt.named_child_count and stmt.named_children[0].type == "statement_list"
        inner = stmt.named_children[0] if listed else None
        return _most(inner.named_children if inner is not None else [], writes, closures)
    if kind == "if_statement":
        head = sum(_count(n, writes, closures) for n in (
            stmt.child_by_field_name("initializer"), stmt.child_by_field_name("condition")) if n is not None)
        alternative = stmt.child_by_field_name("alternative")
        paths = [_stmt_most(stmt.child_by_field_name("consequence"), writes, closures)]
        paths.append(_stmt_most(alternative, writes, closures) if alternative is not None else (0, _NONE))
        return _join(head, paths)
    if kind in _SWITCHES:
        cases = [c for c in stmt.named_children if c.type in _CASES]
        head = sum(_count(c, writes, closures) for c in stmt.named_children if c.type not in _CASES)
        paths = []
        for case in cases:
            parts = [c for c in case.named_children if c.type == "statement_list"]
            guard = sum(_count(c, writes, closures) for c in case.named_children if c.type != "statement_list")
            f, t = _most(parts[0].named_children if parts else [], writes, closures)
            paths.append((f + guard if f != _NONE else f, t + guard if t != _NONE else t))
        if not any(c.type == "default_case" for c in cases):
            paths.append((0, _NONE))
        return _join(head, paths)
    counted = _count(stmt, writes, closures, into_literals=True)
    if kind in ("for_statement", "go_statement", "defer_statement", "labeled_statement"):
        return (_MANY, _MANY) if counted else (0, _NONE)
    return _count(stmt, writes, closures), _NONE


def _join(head: int, paths: list[tuple[int, int]]) -> tuple[int, int]:
    falls = [f for f, _ in paths if f != _NONE]
    terms = [t for _, t in paths if t != _NONE]
    return (min(_MANY, head + max(falls)) if falls else _NONE), (min(_MANY, head + max(terms)) if terms else _NONE)


def _count(node: Node, writes: set[int], closures: dict[str, int], into_literals: bool = False) -> int:
    """The writes in `node` and the calls of closures, each counted once."""
    total = 0
    for n in walk_expr(node, into_literals=into_literals):
        if n.id in writes:
            total += 1
        elif n.type == "call_expression":
            function = unparen(n.child_by_field_name("function"))
            if function.type == "identifier" and text(function) in closures:
                total += closures[text(function)]
    return min(total, _MANY)


def _leaves(condition: Node | None, op: str) -> list[Node]:
    """The operands of a chain of `op` (`&&` or `||`)."""
    out, stack = [], [condition]
    while stack:
        c = stack.pop()
        c = unparen(c) if c is not None else None
        if c is None:
            continue
        if c.type == "binary_expression" and text(c.child_by_field_name("operator")) == op:
            stack.extend((c.child_by_field_name("left"), c.child_by_field_name("right")))
        else:
            out.append(c)
    return out


def _nil_tested(node: Node, op: str) -> Node | None:
    """`x` of `x op nil` (or `nil op x`)."""
    if node.type != "binary_expression" or text(node.child_by_field_name("operator")) != op:
        return None
    left, right = unparen(node.child_by_field_name("left")), unparen(node.child_by_field_name("right"))
    if right.type == "nil":
        return left
    return right if left.type == "nil" else None


def _nil_test(node: Node, key: str, op: str) -> bool:
    tested = _nil_tested(node, op)
    return tested is not None and expr_key(tested) == key


def _new_object(literal: Node, fields: tuple[str, ...]) -> bool:
    """`&S{..}` with keyed elements only, none of which names `fields`."""
    outer = outer_expression(literal)
    parent = outer.parent
    if parent is None or parent.type != "unary_expression" or text(parent.child_by_field_name("operator")) != "&":
        return False
    body = literal.child_by_field_name("body")
    for element in (c for c in body.named_children if c.type != "comment") if body is not None else ():
        if element.type != "keyed_element":
            return False
        key = element.child_by_field_name("key")
        if key is None or text(key).strip() in fields:
            return False
    return True


def _empty_map(value: Node) -> bool:
    """`make(map..)` (with no more than a size), `nil` or `map..{}`: a map that holds nothing."""
    value = unparen(value)
    if value.type == "nil":
        return True
    if value.type == "composite_literal":
        kind, body = value.child_by_field_name("type"), value.child_by_field_name("body")
        return kind is not None and kind.type == "map_type" and body is not None and not any(
            c.type != "comment" for c in body.named_children)
    if value.type != "call_expression" or text(value.child_by_field_name("function")) != "make":
        return False
    args = call_args(value)
    return bool(args) and args[0].type == "map_type"


def _plain(node: Node) -> bool:
    """`x.f` with x a name."""
    return node.type == "selector_expression" and unparen(node.child_by_field_name("operand")).type == "identifier"


def _next(node: Node) -> Node | None:
    sibling = node.next_named_sibling
    while sibling is not None and sibling.type == "comment":
        sibling = sibling.next_named_sibling
    return sibling


def _prev(node: Node) -> Node | None:
    sibling = node.prev_named_sibling
    while sibling is not None and sibling.type == "comment":
        sibling = sibling.prev_named_sibling
    return sibling
