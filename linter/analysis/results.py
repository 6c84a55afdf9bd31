"""Results a package function never returns nil: `return &ls`, `return &T{..}`, `return new(T)`.

distribution's proxy tests take `localStats := te.LocalStats()`, whose body ends in
`return &ls`, and dereference it under a lock: the pointer is the address of a
variable, never nil. A call's result is non-nil when every target the call may
run is a function of the package (a method only through a receiver of its own
type, never through an interface another package may implement) each of whose
`return` statements gives, at that position, the address of something or a
`new(..)`. A deferred recover() voids it: a recovered panic returns the zero
values of unnamed results, nil for a pointer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

from linter.analysis.calls import base_type
from linter.analysis.syntax import FUNCTION_KINDS, callee, text, unparen, walk_expr

if TYPE_CHECKING:
    from linter.analysis.functions import Function
    from linter.analysis.package import Package


def _fresh_address(value: Node) -> bool:
    value = unparen(value)
    if value.type == "unary_expression" and text(value.child_by_field_name("operator")) == "&":
        return True
    return value.type == "call_expression" and callee(value) == ("", "new")


class NonNilResults:
    """Which results of the package's functions are never nil, each decided on first question."""

    def __init__(self, pkg: "Package"):
        self.pkg = pkg
        self._found: dict[tuple[int, int], bool] = {}

    def of_call(self, fn: "Function", call: Node, index: int) -> bool:
        """Whether result `index` of the call `call` in `fn` is never nil."""
        function = call.child_by_field_name("function")
        function = unparen(function) if function is not None else None
        if function is None or function.type not in ("identifier", "selector_expression"):
            return False
        targets = self.pkg.resolve(fn, call)
        if not targets:
            return False
        if function.type == "selector_expression":
            operand = function.child_by_field_name("operand")
            static = base_type(self.pkg.scope(fn).type_of(operand)) if operand is not None else ""
            if any(not t.receiver_type or static != t.receiver_type for t in targets):
                return False  # through an interface (or a package name): the method may be another package's
        elif any(t.receiver_type or t.is_literal for t in targets):
            return False
        return all(self._never_nil(t, index) for t in targets)

    def _never_nil(self, target: "Function", index: int) -> bool:
        key = (id(target), index)
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = self._decide(target, index)
        return found

    def _decide(self, target: "Function", index: int) -> bool:
        body = target.body
        if body is None or target.results or self.pkg.recovers(target):
            return False  # named results: a bare return, or a recovered panic, returns what they hold
        returns = [n for n in walk_expr(body) if n.type == "return_statement" and _own(n, body)]
        if not returns:
            return False
        for ret in returns:
            values = [c for c in ret.named_children if c.type != "comment"]
            if len(values) == 1 and values[0].type == "expression_list":
                values = [c for c in values[0].named_children if c.type != "comment"]
            if len(values) <= index or not _fresh_address(values[index]):
                return False
        return True


def _own(node: Node, body: Node) -> bool:
    """Whether `node` belongs to `body`'s function, not to a function literal inside it."""
    current = node.parent
    while current is not None and current.id != body.id:
        if current.type in FUNCTION_KINDS or current.type == "func_literal":
            return False
        current = current.parent
    return True
