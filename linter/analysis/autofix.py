"""The one rewrite lockjaw trusts: `Lock() ... Unlock()` at function level to `Lock(); defer Unlock()`.

A deferred unlock runs when the function returns, not where the `Unlock()`
stood, so the rewrite is only offered where the two are the same moment when
nothing panics, and where the deferred call unlocks the same mutex:

- the `Lock()`/`RLock()` is a statement of the function body itself (not of a
  nested block), and the body's last statement is the matching
  `Unlock()`/`RUnlock()` on the same mutex, spelled as a plain path (`mu`,
  `s.mu`, `s.inner.mu`), with at least one statement between them;
- the function locks, unlocks or try-locks that mutex nowhere else, literals
  included, and does not hand it out between the two (`wait(&s.mu)`, `f :=
  s.mu.Unlock`: it might be unlocked there);
- between the two there is no `return` (each would now unlock: a behaviour
  change, even if a welcome one), no `defer` (it would now run before the
  unlock instead of after it), and nothing assigns to, or takes the address
  of, the mutex's path or a prefix of it (`s`, `s.inner` for `s.inner.mu`:
  `defer` evaluates the path at once, the old code at the end); the function
  has no `goto`;
- the `Lock()` line holds only the statement and perhaps a `//` comment, and
  the `Unlock()` line only the statement, so no code or comment is lost.

The edit inserts `defer <unlock>` on a new line after the `Lock()` line, with
its indentation and line ending, and deletes the `Unlock()` line together with
the blank lines just above it (gofmt would remove a blank line before `}`).
It is a function of the lock call and the function body only, so any rule that
finds such a lock (panic-while-locked, lock-leak-on-return) can offer it.
"""

from __future__ import annotations

from tree_sitter import Node

from linter.analysis.ops import lock_call
from linter.analysis.syntax import callee, expr_key, text, unparen, walk_expr
from linter.model import Edit, Fix, Span
from linter.source import SourceFile

TRY_LOCKS = frozenset({"TryLock", "TryRLock"})
LOCKER_METHODS = frozenset({"Lock", "Unlock", "RLock", "RUnlock", "RLocker", *TRY_LOCKS})
_FORBIDDEN_BETWEEN = frozenset({"return_statement", "defer_statement", "goto_statement"})


def _statements(body: Node) -> list[Node]:
    """The body's own statements (tree-sitter-go wraps them in a `statement_list`)."""
    holder = next((c for c in body.named_children if c.type == "statement_list"), body)
    return [c for c in holder.named_children if c.type not in ("comment", "empty_statement")]


def _is_plain_path(node: Node) -> bool:
    """`mu`, `s.mu`, `s.inner.mu`: no calls, indexes, dereferences or parentheses to re-evaluate."""
    while node.type == "selector_expression":
        node = node.child_by_field_name("operand")
        if node is None:
            return False
    return node.type == "identifier"


def _prefixes(mutex: str) -> frozenset[str]:
    """`s.inner.mu` -> {s, s.inner, s.inner.mu}: writing any of them may move the mutex."""
    parts = mutex.split(".")
    return frozenset(".".join(parts[: i + 1]) for i in range(len(parts)))


def _path_of(node: Node) -> str:
    """A written expression as a path: `(*s).inner` -> `s.inner`."""
    return expr_key(node).replace("*", "")


def _written(node: Node) -> list[Node]:
    """Expressions that `node` assigns to or takes the address of."""
    kind = node.type
    if kind in ("assignment_statement", "short_var_declaration", "range_clause", "receive_statement"):
        left = node.child_by_field_name("left")
        return list(left.named_children) if left is not None and left.type == "expression_list" else (
            [left] if left is not None else [])
    if kind in ("inc_statement", "dec_statement"):
        return node.named_children[:1]
    if kind == "unary_expression" and text(node.child_by_field_name("operator")) == "&":
        operand = node.child_by_field_name("operand")
        return [operand] if operand is not None else []
    if kind in ("var_spec", "const_spec"):
        return list(node.children_by_field_name("name"))
    return []


def _hands_out(node: Node, mutex: str) -> bool:
    """`g(&s.mu)`, `l := s.mu`, `u := s.mu.Unlock`: the mutex escapes and may be unlocked elsewhere.

    Reaching a field through it (`s.items` when the mutex is embedded in `s`) is not handing it out.
    """
    if node.type not in ("selector_expression", "identifier") or expr_key(node) != mutex:
        return False
    parent = node.parent
    if parent is None or parent.type != "selector_expression" or parent.child_by_field_name("operand") != node:
        return True
    return text(parent.child_by_field_name("field")) in LOCKER_METHODS


