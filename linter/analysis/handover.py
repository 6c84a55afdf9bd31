"""A locked mutex handed over as a value: returned by address, or received from elsewhere.

`size, lock = n, &c.rlock; return` gives the caller the held mutex itself (kafka-go's
waitResponse), and the caller's `lock.Unlock()` releases a mutex it never locked by
name (Conn.do; Batch.close through `lock := batch.lock`). Neither is a leak nor an
unlock of an unlocked mutex: the lock travels with the pointer (hold-out 5).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

from linter.analysis.bindings import bound_pairs
from linter.analysis.calls import base_type
from linter.analysis.functions import Function
from linter.analysis.lockrefs import embedding_order, field_owner, split_key
from linter.analysis.syntax import text, unparen, walk_expr
from linter.analysis.types import PackageTypes, element_type

if TYPE_CHECKING:
    from linter.analysis.package import Package

_DEFINING = ("short_var_declaration", "assignment_statement")
_SYNC_LOCKS = ("sync.Mutex", "sync.RWMutex", "sync.Locker")


def _squashed(node: Node) -> str:
    return "".join(text(node).split())


def address_returned(fn: Function, mutex: str, ret: Node) -> bool:
    """Whether the return `ret` hands `&mutex` to the caller: among its values, or, for a bare
    return, through a named result assigned `&mutex` in a statement before it whose block
    encloses it (`lock = &c.rlock; return`)."""
    target = "&" + mutex
    values = [n for n in ret.named_children if n.type != "comment"]
    if values:
        return any(n.type == "unary_expression" and _squashed(n) == target for v in values for n in walk_expr(v))
    named = set(fn.results)
    body = fn.body
    if not named or body is None:
        return False
    for stmt in walk_expr(body):
        if stmt.type != "assignment_statement" or stmt.start_byte >= ret.start_byte:
            continue
        block = stmt.parent
        if block is None or not (block.start_byte <= ret.start_byte < block.end_byte):
            continue
        for left, value in bound_pairs(stmt):
            if text(left) in named and value is not None and _squashed(unparen(value)) == target:
                return True
    return False


def bound_elsewhere(fn: Function, name: str) -> bool:
    """Whether `name` is a local of `fn` (not a parameter, which LJ104 handles on its own) every
    definition of which takes a value made elsewhere: a call's result or a field read
    (`lock := batch.lock`, `_, lock, err := c.waitResponse(..)`); not `var mu sync.Mutex`,
    `mu := sync.Mutex{}` nor `mu := &s.mu`, whose lock state this function owns."""
    body = fn.body
    if body is None or "." in name or "[" in name:
        return False
    found = False
    for stmt in walk_expr(body):
        if stmt.type not in (*_DEFINING, "var_spec"):
            continue
        for left, value in bound_pairs(stmt):
            if left.type != "identifier" or text(left) != name:
                continue
            if value is None and stmt.type != "var_spec":
                found = True  # one result of a call
                continue
            value = unparen(value) if value is not None else None
            if value is None or value.type not in ("call_expression", "selector_expression"):
                return False
            found = True
    return found


def owned_value(fn: Function, name: str) -> bool:
    """Whether `name` is a mutex value `fn` declares itself (`var mu sync.Mutex`, `mu :=
    sync.Mutex{}`) and never takes the address of: no other function can have locked it, so
    no hand-over elsewhere in the package explains an unlock of it."""
    body = fn.body
    if body is None or "." in name or "[" in name:
        return False
    found = False
    for stmt in walk_expr(body):
        if stmt.type == "unary_expression" and _squashed(stmt) == "&" + name:
            return False
        if stmt.type not in (*_DEFINING, "var_spec"):
            continue
        for left, value in bound_pairs(stmt):
            if left.type != "identifier" or text(left) != name:
                continue
            value = unparen(value) if value is not None else None
            if stmt.type == "assignment_statement" or (value is None) != (stmt.type == "var_spec") or (
                value is not None and value.type != "composite_literal"
            ):
                return False
            found = True
    return found


def foreign_lock(pkg: "Package", fn: Function, mutex: str) -> bool:
    """Whether the lock `mutex` names is a value of another package's type (not sync's), in a
    field or embedded in a package struct: its Lock and Unlock are that package's API, which
    lockjaw cannot see, nor who locked it. etcd's FakeTxnDelete embeds the backend's BatchTx,
    which its user locks and hands over for `End()` to unlock (lease/lessor.go:985). A
    `sync.Mutex`, `*sync.Mutex` or `sync.Locker`, named or embedded, stays the package's to judge."""
    parsed = split_key(mutex)
    if parsed is None:
        return False
    root, segments = parsed
    types = pkg.types
    names = pkg.scope(fn).names
    t = names.get(root, "") if root in names else types.vars.get(root, "")
    for seg in segments:
        if not t:
            return False
        if seg.startswith("["):
            t = element_type(types.underlying(t.lstrip("*")))
        else:
            owner = field_owner(types, t, seg[1:])
            t = owner[1] if owner is not None else ""
    if not t:
        return False
    if segments and _foreign(types, base_type(t)):
        return True
    return _embeds_foreign(types, t)


def _foreign(types: PackageTypes, t: str) -> bool:
    return "." in t and t not in _SYNC_LOCKS and t not in types.named


def _embeds_foreign(types: PackageTypes, t: str) -> bool:
    """Whether the Lock/Unlock a struct promotes may come from another package's type: the
    nearest embedded sync lock or foreign type decides, as Go's promotion does."""
    for _, fields in embedding_order(types, t):
        for name, ft in fields.items():
            inner = base_type(ft)
            if name != inner.rsplit(".", 1)[-1]:
                continue  # not embedded
            if inner in _SYNC_LOCKS:
                return False
            if _foreign(types, inner):
                return True
    return False
