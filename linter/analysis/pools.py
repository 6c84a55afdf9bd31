"""Channels taken from a sync.Pool: how many slots such a channel has.

The shape (fasthttp's timeout helpers):

    chv := pool.Get()
    if chv == nil {
        chv = make(chan T, k)
    }
    ch = chv.(chan T)
    ...
    pool.Put(chv)

`chv` is a *pool local*: declared once by `chv := pool.Get()`, and otherwise only compared with nil
in that `if`, bound there to `make(chan T, k)` (the fallback, once), asserted to a channel type, or
put back with `pool.Put(chv)`. What it holds is nil, a channel its fallback made, or a value of the
pool.

A pool's values are only what `Put` put in it when `New` is never set. So for a package-level
`var pool sync.Pool` (unexported, with no value) whose every use in the package is `pool.Get()` or
`pool.Put(x)` with `x` a pool local of the same pool (the name never leaves: no `&pool`, no copy,
no `pool.New`), by induction over the Puts every value in the pool is a channel made by one of those
fallbacks: it has at least the fewest k of them. A Get then yields nil (and its own fallback) or such
a channel.

Assumption (not checked, the pool's contract): whoever puts a channel back is done with it. It is
empty, and nothing sends on it or receives from it any more: a channel put back with a value in it
would hand the next user a full buffer, and a send after the Put could fill another user's slot (the
pool's use-after-free). Under it, a channel from Get is as good as a fresh `make(chan T, k)`.
Facts read only the package's non-test files when judging them (see engine._views): a test's Put
is not seen there.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Callable

from tree_sitter import Node

from linter.analysis.slots import capacity
from linter.analysis.syntax import text, unparen
from linter.source import SourceFile

_FUNCTIONS = frozenset({"function_declaration", "method_declaration", "source_file"})
NO_PUTS = sys.maxsize  # the slots of a pool nothing is put in: Get always gives nil


@dataclass(frozen=True, slots=True)
class PoolLocal:
    pool: str  # the pool's name
    slots: int  # its fallback's k (0 when not a constant >= 1)
    puts: tuple[Node, ...]  # the `pool.Put(chv)` calls
    assertions: tuple[Node, ...]  # the `chv.(chan T)` expressions


def pool_local(node: Node, name: str) -> PoolLocal | None:
    """The local `name` of the function around `node`, when it is a pool local (see the module)."""
    top = node
    while top.parent is not None and top.type not in _FUNCTIONS:
        top = top.parent
    if top.type == "source_file":
        return None
    pool, declared, uses = "", None, []
    stack = [top]
    while stack:
        n = stack.pop()
        if n.type == "identifier" and text(n) == name:
            got = _got_from(n) if declared is None else ""
            if got:
                pool, declared = got, n
            else:
                uses.append(n)
        stack.extend(n.named_children)
    if declared is None:
        return None
    statement = declared.parent.parent
    scope = statement.parent
    if scope is None or scope.type != "statement_list":
        return None
    fallbacks: list[int] = []
    puts, assertions = [], []
    for use in uses:
        if use.start_byte < statement.end_byte or use.end_byte > scope.end_byte:
            return None  # before it, or outside its scope: another declaration's name
        parent = use.parent
        if parent.type == "binary_expression" and _nil_test(parent, use):
            continue  # checked with its fallback below
        if parent.type == "expression_list":
            k = _fallback(parent, use)
            if k is None:
                return None
            fallbacks.append(k)
        elif parent.type == "type_assertion_expression" and parent.child_by_field_name("operand") == use:
            kind = parent.child_by_field_name("type")
            if kind is None or kind.type != "channel_type":
                return None
            assertions.append(parent)
        elif parent.type == "argument_list" and _method_call(parent.parent, pool, "Put", 1):
            puts.append(parent.parent)
        else:
            return None
    if len(fallbacks) != 1:
        return None
    return PoolLocal(pool, fallbacks[0], tuple(puts), tuple(assertions))


def _got_from(name: Node) -> str:
    """`pool` when `name` is the one name of `name := pool.Get()`."""
    names = name.parent
    statement = names.parent if names.type == "expression_list" else None
    if statement is None or statement.type != "short_var_declaration" or names.named_child_count != 1:
        return ""
    right = statement.child_by_field_name("right")
    if statement.child_by_field_name("left") != names or right is None or right.named_child_count != 1:
        return ""
    call = unparen(right.named_children[0])
    if not _method_call(call, "", "Get", 0):
        return ""
    return text(unparen(call.child_by_field_name("function")).child_by_field_name("operand"))


def _method_call(call: Node | None, pool: str, method: str, arity: int) -> bool:
    """`pool.method(..)` with `arity` arguments (any identifier for `pool` when it is "")."""
    if call is None or call.type != "call_expression":
        return False
    fn = call.child_by_field_name("function")
    args = call.child_by_field_name("arguments")
    if fn is None or args is None or fn.type != "selector_expression" or args.named_child_count != arity:
        return False
    operand = fn.child_by_field_name("operand")
    if operand is None or operand.type != "identifier" or (pool and text(operand) != pool):
        return False
    return text(fn.child_by_field_name("field")) == method


def _nil_test(test: Node, name: Node) -> bool:
    """`name == nil`: the whole condition of an `if` without initializer or else, whose then-branch
    is the one statement `name = make(..)` (the fallback, see _fallback)."""
    right = test.child_by_field_name("right")
    if test.child_by_field_name("left") != name or text(test.child_by_field_name("operator")) != "==":
        return False
    owner = test.parent
    return right is not None and right.type == "nil" and owner is not None and owner.type == "if_statement" \
        and owner.child_by_field_name("condition") == test and _fallback_of(owner) is not None


def _fallback_of(owner: Node) -> Node | None:
    """The one statement of an `if chv == nil {..}` without initializer or else."""
    if owner.child_by_field_name("initializer") is not None or owner.child_by_field_name("alternative") is not None:
        return None
    block = owner.child_by_field_name("consequence")
    body = block.named_children[0] if block is not None and block.named_child_count == 1 else None
    if body is None or body.type != "statement_list" or body.named_child_count != 1:
        return None
    return body.named_children[0]


def _fallback(names: Node, name: Node) -> int | None:
    """k when `name` is the one name of `name = make(chan T, k)`, the one statement of an
    `if name == nil {` (0 when k is not a constant >= 1); None for any other binding."""
    statement = names.parent
    if statement is None or statement.type != "assignment_statement" or names.named_child_count != 1:
        return None
    right = statement.child_by_field_name("right")
    if statement.child_by_field_name("left") != names or text(statement.child_by_field_name("operator")) != "=":
        return None
    block = statement.parent.parent if statement.parent is not None else None
    owner = block.parent if block is not None else None
    if owner is None or owner.type != "if_statement" or _fallback_of(owner) != statement:
        return None
    condition = owner.child_by_field_name("condition")
    left = condition.child_by_field_name("left") if condition is not None else None
    if left is None or left.type != "identifier" or text(left) != text(name) or not _nil_test(condition, left):
        return None
    if right is None or right.named_child_count != 1:
        return None
    value = unparen(right.named_children[0])
    if value.type != "call_expression" or text(value.child_by_field_name("function")) != "make":
        return None
    return capacity(value)


class Pools:
    """The package's sync.Pool variables that hold only channels (see the module), by name."""

    def __init__(self, files: list[SourceFile], sync_names: Callable[[SourceFile], frozenset[str]]):
        self.files = files
        self.sync_names = sync_names
        self._fewest: dict[str, int] = {}

    def slots(self, value: Node) -> int:
        """The slots of the channel `value` takes from a pool: `chv.(chan T)` on a pool local
        (asserted only there) of such a pool; 0 for anything else."""
        if value.type != "type_assertion_expression":
            return 0
        operand = value.child_by_field_name("operand")
        operand = unparen(operand) if operand is not None else None
        if operand is None or operand.type != "identifier":
            return 0
        local = pool_local(value, text(operand))
        if local is None or local.assertions != (value,) or local.slots < 1:
            return 0
        return min(local.slots, self.fewest(local.pool))

    def fewest(self, pool: str) -> int:
        """The fewest slots of a channel in the package's pool `pool` (NO_PUTS when nothing is put in
        it); 0 when the pool may hold something else (see the module)."""
        found = self._fewest.get(pool)
        if found is None:
            found = self._fewest[pool] = self._count(pool)
        return found

    def _count(self, pool: str) -> int:
        if not pool or not (pool[0].islower() or pool[0] == "_"):
            return 0  # another package may use an exported pool
        declared, fewest = 0, NO_PUTS
        for file in self.files:
            data, key = file.data, pool.encode()
            i = data.find(key)
            while i != -1:
                node = file.root.descendant_for_byte_range(i, i + len(key))
                i = data.find(key, i + len(key))
                if node is None or node.type != "identifier" or text(node) != pool:
                    continue
                parent = node.parent
                if parent.type == "var_spec":
                    if not self._declaration(parent, file):
                        return 0
                    declared += 1
                    continue
                call = parent.parent
                if parent.type != "selector_expression" or parent.child_by_field_name("operand") != node:
                    return 0
                if _method_call(call, pool, "Get", 0) and call.child_by_field_name("function") == parent:
                    continue
                if not _method_call(call, pool, "Put", 1) or call.child_by_field_name("function") != parent:
                    return 0
                put = unparen(call.child_by_field_name("arguments").named_children[0])
                local = pool_local(call, text(put)) if put.type == "identifier" else None
                if local is None or local.pool != pool or call not in local.puts:
                    return 0
                fewest = min(fewest, local.slots)
        return fewest if declared == 1 else 0

    def _declaration(self, spec: Node, file: SourceFile) -> bool:
        """`var pool sync.Pool` at package level: one name, no value."""
        outer = spec.parent
        if outer is not None and outer.type == "var_spec_list":
            outer = outer.parent
        top = outer.parent if outer is not None and outer.type == "var_declaration" else None
        if top is None or top.type != "source_file":
            return False
        kind = spec.child_by_field_name("type")
        if len(spec.children_by_field_name("name")) != 1 or spec.child_by_field_name("value") is not None:
            return False
        if kind is None or kind.type != "qualified_type":
            return False
        package, name = kind.child_by_field_name("package"), kind.child_by_field_name("name")
        return text(name) == "Pool" and text(package) in self.sync_names(file)
