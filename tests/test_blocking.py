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
