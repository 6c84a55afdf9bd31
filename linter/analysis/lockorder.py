"""The package's lock-order graph: an edge A -> B wherever B is taken while A is held.

Locks are named by their package-wide identity (`(*Store).mu`, a package
variable), so the same field locked from two methods with differently
named receivers is one node. Acquisitions inside called functions count
(through summaries), but not paired with a held lock the callee released
before taking them. A cycle means two paths take the same locks in
opposite orders; cycles whose edges all hold a common third lock (a gate)
cannot interleave and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from linter.analysis.functions import Function
from linter.analysis.lockstate import Held
from linter.analysis.ops import OpKind
from linter.analysis.summaries import Acquisition

if TYPE_CHECKING:
    from linter.analysis.package import Package

MAX_CYCLE = 4  # longer cycles are rare and costly to enumerate


@dataclass(frozen=True, slots=True)
class Edge:
    first: str  # identity of the lock held
    second: str  # identity of the lock taken
    held: Held  # where the first was taken (in acq.fn's file)
    acq: Acquisition  # where the second is taken
    gates: frozenset[str]  # identities of the other locks held at the same time

    @property
    def fn(self) -> Function:
        return self.acq.fn

    @property
    def position(self) -> tuple[str, int]:
        return self.acq.fn.file.display, self.acq.node.start_byte


@dataclass(frozen=True, slots=True)
class Cycle:
    """A lock-order cycle; `edges[0]` is the one to report (the earliest second acquisition)."""

    edges: tuple[Edge, ...]

    @property
    def locks(self) -> tuple[str, ...]:
        return tuple(e.first for e in self.edges)


def edges(pkg: "Package", roots: "Iterable[Function] | None" = None) -> dict[tuple[str, str], list[Edge]]:
    """Every ordered pair of locks taken one inside the other, with where, in source order;
    only those taken in `roots` (and the literals they run in place) when given."""
    out: dict[tuple[str, str], list[Edge]] = {}
    for root in pkg.functions if roots is None else roots:
        for e in _root_edges(pkg, root):
            out.setdefault((e.first, e.second), []).append(e)
    for lst in out.values():
        lst.sort(key=lambda e: e.position)
    return out


def _root_edges(pkg: "Package", root: Function) -> list[Edge]:
    """The edges of one function and the literals it runs in place, in the order they are met."""
    out: list[Edge] = []
    if root.file.path.name.endswith("_test.go"):
        return out  # tests hold locks in odd orders on purpose, one goroutine at a time
    for acq in pkg.acquisitions(root):
        if acq.identity is None or depth(acq) > pkg.lock_order_depth:
            continue
        held = [
            (h, pkg.lock_identity(acq.fn, h.mutex))
            for h in sorted(acq.state.held, key=lambda h: h.order)
            if h.mutex not in acq.dropped  # the callee released it before taking this one
        ]
        known = {i for _, i in held if i is not None}
        for h, first in held:
            if first is None or first == acq.identity:
                continue
            gates = frozenset(known - {first, acq.identity})
            out.append(Edge(first, acq.identity, h, acq, gates))
    return out


def depth(acq: Acquisition) -> int:
    """How many calls down `acq` is taken: 0 for a Lock() in the function itself. The graph
    leaves out locks taken more than `lock-order-depth` calls down (default 6).

    Every call of a chain is a path condition the graph does not check, and a chain
    of many calls reaches, through a large package, locks of objects other than the
    ones the caller holds (the lock graph names a lock by its type and field, not
    its instance). On 23 real code bases every inversion found true went at most
    three calls down, and every one deeper was infeasible (docs/real-world.md).
    """
    return 0 if acq.take is None else 1 + len(acq.take.chain)


def _held(pkg: "Package", root: Function) -> set[str]:
    """Identities of the locks `root` holds where it takes a lock or makes a call: the first
    lock of each of its edges is one of them. Read from the lock-state dataflow alone, without
    what callees take, which is what makes the edges themselves costly."""
    found: set[str] = set()
    if root.file.path.name.endswith("_test.go"):
        return found
    for fn, ev in pkg.all_events(root):
        op = ev.op
        if not ev.state.held:
            continue
        if (op.kind is OpKind.ACQUIRE and not op.via) or (
            op.kind is OpKind.CALL and pkg.called_literal(fn, op.node) is None
        ):
            found.update(i for h in ev.state.held if (i := pkg.lock_identity(fn, h.mutex)) is not None)
        elif op.kind is OpKind.DEFER_CALL:  # runs at return, holding what was deferred to unlock before it
            found.update(i for h in ev.state.held if h.covered and (i := pkg.lock_identity(fn, h.mutex)) is not None)
    return found


def _edges_from(pkg: "Package", own: dict[tuple[str, str], list[Edge]]) -> dict[tuple[str, str], list[Edge]]:
    """The edges out of every lock reachable in the graph from the locks of `own`, each lock's
    complete: those of the functions that hold it where they take a lock or make a call. A cycle
    through one of `own`'s edges has only such locks, so it is found as in the whole graph, and so
    is every two-lock cycle between its locks (which may hide it, see `cycles`)."""
    holders: dict[str, list[Function]] = {}
    for root in pkg.functions:
        for identity in _held(pkg, root):
            holders.setdefault(identity, []).append(root)
    per_root: dict[int, list[Edge]] = {}
    explored: set[str] = set()
    frontier = [lock for pair in own for lock in pair]
    while frontier:
        lock = frontier.pop()
        if lock in explored:
            continue
        explored.add(lock)
        for root in holders.get(lock, ()):
            if id(root) not in per_root:
                per_root[id(root)] = _root_edges(pkg, root)
            frontier.extend(e.second for e in per_root[id(root)] if e.first == lock)
    out: dict[tuple[str, str], list[Edge]] = {}
    for root in pkg.functions:  # package order, as `edges` meets them
        for e in per_root.get(id(root), ()):
            if e.first in explored:
                out.setdefault((e.first, e.second), []).append(e)
    for lst in out.values():
        lst.sort(key=lambda e: e.position)
    return out


def _simple_cycles(nodes: list[str], succ: dict[str, list[str]]) -> list[tuple[str, ...]]:
    """Elementary cycles up to MAX_CYCLE nodes, each once, starting at its smallest node."""
    found: list[tuple[str, ...]] = []
    for start in nodes:
        stack: list[tuple[str, ...]] = [(start,)]
        while stack:
            path = stack.pop()
            for nxt in succ.get(path[-1], ()):
                if nxt == start and len(path) > 1:
                    found.append(path)
                elif nxt > start and nxt not in path and len(path) < MAX_CYCLE:
                    stack.append((*path, nxt))
    return sorted(set(found), key=lambda c: (len(c), c))


def _pick(cycle: tuple[str, ...], table: dict[tuple[str, str], list[Edge]]) -> tuple[Edge, ...] | None:
    """One edge per step of the cycle such that no lock guards them all, earliest first."""
    steps = [table[(cycle[i], cycle[(i + 1) % len(cycle)])] for i in range(len(cycle))]
    if len(steps) == 2:
        pairs = [(a, b) for a in steps[0] for b in steps[1] if not (a.gates & b.gates)]
        if not pairs:
            return None
        chosen = min(pairs, key=lambda p: min(p[0].position, p[1].position))
        picked = list(chosen)
    else:
        picked = [s[0] for s in steps]
        if frozenset.intersection(*(e.gates for e in picked)):
            return None
    first = min(range(len(picked)), key=lambda i: picked[i].position)
    return tuple(picked[first:] + picked[:first])


def cycles(pkg: "Package") -> list[Cycle]:
    """The cycles to report. When some files are context (a file checked on its own), a cycle
    can only be reported in a checked file if one of its edges lies there (it is reported at
    one of its edges), so checked files without an edge need no package-wide graph, and with
    edges, only the part of it reachable from their locks (see `_edges_from`)."""
    if any(not f.is_target for f in pkg.files):
        own = edges(pkg, pkg.target_functions)
        if not own:
            return []
        table = _edges_from(pkg, own)
    else:
        table = edges(pkg)
    succ: dict[str, list[str]] = {}
    for a, b in sorted(table):
        succ.setdefault(a, []).append(b)
    out: list[Cycle] = []
    inverted: set[frozenset[str]] = set()  # pairs already reported as a two-lock cycle
    for cycle in _simple_cycles(sorted(succ), succ):
        if len(cycle) > 2 and any(frozenset((a, b)) in inverted for a in cycle for b in cycle if a < b):
            continue  # a longer cycle through a reported pair adds nothing to fix
        picked = _pick(cycle, table)
        if picked is not None:
            out.append(Cycle(picked))
            if len(cycle) == 2:
                inverted.add(frozenset(cycle))
    return out
