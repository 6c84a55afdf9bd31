"""Loop invariants for the path facts, by guess and check.

A loop head is described by a few cases of facts (a disjunction). The guess is the closure of
what holds on entry (`start == 0 && i == 0` gives `start <= i`); the check runs the body once
from the guess (see Paths._loop) and keeps, of each case, only the facts every back edge still
proves. The cases only ever lose facts (or, up to a bound, a case is added for a back edge
whose nil facts differ: `proto == nil` on entry, `len(proto) >= 2` once set), so the iteration
stops; what survives holds on entry and is re-established by every iteration, so it holds at
the head on every path.
"""

from __future__ import annotations

from typing import Callable

from tree_sitter import Node

from linter.analysis.linear import ZERO, Lin, Prover, const, term
from linter.analysis.syntax import FUNCTION_KINDS, text

_INF = float("inf")
_BREAKABLE = ("for_statement", "expression_switch_statement", "type_switch_statement", "select_statement")


def saturate(
    ineqs: frozenset[Lin], unequal: frozenset[Lin], keep: Callable[[str], bool], extra: set[str] = set()
) -> frozenset[Lin]:
    """The facts plus every `a - b <= c` their closure implies where `keep` holds of a or b (a
    term of the facts or of `extra`): the candidates an invariant is chosen from (a relation a
    loop keeps is often only implied on entry)."""
    prover = Prover(ineqs, unequal, extra)
    if prover.infeasible:
        return ineqs
    out = set(ineqs)
    nodes = prover.nodes
    for b in nodes:
        row = prover.dist[b]
        for a in nodes:
            w = row[a]
            if a == b or w == _INF or not (keep(a) or keep(b)):
                continue
            lhs = (term(a) if a != ZERO else const(0)).minus(term(b) if b != ZERO else const(0))
            out.add(lhs.shift(-int(w)))
    return frozenset(out)


def entailed(ineqs: frozenset[Lin], unequal: frozenset[Lin], by: Prover, by_unequal: frozenset[Lin]) -> tuple[
    frozenset[Lin], frozenset[Lin]
]:
    """The facts (each `f <= 0`, `u != 0`) that the prover's facts imply."""
    kept = frozenset(f for f in ineqs if by.proves(f))
    ne = frozenset(
        u for u in unequal if u in by_unequal or by.proves(u.shift(1)) or by.proves(const(1).minus(u))
    )
    return kept, ne


def jump_target(stmt: Node) -> Node | None:
    """The statement a `break` or `continue` leaves or repeats (a labeled one's own statement)."""
    label = next((c for c in stmt.named_children if c.type == "label_name"), None)
    kinds = ("for_statement",) if stmt.type == "continue_statement" else _BREAKABLE
    node = stmt.parent
    while node is not None and node.type not in FUNCTION_KINDS:
        if label is not None:
            if node.type == "labeled_statement" and any(
                c.type == "label_name" and text(c) == text(label) for c in node.named_children
            ):
                inner = [c for c in node.named_children if c.type not in ("label_name", "comment")]
                return inner[0] if inner else None
        elif node.type in kinds:
            return node
        node = node.parent
    return None
