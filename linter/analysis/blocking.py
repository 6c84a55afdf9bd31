"""Which package functions block on every path: a call to one blocks just like the operation.

LJ107 sees a channel send or a WaitGroup.Wait written under a lock; a helper that
does it (`p.push(job)` with `push` sending on `p.jobs`) blocks its caller the same
way. A function must block when every path from its entry to its normal exit runs a
blocking operation (not a sync.Cond wait, whose lock semantics differ) or a call
whose every resolved target must block, at least one. A call through an interface
reaches the package's types that implement it (`calls.Resolver`, as the lock
summaries resolve it); other packages' implementations are not seen. A deferred
call counts where it is registered: it runs at every normal exit of a path that
registers it (`defer wg.Wait()`). A function that releases a lock held on
entry is never counted: its block may come after the caller's lock is gone.
Recursion counts as not blocking: the answer is the least fixpoint from "nothing
blocks" over the functions a query reaches, so it does not depend on the order of
the questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Callable

from tree_sitter import Node

from linter.analysis.cfg import on_every_path
from linter.analysis.functions import Function
from linter.analysis.ops import COND_WAIT, Op, OpKind
from linter.analysis.syntax import text, unparen

if TYPE_CHECKING:
    from linter.analysis.package import Package


# Bytes one of which the source of every blocking operation holds (see linter.analysis.ops): a channel
# send or receive, `select`, `range` over a channel, time.Sleep(), a WaitGroup's Wait().
_BLOCKING_BYTES = (b"<-", b"select", b"range", b"Sleep", b"Wait")
_IDENTIFIER = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class Block:
    """A blocking operation a function reaches on every path, as found in `owner`."""

    owner: Function
    op: Op


def blocks(op: Op) -> bool:
    """A blocking operation LJ107 reports whatever lock is held (a Cond's Wait releases its own)."""
    return op.kind is OpKind.BLOCK and op.reason != COND_WAIT


class Blocking:
    def __init__(self, pkg: Package):
        self.pkg = pkg
        self._done: dict[int, bool] = {}  # must block, by function (see _blocks)
        self._targets: dict[int, list[Function]] = {}
        self._described: dict[int, Block] = {}  # see _describe
        self._may: dict[int, bool] = {}  # by outermost function: whether it may block (see _may_block)
        self._may_names: dict[str, bool] = {}

    def _may_block(self, fn: Function) -> bool:
        """Whether `fn` can block at all, known from bytes (a superset): the body of the function it
        is written in (its own, or a literal's outermost function's, where the locals it calls are
        bound) holds a blocking operation's bytes, or the name of a function that may block. A call
        reaches only the functions it spells: by name, by a method's name, through a local bound in
        that body, or a literal written there. So every other function is answered "does not block"
        without resolving its calls, as the least fixpoint would answer it."""
        top = fn
        while top.parent is not None:
            top = top.parent
        known = self._may.get(id(top))
        if known is not None:
            return known
        named = self._named
        if named is None:
            return True  # a name the byte search cannot find: no shortcut
        seen, todo, found = {id(top)}, [top], False
        while todo and not found:
            f = todo.pop()
            known = self._may.get(id(f))
            body = f.body
            if known is False or body is None:
                continue
            data, start, end = f.file.data, body.start_byte, body.end_byte
            if known or any(data.find(b, start, end) >= 0 for b in _BLOCKING_BYTES):
                found = True
                break
            for word in set(_IDENTIFIER.findall(data, start, end)):
                for g in named.get(word, ()):
                    if id(g) not in seen:
                        seen.add(id(g))
                        todo.append(g)
        if found:
            self._may[id(top)] = True
        else:  # nothing reachable from here may block
            for key in seen:
                self._may[key] = False
        return found

    @cached_property
    def _named(self) -> dict[bytes, list[Function]] | None:
        """The package's named functions and methods by name; None when a name is not ASCII."""
        named: dict[bytes, list[Function]] = {}
        for f in self.pkg.functions:
            if f.name:
                named.setdefault(f.name.encode(), []).append(f)
        return named if all(_IDENTIFIER.fullmatch(n) for n in named) else None

    def _callees(self, fn: Function, call: Node) -> list[Function]:
        """`targets`, for a call that may reach a function that may block; none for the others,
        which the least fixpoint answers "does not block" whatever they resolve to."""
        target = call.child_by_field_name("function")
        target = unparen(target) if target is not None else None
        name = ""
        if target is not None and target.type == "identifier":
            name = text(target)
            if self.pkg.may_bind(fn, name):
                name = ""  # a local may be bound to any function spelled around it
        elif target is not None and target.type == "selector_expression":
            field = target.child_by_field_name("field")
            name = text(field) if field is not None else ""
        if name:
            may = self._may_names.get(name)
            if may is None:
                named = self._named
                may = named is None or any(self._may_block(g) for g in named.get(name.encode(), ()))
                self._may_names[name] = may
            if not may:
                return []
        return self.targets(fn, call)

    def targets(self, fn: Function, call: Node) -> list[Function]:
        """The package functions a call reaches: through an interface, every implementation the
        package has (none for an interface of standard methods only, see calls.STANDARD_METHODS),
        other test files' left out (see _seen_alike)."""
        found = self._targets.get(call.id)
        if found is None:
            found = self._targets[call.id] = [t for t in self.pkg.resolve(fn, call) if _seen_alike(fn, t)]
        return found

    def deferred(self, fn: Function, stmt: Node) -> list[Op]:
        """What the call a defer statement registers does when it runs at return: its own blocking
        operation (`wg.Wait()`, `time.Sleep(d)`) and its call, not its arguments' (they ran at the defer)."""
        call = next((c for c in stmt.named_children if c.type == "call_expression"), None)
        if call is None:
            return []
        return [op for op in self.pkg.ops_of(fn)(call) if op.node.id == call.id and op.kind in _RUN]

    def _running(self, fn: Function, op: Op) -> list[Op]:
        """The operations `op` stands for where it is: a deferred call's, as it runs at return."""
        return self.deferred(fn, op.node) if op.kind is OpKind.DEFER_CALL else [op]

    def call_blocks(self, fn: Function, call: Node) -> Block | None:
        """What a call blocks on when every target must block."""
        targets = self._callees(fn, call)
        return self._describe(targets[0], ()) if self._all_block(targets) else None

    def _all_block(self, targets: list[Function]) -> bool:
        return bool(targets) and all(self._blocks(t) for t in targets)

    def _describe(self, fn: Function, stack: tuple[int, ...]) -> Block | None:
        """The first blocking operation of `fn` in source order, followed into its first blocking callee
        not already on `stack`: read from the final answers of must_block only, so the operation a message
        names does not depend on the order in which the fixpoint first met the functions."""
        return self._walk(fn, stack)[0]

    def _walk(self, fn: Function, stack: tuple[int, ...]) -> tuple[Block | None, bool]:
        """_describe, and whether a callee was skipped for being on the stack anywhere below (then the
        answer holds for this stack only and is not remembered)."""
        if id(fn) in self._described:
            return self._described[id(fn)], False
        graph = self.pkg.cfg(fn)
        if graph is None:
            return None, False
        ops_of = self.pkg.ops_of(fn)
        cut = False
        for node in _in_order(graph):
            for op in (x for o in ops_of(node) for x in self._running(fn, o)):
                found = None
                if blocks(op):
                    found = Block(fn, op)
                elif op.kind is OpKind.CALL:
                    targets = self._callees(fn, op.node)
                    if not self._all_block(targets):
                        continue
                    if id(targets[0]) in stack or targets[0] is fn:
                        cut = True
                        continue
                    found, below = self._walk(targets[0], (*stack, id(fn)))
                    cut = cut or below
                if found is not None:
                    if not cut:
                        self._described[id(fn)] = found
                    return found, cut
        return None, cut

    def must_block(self, fn: Function) -> Block | None:
        """A blocking operation `fn` reaches on every path (which one: see _describe), or None."""
        return self._describe(fn, ()) if self._blocks(fn) else None

    def _blocks(self, fn: Function) -> bool:
        """Whether `fn` blocks on every path."""
        if id(fn) in self._done:
            return self._done[id(fn)]
        if not self._may_block(fn):
            return False
        reach = self._reach(fn)
        found: set[int] = set()

        def lookup(g: Function) -> bool:
            return self._done[id(g)] if id(g) in self._done else id(g) in found

        changed = True
        while changed:  # blocking only grows: the least fixpoint, whatever the order
            changed = False
            for f in reach:
                if id(f) not in found and self._own(f, lookup):
                    found.add(id(f))
                    changed = True
        for f in reach:
            self._done[id(f)] = id(f) in found
        return self._done[id(fn)]

    def _reach(self, fn: Function) -> list[Function]:
        """`fn` and the functions its calls reach, not yet answered, that block on every path if every
        callee that may block does. The others are answered "does not block" on the way (the least
        fixpoint lies below that assumption), and what they call is not looked at."""
        out: list[Function] = []
        seen: set[int] = set()
        todo = [fn]
        while todo:
            f = todo.pop()
            if id(f) in seen or id(f) in self._done:
                continue
            seen.add(id(f))
            if not self._may_block(f) or not self._own(f, self._upper):
                self._done[id(f)] = False
                continue
            out.append(f)
            graph = self.pkg.cfg(f)
            if graph is None:
                continue
            ops_of = self.pkg.ops_of(f)
            for block in graph.blocks:
                for node in block.nodes:
                    for op in (x for o in ops_of(node) for x in self._running(f, o)):
                        if op.kind is OpKind.CALL:
                            todo.extend(self._callees(f, op.node))
        return out

    def _upper(self, fn: Function) -> bool:
        """Whether `fn` may block: its answer when known, else what its bytes allow."""
        return self._done.get(id(fn), True) and self._may_block(fn)

    def _own(self, fn: Function, lookup: Callable[[Function], bool]) -> bool:
        """Whether `fn` blocks on every path, given which of its callees are known to block."""
        graph = self.pkg.cfg(fn)
        if graph is None or self.pkg.effects(fn).expects:
            return False
        ops_of = self.pkg.ops_of(fn)

        def blocking(op: Op) -> bool:
            if op.kind is OpKind.CALL:
                targets = self._callees(fn, op.node)
                return bool(targets) and all(lookup(t) for t in targets)
            return blocks(op)

        def gen(node: Node) -> list[bool]:
            return [True] if any(blocking(x) for op in ops_of(node) for x in self._running(fn, op)) else []

        return bool(on_every_path(graph, gen))


_RUN = frozenset({OpKind.BLOCK, OpKind.CALL})  # what a deferred call does that blocking asks about


def _seen_alike(fn: Function, target: Function) -> bool:
    """Whether `target` is in every run that checks `fn`: a test file is context of no other file
    (engine.plan), so `fn` checked alone would not see another test file's functions. Only a call
    through an interface of code outside tests can reach one (a test's fake), and the code's own
    build has none."""
    return target.file.path == fn.file.path or not target.file.path.name.endswith("_test.go")


def _in_order(graph) -> list[Node]:
    """The graph's statements in source order."""
    return sorted((n for b in graph.blocks for n in b.nodes), key=lambda n: n.start_byte)
