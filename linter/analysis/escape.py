"""Fresh objects no other code can reach yet: `sub := &subscription{}` until `sub` escapes.

A local bound to a new allocation (`&T{..}`, `new(T)`, a struct value `T{..}`,
`make(..)`) holds memory that only this function can name, until the local
escapes: until it is stored anywhere but in its own binding, passed to any call
(a method call on it, or on a chain of its fields, included), returned, sent,
captured by a function literal (a `go` or `defer` too), or its address or that
of a field taken (`&v`, `&v.f`, `v.arr[:]`). Until then no other goroutine and
no callee can change the object's fields, so a lock, a channel operation or a
call need not forget facts about them (nats-server's `sub.queue`, set by a
switch before `c.mu.Lock()`).

Conservative on purpose: escapes are found by position, not by path. A local
escapes at the first place, in source order, where any of the above appears
(on any path); a loop that holds such a place makes the local escaped everywhere
in the loop (a later iteration runs after it). Another binding of the name that
is not a fresh allocation (`v = other`, `v, ok := m[k]`, a range or type-switch
variable) counts as an escape where it stands, and so does any use not known to
be harmless: the harmless uses are reading or writing a declared field of the
object's own package struct type (`v.f`, `v.f.g`, `v.f[i]`, not a method value),
an element (`v[k]`), `len(v)`, `cap(v)`, and comparing `v` with `==` or `!=`.
Only the object's own fields count as private (`v.f`, `len(v.f)`, not `v.f.g`,
which may live in memory another pointer shares), only a field the struct
declares (a promoted one may live in an embedded pointer's object), and only a
plain one: a pointer, slice, map, channel, func, interface, number, string or
bool, whose method values (`v.f.M`) get a copy, never a pointer into the object
as those of a struct or another named type may. The length of a map or channel
field is not private: the field holds a reference, and the map or channel may be
shared (`a.keep = sub.m`, or a map given to the literal), so others may change it.

A local of a package struct *value* type (a by-value parameter, a range value
variable, `v := m[k]`) is a private copy too, with other escapes: a copy of the
whole (passing it to a call, storing, returning, sending it, assigning it anew)
lets no one reach its memory, but its address does, taken explicitly (`&v`,
`&v.f`, `v.arr[:]`) or by Go for a method call or method value of it unless
the package declares that method with a value receiver (certmagic's
`cert.NeedsRenewal(cfg)`), and so does a function literal that captures it.
A range value variable is one variable for the whole loop (before Go 1.22), so
an escape anywhere in the loop counts in every round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from tree_sitter import Node

from linter.analysis.syntax import callee, call_args, in_literal, text, unparen, walk_expr, within
from linter.analysis.types import element_type, squash

# a package struct type -> its declared fields, each with how plain it is; None if unknown
Fields = Callable[[str], dict[str, str] | None]
NOT_PLAIN = ""  # a struct or named value: its method values may point into the object
PLAIN = "plain"  # a number, string, pointer, slice, func or interface: the value is the object's own
SHARED_LENGTH = "shared length"  # a map or channel: the reference is the object's, its length is not
_MAKE = "make()"  # the type of a `make(..)`: a map, slice or channel, no fields
_CHAIN = ("selector_expression", "index_expression", "parenthesized_expression")
_BINDINGS = ("short_var_declaration", "assignment_statement")


@dataclass(slots=True)
class Escapes:
    """The fresh locals of one function body and where each may escape (computed on first question)."""

    body: Node
    signature: frozenset[str]  # parameters, results and receiver: never fresh
    fields: Fields
    params: dict[str, str]  # parameter -> type: by-value structs are copies
    type_of: Callable[[Node], str]  # an expression's type ("" unknown)
    underlying: Callable[[str], str]  # a type's underlying type
    value_method: Callable[[str, str], bool]  # (struct type, name): a method with a value receiver
    _first: dict[str, int] | None = None  # fresh local -> the first byte where it may escape (or a big number)
    _loops: dict[str, list[Node]] = field(default_factory=dict)  # the loops that hold an escape
    _types: dict[str, set[str]] = field(default_factory=dict)  # fresh local -> the types allocated into it
    _decls: dict[str, list[tuple[Node, Node]]] = field(default_factory=dict)  # its declarations, with their scopes
    _values: dict[str, set[Node]] = field(default_factory=dict)  # struct value local -> its declarations

    def private(self, key: str, at: Node) -> bool:
        """Whether the term `key` (`v.f`, `len(v.f)`, `len(v)` of a made map) reads only memory of a
        fresh object that no code but this function's own statements can have reached by the
        end of the statement `at`."""
        inner = key[4:-1] if key.startswith(("len(", "cap(")) else key
        name, _, rest = inner.partition(".")
        if "." in rest or "(" in inner or (not rest and inner == key):
            return False
        if self._first is None:
            self._find()
        assert self._first is not None
        first = self._first.get(name)
        if first is None or first < at.end_byte:
            return False
        wanted = (PLAIN,) if inner != key else (PLAIN, SHARED_LENGTH)
        if rest and not all((self.fields(t) or {}).get(rest, NOT_PLAIN) in wanted for t in self._types[name]):
            return False  # not a plain field of every type the local holds (a map's length is the map's)
        start = at.start_byte
        declared = [d for d, scope in self._decls.get(name, ()) if d.end_byte <= start and within(at, scope)]
        if not declared:
            return False  # another variable of that name: a package variable, say
        decl = max(declared, key=lambda d: d.start_byte)  # the innermost: the one `at` sees
        if name in self._values and decl not in self._values[name]:
            return False  # another variable of that name, not a struct value
        renewed = decl.parent is not None and decl.parent.type != "for_clause" and decl.type != "range_clause"
        # a loop that holds an escape runs it before `at` in an earlier round, unless each
        # round declares a new variable before `at`
        return all(
            not within(at, loop) or (renewed and within(decl, loop)) for loop in self._loops.get(name, ())
        )

    def private_new(self, key: str, at: Node) -> bool:
        """`private`, and of a local bound to a new allocation, not a struct value copied from
        elsewhere (a by-value parameter, a range value, `v := m[k]`): a copy's fields go back to
        shared memory whole (`m[k] = v`), where only the copy's inferred type can tell."""
        if not self.private(key, at):
            return False
        inner = key[4:-1] if key.startswith(("len(", "cap(")) else key
        return inner.partition(".")[0] not in self._values

    def _find(self) -> None:
        """One walk: the fresh bindings, then every use of their names, harmless or not."""
        fresh: dict[str, set[str]] = {}
        uses: list[Node] = []
        self._first = {}
        for node in walk_expr(self.body, into_literals=True):
            kind = node.type
            if kind == "identifier":
                uses.append(node)
            elif kind == "type_declaration":
                return  # a local type may shadow the package's: its fields are not the ones known
            elif (kind in _BINDINGS or kind == "var_spec") and not in_literal(node, self.body):
                for name, value in _bound(node):
                    t = _allocated(value) if value is not None else _zero_struct(node, self.fields)
                    if name in self.signature or not (t or value is None):
                        continue
                    if t:
                        fresh.setdefault(name, set()).add(t)
                    if kind != "assignment_statement":
                        self._declared(name, node)
        values = self._find_values(set(fresh))
        for name in fresh:
            self._first[name] = 1 << 62
            self._types[name] = fresh[name]
        for name, types in values.items():
            self._first[name] = 1 << 62
            self._types[name] = types
        for node in uses:
            name = text(node)
            if name in values:
                where = _value_escape(node, values[name], self.fields, self.body, self._values[name], self.value_method)
            elif name in fresh:
                where = _escape(node, fresh[name], self.fields, self.body)
            else:
                continue
            if where is None:
                continue
            self._first[name] = min(self._first[name], where.start_byte)
            loop = where.parent
            while loop is not None and loop != self.body:
                if loop.type == "for_statement":
                    self._loops.setdefault(name, []).append(loop)
                loop = loop.parent

    def _find_values(self, fresh: set[str]) -> dict[str, set[str]]:
        """The locals of a package struct value type (not fresh allocations): by-value
        parameters, range value variables, `v := x` of such a type; each with its types."""
        values: dict[str, set[str]] = {}
        params = self.body.parent.child_by_field_name("parameters") if self.body.parent is not None else None
        for name, t in self.params.items():
            if params is not None and name not in fresh and self._struct(t):
                values.setdefault(name, set()).add(t)
                self._decls.setdefault(name, []).append((params, self.body))
                self._values.setdefault(name, set()).add(params)
        for node in walk_expr(self.body):
            bound: list[tuple[Node, str]] = []
            if node.type == "range_clause" and any(c.type == ":=" for c in node.children):
                left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
                lefts = left.named_children if left is not None else []
                over = self.underlying(self.type_of(right)) if right is not None else ""
                if len(lefts) == 2 and lefts[1].type == "identifier" and over.startswith(("map[", "[")):
                    bound.append((lefts[1], element_type(over)))
            elif node.type == "short_var_declaration" and not in_literal(node, self.body):
                for name, value in _bound(node):
                    if value is not None and not _allocated(value):
                        ids = [n for n in node.child_by_field_name("left").named_children if text(n) == name]
                        bound.extend((i, self.type_of(value)) for i in ids[:1])
            for ident, t in bound:
                name = text(ident)
                if name in fresh or name in self.signature or not self._struct(t):
                    continue
                values.setdefault(name, set()).add(t)
                self._declared(name, ident.parent.parent if node.type != "range_clause" else node)
                self._values.setdefault(name, set()).add(self._decls[name][-1][0])
        return values

    def _struct(self, t: str) -> bool:
        return bool(t) and not t.startswith(("*", "[", "map[")) and self.fields(t) is not None

    def _declared(self, name: str, binding: Node) -> None:
        """Note a declaration of a fresh (or nil) local, as the statement and the scope it opens."""
        stmt = binding
        while stmt.type in ("var_spec", "var_spec_list") and stmt.parent is not None:
            stmt = stmt.parent
        scope = stmt.parent
        if scope is not None and scope.type == "for_clause":  # `for v := ..; ..`: the loop's
            scope = scope.parent
        if scope is not None:
            self._decls.setdefault(name, []).append((stmt, scope))


