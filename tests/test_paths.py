"""Path facts: what holds on every path to an expression, and the prover behind integer bounds."""

from __future__ import annotations

import pytest

from linter.analysis.linear import Prover, const, divided, term
from linter.analysis.package import Package
from linter.analysis.syntax import text, walk_expr
from tests.go_snippets import function, package, wrap


def test_prover_closes_difference_constraints() -> None:
    i, n, length = term("i"), term("n"), term("len(xs)")
    facts = [i.minus(n).shift(1), n.minus(length), length.minus(n)]  # i < n, n == len(xs)
    p = Prover(facts, extra=["len(xs)"])
    assert p.proves(i.minus(length).shift(1))  # i < len(xs)
    assert not p.proves(const(0).minus(i))  # i >= 0 is not known


def test_prover_knows_lengths_are_not_negative_and_unequal_tightens() -> None:
    length = term("len(xs)")
    p = Prover([], unequal=[length], extra=["len(xs)"])  # len(xs) != 0
    assert p.proves(const(1).minus(length))  # len(xs) >= 1


def test_prover_bounds_a_division_by_its_numerator() -> None:
    length = term("len(a)")
    half = term(divided(length.shift(1), 2))  # (len(a)+1)/2
    p = Prover([], extra=[half.terms[0][0]])
    assert p.proves(const(0).minus(half))  # >= 0
    assert p.proves(half.minus(length))  # <= len(a)


def test_contradictory_facts_prove_anything() -> None:
    i = term("i")
    p = Prover([i.shift(1), const(0).minus(i)])  # i <= -1 and i >= 0
    assert p.infeasible and p.proves(i)


def _facts_at(body: str, marker: str, params: str = "xs []int, i int, p *int, c bool"):
    pkg = package(wrap(body, params))
    fn = function(pkg, "f")
    paths = pkg.paths(fn)
    assert fn.body is not None and paths is not None
    node = next(n for n in walk_expr(fn.body) if text(n) == marker and n.type != "expression_list")
    return paths, node


@pytest.mark.parametrize(
    "body",
    [
        "\tif p == nil {\n\t\treturn\n\t}\n\t_ = *p",
        "\tif p != nil {\n\t\t_ = *p\n\t}",
        "\tif p == nil {\n\t\tpanic(1)\n\t} else {\n\t\t_ = *p\n\t}",
        "\tif p == nil {\n\t\tp = new(int)\n\t}\n\t_ = *p",
        "\t_ = p != nil && *p > 0",
        "\tif p == nil {\n\t\treturn\n\t}\n\tgoto L\nL:\n\t_ = *p",
        "\tif p != nil {\n\t\tgoto L\n\t}\n\treturn\nL:\n\t_ = *p",
    ],
)
def test_nil_checks_that_dominate(body: str) -> None:
    paths, node = _facts_at(body, "*p")
    assert paths.non_nil(node, node.child_by_field_name("operand"))


@pytest.mark.parametrize(
    "body",
    [
        "\tif p == nil {\n\t\t_ = 1\n\t}\n\t_ = *p",
        "\tif p == nil {\n\t\treturn\n\t}\n\tp = nil\n\t_ = *p",
        "\tif p != nil || c {\n\t\t_ = *p\n\t}",
        "\tif p == nil {\n\t\treturn\n\t}\n\tfor c {\n\t\t_ = *p\n\t\tp = nil\n\t}",
        "\tif p == nil {\n\t\tgoto L\n\t}\n\treturn\nL:\n\t_ = *p",  # only the jump leads there
        "\tif p == nil {\n\t\treturn\n\t}\nL:\n\t_ = *p\n\tp = nil\n\tif c {\n\t\tgoto L\n\t}",  # a jump back
        "\tif p != nil {\n\t\tgoto L\n\t}\nL:\n\t_ = *p",  # and the way through
    ],
)
def test_nil_checks_that_do_not_dominate(body: str) -> None:
    paths, node = _facts_at(body, "*p")
    assert not paths.non_nil(node, node.child_by_field_name("operand"))


