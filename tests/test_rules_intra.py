"""Engine facts behind LJ104, LJ105, LJ107 and LJ201 that fixtures show only indirectly."""

from __future__ import annotations

from pathlib import Path

from linter.analysis.conds import is_own_lock
from linter.analysis.functions import Function
from linter.analysis.ops import COND_WAIT, RANGE_CHANNEL, WAITGROUP_WAIT, OpKind
from linter.analysis.package import Package
from linter.source import SourceFile


def _package(src: str) -> Package:
    return Package([SourceFile(Path("x.go"), "x.go", src.encode())])


def _function(pkg: Package, name: str) -> Function:
    return next(f for f in pkg.functions if f.name == name)


def _blocks(src: str, name: str) -> list[tuple[str, str, str]]:
    pkg = _package(src)
    return [
        (ev.op.detail, ev.op.reason, ev.op.mutex)
        for _, ev in pkg.all_events(_function(pkg, name))
        if ev.op.kind is OpKind.BLOCK
    ]


WAITS = """package p

import s "sync"

type pool struct {
	mu    s.Mutex
	wg    s.WaitGroup
	cond  *s.Cond
	rcond *s.Cond
	rw    s.RWMutex
}

type other struct {
	cond *s.Cond
	lk   s.Mutex
}

func newPool() *pool {
	p := &pool{}
	p.cond = s.NewCond(&p.mu)
	p.rcond = s.NewCond(p.rw.RLocker())
	return p
}

func newOther() *other {
	return &other{cond: s.NewCond(new(s.Mutex))}
}

func (p *pool) f(o *other, wg *s.WaitGroup, ch <-chan int) {
	var mu s.Mutex
	c := s.NewCond(&mu)
	d := &s.Cond{L: &p.rw}
	p.mu.Lock()
	p.wg.Wait()
	wg.Wait()
	p.cond.Wait()
	p.rcond.Wait()
	o.cond.Wait()
	c.Wait()
	d.Wait()
	for range ch {
	}
	p.mu.Unlock()
}
"""


def test_sync_waits_are_block_ops_with_the_conds_lock() -> None:
    blocks = _blocks(WAITS, "f")
    assert ("p.wg.Wait()", WAITGROUP_WAIT, "") in blocks
    assert ("wg.Wait()", WAITGROUP_WAIT, "") in blocks
    assert ("p.cond.Wait()", COND_WAIT, "p.mu") in blocks
    assert ("p.rcond.Wait()", COND_WAIT, "") in blocks  # NewCond(p.rw.RLocker()): unknown
    assert ("o.cond.Wait()", COND_WAIT, "") in blocks  # other.cond is built in a composite literal
    assert ("c.Wait()", COND_WAIT, "mu") in blocks
    assert ("d.Wait()", COND_WAIT, "p.rw") in blocks
    assert ("range over ch", RANGE_CHANNEL, "") in blocks


def test_own_lock_of_a_cond() -> None:
    assert is_own_lock("c", "mu", "mu")
    assert is_own_lock("b.Cond", "", "b.Cond.L")
    assert is_own_lock("t.Cond", "t.Mutex", "t")  # embedded mutex locked through its owner
    assert not is_own_lock("c", "mu", "other")
    assert not is_own_lock("c", "", "mu")


def test_a_deferred_literal_releases_only_locks_it_did_not_take() -> None:
    pkg = _package("""package p

import "sync"

func f(a, b *sync.Mutex) {
	a.Lock()
	defer func() {
		b.Lock()
		b.Unlock()
		a.Unlock()
	}()
}
""")
    released = [ev.op.mutex for _, ev in pkg.all_events(_function(pkg, "f")) if ev.op.kind is OpKind.DEFER_RELEASE]
    assert released == ["a"]


def test_a_goroutine_literal_is_analysed_on_its_own_without_the_callers_locks() -> None:
    pkg = _package("""package p

import "sync"

func f(mu *sync.Mutex, ch chan int) {
	mu.Lock()
	go func() {
		ch <- 1
		mu.Lock()
		mu.Unlock()
	}()
	mu.Unlock()
}
""")
    literal = next(fn for fn in pkg.functions if fn.is_literal)
    assert not pkg.is_invoked_literal(literal)
    sends = [ev for _, ev in pkg.all_events(literal) if ev.op.kind is OpKind.BLOCK]
    assert len(sends) == 1 and not sends[0].state.held
    parent = _function(pkg, "f")
    assert not [ev for owner, ev in pkg.all_events(parent) if owner is literal]


RECOVERS = """package p

import (
	"log"
	"net/http"
)

func logPanic() {
	if err := recover(); err != nil {
		log.Println(err)
	}
}

func safe() {
	defer logPanic()
}

func unsafe() {}

func h(w http.ResponseWriter, r *http.Request) {
	go safe()
	go unsafe()
	go func() { defer logPanic() }()
	go func() { defer func() { recover() }() }()
	go func() { safe() }()
	go func() { defer reportCrash() }()
	go func() { unsafe() }()
	go log.Println("x")
}

var reportCrash = func() {}
"""


def test_goroutine_recovers() -> None:
    pkg = _package(RECOVERS)
    handler = _function(pkg, "h")
    got = [pkg.goroutine_recovers(handler, stmt) for stmt in pkg.go_statements(handler)]
    assert got == [True, False, True, True, True, True, False, None]
