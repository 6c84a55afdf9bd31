"""Package functions that never return end their caller's path, whichever is asked first."""

from __future__ import annotations

from tests.go_snippets import function, package

_SRC = """package p

import (
	"os"
	"testing"
)

type cluster struct{ t *testing.T }

func (c *cluster) failNowf(format string) {
	c.t.Logf(format)
	c.t.FailNow()
}

func die(code int) {
	if code > 0 {
		os.Exit(code)
	}
	os.Exit(1)
}

func dieLater(code int) {
	die(code)
}

func maybe(ok bool) {
	if ok {
		return
	}
	os.Exit(1)
}

func ping(n int) {
	if n > 0 {
		pong(n - 1)
	}
	os.Exit(1)
}

func pong(n int) {
	ping(n)
}
"""


def _ends(order: list[str]) -> dict[str, bool]:
    pkg = package(_SRC)
    return {name: pkg._never_returns(function(pkg, name)) for name in order}


def test_helpers_that_end_the_goroutine_on_every_path() -> None:
    ends = _ends(["failNowf", "die", "maybe"])
    assert ends == {"failNowf": True, "die": True, "maybe": False}


def test_one_level_only_so_the_answer_does_not_depend_on_the_order() -> None:
    # dieLater ends only through die: not followed, so a caller of dieLater keeps its path (no recursion,
    # and ping/pong answer the same whichever is asked first)
    first = _ends(["dieLater", "die", "ping", "pong"])
    second = _ends(["pong", "ping", "die", "dieLater"])
    assert first == second
    assert first["dieLater"] is False and first["die"] is True