def _index_proven(body: str) -> bool:
    paths, node = _facts_at(body, "xs[i]")
    i = paths.lin(node.child_by_field_name("index"))
    assert i is not None
    return paths.proves(node, [const(0).minus(i), i.minus(term("len(xs)")).shift(1)])


@pytest.mark.parametrize(
    "body",
    [
        "\tn := len(xs)\n\tfor i := 0; i < n; i++ {\n\t\t_ = xs[i]\n\t}",
        "\tif i >= 0 && i < len(xs) {\n\t\t_ = xs[i]\n\t}",
        "\tif len(xs) == 0 {\n\t\treturn\n\t}\n\ti = len(xs) - 1\n\t_ = xs[i]",
        "\tfor i := range xs {\n\t\t_ = xs[i]\n\t}",
        "\tswitch {\n\tcase i < 0, i >= len(xs):\n\tdefault:\n\t\t_ = 1\n\t}\n\tif i > 0 && len(xs) > i {\n\t\t_ = xs[i]\n\t}",
    ],
)
def test_bounds_that_hold(body: str) -> None:
    assert _index_proven(body)


@pytest.mark.parametrize(
    "body",
    [
        "\tn := len(xs)\n\tif i < n {\n\t\t_ = xs[i]\n\t}",  # i may be negative
        "\tfor i := 0; i <= len(xs); i++ {\n\t\t_ = xs[i]\n\t}",
        "\tn := len(xs)\n\txs = xs[1:]\n\tif i >= 0 && i < n {\n\t\t_ = xs[i]\n\t}",
        "\tfor i := 0; i < len(xs); i++ {\n\t\ti--\n\t\t_ = xs[i]\n\t}",
        "\tfor i := range xs {\n\t\txs = nil\n\t\t_ = xs[i]\n\t}",
    ],
)
def test_bounds_that_do_not_hold(body: str) -> None:
    assert not _index_proven(body)


_FIELDS = """package p

type box struct {
	items []int
	named []int
	whole []int
	m     map[int]int
}

type other struct{ whole []int }

func newBox(xs []int) *box { return &box{items: xs, named: xs, whole: xs} }

func (b *box) rename(xs []int) { b.named = xs }

func reset(b *box) { *b = box{} }

func (o *other) grow() { o.whole = append(o.whole, 1) }
"""


def test_fields_only_composite_literals_set_are_fixed() -> None:
    fields = package(_FIELDS).fixed_fields
    assert fields.kind("box", "items") == ""  # `*b = box{}` overwrites every box
    pkg = package(_FIELDS.replace("func reset(b *box) { *b = box{} }\n", ""))
    fields = pkg.fixed_fields
    assert fields.kind("box", "items") == "length"
    assert fields.kind("box", "named") == ""  # assigned in rename
    assert fields.kind("box", "whole") == "length"  # only other.whole is assigned
    assert fields.kind("box", "m") == "value"  # the map is fixed, not its length
    copied = _FIELDS.replace("func reset(b *box) { *b = box{} }\n", "func reset(bs []box) { bs[0] = makeBox() }\n")
    copied += "\nfunc makeBox() box { return box{} }\n"
    assert package(copied).fixed_fields.kind("box", "items") == ""  # a slot of box overwritten by a call's box


