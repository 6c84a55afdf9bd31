"""Integer facts as linear inequalities, and a small prover for them.

A fact is `sum(coef * term) + const <= 0` over terms such as `i`, `s.n`,
`len(xs)` or `(len(xs)+1)/2`. The prover closes the facts that relate at most
two terms (difference constraints, x - y <= c) with shortest paths; that is
what index bounds need (`i < n`, `n == len(xs)`, `last == len(xs) - 1`).
Anything else is ignored, which only ever makes the prover answer "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from tree_sitter import Node

from linter.analysis.syntax import callee, call_args, text, unparen

Terms = tuple[tuple[str, int], ...]  # sorted (term, coefficient), no zero coefficient
ZERO = "0"  # the graph node of the constant 0
_CONVERSIONS = frozenset({"int", "int64"})  # conversions that keep every value of an int length
# conversions to an unsigned type (bits): a wrap (of a negative or too large value) changes the value
UNSIGNED = {"uint": 64, "uint8": 8, "byte": 8, "uint16": 16, "uint32": 32, "uint64": 64, "uintptr": 64}
_INF = float("inf")


@dataclass(frozen=True, slots=True)
class Lin:
    """sum(coef * term) + const."""

    terms: Terms
    const: int = 0

    @staticmethod
    def of(terms: dict[str, int], const: int = 0) -> "Lin":
        return Lin(tuple(sorted((t, c) for t, c in terms.items() if c)), const)

    def plus(self, other: "Lin", scale: int = 1) -> "Lin":
        terms = dict(self.terms)
        for t, c in other.terms:
            terms[t] = terms.get(t, 0) + scale * c
        return Lin.of(terms, self.const + scale * other.const)

    def minus(self, other: "Lin") -> "Lin":
        return self.plus(other, -1)

    def times(self, k: int) -> "Lin":
        return Lin.of({t: c * k for t, c in self.terms}, self.const * k)

    def shift(self, k: int) -> "Lin":
        return Lin(self.terms, self.const + k)


def const(k: int) -> Lin:
    return Lin((), k)


def term(name: str) -> Lin:
    return Lin(((name, 1),), 0)


def int_value(node: Node) -> int | None:
    if node.type != "int_literal":
        return None
    try:
        return int(text(node).replace("_", ""), 0)
    except ValueError:
        return None


# A path renamer: the key a variable or field path (or a call) stands for, the value of a
# constant, or None when it has neither.
Path = Callable[[Node], str | int | None]


MAX_DEPTH = 32  # deeper expressions are not linear forms worth knowing (and recursion stays bounded)


def parse(node: Node, path: Path, depth: int = 0, unsigned: Callable[[Node], bool] | None = None) -> Lin | None:
    """The linear form of an integer expression, or None. `unsigned` tells an operand of an
    unsigned type: `+`, `-` and `*` of such operands wrap (`uint(len(s)) - 1` of an empty s is
    the largest uint), so they have no linear form."""
    if depth > MAX_DEPTH:
        return None
    node = unparen(node)
    kind = node.type
    if kind == "int_literal":
        value = int_value(node)
        return const(value) if value is not None else None
    if kind in ("identifier", "selector_expression"):
        key = path(node)
        if isinstance(key, int):
            return const(key)  # a constant
        return term(key) if key else None
    if kind == "unary_expression":
        operand = node.child_by_field_name("operand")
        op = text(node.child_by_field_name("operator"))
        inner = parse(operand, path, depth + 1, unsigned) if operand is not None and op in ("-", "+") else None
        return inner.times(-1) if inner is not None and op == "-" else inner
    if kind == "binary_expression":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        op = text(node.child_by_field_name("operator"))
        if left is None or right is None or op not in ("+", "-", "*", "/"):
            return None
        a, b = parse(left, path, depth + 1, unsigned), parse(right, path, depth + 1, unsigned)
        if a is None or b is None:
            return None
        if op != "/" and (_wraps(a) or _wraps(b) or (unsigned is not None and (unsigned(left) or unsigned(right)))):
            return None
        if op == "+":
            return a.plus(b)
        if op == "-":
            return a.minus(b)
        if op == "*":
            if not a.terms:
                return b.times(a.const)
            return a.times(b.const) if not b.terms else None
        if b.terms or b.const < 1:
            return None
        if not a.terms:
            return const(a.const // b.const) if a.const >= 0 else None
        return term(divided(a, b.const))
    if kind == "call_expression":
        _, name = callee(node)
        args = call_args(node)
        fn = node.child_by_field_name("function")
        if len(args) == 1 and fn is not None and unparen(fn).type == "identifier":
            if name in ("len", "cap"):
                inner = unparen(args[0])
                key = path(inner) if inner.type != "call_expression" else None
                return term(f"{name}({key})") if isinstance(key, str) and key else None
            if name in _CONVERSIONS:
                return parse(args[0], path, depth + 1, unsigned)
            if name in UNSIGNED:
                inner = parse(args[0], path, depth + 1, unsigned)
                if inner is None or not inner.terms:  # a constant: compiled only when it fits
                    return inner if inner is not None and 0 <= inner.const < 1 << UNSIGNED[name] else None
                return term(narrowed(inner, name))
        key = path(node)  # a call the renamer knows the value of (a helper returning a length)
        return term(key) if isinstance(key, str) and key else None
    return None


def render(lin: Lin) -> str:
    parts = [f"{c}*{t}" if c != 1 else t for t, c in lin.terms]
    return "+".join(parts) + (f"+{lin.const}" if lin.const else "")


_DIVISIONS: dict[str, tuple[Lin, int]] = {}  # term -> (numerator, divisor)


def divided(numerator: Lin, divisor: int) -> str:
    """The term standing for `numerator / divisor` (integer division by a positive constant)."""
    name = f"({render(numerator)})/{divisor}"
    _DIVISIONS[name] = (numerator, divisor)
    return name


_NARROWED: dict[str, Lin] = {}  # term -> the operand of the conversion to an unsigned type


def narrowed(operand: Lin, to: str) -> str:
    """The term standing for `to(operand)`, a conversion to an unsigned type. It is >= 0, and
    <= operand when operand >= 0 (a wrap takes the value modulo 2^bits, which only makes it
    smaller); nothing bounds the operand by it (`uint8(x) < 10` holds for x = 256)."""
    name = f"{to}({render(operand)})"
    _NARROWED[name] = operand
    return name


def _wraps(lin: Lin) -> bool:
    """Whether `lin` reads a conversion to an unsigned type, so that arithmetic on it is unsigned."""
    return any(t in _NARROWED for t, _ in lin.terms)


def _sizes(name: str) -> Iterable[tuple[str, str, int]]:
    """Facts every length term carries: len(x) >= 0, cap(x) >= len(x), as (from, to, weight) edges;
    and a conversion to an unsigned type is >= 0."""
    if name.startswith("len(") or name in _NARROWED:
        yield name, ZERO, 0  # 0 - len <= 0
    elif name.startswith("cap("):
        yield name, ZERO, 0
        yield name, "len(" + name[4:], 0  # len - cap <= 0


def _eliminated(facts: list[Lin]) -> Iterable[Lin]:
    """Facts of more than two terms brought down to two by an equality (both e <= 0 and -e <= 0)
    that shares a term with them: `over = a - b` and `a - b >= 1` give `over >= 1`. One step of
    substitution, which is what a difference named by a local needs."""
    wide = [f for f in facts if len(f.terms) > 2]
    if not wide:
        return
    known = set(facts)
    equalities = [e for e in wide if e.times(-1) in known]
    for e in equalities:
        units = {t: c for t, c in e.terms if abs(c) == 1}
        for g in facts:
            if g == e or g.times(-1) == e:
                continue
            for t, c in g.terms:
                if t in units:
                    h = g.minus(e.times(c * units[t]))  # units[t] is its own inverse
                    if len(h.terms) <= 2 and h != g:
                        yield h
                    break


class Prover:
    """Closure of a set of facts; answers `lin <= 0`?"""

    def __init__(self, facts: Iterable[Lin], unequal: Iterable[Lin] = (), extra: Iterable[str] = ()):
        self.dist: dict[str, dict[str, float]] = {}
        names = {ZERO, *extra}
        facts = list(facts)
        for f in facts:
            names.update(t for t, _ in f.terms)
        for name in list(names):
            if name in _DIVISIONS:
                names.update(t for t, _ in _DIVISIONS[name][0].terms)
            elif name in _NARROWED:
                names.update(t for t, _ in _NARROWED[name].terms)
        for name in list(names):
            if name.startswith("cap("):
                names.add("len(" + name[4:])
        self.nodes = sorted(names)
        self.edges: list[tuple[str, str, float]] = []
        # facts of more terms, which the closure leaves out: a goal may still be one of them
        # plus what the closure proves (`len(a) + len(b) - len(dst) <= 0` from the same fact)
        self.wide = [f for f in facts if len(f.terms) > 2 or any(abs(c) != 1 for _, c in f.terms)]
        for f in facts:
            self._edge(f)
        for f in _eliminated(facts):
            self._edge(f)
        for name in self.nodes:
            self.edges.extend(_sizes(name))
        self._close()
        self.unequal = [u for u in unequal]
        self._divisions()
        self._narrowings()
        self._tighten()

    def _edge(self, f: Lin) -> None:
        """f <= 0 as an edge b -> a of weight w when f is a - b + c (x - y <= w is the edge y -> x)."""
        if len(f.terms) > 2 or any(abs(c) != 1 for _, c in f.terms):
            return
        pos = [t for t, c in f.terms if c == 1]
        neg = [t for t, c in f.terms if c == -1]
        if len(pos) > 1 or len(neg) > 1:
            return
        a = pos[0] if pos else ZERO
        b = neg[0] if neg else ZERO
        self.edges.append((b, a, -f.const))

    def _close(self) -> None:
        nodes = self.nodes
        dist = {n: {m: (0.0 if n == m else _INF) for m in nodes} for n in nodes}
        for b, a, w in self.edges:
            if b in dist and a in dist[b] and w < dist[b][a]:
                dist[b][a] = w
        for k in nodes:
            dk = dist[k]
            for i in nodes:
                dik = dist[i][k]
                if dik == _INF:
                    continue
                di = dist[i]
                for j in nodes:
                    v = dik + dk[j]
                    if v < di[j]:
                        di[j] = v
        self.dist = dist

    def _divisions(self) -> None:
        """t = a / k: 0 <= t <= a when a >= 0, and t <= a - 1 when a >= 1 and k >= 2."""
        added = False
        for name in self.nodes:
            if name not in _DIVISIONS:
                continue
            num, k = _DIVISIONS[name]
            if self._proves(const(0).minus(num)):  # a >= 0
                self._edge(const(0).minus(term(name)))
                self._edge(term(name).minus(num))
                added = True
                if k >= 2 and self._proves(const(1).minus(num)):
                    self._edge(term(name).minus(num).shift(1))
        if added:
            self._close()

    def _narrowings(self) -> None:
        """t = uintN(a): t <= a when a >= 0."""
        added = False
        for name in self.nodes:
            operand = _NARROWED.get(name)
            if operand is not None and self._proves(const(0).minus(operand)):
                self._edge(term(name).minus(operand))
                added = True
        if added:
            self._close()

    def _tighten(self) -> None:
        """x != c with x >= c known gives x >= c + 1 (and the same from above)."""
        added = False
        for u in self.unequal:
            if len(u.terms) != 1 or u.terms[0][1] != 1:
                continue
            name, c = u.terms[0][0], -u.const  # x != c
            if name not in self.dist:
                continue
            low = -self.dist[name][ZERO]  # x >= low
            high = self.dist[ZERO][name]  # x <= high
            if low == c:
                self._edge(const(c + 1).minus(term(name)))
                added = True
            elif high == c:
                self._edge(term(name).shift(-(c - 1)))
                added = True
        if added:
            self._close()

    @property
    def infeasible(self) -> bool:
        return any(self.dist[n][n] < 0 for n in self.nodes)

    def _proves(self, f: Lin) -> bool:
        if not f.terms:
            return f.const <= 0
        if len(f.terms) > 2 or any(abs(c) != 1 for _, c in f.terms):
            return False
        pos = [t for t, c in f.terms if c == 1]
        neg = [t for t, c in f.terms if c == -1]
        if len(pos) > 1 or len(neg) > 1:
            return False
        a = pos[0] if pos else ZERO
        b = neg[0] if neg else ZERO
        if a not in self.dist or b not in self.dist:
            return False
        return self.dist[b][a] <= -f.const

    def proves(self, f: Lin) -> bool:
        """Whether the facts imply f <= 0 (anything holds when they contradict each other)."""
        return self.infeasible or self._proves(f) or any(self._proves(f.minus(w)) for w in self.wide)
