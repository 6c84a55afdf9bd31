"""A control-flow graph per function body.

Blocks hold the nodes evaluated in order: simple statements, conditions,
range expressions, and two kinds of marker tokens: a `select` keyword (the
select itself may block) and the body's closing `}` (the path falls off the
end of the function). Compound statements never appear as nodes, so a walk
over a node's expression never sees code of another block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Literal, TypeVar

from tree_sitter import Node

from linter.analysis.syntax import call_args, loop_condition, text, unparen

MAX_NESTING = 120  # deeper bodies are not analysed (and said so), so recursion stays bounded

T = TypeVar("T")

Terminal = Literal["panic", "exit"] | None


class TooDeep(Exception):
    """The function nests statements deeper than lockjaw analyses."""


@dataclass(slots=True)
class Block:
    id: int
    nodes: list[Node] = field(default_factory=list)
    succs: list[int] = field(default_factory=list)
    preds: list[int] = field(default_factory=list)


@dataclass(slots=True)
class CFG:
    blocks: list[Block]
    entry: int
    exit: int  # normal return
    panic_exit: int  # a path that ends in panic(...)
    # (from, to) -> flag: the edge is taken only when the variable `flag` is false, the
    # else-edge of `if flag {` (whether the flag keeps its value is the dataflow's question)
    false_edges: dict[tuple[int, int], str] = field(default_factory=dict)
    # (from, to) -> the `x.TryLock()` calls of the branch condition whose result the edge knows, with
    # that result: `if mu.TryLock() {` holds mu on its then-edge, `if !mu.TryLock() {` on its else-edge
    try_edges: dict[tuple[int, int], tuple[tuple[Node, bool], ...]] = field(default_factory=dict)
    # (from, to) -> (condition, outcome): the edge is taken only when the condition evaluates to outcome
    branches: dict[tuple[int, int], tuple[Node, bool]] = field(default_factory=dict)

    def reachable(self) -> set[int]:
        seen = {self.entry}
        stack = [self.entry]
        while stack:
            for s in self.blocks[stack.pop()].succs:
                if s not in seen:
                    seen.add(s)
                    stack.append(s)
        return seen


_SIMPLE = frozenset(
    {
        "expression_statement", "send_statement", "inc_statement", "dec_statement",
        "assignment_statement", "short_var_declaration", "var_declaration",
        "const_declaration", "type_declaration", "go_statement", "defer_statement",
    }
)
_CASES = frozenset({"expression_case", "type_case", "communication_case", "default_case"})
TRY_METHODS = frozenset({"TryLock", "TryRLock"})


def try_outcomes(condition: Node | None, outcome: bool) -> tuple[tuple[Node, bool], ...]:
    """The `x.TryLock()` calls of a condition whose result is known when it evaluates to `outcome`, each
    with that result: `mu.TryLock()` succeeded when the condition is true, `!mu.TryLock()` when it is
    false; both operands of a true `&&` and of a false `||`. Nothing for a false `mu.TryLock() && c`
    (the TryLock may have succeeded or not)."""
    if condition is None:
        return ()
    node = unparen(condition)
    kind = node.type
    if kind == "call_expression":
        fn = node.child_by_field_name("function")
        fn = unparen(fn) if fn is not None else None
        if (fn is not None and fn.type == "selector_expression" and not call_args(node)
                and text(fn.child_by_field_name("field")) in TRY_METHODS):
            return ((node, outcome),)
        return ()
    if kind == "unary_expression" and text(node.child_by_field_name("operator")) == "!":
        return try_outcomes(node.child_by_field_name("operand"), not outcome)
    if kind == "binary_expression" and text(node.child_by_field_name("operator")) == ("&&" if outcome else "||"):
        return try_outcomes(node.child_by_field_name("left"), outcome) + try_outcomes(
            node.child_by_field_name("right"), outcome)
    return ()


def on_every_path(graph: CFG, gen_of: Callable[[Node], Iterable[T]],
                  feasible: Callable[[Node, bool], bool] | None = None) -> frozenset[T]:
    """What every path from the entry to the exit generates (`gen_of`: what one node of a block
    generates): a forward dataflow that intersects at joins. `feasible(condition, outcome)` False:
    no path takes the branch edges on which `condition` evaluates to `outcome`."""
    gen = {block.id: frozenset(x for node in block.nodes for x in gen_of(node)) for block in graph.blocks}
    entry: dict[int, frozenset] = {graph.entry: frozenset()}
    work = [graph.entry]
    while work:
        b = work.pop()
        out = entry[b] | gen[b]
        for succ in graph.blocks[b].succs:
            if feasible is not None and (b, succ) in graph.branches and not feasible(*graph.branches[(b, succ)]):
                continue
            old = entry.get(succ)
            new = out if old is None else old & out
            if new != old:
                entry[succ] = new
                work.append(succ)
    return entry.get(graph.exit, frozenset())


def statements(container: Node) -> list[Node]:
    """The statements of a block or case body, comments left out."""
    out: list[Node] = []
    for child in container.named_children:
        if child.type == "statement_list":
            out.extend(c for c in child.named_children if c.type != "comment")
        elif child.type != "comment" and (container.type == "block" or child.type.endswith("statement")):
            out.append(child)
    return out


class _Builder:
    def __init__(self, terminal: Callable[[Node], Terminal]):
        self.terminal = terminal
        self.false_edges: dict[tuple[int, int], str] = {}
        self.try_edges: dict[tuple[int, int], tuple[tuple[Node, bool], ...]] = {}
        self.branches: dict[tuple[int, int], tuple[Node, bool]] = {}
        self.blocks: list[Block] = []
        self.exit = self.new()
        self.panic_exit = self.new()
        self.entry = self.new()
        self.cur: int | None = self.entry
        self.breaks: list[tuple[str, int]] = []
        self.continues: list[tuple[str, int]] = []
        self.fallthrough: list[int | None] = []
        self.labels: dict[str, int] = {}

    def new(self) -> int:
        self.blocks.append(Block(len(self.blocks)))
        return len(self.blocks) - 1

    def edge(self, a: int | None, b: int) -> None:
        if a is None:
            return
        self.blocks[a].succs.append(b)
        self.blocks[b].preds.append(a)

    def block(self) -> int:
        if self.cur is None:  # code after a return or panic: unreachable, but still built
            self.cur = self.new()
        return self.cur

    def add(self, node: Node | None) -> None:
        if node is not None:
            self.blocks[self.block()].nodes.append(node)

    def branch_on(self, condition: Node | None, source: int, target: int, outcome: bool) -> None:
        """The edge taken when `condition` evaluates to `outcome`, with the TryLocks whose result it knows."""
        self.edge(source, target)
        if condition is not None:
            self.branches[(source, target)] = (condition, outcome)
        if condition is not None and b"Try" in condition.text:
            tried = try_outcomes(condition, outcome)
            if tried:
                self.try_edges[(source, target)] = tried

    def bound_result(self, condition: Node | None) -> Node | None:
        """`ok` in `ok := mu.TryLock(); if ok {` (or `if ok := mu.TryLock(); ok {`) stands for the call it
        was bound to just before, with nothing in between that could change it; any other condition
        stands for itself."""
        if condition is None or condition.type != "identifier" or self.cur is None or not self.blocks[self.cur].nodes:
            return condition
        binding = self.blocks[self.cur].nodes[-1]
        if binding.type not in ("short_var_declaration", "assignment_statement"):
            return condition
        left, right = binding.child_by_field_name("left"), binding.child_by_field_name("right")
        if left is None or right is None or left.named_child_count != 1 or right.named_child_count != 1:
            return condition
        operator = binding.child_by_field_name("operator")  # none in a short_var_declaration
        if text(left.named_children[0]) != text(condition) or (operator is not None and text(operator) != "="):
            return condition
        value = unparen(right.named_children[0])
        return value if value.type == "call_expression" else condition

    def jump(self, target: int) -> None:
        self.edge(self.cur, target)
        self.cur = None

    def label_block(self, name: str) -> int:
        if name not in self.labels:
            self.labels[name] = self.new()
        return self.labels[name]

    # statements ---------------------------------------------------------------------------

    def body(self, stmts: list[Node], depth: int) -> None:
        for s in stmts:
            self.stmt(s, depth)

    def stmt(self, node: Node, depth: int, label: str = "") -> None:
        if depth > MAX_NESTING:
            raise TooDeep()
        kind = node.type
        if kind in _SIMPLE:
            self.add(node)
            if kind == "expression_statement":
                end = self.terminal(node)
                if end == "panic":
                    self.jump(self.panic_exit)
                elif end == "exit":
                    self.cur = None
        elif kind == "return_statement":
            self.add(node)
            self.jump(self.exit)
        elif kind == "block":
            self.body(statements(node), depth + 1)
        elif kind == "if_statement":
            self.if_stmt(node, depth)
        elif kind == "for_statement":
            self.for_stmt(node, depth, label)
        elif kind in ("expression_switch_statement", "type_switch_statement"):
            self.switch_stmt(node, depth, label)
        elif kind == "select_statement":
            self.select_stmt(node, depth, label)
        elif kind == "labeled_statement":
            name = text(node.child_by_field_name("label"))
            target = self.label_block(name)
            self.edge(self.cur, target)
            self.cur = target
            inner = [c for c in node.named_children if c.type not in ("label_name", "comment")]
            if inner:
                self.stmt(inner[0], depth + 1, name)
        elif kind == "break_statement":
            self.jump(self._target(self.breaks, node))
        elif kind == "continue_statement":
            self.jump(self._target(self.continues, node))
        elif kind == "goto_statement":
            label_node = next((c for c in node.named_children if c.type == "label_name"), None)
            self.jump(self.label_block(text(label_node)))
        elif kind == "fallthrough_statement":
            target = self.fallthrough[-1] if self.fallthrough else None
            if target is not None:
                self.jump(target)
        elif kind in ("empty_statement", "comment"):
            pass
        else:  # ERROR nodes and anything unexpected: evaluate in place
            self.add(node)

    def _target(self, stack: list[tuple[str, int]], node: Node) -> int:
        label_node = next((c for c in node.named_children if c.type == "label_name"), None)
        if label_node is not None:
            name = text(label_node)
            for lbl, target in reversed(stack):
                if lbl == name:
                    return target
        if stack:
            return stack[-1][1]
        return self.exit  # malformed code: break outside a loop

    def if_stmt(self, node: Node, depth: int) -> None:
        init = node.child_by_field_name("initializer")
        if init is not None:
            self.stmt(init, depth + 1)
        condition = node.child_by_field_name("condition")
        tested = self.bound_result(condition)
        self.add(condition)
        branch = self.block()
        join = self.new()
        then = self.new()
        self.branch_on(tested, branch, then, True)
        flag = text(condition) if condition is not None and condition.type == "identifier" else ""
        if flag:
            self.false_edges[(branch, join)] = flag  # the alternative's first block, if any, is keyed below
        self.cur = then
        consequence = node.child_by_field_name("consequence")
        if consequence is not None:
            self.stmt(consequence, depth + 1)
        self.edge(self.cur, join)
        alternative = node.child_by_field_name("alternative")
        if alternative is not None:
            other = self.new()
            self.branch_on(tested, branch, other, False)
            if (branch, join) in self.false_edges:
                self.false_edges[(branch, other)] = self.false_edges.pop((branch, join))
            self.cur = other
            self.stmt(alternative, depth + 1)
            self.edge(self.cur, join)
        else:
            self.branch_on(tested, branch, join, False)
        self.cur = join

    def for_stmt(self, node: Node, depth: int, label: str) -> None:
        clause = next((c for c in node.named_children if c.type in ("for_clause", "range_clause")), None)
        condition = loop_condition(node)
        update = None
        if clause is not None and clause.type == "for_clause":
            init = clause.child_by_field_name("initializer")
            if init is not None:
                self.stmt(init, depth + 1)
            update = clause.child_by_field_name("update")
        elif clause is not None:  # range: the expression is evaluated once, before the loop
            self.add(clause.child_by_field_name("right"))
        header = self.new()
        after = self.new()
        self.edge(self.cur, header)
        self.cur = header
        self.add(condition)
        if condition is not None or (clause is not None and clause.type == "range_clause"):
            self.branch_on(condition, header, after, False)
        post = header
        if update is not None:
            post = self.new()
            self.blocks[post].nodes.append(update)
            self.edge(post, header)
        body = self.new()
        self.branch_on(condition, header, body, True)
        self.cur = body
        self.breaks.append((label, after))
        self.continues.append((label, post))
        body_node = node.child_by_field_name("body")
        if body_node is not None:
            self.stmt(body_node, depth + 1)
        self.breaks.pop()
        self.continues.pop()
        self.edge(self.cur, post)
        self.cur = after

    def _cases(self, node: Node, dispatch: int, after: int, depth: int, label: str) -> bool:
        """Lay out case bodies; returns whether a default case exists."""
        cases = [c for c in node.named_children if c.type in _CASES]
        entries = [self.new() for _ in cases]
        has_default = False
        self.breaks.append((label, after))
        for i, (case, entry) in enumerate(zip(cases, entries)):
            has_default |= case.type == "default_case"
            self.edge(dispatch, entry)
            self.cur = entry
            if case.type == "communication_case":
                self.add(case.child_by_field_name("communication"))
            elif case.type == "expression_case":
                self.add(case.child_by_field_name("value"))
            self.fallthrough.append(entries[i + 1] if i + 1 < len(entries) else None)
            self.body(statements(case), depth + 1)
            self.fallthrough.pop()
            self.edge(self.cur, after)
        self.breaks.pop()
        return has_default

    def switch_stmt(self, node: Node, depth: int, label: str) -> None:
        init = node.child_by_field_name("initializer")
        if init is not None:
            self.stmt(init, depth + 1)
        self.add(node.child_by_field_name("value"))
        dispatch = self.block()
        after = self.new()
        if not self._cases(node, dispatch, after, depth, label):
            self.edge(dispatch, after)
        self.cur = after

    def select_stmt(self, node: Node, depth: int, label: str) -> None:
        self.add(node.children[0])  # the `select` keyword: the select itself may block
        dispatch = self.block()
        after = self.new()
        self._cases(node, dispatch, after, depth, label)
        self.cur = after if self.blocks[after].preds else None  # `select {}` never proceeds


def build(body: Node, terminal: Callable[[Node], Terminal]) -> CFG:
    """Build the graph of a function body (a `block` node)."""
    b = _Builder(terminal)
    b.body(statements(body), 0)
    if b.cur is not None:
        closing = body.children[-1] if body.child_count and body.children[-1].type == "}" else None
        b.add(closing)
        b.edge(b.cur, b.exit)
    return CFG(b.blocks, b.entry, b.exit, b.panic_exit, b.false_edges, b.try_edges, b.branches)
