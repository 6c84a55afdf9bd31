"""Values whose `Unlock()` releases some lock but which are not mutexes themselves.

sync's lock methods return nothing, so a `Lock()` whose result is used takes
another kind of lock (see ops.lock_call), and what it returns is a token that
releases it: `l, err := stor.Lock(); ...; l.Unlock()`. Such a call neither
locks nor unlocks a mutex of the caller's, so it is an ordinary call, whose
callee (when the package declares it) summaries see through. Two facts tell
such a value from a mutex:

- its type is a struct or interface of the package whose whole method set is
  known and lacks the counterpart (an `Unlock` without `Lock`): no mutex;
- it was bound from such a `Lock()` call: a local every binding of which is
  one, or a struct field a composite literal or assignment sets to such a
  local (for tokens of another package's type, whose methods are unknown);
- its type is a concrete type of the package whose `Lock` (or `RLock`) has an
  empty body: a no-op takes no lock, so neither it nor its `Unlock` is a mutex's
  (etcd's `concurrentReadTx`; its type is often known from the one concrete
  type a constructor returns through an interface, see types.Scope).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from tree_sitter import Node

from linter.analysis.bindings import bound_pairs
from linter.analysis.calls import base_type
from linter.analysis.cfg import statements
from linter.analysis.syntax import FUNCTION_KINDS, text, unparen, walk_expr
from linter.analysis.types import squash

if TYPE_CHECKING:
    from linter.analysis.functions import Function
    from linter.analysis.package import Package

COUNTERPART = {"Lock": "Unlock", "RLock": "RUnlock", "Unlock": "Lock", "RUnlock": "RLock"}
ACQUIRE = {"Lock": "Lock", "RLock": "RLock", "Unlock": "Lock", "RUnlock": "RLock"}
_TOKEN_METHODS = frozenset({"Lock", "RLock"})


def _token_call(value: Node | None) -> bool:
    """`x.Lock(...)` used for its value."""
    if value is None:
        return False
    value = unparen(value)
    if value.type != "call_expression":
        return False
    fn = value.child_by_field_name("function")
    fn = unparen(fn) if fn is not None else None
    if fn is None or fn.type != "selector_expression":
        return False
    return text(fn.child_by_field_name("field")) in _TOKEN_METHODS


def token_locals(body: Node) -> frozenset[str]:
    """Names (in `body` and its literals) bound only ever from a `Lock()` used for its value."""
    tokens: set[str] = set()
    other: set[str] = set()
    for node in walk_expr(body, into_literals=True):
        if node.type not in ("short_var_declaration", "assignment_statement", "var_spec"):
            continue
        for target, value in bound_pairs(node, spread=True):
            target = unparen(target)
            if target.type == "identifier":
                (tokens if _token_call(value) else other).add(text(target))
    return frozenset(tokens - other)


class Tokens:
    """The lock tokens of one package."""

    def __init__(self, pkg: "Package"):
        self.pkg = pkg
        self._locals: dict[int, frozenset[str]] = {}
        self._fields: set[tuple[str, str]] | None = None

    def _outermost(self, fn: "Function") -> "Function":
        while fn.parent is not None:
            fn = fn.parent
        return fn

    def locals_of(self, fn: "Function") -> frozenset[str]:
        root = self._outermost(fn)
        found = self._locals.get(id(root))
        if found is None:
            body = root.body
            chunk = root.file.data[body.start_byte : body.end_byte] if body is not None else b""
            found = token_locals(body) if body is not None and b"Lock(" in chunk else frozenset()
            self._locals[id(root)] = found
        return found

    def _is_local_token(self, fn: "Function", name: str) -> bool:
        f: Function | None = fn
        while f is not None:
            if name in f.params or name == f.receiver:
                return False
            f = f.parent
        return name in self.locals_of(fn)

    def fields(self) -> set[tuple[str, str]]:
        """(struct, field) pairs set to a token: `&session{storLock: l}`, `s.storLock = l`."""
        if self._fields is None:
            found: set[tuple[str, str]] = set()
            for fn in self.pkg.functions:
                if fn.parent is None and fn.body is not None and self.locals_of(fn):
                    found.update(self._collect(fn, fn.body))
            self._fields = found
        return self._fields

    def _collect(self, root: "Function", body: Node) -> Iterator[tuple[str, str]]:
        tokens = self.locals_of(root)
        for node in walk_expr(body, into_literals=True):
            if node.type == "composite_literal":
                struct = squash(node.child_by_field_name("type")).split("[", 1)[0]
                elements = node.child_by_field_name("body")
                for elem in elements.named_children if elements is not None else ():
                    if elem.type != "keyed_element" or elem.named_child_count != 2:
                        continue
                    key, value = (unparen(c.named_children[0]) if c.named_child_count else c for c in elem.named_children)
                    if key.type == "identifier" and value.type == "identifier" and text(value) in tokens:
                        yield struct, text(key)
            elif node.type == "assignment_statement":
                for target, value in bound_pairs(node, spread=True):
                    target = unparen(target)
                    value = unparen(value) if value is not None else None
                    operand = target.child_by_field_name("operand") if target.type == "selector_expression" else None
                    if operand is None or value is None or value.type != "identifier" or text(value) not in tokens:
                        continue
                    fn = self.pkg.function_of(_enclosing(node)) or root
                    owner = self.pkg.scope(fn).type_of(operand).lstrip("*").split("[", 1)[0]
                    if owner:
                        yield owner, text(target.child_by_field_name("field"))

    def not_mutex(self, fn: "Function", target: Node) -> bool:
        """Whether `x.Unlock` (or Lock, RLock, RUnlock; called or as a value) in `fn` is not a mutex's."""
        operand = target.child_by_field_name("operand")
        counterpart = COUNTERPART.get(text(target.child_by_field_name("field")))
        if operand is None or counterpart is None:
            return False
        operand = unparen(operand)
        scope = self.pkg.scope(fn)
        static = scope.type_of(operand)
        if self._no_op(static, ACQUIRE[text(target.child_by_field_name("field"))]):
            return True
        methods = self.pkg.types.method_set(static)
        if methods is not None:
            return counterpart not in methods
        if operand.type == "identifier":
            return self._is_local_token(fn, text(operand))
        if operand.type == "selector_expression":
            inner = operand.child_by_field_name("operand")
            owner = scope.type_of(inner).lstrip("*").split("[", 1)[0] if inner is not None else ""
            return bool(owner) and (owner, text(operand.child_by_field_name("field"))) in self.fields()
        return False


    def _no_op(self, t: str, acquire: str) -> bool:
        """Whether `acquire` of the concrete package type `t` (its own or promoted, every
        build-tagged twin) is declared with an empty body."""
        name = base_type(t)
        resolver = self.pkg.resolver
        if not name or name in resolver.interfaces:
            return False
        methods = resolver.method(name, acquire)
        return bool(methods) and all(m.body is not None and not statements(m.body) for m in methods)


def _enclosing(node: Node) -> Node:
    """The function declaration or literal a node is written in."""
    current = node.parent
    while current is not None and current.type not in FUNCTION_KINDS:
        current = current.parent
    return current if current is not None else node