def test_a_wait_keeps_facts_on_fields_of_the_locked_object() -> None:
    src = (
        "package p\n\nimport \"sync\"\n\ntype buf struct {\n\tmu sync.Mutex\n\tc  chan int\n\tq  []int\n}\n\n"
        "func (b *buf) f(o *buf) {\n\tb.mu.Lock()\n\tif len(b.q) > 0 && len(o.q) > 0 {\n\t\tb.c <- 1\n"
        "\t\t_ = b.q[0]\n\t\t_ = o.q[0]\n\t}\n\tb.mu.Unlock()\n}\n\nfunc (b *buf) drop() { b.q = nil }\n"
    )
    pkg = package(src)
    fn = function(pkg, "f")
    paths = pkg.paths(fn)
    assert fn.body is not None and paths is not None
    for operand, proven in (("b.q", True), ("o.q", False)):
        node = next(n for n in walk_expr(fn.body) if n.type == "index_expression" and text(n) == f"{operand}[0]")
        index = node.child_by_field_name("index")
        assert index is not None
        lin = paths.lin(index)
        assert lin is not None
        goal = lin.minus(term(f"len({operand})")).shift(1)
        assert paths.proves(node, [goal]) is proven


_DRAW = """package p

import (
	"math/rand"
	"sync"
)

func f(mu *sync.Mutex, xs []int, r *rand.Rand) {
	mu.Lock()
	if len(xs) > 0 {
		_ = xs[r.Intn(len(xs))]
	}
	mu.Unlock()
}
"""


def _draw_proven(pkg: Package) -> bool:
    fn = function(pkg, "f")
    paths = pkg.paths(fn)
    assert fn.body is not None and paths is not None
    node = next(n for n in walk_expr(fn.body) if n.type == "index_expression")
    index = node.child_by_field_name("index")
    assert index is not None
    value = paths.index_value(node, index)
    if value is None:
        return False
    i, bounds = value
    return paths.proves_with(node, [const(0).minus(i), i.minus(term("len(xs)")).shift(1)], bounds)


def test_a_rand_draws_below_its_bound_unless_the_package_has_its_own_source() -> None:
    assert _draw_proven(package(_DRAW))
    own = _DRAW + "\ntype src struct{}\n\nfunc (src) Int63() int64 { return -1 }\n\nfunc (src) Seed(int64) {}\n"
    assert not _draw_proven(package(own))  # r may draw from src, whose code may change anything
    other = _DRAW.replace('"math/rand"', 'rand "example.com/rand"')
    assert not _draw_proven(package(other))


def test_standard_results_and_constants_follow_the_file_imports() -> None:
    src = (
        'package p\n\nimport (\n\tfile "os"\n\t"time"\n)\n\nfunc f(p string) {\n\tb, _ := file.ReadFile(p)\n'
        '\tr, _ := os.ReadFile(p)\n\t_ = b\n\t_ = r\n\t_ = time.Second\n}\n'
    )
    pkg = package(src)
    fn = function(pkg, "f")
    scope = pkg.scope(fn)
    assert scope.names["b"] == "[]byte"
    assert scope.names["r"] == ""  # no package is imported as os in this file
    paths = pkg.paths(fn)
    assert fn.body is not None and paths is not None
    second = next(n for n in walk_expr(fn.body) if n.type == "selector_expression" and text(n) == "time.Second")
    assert paths.lin(second) == const(10**9)


def test_prover_takes_a_goal_of_many_terms_from_a_fact_of_the_same() -> None:
    a, b, dst, k = term("len(a)"), term("len(b)"), term("len(dst)"), term("k")
    total = a.plus(b).minus(dst)  # len(dst) == len(a) + len(b)
    p = Prover([total, total.times(-1), k.minus(dst)], extra=["k"])  # and k <= len(dst)
    assert p.proves(total)  # len(a) + len(b) <= len(dst)
    assert p.proves(total.shift(-3))  # len(a) + len(b) - 3 <= len(dst)
    assert p.proves(a.plus(b).minus(k).times(-1))  # len(a) + len(b) >= k, through k <= len(dst)
    assert not p.proves(total.shift(1))  # len(a) + len(b) < len(dst) is not known
    assert not Prover([total.times(-1)]).proves(total)  # only len(a) + len(b) >= len(dst)


