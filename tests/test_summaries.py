"""Call resolution, lock identities and per-function summaries across one package."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.analysis.lockrefs import LockRef, rebound_keys
from linter.analysis.ops import OpKind
from linter.analysis.package import Package
from linter.analysis.summaries import named_lock_helper
from linter.analysis.syntax import walk_expr
from linter.source import SourceFile

HEADER = 'package x\n\nimport "sync"\n\n'


def package(*sources: str) -> Package:
    files = [SourceFile(Path(f"f{i}.go"), f"f{i}.go", (HEADER + src).encode()) for i, src in enumerate(sources)]
    return Package(files)


def fn(pkg: Package, name: str):
    found = [f for f in pkg.functions if f.display_name == name]
    assert len(found) == 1, [f.display_name for f in pkg.functions]
    return found[0]


def calls_in(pkg: Package, name: str) -> list:
    f = fn(pkg, name)
    return [n for n in walk_expr(f.body) if n.type == "call_expression"]


def targets(pkg: Package, caller: str, index: int = 0) -> list[str]:
    f = fn(pkg, caller)
    return [t.display_name for t in pkg.resolve(f, calls_in(pkg, caller)[index])]


# resolution ------------------------------------------------------------------------------


TYPES = """
type Base struct{ mu sync.Mutex }
func (b *Base) bump() {}
type S struct {
	Base
	d Doer
	w Writer
}
func (s *S) own() {}
type Doer interface{ Do(); Name() string }
type A struct{}
func (A) Do() {}
func (A) Name() string { return "a" }
type B struct{}
func (*B) Do() {}
type Writer interface{ Write(p []byte) (int, error) }
type W struct{}
func (*W) Write(p []byte) (int, error) { return 0, nil }
func free() {}
"""


def test_resolves_methods_promoted_methods_and_functions() -> None:
    pkg = package(TYPES + "func (s *S) c1() { s.own(); s.bump(); free() }\n")
    assert targets(pkg, "S.c1", 0) == ["S.own"]
    assert targets(pkg, "S.c1", 1) == ["Base.bump"]
    assert targets(pkg, "S.c1", 2) == ["free"]


def test_interface_calls_reach_implementations_of_the_whole_method_set() -> None:
    pkg = package(TYPES + "func (s *S) c2() { s.d.Do() }\nfunc (s *S) c3(d Doer) { d.Do() }\n")
    assert targets(pkg, "S.c2") == ["A.Do"]  # B has no Name(): it is not a Doer
    assert targets(pkg, "S.c3") == ["A.Do"]


def test_io_shaped_interfaces_are_not_resolved() -> None:
    pkg = package(TYPES + "func (s *S) c4() { s.w.Write(nil) }\n")
    assert targets(pkg, "S.c4") == []


def test_locals_shadow_package_functions() -> None:
    pkg = package(TYPES + "func c5() { free := func() {}; free() }\n")
    assert targets(pkg, "c5", 0) == ["func literal in c5"]  # the local literal, not the package's free


def test_locals_bound_once_resolve_to_their_value() -> None:
    pkg = package(TYPES + "func (s *S) c6() { f := s.own; f() }\n"
                  "func c7(x bool) { f := func() {}; if x { f = free }; f() }\n")
    assert targets(pkg, "S.c6", 0) == ["S.own"]
    assert targets(pkg, "c7", 0) == []  # rebound: which function runs is unknown


def test_across_files() -> None:
    pkg = package("type T struct{ mu sync.Mutex }\nfunc (t *T) get() { t.mu.Lock(); t.mu.Unlock() }\n",
                  "func (t *T) use() { t.get() }\n")
    assert targets(pkg, "T.use") == ["T.get"]


# identities and references -----------------------------------------------------------------


IDENT = """
var global sync.Mutex
type Inner struct{ mu sync.Mutex }
type Outer struct {
	Inner
	other sync.RWMutex
	half  Half
}
type Half struct {
	sync.Mutex
	n int
}
func (o *Outer) a(m *sync.Mutex) { o.mu.Lock(); o.other.Lock(); global.Lock(); m.Lock(); o.half.Lock(); o.half.Unlock() }
func (x *Outer) b() { x.other.Lock(); x.other.Unlock() }
func (h *Half) c() { h.Lock(); h.Unlock() }
"""


def test_identities_name_the_lock_not_the_receiver() -> None:
    pkg = package(IDENT)
    a, b, c = fn(pkg, "Outer.a"), fn(pkg, "Outer.b"), fn(pkg, "Half.c")
    assert pkg.lock_identity(a, "o.mu") == "(*Inner).mu"  # promoted: the type that declares it
    assert pkg.lock_identity(a, "o.other") == pkg.lock_identity(b, "x.other") == "(*Outer).other"
    assert pkg.lock_identity(a, "global") == "global"
    assert pkg.lock_identity(a, "m") is None  # a *sync.Mutex parameter could be any lock
    assert pkg.lock_identity(a, "o.half") == "(*Outer).half"  # the field, not every Half
    assert pkg.lock_identity(c, "h") == "(*Half).Mutex"


def test_refs_say_how_callers_name_a_mutex() -> None:
    pkg = package(IDENT)
    a = fn(pkg, "Outer.a")
    assert pkg.lock_ref(a, "o.mu") == LockRef("recv", "o", ".mu")
    assert pkg.lock_ref(a, "m") == LockRef("param", "m", "", 0)
    assert pkg.lock_ref(a, "global") == LockRef("global", "global", "")
    assert pkg.lock_ref(a, "o.items[0].mu") is None


def test_rebound_names() -> None:
    pkg = package("""
