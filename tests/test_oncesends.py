"""Once-flag sends (linter.analysis.oncesends): the answer is the package's, whatever is asked first."""

from __future__ import annotations

from pathlib import Path

from linter.analysis.ops import OpKind
from linter.analysis.package import Package
from linter.analysis.syntax import text, walk_expr
from linter.source import SourceFile

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "LJ107"
FILES = ("clean_holdout5_once_flag.go", "once_flag_near_misses.go")


def _package() -> Package:
    return Package([SourceFile(FIXTURES / f, f, (FIXTURES / f).read_bytes()) for f in FILES])


def _sends(pkg: Package):
    return [(fn, n) for fn in pkg.functions if fn.body is not None for n in walk_expr(fn.body) if n.type == "send_statement"]


def _answers(order) -> dict[tuple[str, int], bool]:
    pkg = _package()
    sends = order(_sends(pkg))
    return {(fn.file.display, n.start_point[0]): pkg.once_sends.free(fn, n) for fn, n in sends}


def test_answers_do_not_depend_on_the_order_of_questions() -> None:
    forward, backward = _answers(list), _answers(lambda s: list(reversed(s)))
    assert forward == backward
    assert any(forward.values()) and not all(forward.values())


def test_a_free_send_is_no_blocking_operation() -> None:
    pkg = _package()
    for fn, send in _sends(pkg):
        blocks = any(op.kind is OpKind.BLOCK and op.node == send for op in pkg.ops_of(fn)(send))
        assert blocks != pkg.once_sends.free(fn, send), text(send)