def test_prover_substitutes_through_an_equality() -> None:
    over, a, b, n = term("over"), term("a"), term("b"), term("len(xs)")
    d = over.minus(a).plus(b)  # over == a - b
    facts = [d, d.times(-1), b.minus(a).shift(1), over.minus(n).shift(1)]  # a - b >= 1, over < len(xs)
    p = Prover(facts)
    assert p.proves(const(1).minus(over))  # over >= 1
    assert not Prover([d, b.minus(a).shift(1)]).proves(const(1).minus(over))  # over <= a - b only


def test_call_writes_name_the_fields_they_may_change() -> None:
    pkg = package(
        "package p\n\nimport \"strings\"\n\ntype E struct{ data []byte }\n\ntype A struct{ entries []*E }\n\n"
        "type B struct{ a A }\n\ntype N struct{ peers int; ch chan int }\n\n"
        "func (n *N) apply(b []byte) { n.peers = len(b) }\n\n"
        "func (n *N) logged(b []byte) { n.peers = len(strings.Map(nil, string(b))) }\n\n"
        "func (n *N) upper(b []byte) { n.peers = len(strings.ToUpper(string(b))) }\n\n"
        "func (n *N) notify() { n.ch <- n.peers }\n\n"
        "func (n *N) reset(b *B) { b.a = A{}; n.apply(nil) }\n"
    )
    writes = pkg.call_writes
    found = {fn.name: writes.of_function(fn) for fn in pkg.functions}
    assert found["apply"] is not None and found["apply"].fields == {"peers"} and not found["apply"].waits
    logged = found["logged"]  # another package's code: what it may write is the package's external set
    assert logged is not None and logged.external and logged.waits
    assert found["upper"] is not None and found["upper"].fields == {"peers"}  # strings.ToUpper calls back nothing
    assert found["notify"] is not None and found["notify"].waits
    reset = found["reset"]
    assert reset is not None and reset.fields == {"a", "entries", "peers"}  # the value b.a holds, and the callee's
    assert reset.changes("len(x.entries)") and reset.changes("y.a") and not reset.changes("len(x.data)")


def _paths_and_statements(pkg: Package, name: str):
    """The path facts of function `name`, and a finder of its expression statements by their text."""
    fn = function(pkg, name)
    paths = pkg.paths(fn)
    assert fn.body is not None and paths is not None
    body = fn.body
    return paths, lambda code: [
        n for n in walk_expr(body) if n.type == "expression_statement" and text(n) == code
    ]


def test_fresh_objects_stay_private_until_they_escape() -> None:
    pkg = package(
        "package p\n\nimport \"sync\"\n\ntype inner struct{ q []int }\n\n"
        "type sub struct {\n\tq  []int\n\tin inner\n\tp  *inner\n}\n\n"
        "var mu sync.Mutex\n\nfunc keep(s *sub) {}\n\n"
        "func f(xs []int) {\n\ts := &sub{}\n\ts.q = xs\n\tmu.Lock()\n\tkeep(s)\n\tmu.Unlock()\n"
        "\tfor range xs {\n\t\tt := &sub{}\n\t\tmu.Lock()\n\t\tkeep(t)\n\t\tmu.Unlock()\n\t}\n}\n"
    )
    paths, statements = _paths_and_statements(pkg, "f")
    before, in_loop = statements("mu.Lock()")[:2]
    escape = statements("keep(s)")[0]
    assert paths.private("s.q", before) and paths.private("len(s.q)", before)
    assert not paths.private("s.q", escape)  # handed to keep: the call can change it
    assert not paths.private("s.in", before)  # a struct value: its method values point into s
    assert not paths.private("s.p.q", before)  # another object, which others may share
    assert not paths.private("s.unknown", before)  # not a declared field (promoted, or a method value)
    assert paths.private("t.q", in_loop)  # each round declares a new t before it escapes