func r(head *Inner, xs []*Inner) {
	n := head
	for _, x := range xs {
		y := x
		_ = y
	}
	n = nil
	_ = n
}
""")
    assert rebound_keys(fn(pkg, "r").body) == frozenset({"x", "y", "n"})


# summaries -------------------------------------------------------------------------------


HELPERS = """
type S struct {
	mu sync.Mutex
	rw sync.RWMutex
	n  int
}
func (s *S) lock()   { s.mu.Lock() }
func (s *S) unlock() { s.mu.Unlock() }
func (s *S) hold() func() { s.mu.Lock(); return s.mu.Unlock }
func (s *S) view() func() { s.rw.RLock(); return func() { s.rw.RUnlock() } }
func (s *S) Len() int { s.mu.Lock(); defer s.mu.Unlock(); return s.n }
func (s *S) deep() int { return s.Len() }
func (s *S) maybe() { if s.n > 0 { return }; s.mu.Lock(); s.mu.Unlock() }
func (s *S) waitLocked() { s.mu.Unlock(); s.mu.Lock() }
func lockParam(m *sync.Mutex) { m.Lock() }
"""


def refs(takes) -> list[tuple[str, str, bool]]:
    return [(t.ref.base, t.ref.text, t.write) for t in takes if t.ref is not None]


def test_lock_and_unlock_helpers() -> None:
    pkg = package(HELPERS)
    lock, unlock = pkg.summary(fn(pkg, "S.lock")), pkg.summary(fn(pkg, "S.unlock"))
    assert refs(lock.keeps) == [("recv", "s.mu", True)] and lock.lock_helper
    assert refs(unlock.releases) == [("recv", "s.mu", True)] and unlock.expects == {"s.mu"}
    assert refs(pkg.summary(fn(pkg, "lockParam")).keeps) == [("param", "m", True)]


def test_functions_returning_unlockers() -> None:
    pkg = package(HELPERS)
    hold, view = pkg.summary(fn(pkg, "S.hold")), pkg.summary(fn(pkg, "S.view"))
    assert refs(hold.unlockers) == [("recv", "s.mu", True)] and hold.lock_helper
    assert refs(view.unlockers) == [("recv", "s.rw", False)] and view.lock_helper


def test_takes_are_transitive_and_know_when_they_are_certain() -> None:
    pkg = package(HELPERS)
    deep = pkg.summary(fn(pkg, "S.deep"))
    assert [(t.ref.text, t.chain, t.must) for t in deep.takes] == [("s.mu", ("S.Len",), True)]
    maybe = pkg.summary(fn(pkg, "S.maybe"))
    assert [(t.ref.text, t.must) for t in maybe.takes] == [("s.mu", False)]
    assert pkg.summary(fn(pkg, "S.Len")).keeps == ()


def test_unlock_then_relock_expects_the_lock_and_changes_nothing() -> None:
    pkg = package(HELPERS)
    wait = pkg.summary(fn(pkg, "S.waitLocked"))
    assert wait.expects == {"s.mu"} and wait.keeps == () and wait.releases == () and wait.takes == ()


def test_recursion_terminates() -> None:
    pkg = package(HELPERS + """
