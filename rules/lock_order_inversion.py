"""LJ106: two paths of one package take the same mutexes in opposite orders."""

from __future__ import annotations

from linter.analysis.lockorder import Cycle, Edge
from linter.analysis.ops import lock_call
from linter.model import Level, Precision
from linter.rule import Context, RuleMeta, Site

META = RuleMeta(
    id="LJ106",
    name="lock-order-inversion",
    summary="Reports mutexes that one path of a package takes in the order A then B and another in the order B then A.",
    rationale=(
        "If one goroutine holds A and waits for B while another holds B and waits for A, both wait forever. "
        "It only takes two code paths that nest the same two locks in opposite orders, and it shows up under "
        "load, not in tests. Locks are matched by what they are, not how they are spelled: the field `mu` of "
        "a type is one lock whatever its receiver is called, and a package variable is one lock. Lock "
        "acquisitions inside the package's functions and methods (through interfaces too) count where they "
        "are called. Each cycle is reported once, at one of its acquisitions, with the other path as related "
        "locations. Cycles whose paths all hold one other common lock cannot interleave and are not reported. "
        "Precision is medium: lockjaw identifies a lock by its type and field, so two instances of one type "
        "(a client and a route connection) look like the same lock, and it cannot see which paths exclude "
        "each other at run time; test files are left out of the order graph. A lock taken more than six calls "
        "down (`lock-order-depth` in the configuration) does not enter the graph: every such chain found on "
        "real code was infeasible, and nobody can check a witness that long."
    ),
    bad="""\
func (b *Bank) Audit(a *Account) {
	b.mu.Lock()
	defer b.mu.Unlock()
	a.mu.Lock() // Bank, then Account
	defer a.mu.Unlock()
}

func (a *Account) Close(b *Bank) {
	a.mu.Lock()
	defer a.mu.Unlock()
	b.mu.Lock() // Account, then Bank: deadlocks against Audit
	defer b.mu.Unlock()
}""",
    good="""\
func (a *Account) Close(b *Bank) {
	b.mu.Lock() // always Bank before Account
	defer b.mu.Unlock()
	a.mu.Lock()
	defer a.mu.Unlock()
}""",
    level=Level.WARNING,
    precision=Precision.MEDIUM,
    tags=("concurrency", "deadlock", "reliability"),
    needles=(b"Lock",),
)


def _where(e: Edge) -> str:
    return f"{e.fn.file.display}:{e.acq.node.start_point[0] + 1}"


def _held_site(e: Edge) -> tuple[Site, str]:
    h = e.held
    if h.site.type == "call_expression" and lock_call(h.site) is None:
        return Site(e.fn.file, h.site), f"{e.first} locked by this call in {e.fn.display_name}"
    return Site(e.fn.file, h.site), f"{e.first} taken here in {e.fn.display_name}"


def _acq_sites(e: Edge) -> list[tuple[Site, str]]:
    acq = e.acq
    if acq.callee is not None and acq.take is not None:
        chain = " -> ".join((acq.callee.display_name, *acq.take.chain))
        return [
            (Site(e.fn.file, acq.node), f"{e.second} taken in {chain}, called while {e.first} is held"),
            (acq.take.origin, f"{e.second}.{acq.method}() in {chain}"),
        ]
    return [(Site(e.fn.file, acq.node), f"{e.second} taken while {e.first} is held, in {e.fn.display_name}")]


def _message(cycle: Cycle) -> str:
    primary, others = cycle.edges[0], cycle.edges[1:]
    how = f"call to {primary.acq.callee.display_name}() takes" if primary.acq.callee is not None else "takes"
    head = f"{how} {primary.second} while {primary.first} is held"
    if len(others) == 1:
        other = others[0]
        return (f"{head}, but {other.fn.display_name} takes {other.second} while holding {other.first} "
                f"({_where(other)}): two goroutines taking them in opposite orders deadlock")
    order = " -> ".join((*cycle.locks, cycle.locks[0]))
    fns = ", ".join(dict.fromkeys(e.fn.display_name for e in cycle.edges))
    return f"{head}, closing the lock-order cycle {order} (in {fns}): goroutines on these paths can deadlock"


def check(ctx: Context) -> None:
    for cycle in ctx.package.lock_cycles:
        primary = cycle.edges[0]
        here = Site(primary.fn.file, primary.acq.node)
        related = [_held_site(primary)]
        flow = [_held_site(primary), *_acq_sites(primary)]
        for other in cycle.edges[1:]:
            related += [_held_site(other), *_acq_sites(other)]
            flow += [_held_site(other), *_acq_sites(other)]
        if primary.acq.callee is not None and primary.acq.take is not None:
            related.append(_acq_sites(primary)[1])
        ctx.report(here, _message(cycle), related=related, flow=flow)
