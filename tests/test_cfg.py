"""The control-flow graph: which statements follow which, and where paths end."""

from __future__ import annotations

import pytest

from linter.analysis import cfg as cfgmod
from linter.analysis.syntax import text
from tests.go_snippets import function, package, wrap


def graph(body: str):
    pkg = package(wrap(body))
    fn = function(pkg, "f")
    return pkg.cfg(fn)


def reachable_texts(g) -> set[str]:
    return {text(n) for b in g.reachable() for n in g.blocks[b].nodes}


def succ_texts(g, stmt: str) -> set[str]:
    """Texts of the first nodes of the blocks that can run right after `stmt`'s block."""
    for block in g.blocks:
        if any(text(n) == stmt for n in block.nodes):
            out = set()
            for s in block.succs:
                nodes = g.blocks[s].nodes
                out.add(text(nodes[0]) if nodes else f"<{s}>")
            return out
    raise AssertionError(stmt)


def test_code_after_return_and_panic_is_unreachable() -> None:
    g = graph("\tif c {\n\t\treturn\n\t\t_ = 1\n\t}\n\tpanic(1)\n\t_ = 2")
    texts = reachable_texts(g)
    assert "_ = 1" not in texts and "_ = 2" not in texts
    assert g.panic_exit in g.reachable()


def test_if_else_joins() -> None:
    g = graph("\tif c {\n\t\ta := 1\n\t\t_ = a\n\t} else {\n\t\tb := 2\n\t\t_ = b\n\t}\n\tmu.Lock()")
    assert succ_texts(g, "_ = a") == {"mu.Lock()"}
    assert succ_texts(g, "_ = b") == {"mu.Lock()"}


def test_loop_break_continue_and_labels() -> None:
    body = "outer:\n\tfor i := 0; i < 3; i++ {\n\t\tfor range xs {\n\t\t\tif c {\n\t\t\t\tcontinue outer\n\t\t\t}\n\t\t\tbreak outer\n\t\t}\n\t}\n\tmu.Lock()"
    g = graph(body)
    assert "mu.Lock()" in reachable_texts(g)
    assert succ_texts(g, "i++") == succ_texts(g, "i++")  # update block exists
    # `continue outer` goes to the update statement, `break outer` past the loop
    blocks = {text(n): b for b in g.blocks for n in b.nodes}
    assert any(text(n) == "i++" for s in blocks["c"].succs for n in g.blocks[g.blocks[s].succs[0]].nodes)


def test_switch_fallthrough_and_missing_default() -> None:
    g = graph("\tswitch i {\n\tcase 1:\n\t\ta := 1\n\t\t_ = a\n\t\tfallthrough\n\tcase 2:\n\t\tb := 2\n\t\t_ = b\n\t}\n\tmu.Lock()")
    assert succ_texts(g, "_ = a") == {"2"}  # falls into case 2, whose value is evaluated first
    dispatch = next(b for b in g.blocks if any(text(n) == "i" for n in b.nodes))
    assert len(dispatch.succs) == 3  # two cases and the way around them


def test_select_without_default_and_empty_select() -> None:
    g = graph("\tselect {\n\tcase v := <-ch:\n\t\t_ = v\n\tcase ch <- 1:\n\t}\n\tselect {}\n\tmu.Lock()")
    assert "mu.Lock()" not in reachable_texts(g)


def test_goto_backwards() -> None:
    g = graph("again:\n\tif c {\n\t\tgoto again\n\t}\n\tmu.Lock()")
    assert "mu.Lock()" in reachable_texts(g)
    assert any(text(n) == "c" for b in g.reachable() for n in g.blocks[b].nodes)


def test_exit_calls_end_the_path() -> None:
    src = 'package p\n\nimport (\n\t"log"\n\t"os"\n)\n\nfunc f(c bool) {\n\tif c {\n\t\tos.Exit(1)\n\t}\n\tlog.Fatalf("x")\n\t_ = 1\n}\n'
    pkg = package(src)
    g = pkg.cfg(function(pkg, "f"))
    assert "_ = 1" not in reachable_texts(g)
    assert g.exit not in g.reachable()


def test_closing_brace_marks_falling_off_the_end() -> None:
    g = graph("\tmu.Lock()")
    last = [n for b in g.reachable() for n in g.blocks[b].nodes if n.type == "}"]
    assert len(last) == 1


def test_deep_nesting_is_bounded() -> None:
    depth = cfgmod.MAX_NESTING + 5
    body = "\tif c {\n" * depth + "\t_ = 1\n" + "\t}\n" * depth
    pkg = package(wrap(body))
    assert pkg.cfg(function(pkg, "f")) is None
    assert pkg.notices and "nests deeper" in pkg.notices[0].message


@pytest.mark.parametrize("kw", ["for {", "for c {", "for _, x := range xs {"])
def test_loops_have_back_edges(kw: str) -> None:
    g = graph(f"\t{kw}\n\t\tmu.Lock()\n\t\tmu.Unlock()\n\t\tif c {{\n\t\t\tbreak\n\t\t}}\n\t}}")
    lock_block = next(b for b in g.blocks if any(text(n) == "mu.Lock()" for n in b.nodes))
    # the loop body can run again: the lock's block is reachable from itself
    seen, todo = set(), list(lock_block.succs)
    while todo:
        b = todo.pop()
        if b in seen:
            continue
        seen.add(b)
        todo.extend(g.blocks[b].succs)
    assert lock_block.id in seen


def test_a_bare_loop_condition_is_evaluated_and_left_when_false() -> None:
    g = graph("\tfor <-ch > 0 {\n\t\ti++\n\t}\n\tmu.Lock()")
    assert "<-ch > 0" in reachable_texts(g)  # tree-sitter-go gives the bare condition no field name
    assert succ_texts(g, "<-ch > 0") == {"i++", "mu.Lock()"}