func (s *S) ping(n int) { if n > 0 { s.pong(n - 1) }; s.mu.Lock(); s.mu.Unlock() }
func (s *S) pong(n int) { s.ping(n) }
type Node struct { mu sync.Mutex; next *Node }
func (n *Node) walk() { n.mu.Lock(); n.mu.Unlock(); if n.next != nil { n.next.walk() } }
""")
    assert refs(pkg.summary(fn(pkg, "S.pong")).takes) == [("recv", "s.mu", True)]
    walk = pkg.summary(fn(pkg, "Node.walk"))
    assert all(len(t.ref.path.split(".")) <= 4 for t in walk.takes if t.ref is not None)


# summaries in the dataflow ---------------------------------------------------------------------


def held_at_end(pkg: Package, name: str) -> set[tuple[str, bool]]:
    events = pkg.lock_events(fn(pkg, name))
    ends = [e for e in events if e.op.kind in (OpKind.END, OpKind.RETURN)]
    return {(h.mutex, h.covered) for e in ends for h in e.state.held}


def test_calls_become_lock_operations() -> None:
    pkg = package(HELPERS + """
func (s *S) a() { s.lock(); s.n++; s.unlock() }
func (x *S) b() { defer x.hold()(); x.n++ }
func (s *S) c() { done := s.view(); defer done(); s.n++ }
func (s *S) d() { s.lock(); s.n++ }
func (s *S) e() { s.mu.Lock(); defer func() { s.unlock() }() }
func f(s *S) { lockParam(&s.mu) }
""")
    assert held_at_end(pkg, "S.a") == set()
    assert held_at_end(pkg, "S.b") == {("x.mu", True)}  # held, but covered by the deferred unlocker
    assert held_at_end(pkg, "S.c") == {("s.rw", True)}
    assert held_at_end(pkg, "S.d") == {("s.mu", False)}
    assert held_at_end(pkg, "S.e") == {("s.mu", True)}
    assert held_at_end(pkg, "f") == {("s.mu", False)}


def test_acquisitions_through_calls() -> None:
    pkg = package(HELPERS + "func (t *S) g() { t.mu.Lock(); t.deep(); t.mu.Unlock() }\n")
    found = [(a.mutex, a.identity, a.callee.display_name if a.callee else "") for a in pkg.acquisitions(fn(pkg, "S.g"))]
    assert found == [("t.mu", "(*S).mu", ""), ("t.mu", "(*S).mu", "S.deep")]


def test_lock_order_cycles_once_and_gated_cycles_not_at_all() -> None:
    pkg = package("""
type A struct{ mu sync.Mutex }
type B struct{ mu sync.Mutex }
var gate sync.Mutex
func ab(a *A, b *B) { a.mu.Lock(); b.mu.Lock(); b.mu.Unlock(); a.mu.Unlock() }
func ba(a *A, b *B) { b.mu.Lock(); a.mu.Lock(); a.mu.Unlock(); b.mu.Unlock() }
type C struct{ mu sync.Mutex }
func gac(a *A, c *C) { gate.Lock(); a.mu.Lock(); c.mu.Lock(); c.mu.Unlock(); a.mu.Unlock(); gate.Unlock() }
func gca(a *A, c *C) { gate.Lock(); c.mu.Lock(); a.mu.Lock(); a.mu.Unlock(); c.mu.Unlock(); gate.Unlock() }
""")
    cycles = pkg.lock_cycles
    assert [c.locks for c in cycles] == [("(*A).mu", "(*B).mu")]
    assert cycles[0].edges[0].fn.name == "ab"  # the earliest second acquisition is the primary


@pytest.mark.parametrize(
    "name, helper",
    [
        ("lock", True), ("Lock", True), ("rlock", True), ("RLock", True), ("lockShard", True),
        ("readLock", True), ("TryLock", True), ("fooLocked", True), ("acquire", True),
        ("unlock", False), ("Unlock", False), ("RUnlock", False), ("block", False), ("clock", False),
        ("isBlocked", False), ("Get", False), ("", False),
    ],
)
def test_lock_helper_names(name: str, helper: bool) -> None:
    assert named_lock_helper(name) is helper


# takes carry what the caller no longer holds, and the flags they depend on -----------------


def test_take_after_dropping_the_callers_lock_records_it():
    pkg = package("""
