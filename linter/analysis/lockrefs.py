"""Naming a mutex across functions: as a callee's callers can translate it, and package-wide.

Lock operations name mutexes as written (`s.mu`). Two other names are
derived from that text:
- a `LockRef` says how the mutex hangs off the function's receiver, a
  parameter, a package variable, or (in a function literal) a variable of
  the enclosing function, so a call site can rewrite it in its own terms;
- an identity names the lock the same way in every function of the
  package, for lock ordering: `(*Store).mu` for a field of a package type
  (whatever the receiver is called, and for promoted fields the type that
  declares it), the name of a package variable, or None when the text
  says nothing about which lock it is (a local or a `*sync.Mutex` parameter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Literal

from tree_sitter import Node

from linter.analysis.calls import base_type
from linter.analysis.syntax import HOLDS_NO_STATEMENT, enclosing_function, expr_key, text, unparen, walk_expr
from linter.analysis.types import PackageTypes, element_type

if TYPE_CHECKING:
    from linter.analysis.functions import Function
    from linter.analysis.package import Package

_ROOT = re.compile(r"[A-Za-z_]\w*")
_FIELD = re.compile(r"\.([A-Za-z_]\w*)")
MUTEX_TYPES = ("Mutex", "RWMutex")
MAX_PATH = 3  # selectors after the root a LockRef may carry
_PATH_KINDS = frozenset({"identifier", "selector_expression", "index_expression", "field_identifier"})


def split_key(key: str) -> tuple[str, tuple[str, ...]] | None:
    """`s.shards[i].mu` -> ("s", (".shards", "[i]", ".mu")); None for anything but a path."""
    key = key.lstrip("*")
    m = _ROOT.match(key)
    if m is None:
        return None
    segments: list[str] = []
    i = m.end()
    while i < len(key):
        if key[i] == ".":
            f = _FIELD.match(key, i)
            if f is None:
                return None
            segments.append(f.group(0))
            i = f.end()
        elif key[i] == "[":
            depth, j = 0, i
            while j < len(key):
                depth += key[j] == "["
                depth -= key[j] == "]"
                if depth == 0:
                    break
                j += 1
            if j >= len(key):
                return None
            segments.append(key[i : j + 1])
            i = j + 1
        else:
            return None
    return m.group(0), tuple(segments)


@dataclass(frozen=True, slots=True)
class LockRef:
    """A mutex relative to what a caller can see: `recv.mu`, parameter 0, a package variable."""

    base: Literal["recv", "param", "global", "free"]
    root: str  # the receiver's, parameter's or variable's name in the callee
    path: str = ""  # what follows the root: ".mu", ".inner.mu"
    index: int = -1  # parameter position

    @property
    def text(self) -> str:
        return self.root + self.path


def embedding_order(types: PackageTypes, struct: str) -> Iterator[tuple[str, dict[str, str]]]:
    """The struct and the structs it embeds, each with its fields, nearest first (breadth first, as
    Go promotes fields and methods)."""
    seen: set[str] = set()
    level = [base_type(struct)]
    while level:
        following: list[str] = []
        for s in level:
            if s in seen:
                continue
            seen.add(s)
            fields = types.fields.get(s, {})
            yield s, fields
            following.extend(base_type(t) for f, t in fields.items() if f == base_type(t).rsplit(".", 1)[-1])
        level = following


def field_owner(types: PackageTypes, struct: str, name: str) -> tuple[str, str] | None:
    """(declaring struct, field type) of `struct.name`, following embedded structs."""
    for s, fields in embedding_order(types, struct):
        if name in fields:
            return s, fields[name]
    return None


def _embedded_mutex(types: PackageTypes, t: str) -> str | None:
    for name in MUTEX_TYPES:
        owner = field_owner(types, t, name)
        if owner is not None and owner[1].lstrip("*") in (f"sync.{name}", name):
            return f"(*{owner[0]}).{name}"
    return None


def identity(pkg: "Package", fn: "Function", key: str) -> str | None:
    """The package-wide name of the lock `key` names inside `fn`, or None if unknown."""
    parsed = split_key(key)
    if parsed is None:
        return None
    root, segments = parsed
    types = pkg.types
    scope = pkg.scope(fn)
    if root not in scope.names:
        # A package variable is one lock (or one set of locks) whatever its type.
        return root + "".join("[]" if s.startswith("[") else s for s in segments) if root in types.vars else None
    t = scope.names[root]
    if not segments:
        return _embedded_mutex(types, t) if t else None
    container = ""  # identity of the expression before the current segment, if it is a field
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg.startswith("."):
            name = seg[1:]
            owner = field_owner(types, t, name) if t else None
            if owner is None:
                return None
            container = f"(*{owner[0]}).{name}"
            t = owner[1]
        else:
            if not container:
                return None
            container += "[]"
            t = element_type(types.underlying(t))
        if last:  # `c.in` where `in` embeds a Mutex is the field, not every value of its type
            return container
    return None


def ref_of(pkg: "Package", fn: "Function", key: str) -> LockRef | None:
    """How a caller of `fn` could name the mutex `key`, or None when it cannot."""
    parsed = split_key(key)
    if parsed is None or pkg.unstable(fn, key):
        return None
    root, segments = parsed
    if any(s.startswith("[") for s in segments):
        return None  # an index is an expression of the callee's own variables
    if len(segments) > MAX_PATH:
        return None  # recursion through fields (`n.next.next.mu`) would grow paths without end
    path = "".join(segments)
    if fn.receiver and root == fn.receiver:
        return LockRef("recv", root, path)
    params = list(fn.params)
    if root in params:
        return LockRef("param", root, path, params.index(root))
    scope = pkg.scope(fn)
    if fn.is_literal and root in scope.names and root not in pkg.own_names(fn):
        return LockRef("free", root, path)
    if root not in scope.names and root in pkg.types.vars:
        return LockRef("global", root, path)
    return None


def _is_path(node: Node) -> bool:
    """An expression made of names, selectors and indexes: stable enough to name a mutex."""
    node = unparen(node)
    if node.type == "unary_expression" and text(node.child_by_field_name("operator")) in ("&", "*"):
        operand = node.child_by_field_name("operand")
        return operand is not None and _is_path(operand)
    while node.type in ("selector_expression", "index_expression"):
        operand = node.child_by_field_name("operand")
        if operand is None:
            return False
        node = unparen(operand)
    return node.type == "identifier"


def receiver_key(call: Node) -> str | None:
    """`x.y` in `x.y.helper()`, as a mutex key would write it."""
    fn = call.child_by_field_name("function")
    fn = unparen(fn) if fn is not None else None
    if fn is None or fn.type != "selector_expression":
        return None
    operand = fn.child_by_field_name("operand")
    return expr_key(operand) if operand is not None and _is_path(operand) else None


def map_ref(pkg: "Package", caller: "Function", call: Node, ref: LockRef) -> str | None:
    """The callee's mutex `ref` written in the caller's terms at `call`, or None."""
    if ref.base == "recv":
        base = receiver_key(call)
        target = unparen(call.child_by_field_name("function"))
        if base is None and target.type == "identifier":  # `inc := s.incLocked; inc()`
            bound = pkg.local_value(caller, text(target))
            value = bound[1] if bound is not None else None
            selector = value is not None and value.type == "selector_expression"
            operand = value.child_by_field_name("operand") if selector and value is not None else None
            base = expr_key(operand) if operand is not None and _is_path(operand) else None
    elif ref.base == "param":
        args = call.child_by_field_name("arguments")
        items = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        arg = items[ref.index] if 0 <= ref.index < len(items) else None
        base = expr_key(arg) if arg is not None and _is_path(arg) else None
    elif ref.base == "global":
        base = None if ref.root in pkg.scope(caller).names else ref.root
    else:  # a literal's free variable is the enclosing function's own
        base = ref.root
    return base + ref.path if base is not None else None


_LOCK_METHODS = frozenset({"Lock", "RLock", "Unlock", "RUnlock", "TryLock", "TryRLock"})


def confined(pkg: "Package", fn: "Function", key: str) -> bool:
    """Whether the mutex `key` lives in a local variable of `fn` that only `fn` itself ever touches,
    and only to lock and unlock it: no other goroutine can reach it (`var mu sync.RWMutex` used in place)."""
    parsed = split_key(key)
    body = fn.body
    if parsed is None or body is None or any(s.startswith("[") for s in parsed[1]):
        return False
    root = parsed[0]
    if root not in pkg.own_names(fn) or root in fn.params or root == fn.receiver:
        return False
    declared = False
    for node in walk_expr(body, into_literals=True):
        if node.type != "identifier" or text(node) != root:
            continue
        parent = node.parent
        if parent is not None and parent.type == "var_spec" and parent.child_by_field_name("value") is None:
            declared = True  # `var mu T`: the zero value, not a copy or a pointer from elsewhere
            continue
        if enclosing_function(node) != fn.node:
            return False  # a literal (maybe another goroutine) uses it
        while parent is not None and parent.type == "selector_expression" and (
            parent.child_by_field_name("operand") == node
        ):
            node, parent = parent, parent.parent
        field = node.child_by_field_name("field") if node.type == "selector_expression" else None
        if field is None or text(field) not in _LOCK_METHODS or parent is None or parent.type != "call_expression":
            return False
    return declared


def rebound_keys(body: Node | None) -> frozenset[str]:
    """Names and paths that may hold different values at different points of a body:
    assigned with `=`, or declared inside a loop (a new variable each iteration)."""
    out: set[str] = set()
    if body is None:
        return frozenset()
    stack: list[tuple[Node, bool]] = [(body, False)]
    while stack:
        node, in_loop = stack.pop()
        kind = node.type
        if kind == "func_literal":
            continue
        if kind == "assignment_statement":
            left = node.child_by_field_name("left")
            out.update(expr_key(n) for n in (left.named_children if left is not None else ()))
        elif in_loop and kind in ("short_var_declaration", "range_clause"):
            left = node.child_by_field_name("left")
            out.update(text(n) for n in (left.named_children if left is not None else ()) if n.type == "identifier")
        elif in_loop and kind == "var_spec":
            out.update(text(n) for n in node.children_by_field_name("name"))
        if kind not in HOLDS_NO_STATEMENT:
            loop = in_loop or kind == "for_statement"
            stack.extend((c, loop) for c in node.named_children)
    out.discard("_")
    return frozenset(out)


def is_unstable(rebound: frozenset[str], key: str) -> bool:
    """Whether `key` runs through a rebound name, so the same text may name two mutexes."""
    key = key.lstrip("*")
    return any(key == r or key.startswith(r + ".") or key.startswith(r + "[") for r in rebound)
