"""Functions that block on every path, whichever is asked first (a least fixpoint)."""

from __future__ import annotations

import itertools

from tests.go_snippets import function, package

_SRC = """package p

import "sync"

var ch = make(chan int)
var wg sync.WaitGroup

func send() { ch <- 1 }

func viaSend() { send() }

func twoLevels(n int) {
	if n > 0 {
		n--
	}
	viaSend()
}

func some(ok bool) {
	if ok {
		ch <- 1
	}
}

func wait() { wg.Wait() }

func ping(n int) {
	ch <- n
	pong(n)
}

func pong(n int) { ping(n) }

func tick(n int) { tock(n) }

func tock(n int) { tick(n) }
"""

_NAMES = ["send", "viaSend", "twoLevels", "some", "wait", "ping", "pong", "tick", "tock"]
_EXPECTED = {
    "send": True, "viaSend": True, "twoLevels": True, "some": False, "wait": True,
    "ping": True, "pong": True, "tick": False, "tock": False,
}


def _blocks(order: list[str]) -> dict[str, bool]:
    pkg = package(_SRC)
    return {name: pkg.blocking.must_block(function(pkg, name)) is not None for name in order}


def test_blocks_on_every_path_through_calls() -> None:
    assert _blocks(_NAMES) == _EXPECTED


def test_the_answer_does_not_depend_on_the_order() -> None:
    for order in itertools.islice(itertools.permutations(["pong", "ping", "tick", "tock", "twoLevels", "viaSend"]), 0, None, 97):
        assert _blocks(list(order)) == {n: _EXPECTED[n] for n in order}


_NAMED = """package p

var ch = make(chan int)

func outer(n int) {
	inner(n)
	ch <- n
}

func inner(n int) {
	ch <- n + 1
}

func first(n int) {
	second(n)
	ch <- n
}

func second(n int) {
	first(n)
}

func caller() {
	outer(1)
	first(2)
	second(3)
}
"""


def _statement_calls(node):
    if node.type == "expression_statement" and node.named_children[0].type == "call_expression":
        yield node.named_children[0]
    for child in node.named_children:
        yield from _statement_calls(child)


def test_the_operation_named_does_not_depend_on_the_order() -> None:
    # outer blocks by its own send and through inner's, which comes first; first blocks by its own
    # send, second only through first: whichever is asked first, the same operation is named
    named = set()
    for order in itertools.permutations(["outer", "inner", "first", "second"]):
        pkg = package(_NAMED)
        for name in order:
            pkg.blocking.must_block(function(pkg, name))
        caller = function(pkg, "caller")
        described = []
        for call in _statement_calls(caller.body):
            block = pkg.blocking.call_blocks(caller, call)
            described.append((block.owner.name, block.op.node.start_byte) if block else None)
        named.add(tuple(described))
    assert len(named) == 1
    assert [d[0] for d in next(iter(named))] == ["inner", "first", "first"]


_THROUGH = """package p

import "sync"

var ch = make(chan int)
var wg sync.WaitGroup

type sink interface{ put(v int) }

type chanSink struct{}

func (chanSink) put(v int) { ch <- v }

type waitSink struct{}

func (waitSink) put(v int) { settle() }

type quietSink struct{ n int }

func (q *quietSink) put(v int) { q.n = v }

type flusher interface{ flush() }

type chanFlusher struct{}

func (chanFlusher) flush() { ch <- 0 }

func settle() {
	defer wg.Wait()
	wg.Add(1)
}

func viaSink(s sink) { s.put(1) }

func viaFlusher(f flusher) { f.flush() }

func deferFlush(f flusher) {
	defer f.flush()
}

func deferMaybe(ok bool) {
	if ok {
		defer wg.Wait()
	}
}
"""

_THROUGH_EXPECTED = {
    "settle": True, "viaSink": False, "viaFlusher": True, "deferFlush": True, "deferMaybe": False,
}


def test_interfaces_and_deferred_calls_whichever_is_asked_first() -> None:
    # sink has a quiet implementation, so a call through it need not block; flusher's only one sends;
    # a deferred wait blocks at every exit of the paths that register it
    for order in itertools.permutations(list(_THROUGH_EXPECTED)):
        pkg = package(_THROUGH)
        got = {name: pkg.blocking.must_block(function(pkg, name)) is not None for name in order}
        assert got == _THROUGH_EXPECTED