def _bound(stmt: Node) -> list[tuple[str, Node | None]]:
    """The names a binding sets and the value each gets (None: not one value of its own)."""
    if stmt.type == "var_spec":
        names = [text(n) for n in stmt.children_by_field_name("name")]
        value = stmt.child_by_field_name("value")
        values = value.named_children if value is not None else []
        if value is None:
            return [(n, None) for n in names]
        return list(zip(names, values)) if len(values) == len(names) else []
    if stmt.type == "assignment_statement" and text(stmt.child_by_field_name("operator")) != "=":
        return []
    left, right = stmt.child_by_field_name("left"), stmt.child_by_field_name("right")
    lefts = [unparen(n) for n in left.named_children] if left is not None else []
    rights = right.named_children if right is not None else []
    if len(lefts) != len(rights):
        return []
    return [(text(l), r) for l, r in zip(lefts, rights) if l.type == "identifier"]


def allocated(value: Node) -> str:
    """The type of a fresh allocation (`&T{..}`, `new(T)` -> "*T"; `T{..}` -> "T"; `make(M, ..)`
    -> "M"), which an interface it is stored in holds as its dynamic type; "" for any other value."""
    value = unparen(value)
    if value.type == "unary_expression" and text(value.child_by_field_name("operator")) == "&":
        operand = value.child_by_field_name("operand")
        inner = unparen(operand) if operand is not None else value
        return "*" + squash(inner.child_by_field_name("type")) if inner.type == "composite_literal" else ""
    if value.type == "composite_literal":
        return squash(value.child_by_field_name("type"))
    if value.type == "call_expression":
        qual, name = callee(value)
        args = call_args(value)
        if not qual and args and name in ("new", "make"):
            t = squash(args[0])
            return ("*" + t if name == "new" else t) if t else ""
    return ""


