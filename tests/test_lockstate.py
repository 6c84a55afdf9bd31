"""The lock-state dataflow: held locks, deferred unlocks, paths, and literals."""

from __future__ import annotations

from linter.analysis.ops import OpKind
from linter.analysis.syntax import text
from tests.go_snippets import function, package, wrap


def states(body: str, params: str | None = None) -> dict[str, list[tuple[str, bool]]]:
    """Text of each panic site -> the held mutexes (name, covered) before it."""
    pkg = package(wrap(body) if params is None else wrap(body, params))
    out: dict[str, list[tuple[str, bool]]] = {}
    for fn_, ev in pkg.all_events(function(pkg, "f")):
        if ev.op.kind is OpKind.PANIC:
            out[text(ev.op.node)] = sorted((h.mutex, h.covered) for h in ev.state.held)
    return out


def test_lock_then_unlock() -> None:
    s = states("\t_ = xs[0]\n\tmu.Lock()\n\t_ = xs[1]\n\tmu.Unlock()\n\t_ = xs[2]")
    assert s == {"xs[0]": [], "xs[1]": [("mu", False)], "xs[2]": []}


def test_defer_covers_the_lock() -> None:
    s = states("\tmu.Lock()\n\tdefer mu.Unlock()\n\t_ = xs[1]")
    assert s == {"xs[1]": [("mu", True)]}


def test_deferred_closure_covers_the_lock() -> None:
    s = states("\tmu.Lock()\n\tdefer func() {\n\t\tmu.Unlock()\n\t}()\n\t_ = xs[1]")
    assert s == {"xs[1]": [("mu", True)]}


def test_held_on_one_path_only() -> None:
    s = states("\tif c {\n\t\tmu.Lock()\n\t}\n\t_ = xs[1]")
    assert s == {"xs[1]": [("mu", False)]}


def test_defer_in_branch_covers_that_path() -> None:
    s = states("\tif c {\n\t\tmu.Lock()\n\t\tdefer mu.Unlock()\n\t}\n\t_ = xs[1]")
    assert s == {"xs[1]": [("mu", True)]}


def test_early_return_unlocks_one_path() -> None:
    s = states("\tmu.Lock()\n\tif c {\n\t\tmu.Unlock()\n\t\treturn\n\t}\n\t_ = xs[1]\n\tmu.Unlock()")
    assert s == {"xs[1]": [("mu", False)]}


def test_loop_lock_unlock_does_not_leak_past_the_loop() -> None:
    s = states("\tfor range xs {\n\t\tmu.Lock()\n\t\tmu.Unlock()\n\t}\n\t_ = xs[1]")
    assert s == {"xs[1]": []}


def test_index_evaluated_before_the_lock_call() -> None:
    pkg = package(wrap("\tmus[i].Lock()\n\tmus[i].Unlock()", "mus []*sync.Mutex, i int"))
    events = [(ev.op.kind, [h.mutex for h in ev.state.held]) for _, ev in pkg.all_events(function(pkg, "f"))
              if ev.op.kind in (OpKind.PANIC, OpKind.ACQUIRE)]
    assert events[0] == (OpKind.PANIC, []) and events[1] == (OpKind.ACQUIRE, [])


def test_literal_defined_under_lock_is_not_run_there() -> None:
    s = states("\tmu.Lock()\n\tg := func() { _ = xs[1] }\n\tmu.Unlock()\n\tg()")
    assert "xs[1]" not in s


def test_literal_invoked_in_place_inherits_the_lock() -> None:
    s = states("\tmu.Lock()\n\tfunc() {\n\t\t_ = xs[1]\n\t}()\n\tmu.Unlock()")
    assert s == {"xs[1]": [("mu", False)]}


def test_mutex_names_are_normalised() -> None:
    pkg = package(wrap("\t(mu).Lock()\n\t_ = xs[1]\n\tmu.Unlock()\n\t_ = xs[2]"))
    held = {text(ev.op.node): [h.mutex for h in ev.state.held] for _, ev in pkg.all_events(function(pkg, "f"))
            if ev.op.kind is OpKind.PANIC}
    assert held == {"xs[1]": ["mu"], "xs[2]": []}


def test_node_states_meet_on_must() -> None:
    from linter.analysis.lockstate import node_states
    from linter.analysis.syntax import text, walk_expr
    from tests.go_snippets import function, package, wrap

    pkg = package(wrap("\tif c {\n\t\tmu.Lock()\n\t}\n\tch <- 1\n\tmu.Lock()\n\tch <- 2"))
    fn = function(pkg, "f")
    graph = pkg.cfg(fn)
    assert graph is not None and fn.body is not None
    states = node_states(graph, pkg.ops_of(fn), must=True)
    sends = [n for n in walk_expr(fn.body) if n.type == "send_statement"]
    assert [bool(states[s.id].held) for s in sends] == [False, True]
    assert text(sends[0]) == "ch <- 1"