type R struct{ mu sync.Mutex }
func (r *R) get() { r.mu.Lock(); r.mu.Unlock() }
type S struct{ mu sync.Mutex; r *R }
func (s *S) configure() { s.mu.Unlock(); s.r.get(); s.mu.Lock() }
func (s *S) early() { s.r.get(); s.mu.Unlock(); s.mu.Lock() }
""")
    (take,) = pkg.summary(fn(pkg, "S.configure")).takes
    assert take.identity == "(*R).mu" and take.dropped == {LockRef("recv", "s", ".mu")}
    (take,) = pkg.summary(fn(pkg, "S.early")).takes
    assert take.dropped == frozenset()


def test_take_under_a_bool_parameter_records_the_guard():
    pkg = package("""
type C struct{ mu sync.Mutex }
func (c *C) check(s string, full, hasLock bool) {
	if full && !hasLock { c.mu.Lock(); defer c.mu.Unlock() }
}
func (c *C) quick(s string) { c.check(s, false, true) }
func (c *C) forward(locked bool) { c.check("", true, locked) }
func (c *C) assigned(hasLock bool) { hasLock = !hasLock; if hasLock { c.mu.Lock(); c.mu.Unlock() } }
""")
    (take,) = pkg.summary(fn(pkg, "C.check")).takes
    assert take.guard == {(1, True), (2, False)}
    assert pkg.summary(fn(pkg, "C.quick")).takes == ()
    (take,) = pkg.summary(fn(pkg, "C.forward")).takes
    assert take.guard == {(0, False)}
    (take,) = pkg.summary(fn(pkg, "C.assigned")).takes
    assert take.guard == frozenset()


def test_type_switch_and_inner_redeclaration_narrow_the_type():
    pkg = package("""
type T interface{ P() }
type N struct{ mu sync.Mutex }
func (n *N) P() {}
type G struct{}
func (g *G) P() {}
func f(x, y T) {
	switch x := x.(type) {
	case *G:
		x.P()
		y, _ := y.(*G)
		y.P()
	case *N, *G:
		x.P()
	}
	y.P()
}
""")
    assert [targets(pkg, "f", i) for i in range(4)] == [["G.P"], ["G.P"], ["G.P", "N.P"], ["G.P", "N.P"]]


def test_takes_certain_under_their_guard_or_in_either_mode():
    pkg = package("""
type C struct{ mu sync.RWMutex; ready bool }
func (c *C) get(doLock bool) { if doLock { c.mu.RLock() }; if doLock { c.mu.RUnlock() } }
func (c *C) also(doLock bool) { if doLock && c.ready { c.mu.RLock(); c.mu.RUnlock() } }
func (c *C) fwd(locked bool) { c.get(!locked) }
func (c *C) sure() { c.get(true) }
func (c *C) mode(w bool) { if w { c.mu.Lock(); c.mu.Unlock() } else { c.mu.RLock(); c.mu.RUnlock() } }
func (c *C) viaMode() { c.mode(c.ready) }
func (c *C) inLiteral(doLock bool) { func() { doLock = c.ready }(); if doLock { c.mu.RLock(); c.mu.RUnlock() } }
func (c *C) peek(locked bool) { if locked { return }; c.mu.RLock(); c.mu.RUnlock() }
""")
    certain = {name: [(t.write, t.must, t.must_if, t.either) for t in pkg.summary(fn(pkg, name)).takes]
               for name in ("C.get", "C.also", "C.fwd", "C.sure", "C.mode", "C.viaMode", "C.inLiteral", "C.peek")}
    assert certain["C.get"] == [(False, False, {(0, True)}, False)]
    assert certain["C.also"] == [(False, False, frozenset(), False)]  # c.ready decides too
    assert certain["C.fwd"] == [(False, False, {(0, False)}, False)]  # `!locked` passed on
    assert certain["C.sure"] == [(False, True, frozenset(), False)]
    assert certain["C.mode"] == [(True, False, {(0, True)}, True), (False, False, {(0, False)}, True)]
    assert certain["C.viaMode"] == [(True, False, frozenset(), True), (False, False, frozenset(), True)]
    assert certain["C.inLiteral"] == [(False, False, frozenset(), False)]  # the literal assigns the flag
    assert certain["C.peek"] == [(False, False, {(0, False)}, False)]  # no guard: the early return on the flag