def _allocated(value: Node) -> str:
    """The type of the object a fresh allocation makes, whose fields only its local reaches: "T"
    for `&T{..}`, `new(T)` and `T{..}`, "make()" for `make(..)` (no fields); "" for any other value."""
    t = allocated(value)
    if not t:
        return ""
    if unparen(value).type == "call_expression" and callee(unparen(value))[1] == "make":
        return _MAKE
    return t[1:] if t.startswith("*") else t


def _zero_struct(spec: Node, fields: Fields) -> str:
    """`var s T` of a package struct type T: a fresh zero value (of any other type: no object)."""
    t = squash(spec.child_by_field_name("type"))
    return t if t and fields(t) is not None else ""


def _escape(use: Node, types: set[str], fields: Fields, body: Node) -> Node | None:
    """Where a use of a fresh local lets its object escape (the use itself, or the function
    literal it is in), or None for a harmless use or its own fresh binding."""
    outer = use.parent
    while outer is not None and outer != body:
        if outer.type == "func_literal":
            return outer  # captured: the literal may run anywhere, from where it is written on
        outer = outer.parent
    parent = use.parent
    if parent is None:
        return use
    kind = parent.type
    if kind == "expression_list" and parent.parent is not None and parent.parent.type in _BINDINGS:
        stmt = parent.parent
        if stmt.child_by_field_name("left") == parent:  # a binding of the name: fresh, or an escape
            return None if _fresh_binding(stmt, use) else use
        return use
    if kind == "var_spec":  # `var v = &T{}`, or `var v *T` (nil: no object yet)
        return None if parent.child_by_field_name("value") is None or _fresh_binding(parent, use) else use
    if kind == "binary_expression" and text(parent.child_by_field_name("operator")) in ("==", "!="):
        return None
    if kind == "argument_list" and parent.parent is not None and callee(parent.parent) in (("", "len"), ("", "cap")):
        return None
    if kind == "selector_expression" and parent.child_by_field_name("operand") == use:
        name = text(parent.child_by_field_name("field"))
        if not all(name in (fields(t) or ()) for t in types):
            return use  # a method value, a promoted field, a type lockjaw does not know
    elif not (kind == "index_expression" and parent.child_by_field_name("operand") == use):
        return use
    chain: Node = parent  # up the chain of fields and elements: `v.f.g[i]`
    while chain.parent is not None and chain.parent.type in _CHAIN and _operand(chain.parent) == chain:
        chain = chain.parent
    holder = chain.parent
    if holder is None:
        return use
    if holder.type == "call_expression" and holder.child_by_field_name("function") == chain:
        return use  # a method of the object or of a field: it gets a pointer into it
    if holder.type == "unary_expression" and text(holder.child_by_field_name("operator")) == "&":
        return use
    if holder.type == "slice_expression" and holder.child_by_field_name("operand") == chain:
        return use  # `v.arr[:]` points into the object
    return None


