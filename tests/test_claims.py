"""Claimed lazy futures (linter.analysis.claims): the answer is the package's, whatever is asked first."""

from __future__ import annotations

from pathlib import Path

from linter.analysis.ops import OpKind
from linter.analysis.package import Package
from linter.analysis.syntax import text, walk_expr
from linter.source import SourceFile

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "LJ107"
FILES = ("clean_holdout5_claimed_future.go", "claimed_future_near_misses.go")


def _package(files=FILES) -> Package:
    return Package([SourceFile(FIXTURES / f, f, (FIXTURES / f).read_bytes()) for f in files])


def _sends(pkg: Package):
    return [(fn, n) for fn in pkg.functions if fn.body is not None for n in walk_expr(fn.body) if n.type == "send_statement"]


def _answers(order, files=FILES) -> dict[tuple[str, int], bool]:
    pkg = _package(files)
    sends = order(_sends(pkg))
    return {(fn.file.display, n.start_point[0]): pkg.claimed_sends.free(fn, n) for fn, n in sends}


def test_answers_do_not_depend_on_the_order_of_questions() -> None:
    forward, backward = _answers(list), _answers(lambda s: list(reversed(s)))
    assert forward == backward
    assert sum(forward.values()) == 3  # the clean file's three producer sends, no near miss's


def test_one_file_gives_the_same_answers() -> None:
    whole = _answers(list)
    for name in FILES:
        alone = _answers(list, (name,))
        assert alone == {k: v for k, v in whole.items() if k[0] == name}


def test_a_free_send_is_no_blocking_operation() -> None:
    pkg = _package()
    for fn, send in _sends(pkg):
        if pkg.claimed_sends.free(fn, send):
            assert not any(op.kind is OpKind.BLOCK and op.node == send for op in pkg.ops_of(fn)(send)), text(send)
