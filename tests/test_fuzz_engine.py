"""Property tests: Go function bodies generated from a small grammar of statements.

Each example is a syntactically valid function mixing locks, unlocks, defers,
ifs, loops, switches, selects, returns, panics, gotos and closures, nested a
few levels deep. Every rule runs on it, and the engine must: not crash; give
the same findings twice; give the same findings after blank lines and comments
are added (lines shift, nothing else); keep every location inside the file; and
never report LJ101 when every Lock is immediately followed by a deferred Unlock.

The default run is short. LOCKJAW_FUZZ_EXAMPLES=2000 runs it longer.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter.analysis.package import Package
from linter.model import Finding, Span
from linter.rule import Context
from linter.source import SourceFile
from rules import ALL_RULES

FUZZ = settings(
    max_examples=int(os.environ.get("LOCKJAW_FUZZ_EXAMPLES", "50")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MAX_DEPTH = 3

HEADER = """\
package fuzz

import (
	"net/http"
	"sync"
)

type S struct {
	mu sync.Mutex
	rw sync.RWMutex
	xs []int
	m  map[string]int
}

var mu sync.Mutex

func helper(i int) {
	if i < 0 {
		panic("negative")
	}
}

func (s *S) safe() {}
"""
PROLOGUES = (  # the function's first lines: a handler, a method, a function
    ("func (s *S) ServeHTTP(w http.ResponseWriter, r *http.Request) {",
     '\ti, j, k, c, p, x, ch := 0, 1, "", true, new(int), any(0), make(chan int)',
     "\t_, _, _, _, _, _, _ = i, j, k, c, p, x, ch"),
    ("func (s *S) F(i, j int, k string, c bool, p *int, x any, ch chan int) {",),
    ("func G(s *S, w http.ResponseWriter, r *http.Request, i, j int, k string, c bool, p *int, x any, "
     "ch chan int) {",),
)

MUTEXES = (("s.mu", ""), ("s.rw", "R"), ("s.rw", ""), ("mu", ""))
PANICKY = ("_ = s.xs[i]", "_ = i / j", "_ = *p", "_ = x.(int)", 'panic("boom")', "helper(i)", "_ = s.xs[i:j]")
HARMLESS = ("_ = s.m[k]", "s.safe()", "i++", "ch <- i", "_ = <-ch", "_ = len(s.xs)")

Lines = list[tuple[int, str]]  # (indentation, statement text)


@st.composite
def simple(draw, safe: bool, in_loop: bool) -> Lines:
    kinds = ["lock"] * 3 + ["panicky"] * 3 + ["unlock", "defer", "harmless", "return", "goto"]
    kinds += ["break"] if in_loop else []
    kind = draw(st.sampled_from(kinds))
    mutex, r = draw(st.sampled_from(MUTEXES))
    if kind == "lock":
        lock = f"{mutex}.{r}Lock()"
        return [(0, lock), (0, f"defer {mutex}.{r}Unlock()")] if safe else [(0, lock)]
    if kind == "unlock":
        return [(0, f"{mutex}.{r}Unlock()")]
    if kind == "defer":
        return [(0, f"defer {mutex}.{r}Unlock()")]
    if kind == "return":
        return [(0, "return")]
    if kind == "goto":
        return [(0, f"goto L{draw(st.integers(1, 2))}")]
    if kind == "break":
        return [(0, draw(st.sampled_from(["break", "continue"])))]
    stmt = draw(st.sampled_from(PANICKY if kind == "panicky" else HARMLESS))
    if draw(st.integers(0, 9)) == 0:
        stmt = f"L{draw(st.integers(1, 2))}: {stmt}"  # a goto target
    return [(0, stmt)]


def indent(lines: Lines) -> Lines:
    return [(d + 1, s) for d, s in lines]


@st.composite
def compound(draw, depth: int, safe: bool, in_loop: bool) -> Lines:
    def body(loop: bool = in_loop) -> Lines:
        return indent(draw(block(depth + 1, safe, loop)))

    kind = draw(st.sampled_from(["if", "for", "switch", "select", "closure", "block"]))
    if kind == "if":
        out = [(0, draw(st.sampled_from(["if c {", "if i > j {", "if v, ok := s.m[k]; ok && v > 0 {"])))] + body()
        while draw(st.booleans()):
            out += [(0, draw(st.sampled_from(["} else if c {", "} else if i == 0 {"])))] + body()
        if draw(st.booleans()):
            out += [(0, "} else {")] + body()
        return out + [(0, "}")]
    if kind == "for":
        head = draw(st.sampled_from(["for i := 0; i < j; i++ {", "for range s.xs {", "for {", "for c {",
                                     "for _, v := range s.xs {"]))
        out = [(0, head)] + body(True)
        return out + [(0, "}")]
    if kind == "switch":
        out = [(0, draw(st.sampled_from(["switch i {", "switch {"])))]
        cases = draw(st.lists(st.sampled_from(["case 1:", "case 2, 3:", "case i > j:", "default:"]),
                              min_size=1, max_size=3, unique=True))
        for case in cases:
            out += [(0, case)] + body()
        return out + [(0, "}")]
    if kind == "select":
        out = [(0, "select {")]
        cases = draw(st.lists(st.sampled_from(["case v := <-ch:", "case ch <- i:", "case <-ch:", "default:"]),
                              min_size=0, max_size=3, unique=True))
        for case in cases:
            out += [(0, case)] + body()
        return out + [(0, "}")]
    if kind == "closure":
        head, tail = draw(st.sampled_from([("func() {", "}()"), ("defer func() {", "}()"), ("go func() {", "}()"),
                                           ("f := func() {", "}")]))
        out = [(0, head)] + body(False) + [(0, tail)]
        return out + [(0, "f()")] if head.startswith("f :=") else out
    return [(0, "{")] + body() + [(0, "}")]


@st.composite
def block(draw, depth: int = 0, safe: bool = False, in_loop: bool = False) -> Lines:
    out: Lines = []
    for _ in range(draw(st.integers(1, 6 if depth == 0 else 3))):
        if depth < MAX_DEPTH and draw(st.integers(0, 2)) == 0:
            out += draw(compound(depth, safe, in_loop))
        else:
            out += draw(simple(safe, in_loop))
    return out


@dataclass(frozen=True)
class Program:
    prologue: tuple[str, ...]
    body: Lines

    def lines(self, extras: dict[int, tuple[int, bool, bool]]) -> list[tuple[object, str]]:
        """(key, text) per line; a key names a line of the program, None an inserted one.

        `extras[i]` = (blank lines, a comment line, a trailing comment) at body line i.
        """
        out: list[tuple[object, str]] = [(("header", n), text) for n, text in enumerate(HEADER.splitlines())]
        out += [(("prologue", n), text) for n, text in enumerate(("", *self.prologue))]
        for i, (depth, stmt) in enumerate(self.body):
            blanks, comment, trailing = extras.get(i, (0, False, False))
            out += [(None, "")] * blanks
            if comment:
                out.append((None, "\t" * (depth + 1) + "// a comment line, then the statement"))
            out.append((("body", i), "\t" * (depth + 1) + stmt + (" // trailing" if trailing else "")))
        return out + [(("end", 0), "}"), (("end", 1), "")]

    def render(self, extras: dict[int, tuple[int, bool, bool]] | None = None) -> tuple[str, dict[int, int]]:
        """The file, and a map from each line number of the plain rendering to its number here."""
        plain = {key: n for n, (key, _) in enumerate(self.lines({}), 1)}
        lines = self.lines(extras or {})
        mapping = {plain[key]: n for n, (key, _) in enumerate(lines, 1) if key is not None}
        return "\n".join(text for _, text in lines), mapping


@st.composite
def programs(draw, safe: bool = False) -> Program:
    return Program(draw(st.sampled_from(PROLOGUES)), draw(block(0, safe)))


def analyse(src: str) -> tuple[list[Finding], list]:
    source = SourceFile(Path("fuzz.go"), "fuzz.go", src.encode())
    assert not source.root.has_error, "the generator must produce valid Go"
    package = Package([source])
    findings: list[Finding] = []
    for rule in ALL_RULES:
        ctx = Context(rule.meta, package)
        rule.check(ctx)  # no containment here: a crash fails the test with its traceback
        findings.extend(ctx.findings)
    return sorted(findings, key=lambda f: f.sort_key), package.notices


FILE_LINE_REF = re.compile(r"(\w+\.go):(\d+)")
LINE_REF = re.compile(r"\bline (\d+)")


def moved(findings: list[Finding], mapping: dict[int, int]) -> list[tuple]:
    """Findings with their lines mapped, and without what depends on bytes (fingerprints, fixes)."""

    def span(s: Span) -> tuple:
        return (s.path, mapping[s.start.line], s.start.column, s.start.utf16_column,
                mapping[s.end.line], s.end.column, s.end.utf16_column)

    def message(m: str) -> str:
        m = LINE_REF.sub(lambda g: f"line {mapping[int(g.group(1))]}", m)
        return FILE_LINE_REF.sub(lambda g: f"{g.group(1)}:{mapping[int(g.group(2))]}", m)

    return sorted(
        (f.rule_id, f.level, message(f.message), span(f.span),
         tuple((span(r.span), message(r.message)) for r in f.related),
         tuple((span(r.span), message(r.message)) for r in f.flow))
        for f in findings
    )


def assert_inside(src: str, findings: list[Finding]) -> None:
    lines = src.split("\n")
    for f in findings:
        for s in (f.span, *(r.span for r in f.related), *(r.span for r in f.flow)):
            assert (s.start.line, s.start.column) <= (s.end.line, s.end.column), f
            for pos in (s.start, s.end):
                assert 1 <= pos.line <= len(lines), f
                line = lines[pos.line - 1]
                assert 1 <= pos.column <= len(line) + 1, f
                assert 1 <= pos.utf16_column <= len(line.encode("utf-16-le")) // 2 + 1, f


extras_strategy = st.dictionaries(
    st.integers(0, 60), st.tuples(st.integers(0, 2), st.booleans(), st.booleans()), max_size=20
)


@FUZZ
@given(programs(), extras_strategy)
def test_engine_properties(program: Program, extras: dict) -> None:
    src, _ = program.render()
    findings, notices = analyse(src)
    assert notices == []  # nothing is too deep or skipped
    assert_inside(src, findings)
    again, _ = analyse(src)
    assert again == findings  # deterministic

    reformatted, mapping = program.render(extras)
    after, _ = analyse(reformatted)
    assert_inside(reformatted, after)
    assert moved(findings, mapping) == moved(after, {n: n for n in range(1, reformatted.count("\n") + 2)})


@FUZZ
@given(programs(safe=True))
def test_no_lj101_when_every_lock_is_followed_by_a_deferred_unlock(program: Program) -> None:
    src, _ = program.render()
    findings, _ = analyse(src)
    assert [f for f in findings if f.rule_id == "LJ101"] == []


def test_the_generator_covers_the_grammar() -> None:
    """A guard for the strategies: every construct appears in some example."""
    seen: set[str] = set()

    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    @given(programs())
    def collect(program: Program) -> None:
        seen.update(stmt.split(" ", 1)[0] for _, stmt in program.body)

    collect()
    for word in ("if", "for", "switch", "select", "func()", "defer", "go", "goto", "return", 'panic("boom")',
                 "s.mu.Lock()", "s.rw.RLock()", "case", "default:", "}", "f"):
        assert word in seen, word
    assert {"break", "continue"} <= seen and {"L1:", "L2:"} & seen