def _value_escape(use: Node, types: set[str], fields: Fields, body: Node, decls: set[Node],
                  value_method: Callable[[str, str], bool]) -> Node | None:
    """Where a use of a struct value local lets other code reach its memory (the use itself,
    or the function literal it is in), or None for a copy, a field's use or its own binding."""
    outer = use.parent
    while outer is not None and outer != body:
        if outer.type == "func_literal":
            return outer
        outer = outer.parent
    parent = use.parent
    if parent is None:
        return use
    kind = parent.type
    if kind == "expression_list" and parent.parent is not None:
        stmt = parent.parent
        if stmt.child_by_field_name("left") != parent and stmt.child_by_field_name("alias") != parent:
            return None  # a copy of it is bound, returned, ...
        if stmt in decls:
            return None  # its declaration
        if stmt.type in ("assignment_statement", "range_clause", "receive_statement") and not any(
            c.type == ":=" for c in stmt.children
        ):
            return None  # a new value of the same variable
        return use  # another variable of that name (`:=`, a type switch's alias)
    if kind in ("var_spec", "parameter_declaration", "variadic_parameter_declaration", "type_switch_statement"):
        return use
    if kind == "unary_expression" and text(parent.child_by_field_name("operator")) == "&":
        return use
    if kind == "selector_expression" and parent.child_by_field_name("operand") == use:
        name = text(parent.child_by_field_name("field"))
        if not all(name in (fields(t) or ()) for t in types):  # a method or a promoted field
            holder = parent.parent
            called = holder is not None and holder.type == "call_expression" and (
                holder.child_by_field_name("function") == parent
            )
            return None if called and all(value_method(t, name) for t in types) else use
        return _escape(use, types, fields, body)  # the field's chain: as a fresh object's
    if kind in ("parenthesized_expression", "index_expression", "slice_expression"):
        return use  # not a copy as far as is known
    return None  # any other use reads a copy: an argument, a result, an operand


def _operand(node: Node) -> Node | None:
    if node.type == "parenthesized_expression":
        return node.named_children[0] if node.named_child_count else None
    return node.child_by_field_name("operand")


def _fresh_binding(stmt: Node, use: Node) -> bool:
    """Whether `use` is a name `stmt` binds to a fresh allocation (`a, v := x, &T{}`)."""
    return any(name == text(use) and value is not None and _allocated(value) for name, value in _bound(stmt))