def _touches_mutex(call: Node, mutex: str) -> bool:
    spec = lock_call(call)
    if spec is not None:
        return spec[0] == mutex
    qualifier, name = callee(call)
    return name in TRY_LOCKS and qualifier == mutex


def _line_bounds(file: SourceFile, row: int) -> tuple[int, int]:
    """Byte offsets of the 0-based row's first byte and of its line ending (or end of file)."""
    starts = file.line_starts
    start = starts[row]
    end = starts[row + 1] - 1 if row + 1 < len(starts) else len(file.data)
    if end > start and file.data[end - 1 : end] == b"\r" and row + 1 < len(starts):
        end -= 1
    return start, end


def _line_ending(file: SourceFile, row: int) -> str:
    start, end = _line_bounds(file, row)
    return "\r\n" if file.data[end : end + 2] == b"\r\n" else "\n"


def defer_unlock(file: SourceFile, body: Node, lock: Node) -> Fix | None:
    """The fix for `lock` (an `X.Lock()` call) in the function whose body is `body`; None unless provably safe."""
    spec = lock_call(lock)
    fn = lock.child_by_field_name("function")
    if spec is None or not spec[1] or fn is None or fn.type != "selector_expression":
        return None
    mutex, _, write = spec
    operand = fn.child_by_field_name("operand")
    if operand is None or not _is_plain_path(operand):
        return None

    statements = _statements(body)
    lock_stmt = lock.parent
    if not statements or lock_stmt is None or lock_stmt.type != "expression_statement":
        return None
    index = next((i for i, s in enumerate(statements) if s == lock_stmt), None)
    last = statements[-1]
    if index is None or index + 2 > len(statements) - 1 or last.type != "expression_statement":
        return None
    unlock = unparen(last.named_children[0]) if last.named_child_count == 1 else None
    if unlock is None or unlock.type != "call_expression" or lock_call(unlock) != (mutex, False, write):
        return None

    calls = [n for n in walk_expr(body, into_literals=True)
             if n.type == "call_expression" and _touches_mutex(n, mutex)]
    if calls != [lock, unlock]:
        return None
    if any(n.type == "goto_statement" for n in walk_expr(body)):
        return None
    moved = _prefixes(mutex)
    for stmt in statements[index + 1 : -1]:
        if any(n.type in _FORBIDDEN_BETWEEN for n in walk_expr(stmt)):
            return None
        for node in walk_expr(stmt, into_literals=True):
            if any(_path_of(w) in moved for w in _written(node)):
                return None
            if _hands_out(node, mutex):
                return None
    return _edits(file, lock_stmt, last, text(unlock))


def _edits(file: SourceFile, lock_stmt: Node, unlock_stmt: Node, unlock_text: str) -> Fix | None:
    data = file.data
    lock_row, unlock_row = lock_stmt.start_point[0], unlock_stmt.start_point[0]
    if lock_stmt.end_point[0] != lock_row or unlock_stmt.end_point[0] != unlock_row:
        return None
    lock_start, lock_end = _line_bounds(file, lock_row)
    indent = data[lock_start : lock_stmt.start_byte]
    after_lock = data[lock_stmt.end_byte : lock_end].strip()
    if indent.strip() or (after_lock and not after_lock.startswith(b"//")):
        return None
    unlock_start, unlock_end = _line_bounds(file, unlock_row)
    if data[unlock_start : unlock_stmt.start_byte].strip() or data[unlock_stmt.end_byte : unlock_end].strip():
        return None

    row = unlock_row - 1
    while row > lock_row and not data[slice(*_line_bounds(file, row))].strip():
        row -= 1
    delete_start = _line_bounds(file, row)[1]
    if delete_start <= lock_end:
        return None
    inserted = f"{_line_ending(file, lock_row)}{indent.decode('utf-8')}defer {unlock_text}"
    lock_text = text(lock_stmt)
    return Fix(
        description=f"Defer {unlock_text} right after {lock_text} instead of calling it at the end",
        edits=(
            Edit(_span(file, lock_end, lock_end), lock_end, lock_end, inserted),
            Edit(_span(file, delete_start, unlock_end), delete_start, unlock_end, ""),
        ),
    )


def _span(file: SourceFile, start: int, end: int) -> Span:
    return Span(file.display, file.position(start), file.position(end))