def test_struct_values_are_private_copies_until_addressed() -> None:
    pkg = package(
        "package p\n\nimport \"sync\"\n\ntype cert struct{ names []string }\n\n"
        "func (c cert) copy() {}\n\nfunc (c *cert) reset() {}\n\n"
        "var mu sync.Mutex\n\nfunc keep(c cert) {}\n\nfunc addr(c *cert) {}\n\n"
        "func f(m map[string]cert, p cert) {\n\tfor _, c := range m {\n\t\tmu.Lock()\n\t\tkeep(c)\n"
        "\t\tc.copy()\n\t\tmu.Unlock()\n\t}\n\tfor _, d := range m {\n\t\tmu.Lock()\n\t\td.reset()\n\t\tmu.Unlock()\n\t}\n"
        "\tmu.Lock()\n\taddr(&p)\n\tmu.Unlock()\n}\n"
    )
    paths, statements = _paths_and_statements(pkg, "f")
    locks = statements("mu.Lock()")
    assert paths.private("len(c.names)", locks[0])  # copies and a value method reach no memory of c
    assert not paths.private("len(d.names)", locks[1])  # a pointer method gets &d, in every round
    assert paths.private("p.names", locks[2]) and not paths.private("p.names", locks[2].next_named_sibling)


_EXTERNAL = (
    "package p\n\nimport \"sync\"\n\ntype s struct {\n\tmu sync.Mutex\n\txs []int\n\tYs []int\n\tn  int\n}\n\n"
    "func (s *s) Set() { s.n = 1 }\n\n"
    "func (s *s) Len() int {\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\treturn len(s.xs)\n}\n\n"
    "func (s *s) grow() { s.xs = append(s.xs, 1) }\n"
)


def test_calls_into_other_packages_write_only_what_those_can_reach() -> None:
    outside = package(_EXTERNAL).call_writes.external()
    assert outside is not None and outside.waits and not outside.releases  # Len unlocks only what it locked
    assert outside.changes("a.Ys") and outside.changes("a.n")  # an exported field; what Set writes
    assert not outside.changes("len(a.xs)")  # grow is neither exported nor let out
    assert outside.changes("len(m)") and not outside.changes("len(a.b.xs)")  # a map it may have been given
    let_out = package(_EXTERNAL + "\nvar hook = (*s).grow\n").call_writes.external()
    assert let_out is not None and let_out.changes("len(a.xs)")
    unlocks = package(_EXTERNAL + "\nfunc (s *s) Release() { s.mu.Unlock() }\n").call_writes.external()
    assert unlocks is not None and unlocks.releases  # it unlocks a caller's mutex
    maybe = "\nfunc (s *s) Maybe(locked bool) {\n\tif !locked {\n\t\ts.mu.Lock()\n\t}\n\ts.mu.Unlock()\n}\n"
    unlocks = package(_EXTERNAL + maybe).call_writes.external()
    assert unlocks is not None and unlocks.releases  # the caller's, when locked is true
    exported = package(_EXTERNAL.replace("type s struct", "type S struct").replace("*s)", "*S)")).call_writes.external()
    assert exported is not None and exported.changes("len(a.xs)")  # an importer may write `*p = p.S{}`


@pytest.mark.parametrize("runs", [400, 0])  # 0: no invariant is looked for, the loop is only forgotten
def test_a_bare_loop_is_left_through_its_false_condition(runs: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("linter.analysis.paths.MAX_LOOP_RUNS", runs)
    assert _index_proven("\tfor len(xs) == 0 {\n\t\txs = append(xs, 1)\n\t}\n\ti = 0\n\t_ = xs[i]")
    assert not _index_proven("\tfor len(xs) == 0 {\n\t\tif c {\n\t\t\tbreak\n\t\t}\n\t\txs = append(xs, 1)\n\t}\n\ti = 0\n\t_ = xs[i]")
    assert not _index_proven("\tfor len(xs) == 0 {\n\t\txs = append(xs, 1)\n\t}\n\ti = 1\n\t_ = xs[i]")
