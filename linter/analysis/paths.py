"""Facts that hold on every path to an expression: nil checks and integer bounds.

`if p == nil { return }; *p`, `if len(xs) > 0 { last := len(xs) - 1; xs[last] }`,
`for i := 0; i < n; i++ { xs[i] }` with `n := len(xs)`: the facts come from the
conditions of the `if`s and loops around the expression, from earlier `if`s
whose branch leaves (return, panic, break, continue), and from assignments on
the way. The walk is structured, not a dataflow over the CFG: from the function
body down to the expression, the statements before it are run forward over a
small set of cases (one per branch of an earlier `if` or case of a switch), and
whatever is not understood (a type switch, a call for fields) forgets the facts
it might change. A
loop keeps an invariant of its head (see linter.analysis.loops), or forgets what
it changes when none is found in bounds. A label joins the facts of the
statement before it with those at each `goto` to it; a function with a `goto`
back (to a label before it) gets no facts.

Kept sound where it matters: facts about fields and package variables are
forgotten at a call when the callee may change them (linter.analysis.writes:
the fields it may write, by name; everything when it runs code lockjaw does
not follow); a bool local bound to a condition (`ok := a > b`) splits the
facts by its truth, so `if ok` knows the comparison; locals whose address is
taken or that a function literal assigns are never trusted. A wait on a channel
(a send, a receive, a select) runs no code of this goroutine, so only other
goroutines can change anything meanwhile: there the fields of an object whose
mutex is held on every path keep their facts, by the convention that whoever
writes them holds that mutex (`b.backlog` under `b.mu`). The fields of a fresh
object that has not escaped yet (linter.analysis.escape) keep their facts at
any lock or call, and a write of one changes nothing else; `x = &T{..}` gives
an interface x the dynamic type `*T`, so asserting it back cannot fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Callable

from tree_sitter import Node

from linter.analysis.cfg import Terminal, statements
from linter.analysis.escape import allocated
from linter.analysis.fields import LENGTH, VALUE
from linter.analysis.library import BELOW_N as _BELOW_N, NONNEG as _NONNEG, PURE as _PURE, SEARCH_N as _SEARCH_N
from linter.analysis.library import SEARCH_SLICE as _SEARCH_SLICE, SPLIT as _SPLIT
from linter.analysis.linear import UNSIGNED, Lin, Prover, const, parse, term
from linter.analysis.loops import entailed, jump_target, saturate
from linter.analysis.syntax import (
    FUNCTION_KINDS, callee, call_args, in_literal, loop_condition, text, unparen, walk_expr, within,
)
from linter.analysis.types import INT_TYPES, squash
from linter.analysis.writes import Writes

MAX_NESTING = 64  # statements nested deeper than this are not run, only forgotten
MAX_CASES = 16  # more cases than this and the facts are dropped (sound, just less precise)
MAX_LOOP_ROUNDS = 6  # rounds of a loop's invariant check before the loop is only forgotten
MAX_LOOP_RUNS = 400  # loop bodies run per function for invariants; then loops are only forgotten
_COMPARISONS = {"<", "<=", ">", ">=", "==", "!="}
_NAME = re.compile(r"(?<![.\w])([A-Za-z_]\w*)")
_SIZE = re.compile(r"(?:len|cap)\(([^()]*)\)")
_UNEVALUATED = frozenset({  # calls whose operand may not run (see Paths.survived)
    ("", "len"), ("", "cap"), ("unsafe", "Sizeof"), ("unsafe", "Alignof"), ("unsafe", "Offsetof"),
})
_SAFE_CALLS = frozenset({  # change no variable
    "len", "cap", "new", "make", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32",
    "uint64", "float32", "float64",
})


@dataclass(frozen=True, slots=True)
class Facts:
    """What one case of the paths knows."""

    ineqs: frozenset[Lin] = frozenset()  # each f <= 0
    unequal: frozenset[Lin] = frozenset()  # each f != 0
    nonnil: frozenset[str] = frozenset()
    isnil: frozenset[str] = frozenset()
    dynamic: frozenset[tuple[str, str]] = frozenset()  # (term, type): `x = &T{}` gives x the dynamic type *T

    def forget(self, dead: Callable[[str], bool]) -> "Facts":
        def keep(lin: Lin) -> bool:
            return not any(dead(t) for t, _ in lin.terms)

        return Facts(
            frozenset(f for f in self.ineqs if keep(f)),
            frozenset(f for f in self.unequal if keep(f)),
            frozenset(k for k in self.nonnil if not dead(k)),
            frozenset(k for k in self.isnil if not dead(k)),
            frozenset(d for d in self.dynamic if not dead(d[0])),
        )

    def le(self, f: Lin) -> "Facts":
        return replace(self, ineqs=self.ineqs | {f})


Inline = Callable[[Node], tuple[Node, dict[str, str]] | None]  # a helper call -> (its result, renaming)
Library = Callable[[Node], str]  # a call -> "sort.Search", "rand.Intn", ... when it calls that standard function


def _no_slot(target: Node) -> bool:
    return False


@lru_cache(maxsize=1 << 12)
def roots(key: str) -> frozenset[str]:
    """The variables a term reads: `len(s.xs)` -> {"s"}, `(len(a)+1)/2` -> {"a"}, `uint32(n)` -> {"n"}.
    Remembered: every statement a fact survives asks again about its terms."""
    return frozenset(m for m in _NAME.findall(key) if m not in ("len", "cap") and m not in UNSIGNED)


@dataclass(slots=True)
class Paths:
    """The path facts of one function body."""

    body: Node
    locals: frozenset[str]  # names the function declares (parameters included)
    slices: Callable[[str], bool]  # whether a local is a slice, array or string (its len changes only by assignment)
    terminal: Callable[[Node], Terminal]
    inline: Inline
    library: Library
    constant: Callable[[str], int | None]  # a package integer constant not shadowed here
    scalar_slot: Callable[[Node], bool]  # `xs[i]` holding an int, string, ...: writing it changes no term
    underlying: Callable[[Node], str]  # an expression's underlying type ("[]int", "string"); "" unknown
    guarded: Callable[[Node], frozenset[str]]  # objects whose mutex is held on every path to a node
    fixed_field: Callable[[str, str], str]  # (owner path, field) -> fields.LENGTH, VALUE or ""
    # `xs[k]` of a slice or array holding a struct: the terms that may read its memory; None if unknown
    struct_slot: Callable[[Node], Callable[[str], bool] | None]
    field_read: Callable[[Node], bool]  # `p.f` reading a field through the pointer p
    text_len: Callable[[Node], int | None]  # bytes of a constant string (`"\r\n"`, `CR_LF`)
    writes: Callable[[Node], Writes | None]  # what running a node may change; None: anything
    # a term of a fresh object no other code can reach by the end of a statement (linter.analysis.escape)
    private: Callable[[str, Node], bool]
    # whether a call's result at an index is never nil (`return &ls`; linter.analysis.results)
    non_nil_result: Callable[[Node, int], bool]
    _untrusted: frozenset[str] | None = None
    _jumps_back: bool | None = None  # a goto to a label before it: no facts at all
    _own_types: bool = False  # the function declares a type of its own
    _gotos: dict[int, list[Node]] = field(default_factory=dict)  # labeled statement -> the gotos to it
    _gotos_in_order: list[Node] = field(default_factory=list)  # every goto, in source order
    _cache: dict[int, list[Facts]] = field(default_factory=dict)
    _survived: dict[int, tuple[tuple[str, object], ...]] = field(default_factory=dict)
    _depth: int = 0
    _jumps: list[tuple[Node, str, Facts]] | None = None  # break/continue states seen while a loop is checked
    _loops: dict[tuple[int, tuple[Facts, ...]], "_Loop | None"] = field(default_factory=dict)
    _clause_tests: dict[int, list[Facts]] = field(default_factory=dict)  # a for clause's condition, as just entered
    _runs: int = 0
    _volatiles: dict[str, bool] = field(default_factory=dict)  # term -> `_volatile`

    # terms ---------------------------------------------------------------------------------

    def _setup(self) -> None:
        if self._untrusted is not None:
            return
        untrusted: set[str] = set()
        jumps: list[Node] = []
        labels: dict[str, Node] = {}
        twice = False
        for node in walk_expr(self.body, into_literals=True):
            kind = node.type
            if kind == "goto_statement" and not in_literal(node, self.body):
                jumps.append(node)
            elif kind == "labeled_statement" and not in_literal(node, self.body):
                twice |= _label(node) in labels
                labels[_label(node)] = node
            elif kind == "unary_expression" and text(node.child_by_field_name("operator")) == "&":
                # only the variable addressed: `&ims[i]` lets no one change i, `&T{f: *p}` not p
                operand = node.child_by_field_name("operand")
                untrusted.update(_target_roots(operand) if operand is not None else ())
            elif kind in ("assignment_statement", "inc_statement", "dec_statement") and in_literal(node, self.body):
                untrusted.update(_assigned(node, self._element_of_slice))  # `xs[i] = v` leaves xs as it is
            elif kind == "type_declaration":
                self._own_types = True
            elif kind == "type_switch_statement" and not in_literal(node, self.body):
                alias = node.child_by_field_name("alias")  # `switch d := x.(type)` declares d
                if alias is not None:
                    self.locals |= {text(n) for n in alias.named_children if n.type == "identifier"}
        self._untrusted = frozenset(untrusted)
        # Only jumps forward are followed (see `_arrive`): a jump back is a loop by hand.
        self._jumps_back = twice or any(
            _label(j) not in labels or j.start_byte >= labels[_label(j)].start_byte for j in jumps
        )
        self._gotos_in_order = [] if self._jumps_back else sorted(jumps, key=lambda j: j.start_byte)
        for j in self._gotos_in_order:
            self._gotos.setdefault(labels[_label(j)].id, []).append(j)

    def _map_element(self, target: Node) -> bool:
        """`m[k]` of a map: writing it changes the map's length, no variable nor field."""
        operand = target.child_by_field_name("operand") if target.type == "index_expression" else None
        return operand is not None and self.underlying(operand).startswith("map[")

    def _element_of_slice(self, target: Node) -> bool:
        """`xs[i]` of a local slice or array: writing it changes neither xs nor its length."""
        operand = unparen(target.child_by_field_name("operand"))
        return operand.type == "identifier" and self.slices(text(operand)) and text(operand) in self.locals

    def path(self, node: Node, renaming: dict[str, str] | None = None) -> str | None:
        """The term of a variable or field path; None for anything else."""
        node = unparen(node)
        parts: list[str] = []
        while node.type == "selector_expression":
            parts.append(text(node.child_by_field_name("field")))
            node = unparen(node.child_by_field_name("operand"))
        if node.type != "identifier":
            return None
        name = text(node)
        if name in ("nil", "true", "false", "_"):
            return None
        if renaming is not None:
            if name not in renaming:
                return None
            name = renaming[name]
        return ".".join([name, *reversed(parts)])

    def lin(self, node: Node, renaming: dict[str, str] | None = None) -> Lin | None:
        return parse(node, lambda n: self._term(n, renaming), unsigned=lambda n: self.underlying(n) in UNSIGNED)

    def _term(self, node: Node, renaming: dict[str, str] | None) -> str | int | None:
        """A path, the value of a constant (`hoRCNext + hoRCMaxHeight`, `time.Second`), or the
        length a helper returns (`q.Len()`)."""
        if renaming is None:
            kind = node.type
            if kind == "identifier" or (kind == "selector_expression" and _qualified(node)):
                value = self.constant(text(node))
                if value is not None:
                    return value
            elif kind == "call_expression":
                return self._returned_length(node)
        return self.path(node, renaming)

    def _returned_length(self, call: Node) -> str | None:
        """`q.Len()` of a helper whose body is `return len(q.heap)`: the term `len(q.heap)` in the
        caller's names. The call runs no other code, so its value is that length when it returns."""
        inlined = self.inline(call)
        result = unparen(inlined[0]) if inlined is not None else None
        if inlined is None or result is None or result.type != "call_expression":
            return None
        qual, name = callee(result)
        args = call_args(result)
        if qual or name not in ("len", "cap") or len(args) != 1:
            return None
        key = self.path(args[0], inlined[1])
        return f"{name}({key})" if key is not None else None

    def _volatile(self, key: str) -> bool:
        """Whether a call may change the term: fields, package variables, lengths of maps. A field
        only composite literals set (see linter.analysis.fields) changes only with its object.
        Remembered per term: every statement a fact survives asks again."""
        found = self._volatiles.get(key)
        if found is None:
            found = self._volatiles[key] = self._volatile_term(key)
        return found

    def _volatile_term(self, key: str) -> bool:
        assert self._untrusted is not None
        inner = key[4:-1] if key.startswith(("len(", "cap(")) else key
        if "." in inner and "(" not in inner:
            owner, name = inner.rsplit(".", 1)
            kind = self.fixed_field(owner, name)
            if kind == LENGTH or (kind == VALUE and inner == key):
                return self._volatile(owner)
        for name in roots(key):
            if name not in self.locals or name in self._untrusted:
                return True
        if "." in key:
            return True
        return any(not self.slices(x) for x in _SIZE.findall(key))

    def _shared(self, at: Node) -> Callable[[str], bool]:
        """The volatile terms (see `_volatile`) other code may reach while the statement `at`
        runs: all but the fields of a fresh object that has not escaped by its end (see
        linter.analysis.escape)."""
        return lambda t: self._volatile(t) and not self.private(t, at)

    def _waited(self, stmt: Node) -> Callable[[str], bool]:
        """The terms other goroutines may change while this one waits on channels in `stmt`
        (see `_waits_only`): the shared ones, except the fields (and their lengths) of a
        local object whose mutex is held on every path there."""
        at = stmt.children[0] if stmt.type == "select_statement" and stmt.child_count else stmt  # the `select`
        shared = self._shared(stmt)
        owners = {o for o in self.guarded(at) if not self._volatile(o)}
        if not owners:
            return shared
        return lambda t: shared(t) and _field_owner(t) not in owners

    def _changed_by(self, stmt: Node) -> Callable[[str], bool]:
        """The terms running `stmt` may change besides what it assigns, when it is impure."""
        return self._waited(stmt) if _waits_only(stmt, self._pure) else self._written(stmt, [stmt])

    def _written(self, at: Node, nodes: list[Node]) -> Callable[[str], bool]:
        """The terms running `nodes` (in the statement `at`) may change: the shared ones the
        calls may write (see linter.analysis.writes), and when they may synchronise, those other
        goroutines may change meanwhile (see `_waited`); every shared one if a call is unknown."""
        shared = self._shared(at)
        found: list[Writes] = []
        for node in nodes:
            w = self.writes(node)
            if w is None:
                return shared
            found.append(w)
        if any(w.releases for w in found):
            return shared
        waited = self._waited(at) if any(w.waits for w in found) else None
        return lambda t: shared(t) and (
            any(w.changes(t) for w in found) or (waited is not None and waited(t))
        )

    # facts at a node ----------------------------------------------------------------------

    def at(self, node: Node) -> list[Facts]:
        """The cases of facts that hold just before `node` runs; [Facts()] when nothing is known."""
        cached = self._cache.get(node.id)
        if cached is None:
            cached = self._cache[node.id] = self._at(node)
        return cached

    def _at(self, node: Node) -> list[Facts]:
        self._setup()
        if self._jumps_back:
            return [Facts()]
        for jump in self._gotos_in_order:  # the facts at each goto before node first: `_arrive` then finds them cached
            if jump.start_byte >= node.start_byte:
                break
            self.at(jump)
        chain: list[Node] = [node]
        while chain[-1] != self.body:
            parent = chain[-1].parent
            if parent is None or parent.type in FUNCTION_KINDS:
                return [Facts()]
            chain.append(parent)
        chain.reverse()
        cases = [self._entry()]
        top = node
        for parent, child in zip(chain, chain[1:]):
            if parent.type in ("block", "statement_list") or (parent.type.endswith("_case") and _is_statement(child)):
                for stmt in _statements_before(parent, child):
                    cases = self._run(stmt, cases)
                if child.type == "labeled_statement":
                    cases = self._arrive(child, cases)
                if _is_statement(child):
                    top = child
            else:
                cases = self._enter(parent, child, cases)
            if not cases:
                return [Facts()]  # unreachable as far as we can tell: claim nothing
        calls = _calls_before(top, node, chain, self._pure)
        if calls:  # `f(); xs[s.n]` in one statement: f may change s.n
            changed = self._written(top, calls)
            cases = [c.forget(changed) for c in cases]
        return cases

    def _entry(self) -> Facts:
        """The facts on entering the body: named results start as zero values (`next int` is 0,
        `out []T` is nil)."""
        function = self.body.parent
        results = function.child_by_field_name("result") if function is not None else None
        if results is None or results.type != "parameter_list":
            return Facts()
        ints: set[str] = set()
        nils: set[str] = set()
        for decl in results.named_children:  # only the list's own declarations, not a func type's
            kind = decl.child_by_field_name("type") if decl.type == "parameter_declaration" else None
            names = {text(n) for n in decl.children_by_field_name("name")} if kind is not None else set()
            if kind is not None and kind.type == "type_identifier" and text(kind) in INT_TYPES:
                ints |= names
            elif kind is not None and kind.type in ("slice_type", "pointer_type", "map_type"):
                nils |= names
        zeros = [term(n) for n in sorted(ints)]
        return replace(_with(Facts(), [f for z in zeros for f in (z, z.times(-1))]), isnil=frozenset(nils))

    def _header(self, parent: Node, child: Node, cases: list[Facts], tested: str) -> list[Facts]:
        """Facts once an `if` or `switch` header has run (its initializer, then the tested
        expression), for a `child` that is not part of it."""
        init = parent.child_by_field_name("initializer")
        if init is not None and child != init:
            cases = self._run(init, cases)
        value = parent.child_by_field_name(tested)
        if value is not None and child != value:
            cases = self._effects(value, cases)
        return cases

    def _case_type(self, switch: Node, clause: Node, alias: set[str], cases: list[Facts]) -> list[Facts]:
        """`switch v.Object.(type) { case int8: .. v.Object.(int8) }`: a clause of one type (not
        nil) gives the switched interface that dynamic type on entry, until something writes it
        (hold-out 5, go-cache's Increment). Not when the alias shadows the switched variable."""
        types = clause.children_by_field_name("type")
        value = switch.child_by_field_name("value")
        key = self.path(value) if value is not None and len(types) == 1 and text(types[0]) != "nil" else None
        if key is None or roots(key) & alias:
            return cases
        fact = (key, squash(types[0]))
        return [replace(c, dynamic=c.dynamic | {fact}) for c in cases]

    def _enter(self, parent: Node, child: Node, cases: list[Facts]) -> list[Facts]:
        """Facts on entering `child` of the compound `parent`."""
        kind = parent.type
        if kind == "if_statement":
            cases = self._header(parent, child, cases, "condition")
            cond = parent.child_by_field_name("condition")
            if cond is not None and child == parent.child_by_field_name("consequence"):
                return self._assume(cases, cond, True)
            if cond is not None and child == parent.child_by_field_name("alternative"):
                return self._assume(cases, cond, False)
            return cases
        if kind == "for_statement":
            return self._enter_loop(parent, child, cases)
        if kind == "for_clause" and child == parent.child_by_field_name("condition") and parent.id in self._clause_tests:
            return self._clause_tests[parent.id]
        if kind in ("expression_switch_statement", "type_switch_statement"):
            cases = self._header(parent, child, cases, "value")
            if kind == "type_switch_statement":
                alias = parent.child_by_field_name("alias")
                names = {text(n) for n in alias.named_children} if alias is not None else set()
                names |= {text(alias)} if alias is not None and alias.type == "identifier" else set()
                cases = [c.forget(lambda t: bool(roots(t) & names)) for c in cases]
                if child.type == "type_case":
                    cases = self._case_type(parent, child, names, cases)
            return cases
        if kind == "select_statement":  # the case headers are evaluated in order before it waits
            for other in parent.named_children:
                if other == child and child.type == "communication_case":
                    break
                for expr in _header(other):
                    cases = self._effects(expr, cases)
            return cases
        if kind == "communication_case":
            comm = parent.child_by_field_name("communication")
            if comm is not None and child == comm:
                return cases  # `case c <- xs[0]:` is evaluated before the wait
            cases = self._havoc(comm, cases) if comm is not None else cases  # `case v := <-c:` sets v
            select = parent.parent  # it waited: other code may have run, and every case header ran
            calm = select is not None and all(
                _waits_only(e, self._pure) for case in select.named_children for e in _header(case)
            )
            changed = self._waited(select) if calm and select is not None else self._volatile
            return [c.forget(changed) for c in cases]
        if kind == "default_case" and parent.parent is not None:
            for other in parent.parent.named_children:  # every case value ran before the default is taken
                tested = other.child_by_field_name("value") if other.type == "expression_case" else None
                if tested is not None:
                    cases = self._effects(tested, cases)
            return cases
        if kind == "expression_case" and child.type != "expression_list":
            for earlier in [*_earlier_cases(parent), parent]:  # every case value up to this one ran
                tested = earlier.child_by_field_name("value")
                if tested is not None:  # of the taken case, only those up to the match
                    cases = self._effects(tested, cases, earlier != parent or tested.named_child_count == 1)
            switch = parent.parent
            value = parent.child_by_field_name("value")
            previous = parent.prev_named_sibling
            falls = previous is not None and previous.type.endswith("_case") and any(
                s.type == "fallthrough_statement" for s in statements(previous)
            )
            if switch is not None and switch.child_by_field_name("value") is None and value is not None and (
                value.named_child_count == 1 and not falls
            ):
                return self._assume(cases, value.named_children[0], True)
            if switch is not None and switch.child_by_field_name("value") is not None and not falls:
                return self._match(switch, parent, cases, True)  # `switch len(args) { case 4:`
            return cases
        if kind == "binary_expression":
            op = text(parent.child_by_field_name("operator"))
            left = parent.child_by_field_name("left")
            if left is not None and child == parent.child_by_field_name("right") and op in ("&&", "||"):
                return self._assume(cases, left, op == "&&")
            return cases
        if kind == "labeled_statement" and child.type == "labeled_statement":  # `A: B: x++`
            return self._arrive(child, cases)
        return cases

    def _arrive(self, labeled: Node, cases: list[Facts]) -> list[Facts]:
        """Facts at a label: the cases of the statement before it and those at each goto to it
        (all before it, see `_setup`), less what the goto leaves: the statement around it in the
        label's block ends there, and with it the variables declared in it."""
        out = list(cases)
        for jump in self._gotos.get(labeled.id, ()):
            holder = jump
            while holder.parent is not None and holder.parent != labeled.parent:
                holder = holder.parent
            if holder.parent is None:
                return [Facts()]
            ended = _all_assigned(holder)
            out.extend(c.forget(lambda t: bool(roots(t) & ended)) for c in self.at(jump))
        out = _dedupe(out)
        return out if len(out) <= MAX_CASES else [_common(out)]

    def _enter_loop(self, loop: Node, child: Node, cases: list[Facts]) -> list[Facts]:
        clause = next((c for c in loop.named_children if c.type in ("for_clause", "range_clause")), None)
        body = loop.child_by_field_name("body")
        if child == body:
            found = self._loop(loop, cases)
            if found is not None:
                return list(found.entries)
        if child == loop_condition(loop) or (child == clause and clause.type == "for_clause"):
            # `for i < n && xs[i] != 0 {`: the condition runs from the head's invariant (hold-out 5,
            # fasthttp's connsCleaner); for a clause, only its condition (see _enter)
            found = self._loop(loop, cases)
            if clause is not None:
                self._clause_tests.pop(clause.id, None)
            if found is not None and found.tests:
                if child != clause:
                    return list(found.tests)
                self._clause_tests[clause.id] = list(found.tests)
        before = cases
        if clause is not None and clause.type == "for_clause":
            init = clause.child_by_field_name("initializer")
            if init is not None and child != clause:
                before = self._run(init, cases)
        cases = self._havoc(loop, cases)
        if child != body:
            return cases
        cond = loop_condition(loop)
        if clause is None:
            return self._assume(cases, cond, True) if cond is not None else cases
        if clause.type == "range_clause":
            return self._range_key(clause, loop, cases)
        cases = self._counter(clause, loop, before, cases)
        return self._assume(cases, cond, True) if cond is not None else cases

    def _counter(self, clause: Node, loop: Node, before: list[Facts], cases: list[Facts]) -> list[Facts]:
        """`for i := lo; ..; i++` with lo >= 0 and i changed nowhere else: i >= 0 in the body."""
        init = clause.child_by_field_name("initializer")
        update = clause.child_by_field_name("update")
        if init is None or update is None or init.type != "short_var_declaration":
            return cases
        left, right = init.child_by_field_name("left"), init.child_by_field_name("right")
        if left is None or right is None or left.named_child_count != 1 or right.named_child_count != 1:
            return cases
        name = text(left.named_children[0])
        start = self.lin(right.named_children[0])
        if start is None or update.type != "inc_statement" or _assigned(update) != {name}:
            return cases
        body = loop.child_by_field_name("body")
        if (body is not None and name in _all_assigned(body, copies=False)) or self._volatile(name):
            return cases
        if not all(_prover(c, start).proves(const(0).minus(start)) for c in before):
            return cases
        return [c.le(const(0).minus(term(name))) for c in cases]

    def _range_key(self, clause: Node, loop: Node, cases: list[Facts]) -> list[Facts]:
        """`for i := range xs`: 0 <= i < len(xs), while nothing in the body changes i or xs."""
        left, right = clause.child_by_field_name("left"), clause.child_by_field_name("right")
        if left is None or right is None or not left.named_child_count:
            return cases
        key = left.named_children[0]
        over = self.path(right)
        if key.type != "identifier" or over is None or self._volatile(f"len({over})") or self._volatile(text(key)):
            return cases
        name = text(key)
        body = loop.child_by_field_name("body")
        if body is not None and _all_assigned(body, self.scalar_slot, copies=False) & {name, over}:
            return cases
        i, n = term(name), term(f"len({over})")
        return [c.le(const(0).minus(i)).le(i.minus(n).shift(1)) for c in cases]

    # loop invariants (see linter.analysis.loops) -----------------------------------------

    def _loop(self, loop: Node, cases: list[Facts]) -> "_Loop | None":
        """The facts on entering the body of `loop` and on leaving it, from an invariant of its
        head that holds on entry and after every iteration; None when none is found in bounds."""
        key = (loop.id, tuple(cases))
        if key in self._loops:
            found = self._loops[key]
        else:
            self._loops[key] = None
            found = self._loops[key] = self._infer(loop, cases)
        if found is not None and self._jumps is not None:
            self._jumps.extend(found.escaping)  # a `break outer` inside still leaves from here
        return found

    def _infer(self, loop: Node, cases: list[Facts]) -> "_Loop | None":
        body = loop.child_by_field_name("body")
        if body is None or not cases:
            return None
        clause = next((c for c in loop.named_children if c.type in ("for_clause", "range_clause")), None)
        mark = f"#{loop.start_byte}"  # a range's iterations so far; mark + "L": how many it makes
        entry = cases
        if clause is not None and clause.type == "for_clause":
            init = clause.child_by_field_name("initializer")
            entry = self._run(init, cases) if init is not None else cases
        elif clause is not None:
            right = clause.child_by_field_name("right")
            entry = self._effects(right, cases) if right is not None else cases
            count = self._iterations(clause, body, term(mark + "L"))
            zero = [term(mark), const(0).minus(term(mark)), *count]
            entry = [_with(c, zero) for c in entry]
        if not entry:
            return None
        changed = self._havoc_dead(loop)

        def keep(t: str) -> bool:
            return t.startswith("#") or changed(t)

        cond = loop_condition(loop)
        tested = self._tested_terms(cond) if cond is not None else set()  # `i < len(s)`: len(s) too
        heads = _dedupe([replace(c, ineqs=saturate(c.ineqs, c.unequal, keep, tested)) for c in entry])
        for _ in range(MAX_LOOP_ROUNDS):
            if self._runs + len(heads) > MAX_LOOP_RUNS:
                return None
            self._runs += len(heads)
            entries, backs, breaks, escaping = self._round(loop, clause, body, heads, entry, mark)
            widened = _widen(heads, backs, keep)
            if widened == heads:
                break
            heads = widened
        else:
            return None
        if clause is not None and clause.type == "range_clause":
            exits = heads
        elif cond is not None:
            exits = self._assume(self._effects(cond, heads), cond, False)
        else:
            exits = []
        own = _loop_declared(clause) if clause is not None else set()
        exits = [
            c.forget(lambda t: t.startswith(mark) or bool(roots(t) & own)) for c in _dedupe(exits + breaks)
        ]
        exits = _squeeze(exits)
        tests = self._counter(clause, loop, entry, heads) if clause is not None and clause.type == "for_clause" else heads
        return _Loop(tuple(entries), tuple(exits), tuple(escaping), tuple(tests) if cond is not None else ())

    def _tested_terms(self, cond: Node) -> set[str]:
        """The terms a loop condition compares."""
        out: set[str] = set()
        for node in walk_expr(cond):
            if node.type == "binary_expression" and text(node.child_by_field_name("operator")) in _COMPARISONS:
                for side in (node.child_by_field_name("left"), node.child_by_field_name("right")):
                    lin = self.lin(side) if side is not None else None
                    if lin is not None:
                        out.update(t for t, _ in lin.terms)
        return out

    def _round(
        self, loop: Node, clause: Node | None, body: Node, heads: list[Facts], entry: list[Facts], mark: str
    ) -> tuple[list[Facts], list[Facts], list[Facts], list[tuple[Node, str, Facts]]]:
        """One run of the body from the head's cases: the facts on entering it, on the back
        edges (after the update), on `break`, and the jumps that leave an enclosing statement."""
        saved, self._jumps = self._jumps, []
        try:
            entries, falls = [], []
            for head in heads:  # one at a time: a join of too many cases keeps each head's own facts
                started = self._body_entry(loop, clause, body, [head], entry, mark)
                entries.extend(started)
                falls.extend(self._run(body, started))
            jumps = self._jumps
        finally:
            self._jumps = saved
        inner = _declared_within(body)  # and a range's own `k, v :=`, new in each iteration
        inner |= _loop_declared(clause) if clause is not None and clause.type == "range_clause" else set()

        def scoped(cases: list[Facts]) -> list[Facts]:  # the body's own variables end with it
            return [c.forget(lambda t: bool(roots(t) & inner)) for c in cases]

        backs = scoped(falls + [f for t, k, f in jumps if t == loop and k == "continue"])
        breaks = scoped([f for t, k, f in jumps if t == loop and k == "break"])
        escaping = [j for j in jumps if j[0] != loop]
        if clause is not None and clause.type == "for_clause":
            update = clause.child_by_field_name("update")
            backs = self._run(update, backs) if update is not None else backs
        elif clause is not None:
            backs = [_moved(c, mark, 1) for c in backs]
        return entries, backs, breaks, escaping

    def _body_entry(
        self, loop: Node, clause: Node | None, body: Node, heads: list[Facts], entry: list[Facts], mark: str
    ) -> list[Facts]:
        cond = loop_condition(loop)
        if clause is None:
            return self._assume(self._effects(cond, heads), cond, True) if cond is not None else heads
        if clause.type == "for_clause":
            cases = self._counter(clause, loop, entry, heads)
            return self._assume(self._effects(cond, cases), cond, True) if cond is not None else cases
        left = clause.child_by_field_name("left")
        names = {r for n in (left.named_children if left is not None else ()) for r in _target_roots(n)}
        cases = [c.forget(lambda t: bool(roots(t) & names)) for c in heads]  # a new key and value
        cases = self._range_key(clause, loop, cases)
        return [c.le(term(mark).minus(term(mark + "L")).shift(1)) for c in cases]  # one more to come

    def _iterations(self, clause: Node, body: Node, count: Lin) -> list[Lin]:
        """Facts on the number of iterations of `for .. range xs` (count): len(xs) of a slice or
        array (evaluated once), at most len(s) of a string (a rune is at least a byte), at most
        len(m) of a map the body cannot add to (an entry added during the range may be produced)."""
        right = clause.child_by_field_name("right")
        over = self.path(right) if right is not None else None
        if right is None or over is None:
            return []
        size = term(f"len({over})")
        kind = self.underlying(right)
        if kind.startswith("["):
            return [count.minus(size), size.minus(count)]
        if kind == "string":
            return [count.minus(size)]
        if not kind.startswith("map[") or _impure(body, self._pure) or _writes_through_pointer(body):
            return []
        for node in walk_expr(body):
            if node.type in ("assignment_statement", "inc_statement", "dec_statement"):
                left = node.child_by_field_name("left") if node.type == "assignment_statement" else node
                for target in left.named_children if left is not None else ():
                    target = unparen(target)
                    operand = target.child_by_field_name("operand") if target.type == "index_expression" else None
                    if operand is not None and not self.underlying(operand).startswith("["):
                        return []  # maybe a store into a map
        return [count.minus(size)]

    # running statements -------------------------------------------------------------------

    def _run(self, stmt: Node, cases: list[Facts]) -> list[Facts]:
        if not cases and stmt.type != "labeled_statement":  # a goto may still lead there
            return cases
        if self._depth > MAX_NESTING:  # recursion stays bounded: forget what a deep statement changes
            return self._havoc(stmt, cases)
        self._depth += 1
        try:
            return self._step(stmt, cases)
        finally:
            self._depth -= 1

    def _step(self, stmt: Node, cases: list[Facts]) -> list[Facts]:
        kind = stmt.type
        if kind in ("break_statement", "continue_statement") and self._jumps is not None:
            target = jump_target(stmt)
            if target is not None:
                self._jumps.extend((target, kind.split("_")[0], c) for c in cases)
        if kind in ("return_statement", "break_statement", "continue_statement", "goto_statement",
                    "fallthrough_statement"):
            return []
        if kind == "expression_statement":
            if self.terminal(stmt) is not None:
                return []
            return self._effects(stmt, cases)
        if kind == "short_var_declaration" and _self_copy(stmt):
            return cases  # `i := i`: a new variable with the value of the one it shadows
        if kind in ("assignment_statement", "short_var_declaration", "inc_statement", "dec_statement"):
            return self._assign(stmt, cases)
        if kind == "var_declaration":
            names = _declared(stmt)
            cases = self._effects(stmt, cases)
            nils = _zero_nil(stmt)  # `var proto []byte`: proto == nil
            cases = [replace(c.forget(lambda t: bool(roots(t) & names)), isnil=c.isnil - names | nils) for c in cases]
            zeros = [term(n) for n in _zero_int(stmt)]  # `var lfs int`: lfs == 0
            cases = [_with(c, [f for z in zeros for f in (z, z.times(-1))]) for c in cases]
            return self._declare(stmt, cases, names)
        if kind == "if_statement":
            return self._run_if(stmt, cases)
        if kind == "expression_switch_statement":
            return self._run_switch(stmt, cases)
        if kind == "block":
            return self._run_block(stmt, cases)
        if kind == "labeled_statement":
            cases = self._arrive(stmt, cases)
            inner = [c for c in stmt.named_children if c.type not in ("label_name", "comment")]
            return self._run(inner[0], cases) if inner else cases
        if kind in ("empty_statement", "comment", "const_declaration", "type_declaration"):
            return cases
        if kind == "for_statement":
            found = self._loop(stmt, cases)
            if found is not None:
                return list(found.exits)
            return self._left(stmt, self._havoc(stmt, cases))
        return self._havoc(stmt, cases)

    def _left(self, loop: Node, cases: list[Facts]) -> list[Facts]:
        """Facts once `loop` (without an invariant: what it changes already forgotten) is left: when
        no `break` leaves it, through its condition, evaluated once more and false."""
        cond = loop_condition(loop)
        if cond is None or any(
            n.type == "break_statement" and jump_target(n) == loop for n in walk_expr(loop)
        ):
            return cases
        return self._assume(self._effects(cond, cases), cond, False)

    def _run_block(self, block: Node, cases: list[Facts]) -> list[Facts]:
        """Run a block's (or a case clause's) statements; the variables it declares end with it."""
        declared: set[str] = set()
        for s in statements(block):
            if s.type in ("short_var_declaration", "var_declaration"):
                declared |= _declared(s)
            cases = self._run(s, cases)
        if declared:  # the block's own variables end with it
            cases = [c.forget(lambda t: bool(roots(t) & declared)) for c in cases]
        return cases

    def _run_initializer(self, stmt: Node, cases: list[Facts]) -> tuple[list[Facts], set[str]]:
        """Run an if's or a switch's `x := ..;` and say what it declares (scoped to the statement)."""
        init = stmt.child_by_field_name("initializer")
        if init is None:
            return cases, set()
        return self._run(init, cases), _declared(init)

    def _run_if(self, stmt: Node, cases: list[Facts]) -> list[Facts]:
        cases, declared = self._run_initializer(stmt, cases)
        cond = stmt.child_by_field_name("condition")
        consequence = stmt.child_by_field_name("consequence")
        alternative = stmt.child_by_field_name("alternative")
        if cond is None:
            return self._havoc(stmt, cases)
        cases = self._effects(cond, cases)
        yes = self._assume(cases, cond, True)
        no = self._assume(cases, cond, False)
        if consequence is not None:
            yes = self._run(consequence, yes)
        if alternative is not None:
            no = self._run(alternative, no)
        out = _dedupe(yes + no)
        if declared:
            out = [c.forget(lambda t: bool(roots(t) & declared)) for c in out]
        return _squeeze(out)

    def _run_switch(self, stmt: Node, cases: list[Facts]) -> list[Facts]:
        """Each case clause runs from its own entry (the case values up to it evaluated, its
        match assumed), and leaves its own cases, as the branches of an `if` do: two variables
        set together in one clause stay related after the switch. A `fallthrough` or a `break`
        out of the switch is not followed: then the switch only forgets what it changes."""
        clauses = [c for c in stmt.named_children if c.type in ("expression_case", "default_case")]
        if any(
            n.type == "fallthrough_statement" or (n.type == "break_statement" and jump_target(n) == stmt)
            for n in walk_expr(stmt)
        ):
            return self._havoc(stmt, cases)
        cases, declared = self._run_initializer(stmt, cases)
        value = stmt.child_by_field_name("value")
        if value is not None:
            cases = self._effects(value, cases)
        out: list[Facts] = []
        tried = cases  # the case values before the next clause's have run
        for clause in clauses:
            if clause.type == "default_case":
                continue
            tested = clause.child_by_field_name("value")
            entry = self._effects(tested, tried, tested.named_child_count == 1) if tested is not None else tried
            tried = self._effects(tested, tried) if tested is not None else tried
            out.extend(self._run_block(clause, self._match(stmt, clause, entry, True)))
        rest = tried  # no case value matched: the default clause runs, or nothing does
        for clause in clauses:
            if clause.type == "expression_case":
                rest = self._match(stmt, clause, rest, False)
        default = next((c for c in clauses if c.type == "default_case"), None)
        out.extend(self._run_block(default, rest) if default is not None else rest)
        out = _dedupe(out)
        if declared:
            out = [c.forget(lambda t: bool(roots(t) & declared)) for c in out]
        return _squeeze(out)

    def _match(self, switch: Node, clause: Node, cases: list[Facts], truth: bool) -> list[Facts]:
        """`case v:` of a switch on `x` taken (`x == v`) or not: only a single value of no call,
        tested against a switch value of no call (`switch len(args)`), or alone (`switch {`)."""
        tested = clause.child_by_field_name("value")
        if tested is None or tested.named_child_count != 1:
            return cases
        v = tested.named_children[0]
        x = switch.child_by_field_name("value")
        if x is None:
            return self._assume(cases, v, truth)
        if _impure(x, self._pure) or any(
            _impure(e, self._pure) for c in switch.named_children if c.type == "expression_case"
            for e in [c.child_by_field_name("value")] if e is not None
        ):
            return cases
        return [f for c in cases if (f := self._compare(c, x, "==", v, truth)) is not None]

    def _havoc(self, stmt: Node, cases: list[Facts]) -> list[Facts]:
        """Forget what anything inside `stmt` may change."""
        dead = self._havoc_dead(stmt)
        if self._jumps is not None:  # a loop is checked: a jump out of `stmt` leaves from somewhere inside
            anywhere = [c.forget(lambda t: dead(t) or self._volatile(t)) for c in cases]
            for target, kind in _escapes(stmt):
                self._jumps.extend((target, kind, c) for c in anywhere)
        return [c.forget(dead) for c in cases]

    def _havoc_dead(self, stmt: Node) -> Callable[[str], bool]:
        names = _all_assigned(stmt, self.scalar_slot)
        impure = _impure(stmt, self._pure)
        deref = _writes_through_pointer(stmt)
        changed = self._changed_by(stmt) if impure and not deref else self._shared(stmt)

        def dead(t: str) -> bool:
            return bool(roots(t) & names) or ((impure or deref) and changed(t))

        return dead

    def _effects(self, stmt: Node, cases: list[Facts], ran: bool = True) -> list[Facts]:
        """Facts after `stmt` has run (`ran`: all of it; else only calls it may make are known)."""
        cases = self._evaluated(stmt, cases) if ran else cases
        if not _impure(stmt, self._pure):
            return cases
        changed = self._changed_by(stmt)
        return [c.forget(changed) for c in cases]

    def _evaluated(self, stmt: Node, cases: list[Facts]) -> list[Facts]:
        """Facts plus what `stmt`, once run without panicking, proves (see `survived`)."""
        found = self.survived(stmt)
        if not found:
            return cases
        out = []
        for c in cases:
            for what, value in found:
                if what == "le" and isinstance(value, Lin):
                    c = c.le(value)
                elif what == "nonnil" and isinstance(value, str):
                    c = replace(c, nonnil=c.nonnil | {value})
            out.append(c)
        return out

    def survived(self, stmt: Node) -> tuple[tuple[str, object], ...]:
        """What the panic sites `stmt` always evaluates prove once it has run on (as Go's prove
        pass has it): `xs[i]` that 0 <= i < len(xs), `xs[lo:hi]` that 0 <= lo <= hi (and
        hi <= len(xs) for strings and arrays, cap(xs) for slices), `*p` and `p.f` (a field) that
        p != nil. Only
        what runs every time counts: not the right of `&&`/`||`, not function literals."""
        found = self._survived.get(stmt.id)
        if found is not None:
            return found
        out: list[tuple[str, object]] = []
        stack = [stmt]
        while stack:
            n = stack.pop()
            kind = n.type
            if kind in ("func_literal", "block", "statement_list"):
                continue
            if kind == "binary_expression" and text(n.child_by_field_name("operator")) in ("&&", "||"):
                left = n.child_by_field_name("left")
                stack.extend([left] if left is not None else [])
                continue
            if kind == "call_expression" and callee(n) in _UNEVALUATED:
                continue  # `len(*p)` of an array pointer, `unsafe.Sizeof(xs[i])`: the operand never runs
            if kind == "index_expression":
                parent = n.parent
                if parent is not None and parent.type == "call_expression" and parent.child_by_field_name("function") == n:
                    operand = n.child_by_field_name("operand")  # `f[*T](..)`: the index is a type
                    stack.extend([operand] if operand is not None else [])
                    continue
                out.extend(("le", f) for f in self._index_survived(n))
            elif kind == "slice_expression":
                out.extend(("le", f) for f in self._slice_survived(n))
            elif (kind == "unary_expression" and text(n.child_by_field_name("operator")) == "*" and _dereference(n)) or (
                kind == "selector_expression" and self.field_read(n)
            ):
                operand = n.child_by_field_name("operand")
                key = self.path(operand) if operand is not None else None
                if key is not None:
                    out.append(("nonnil", key))
            stack.extend(n.children)
        found = self._survived[stmt.id] = tuple(out)
        return found

    def _sized(self, operand: Node) -> str:
        """"string", "array" or "slice" for an operand of that type; "" when unknown (a map?)."""
        t = self.underlying(operand)
        if t == "string":
            return t
        if t.startswith("[]"):
            return "slice"
        return "array" if t.startswith("[") else ""

    def _index_survived(self, node: Node) -> list[Lin]:
        operand, index = node.child_by_field_name("operand"), node.child_by_field_name("index")
        if operand is None or index is None or not self._sized(operand):
            return []
        key, i = self.path(operand), self.lin(index)
        if key is None or i is None:
            return []
        return [const(0).minus(i), i.minus(term(f"len({key})")).shift(1)]

    def _slice_survived(self, node: Node) -> list[Lin]:
        operand = node.child_by_field_name("operand")
        sized = self._sized(operand) if operand is not None else ""
        key = self.path(operand) if operand is not None else None
        if not sized or key is None:
            return []
        start, end, capacity = (node.child_by_field_name(f) for f in ("start", "end", "capacity"))
        lo = self.lin(start) if start is not None else const(0)
        hi = self.lin(end) if end is not None else term(f"len({key})")
        top = self.lin(capacity) if capacity is not None else None
        out: list[Lin] = []
        if lo is not None:
            out.append(const(0).minus(lo))
            if hi is not None:
                out.append(lo.minus(hi))
        bound = term(f"cap({key})") if sized == "slice" else term(f"len({key})")
        if hi is not None and end is not None and capacity is None:
            out.append(hi.minus(bound))
        if hi is not None and top is not None:
            out.extend([hi.minus(top), top.minus(bound)])
        return out

    def _assign(self, stmt: Node, cases: list[Facts]) -> list[Facts]:
        kind = stmt.type
        op = text(stmt.child_by_field_name("operator")) if kind == "assignment_statement" else ":="
        left, right = stmt.child_by_field_name("left"), stmt.child_by_field_name("right")
        lefts = [unparen(n) for n in left.named_children] if left is not None else []
        rights = right.named_children if right is not None else []
        if kind in ("inc_statement", "dec_statement") and stmt.named_child_count:
            lefts = [unparen(stmt.named_children[0])]
        # `xs[k] = 0` and `s.n++` with a number, string or bool: no other term can lead there,
        # so only `s.n` itself (under any root: s may alias another variable) changes.
        slots = [l for l in lefts if l.type in ("index_expression", "selector_expression") and self.scalar_slot(l)]
        fields = {text(l.child_by_field_name("field")) for l in slots if l.type == "selector_expression"}
        written = [l for l in lefts if l not in slots]
        # `xs[k] = T{}`: only the terms that may read memory of a T change, not xs nor its length
        reached = [(l, self.struct_slot(l)) for l in written if l.type == "index_expression"]
        reaches = [r for _, r in reached if r is not None]
        written = [l for l in written if not any(l == s and r is not None for s, r in reached)]
        # `v.f = x` of a fresh object no other code reaches yet: only the terms through v.f change
        own = {key for l in written if l.type == "selector_expression" and (key := self.path(l)) and self.private(key, stmt)}
        written = [l for l in written if not (l.type == "selector_expression" and self.path(l) in own)]
        own_term = re.compile(r"(?<![.\w])(?:%s)(?!\w)" % "|".join(map(re.escape, own))) if own else None
        # `x.f = v` and `m[k] = v` of memory other code may share: only the terms that may read what
        # is written change (the field f under any root, the length of a map; see
        # linter.analysis.writes), not x's other fields nor what else x's root reaches
        through = [l for l in written if l.type == "selector_expression" or self._map_element(l)]
        written = [l for l in written if l not in through]
        targets = {r for l in written for r in _target_roots(l)} if kind != "short_var_declaration" else _assigned(stmt)
        field_term = re.compile(r"\.(?:%s)(?![\w.])" % "|".join(map(re.escape, fields))) if fields else None
        parallel = op in ("=", ":=") and len(lefts) == len(rights)
        impure = _impure(stmt, self._pure)
        dead_all = _writes_through_pointer(stmt) or any(l.type != "identifier" for l in written)
        if through and not dead_all:  # the calls' writes and waits too (see _written)
            changed = self._written(stmt, [stmt])
        else:
            changed = self._changed_by(stmt) if impure and not dead_all else self._shared(stmt)

        def dead(t: str) -> bool:
            return bool(roots(t) & targets) or bool(field_term and field_term.search(t)) or (
                (impure or dead_all or bool(through)) and changed(t)
            ) or any(r(t) for r in reaches) or bool(own_term and own_term.search(t))

        moved = self._moved_by(stmt, lefts, rights, op)
        shrunk = self._shrunk_by(lefts, rights, op)
        grows = None
        if parallel and len(lefts) == 1 and lefts[0].type == "identifier" and self.slices(text(lefts[0])):
            grown = self._appended(rights[0])
            if grown is not None and self.path(grown[0]) == text(lefts[0]):
                grows = text(lefts[0]), grown[1]
        out: list[Facts] = []
        for c, truth in self._bound_truths(stmt, lefts, rights, parallel, self._evaluated(stmt, cases)):
            new: list[tuple[str, str, object]] = []  # (kind, target, value)
            if grows is not None:  # `x = append(x, ..)`: what bounded len(x) from below still does
                name, added = grows
                size = f"len({name})"
                for f in c.ineqs:
                    a = dict(f.terms).get(size, 0)
                    if a < 0 and all(t == size or not dead(t) for t, _ in f.terms):
                        new.append(("le", name, f.shift(-a * added)))
            if shrunk is not None and _prover(c, term(shrunk)).proves(const(0).minus(term(shrunk))):
                new.append(("le", shrunk, const(0).minus(term(shrunk))))  # `l /= base`: l >= 0 stays
            if moved is not None:  # `n--`: what held of n holds of n + 1
                name, delta = moved
                c = _moved(c, name, delta)

                def kept(f: Lin) -> bool:
                    return name in dict(f.terms) and all(t == name or not dead(t) for t, _ in f.terms)

                new.extend(("le", name, f) for f in c.ineqs if kept(f))
                new.extend(("ne", name, f) for f in c.unequal if kept(f))
            if parallel:
                for l, r in zip(lefts, rights):
                    key = self.path(l) if l.type in ("identifier", "selector_expression") else None
                    if key is not None:
                        new.extend(self._value_facts(key, r, c, dead))
                    made = allocated(r) if key is not None and op == "=" else ""
                    if made and _interface(self.underlying(l)):  # `x = &T{..}`: an interface x now holds a *T
                        new.append(("dynamic", key, made))

            c = c.forget(dead)
            if truth is not None:  # `ok := a > b`: ok is 1 where a > b held, 0 where it did not
                flag = term(text(lefts[0]))
                c = c.le(const(1).minus(flag) if truth else flag)
            for what, name, value in new:
                if what == "le" and isinstance(value, Lin):
                    c = c.le(value)
                elif what == "nonnil":
                    c = replace(c, nonnil=c.nonnil | {name})
                elif what == "isnil":
                    c = replace(c, isnil=c.isnil | {name})
                elif what == "dynamic" and isinstance(value, str):
                    c = replace(c, dynamic=c.dynamic | {(name, value)})
                elif what == "ne" and isinstance(value, Lin):
                    c = replace(c, unequal=c.unequal | {value})
            out.append(c)
        return out

    def _declare(self, stmt: Node, cases: list[Facts], names: set[str]) -> list[Facts]:
        """The facts `var n = len(xs)` or `var (a = make([]T, n); i = 0)` adds, as `:=` would."""
        pairs = []
        for spec in walk_expr(stmt):
            value = spec.child_by_field_name("value") if spec.type == "var_spec" else None
            declared = spec.children_by_field_name("name") if value is not None else []
            if value is not None and len(declared) == value.named_child_count:
                pairs.extend(zip((text(n) for n in declared), value.named_children))
        if not pairs:
            return cases

        def dead(t: str) -> bool:
            return bool(roots(t) & names)

        out = []
        for c in cases:
            for name, value in pairs:
                for what, _, fact in self._value_facts(name, value, c, dead):
                    if what == "le" and isinstance(fact, Lin):
                        c = c.le(fact)
                    elif what in ("nonnil", "isnil"):
                        c = replace(c, **{what: getattr(c, what) | {name}})
            out.append(c)
        return out

    def _bound_truths(
        self, stmt: Node, lefts: list[Node], rights: list[Node], parallel: bool, cases: list[Facts]
    ) -> list[tuple[Facts, bool | None]]:
        """`ok := a > b && c != nil` on a local: one case per truth of the condition, each with
        what that truth says (its facts are forgotten as usual when a term changes, while ok
        keeps its value): a later `if ok` picks the cases of its truth (see `_assume`)."""
        plain: list[tuple[Facts, bool | None]] = [(c, None) for c in cases]
        if not parallel or len(lefts) != 1 or lefts[0].type != "identifier" or stmt.type == "inc_statement":
            return plain
        name = text(lefts[0])
        cond = unparen(rights[0])
        if name not in self.locals or not _is_condition(cond):
            return plain
        out: list[tuple[Facts, bool | None]] = []
        for c in cases:
            yes, no = self._assume([c], cond, True), self._assume([c], cond, False)
            if yes == [c] and no == [c]:
                out.append((c, None))
            else:
                out.extend([(y, True) for y in yes] + [(n, False) for n in no])
        return out if len(out) <= MAX_CASES else plain

    def _appended(self, value: Node) -> tuple[Node, int] | None:
        """`append(y, a, b)` or `append(y, "\r\n"...)`: y, and how many elements it surely adds."""
        value = unparen(value)
        if value.type != "call_expression" or callee(value) != ("", "append") or "append" in self.locals:
            return None
        args = call_args(value)
        if not args:
            return None
        added = 0
        for arg in args[1:]:
            if arg.type == "variadic_argument":
                inner = arg.named_children[0] if arg.named_child_count else None
                size = self.text_len(inner) if inner is not None else None
                added += size or 0  # a spread slice adds len(it) >= 0
            else:
                added += 1
        return args[0], added

    def _shrunk_by(self, lefts: list[Node], rights: list[Node], op: str) -> str | None:
        """`n /= k` or `n >>= k` (k a positive constant) on a local: n, which stays >= 0 if it was."""
        if len(lefts) != 1 or lefts[0].type != "identifier" or op not in ("/=", ">>=") or len(rights) != 1:
            return None
        name = text(lefts[0])
        k = self.lin(rights[0])
        if name not in self.locals or k is None or k.terms or k.const < (1 if op == "/=" else 0):
            return None
        return name

    def _moved_by(self, stmt: Node, lefts: list[Node], rights: list[Node], op: str) -> tuple[str, int] | None:
        """`n++`, `n--`, `n += 2`, `n -= k` (k a constant) on a local: (n, the constant added)."""
        if len(lefts) != 1 or lefts[0].type != "identifier":
            return None
        name = text(lefts[0])
        if name not in self.locals:
            return None
        if stmt.type in ("inc_statement", "dec_statement"):
            return name, 1 if stmt.type == "inc_statement" else -1
        if op not in ("+=", "-=") or len(rights) != 1:
            return None
        k = self.lin(rights[0])
        if k is None or k.terms:
            return None
        return name, k.const if op == "+=" else -k.const

    def _value_facts(
        self, name: str, value: Node, before: Facts, dead: Callable[[str], bool]
    ) -> list[tuple[str, str, object]]:
        """Facts `name = value` adds: equalities, lengths of slices taken, non-nil pointers.
        `dead`: the terms the assignment changes (a fact through their old value is dropped)."""
        value = unparen(value)
        out: list[tuple[str, str, object]] = []

        def equal(a: Lin, b: Lin) -> None:
            if any(dead(t) for t, _ in b.terms):
                return  # `i = i + 1`: the old value is gone
            out.append(("le", name, a.minus(b)))
            out.append(("le", name, b.minus(a)))

        grown = self._appended(value) if self.slices(name) else None
        if grown is not None:  # `x = append(y, ...)`: len(x) >= len(y) + what was added
            first, added = grown
            out.append(("le", name, const(added).minus(term(f"len({name})"))))
            key = self.path(first)
            if key is not None and key != name and self.slices(key) and not dead(key):
                out.append(("le", name, term(f"len({key})").shift(added).minus(term(f"len({name})"))))
        if value.type == "call_expression":
            bounds = self.call_bounds(term(name), value, before)
            out.extend(("le", name, f) for f in bounds if not any(dead(t) for t, _ in f.terms if t != name))
            if self._splits(value):
                out.append(("le", name, const(1).minus(term(f"len({name})"))))
        lin = self.lin(value)
        if lin is not None:
            had = len(out)
            equal(term(name), lin)
            sizes = all(c > 0 and t.startswith(("len(", "cap(")) for t, c in lin.terms)
            if len(out) > had and lin.const >= 0 and sizes:
                out.append(("le", name, const(0).minus(term(name))))  # `n := len(xs)`: n >= 0 outlives xs
        kind = value.type
        if _is_nil(value):
            out.append(("isnil", name, None))
        elif kind == "unary_expression" and text(value.child_by_field_name("operator")) == "&":
            out.append(("nonnil", name, None))
        elif kind == "call_expression" and (callee(value) == ("", "new") or self.non_nil_result(value, 0)):
            out.append(("nonnil", name, None))
        elif kind in ("identifier", "selector_expression"):
            key = self.path(value)
            if key is not None and key in before.nonnil:
                out.append(("nonnil", name, None))
            if key is not None and key in before.isnil:
                out.append(("isnil", name, None))
            if key is not None and key != name and self.slices(name) and not dead(key):  # `proto = rsProto`
                for size in ("len", "cap"):
                    equal(term(f"{size}({name})"), term(f"{size}({key})"))
        elif kind == "slice_expression" and (self.slices(name) or "." in name):  # a field: a slice or string
            operand = value.child_by_field_name("operand")
            key = self.path(operand) if operand is not None else None
            start, end = value.child_by_field_name("start"), value.child_by_field_name("end")
            lo = self.lin(start) if start is not None else const(0)
            hi = self.lin(end) if end is not None else (term(f"len({key})") if key else None)
            if lo is not None and hi is not None:
                equal(term(f"len({name})"), hi.minus(lo))
        elif kind == "call_expression" and callee(value) == ("", "make") and (
            self.slices(name) or text((call_args(value) or [value])[0]).startswith("[]")  # `s.f = make([]T, n)`
        ):
            args = call_args(value)
            size = self.lin(args[1]) if len(args) >= 2 else None
            if size is not None:
                equal(term(f"len({name})"), size)
        return out

    # conditions ----------------------------------------------------------------------------

    def _assume(self, cases: list[Facts], cond: Node, truth: bool, depth: int = 0) -> list[Facts]:
        cond = unparen(cond)
        if depth > 8:
            return cases
        kind = cond.type
        if kind == "unary_expression" and text(cond.child_by_field_name("operator")) == "!":
            operand = cond.child_by_field_name("operand")
            return self._assume(cases, operand, not truth, depth + 1) if operand is not None else cases
        if kind == "binary_expression":
            op = text(cond.child_by_field_name("operator"))
            left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
            if left is None or right is None:
                return cases
            if (op == "&&" and truth) or (op == "||" and not truth):
                return self._assume(self._assume(cases, left, truth, depth + 1), right, truth, depth + 1)
            if op in ("&&", "||"):  # a disjunction: one case per side
                first = self._assume(cases, left, truth, depth + 1)
                second = self._assume(self._assume(cases, left, not truth, depth + 1), right, truth, depth + 1)
                out = _dedupe(first + second)
                return out if len(out) <= MAX_CASES else cases
            if op in _COMPARISONS:
                return [f for c in cases if (f := self._compare(c, left, op, right, truth)) is not None]
            return cases
        if kind == "identifier" and text(cond) in self.locals:  # a bool local (see `_bound_truths`)
            flag = term(text(cond))
            holds, fails = (const(1).minus(flag), flag) if truth else (flag, const(1).minus(flag))
            return [c.le(holds) for c in cases if fails not in c.ineqs]
        if kind == "call_expression":
            inlined = self.inline(cond)
            if inlined is not None:
                result, renaming = inlined
                return self._assume_renamed(cases, result, truth, renaming)
        return cases

    def _assume_renamed(self, cases: list[Facts], cond: Node, truth: bool, renaming: dict[str, str]) -> list[Facts]:
        """A helper's `return a <= b` read in the caller's names."""
        cond = unparen(cond)
        if cond.type != "binary_expression":
            return cases
        op = text(cond.child_by_field_name("operator"))
        left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
        if left is None or right is None or op not in _COMPARISONS:
            return cases
        return [f for c in cases if (f := self._compare(c, left, op, right, truth, renaming)) is not None]

    def _compare(self, facts: Facts, left: Node, op: str, right: Node, truth: bool,
                 renaming: dict[str, str] | None = None) -> Facts | None:
        """Facts plus `left op right` (or its negation); None when the case is impossible."""
        if not truth:
            op = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}[op]
        nil_left, nil_right = _is_nil(left), _is_nil(right)
        if nil_left or nil_right:
            key = self.path(right if nil_left else left, renaming)
            if key is None or op not in ("==", "!="):
                return facts
            if (op == "==" and key in facts.nonnil) or (op == "!=" and key in facts.isnil):
                return None
            if op == "==":
                return replace(facts, isnil=facts.isnil | {key})
            return replace(facts, nonnil=facts.nonnil | {key})
        a, b = self.lin(left, renaming), self.lin(right, renaming)
        if a is None or b is None:
            return facts
        for side, lin in ((left, a), (right, b)):  # a variable or field of unsigned type is >= 0
            if len(lin.terms) == 1 and lin.terms[0][1] == 1 and not lin.const and self.underlying(side) in UNSIGNED:
                facts = facts.le(lin.times(-1))
        d = a.minus(b)  # a op b  <=>  d op 0
        if op == "<":
            return facts.le(d.shift(1))
        if op == "<=":
            return facts.le(d)
        if op == ">":
            return facts.le(d.times(-1).shift(1))
        if op == ">=":
            return facts.le(d.times(-1))
        if op == "==":
            return facts.le(d).le(d.times(-1))
        return replace(facts, unequal=facts.unequal | {d})

    # questions -----------------------------------------------------------------------------

    def proves(self, node: Node, goals: list[Lin]) -> bool:
        """Whether every goal (each `g <= 0`) holds on every path to `node`."""
        return all(_prover(c, *goals).proves(g) for c in self.at(node) for g in goals)

    def _pure(self, call: Node) -> bool:
        """A standard call that runs no code of the program (`rand.Intn(n)`, `sort.SearchInts`)."""
        return self.library(call) in _PURE

    def call_bounds(self, result: Lin, call: Node, before: Facts) -> list[Lin]:
        """Facts about the result of a standard call bounded by its argument: `sort.Search(n, f)`
        is in [0, n] when n >= 0, `rand.Intn(n)` in [0, n) (else it panicked)."""
        which = self.library(call)
        args = call_args(call)
        low = const(0).minus(result)  # result >= 0
        if callee(call) == ("", "copy") and len(args) == 2:  # the builtin: min(len(dst), len(src)) (hold-out 5)
            keys = [self.path(a) for a in args]
            return [low, *(result.minus(term(f"len({k})")) for k in keys if k is not None)]
        if which in _NONNEG and not args:
            return [low]
        if not which or not args:
            return []
        if which in _SEARCH_SLICE:
            key = self.path(args[0])
            return [low, result.minus(term(f"len({key})"))] if key is not None else [low]
        bound = self._nonneg_arg(args[0], before)
        if which in _SEARCH_N:  # it calls f, which may change what the bound read
            stable = bound is not None and not any(self._volatile(t) for t, _ in bound.terms)
            return [low, result.minus(bound)] if bound is not None and stable else [low]
        if which in _BELOW_N:  # it panics unless n > 0: once it returned, result < n whatever was known of n
            exact = self.lin(args[0])
            bound = exact if exact is not None else bound
            return [low, result.minus(bound).shift(1)] if bound is not None else [low]
        return []

    def _splits(self, call: Node) -> bool:
        """`strings.Split(s, " ")`: with a constant separator that is not empty, the result has at
        least one element (`[""]` for an empty s)."""
        args = call_args(call)
        if self.library(call) not in _SPLIT or len(args) != 2:
            return False
        sep = unparen(args[1])
        return sep.type in ("interpreted_string_literal", "raw_string_literal") and len(text(sep)) > 2

    def _nonneg_arg(self, arg: Node, before: Facts) -> Lin | None:
        """The linear form of an argument known to be >= 0, seen through `int32(..)` (which
        can only make a non-negative value smaller or negative)."""
        arg = unparen(arg)
        if arg.type == "call_expression" and callee(arg) == ("", "int32") and len(call_args(arg)) == 1:
            fn = unparen(arg.child_by_field_name("function"))
            arg = call_args(arg)[0] if fn.type == "identifier" else arg
        lin = self.lin(arg)
        if lin is None or not _prover(before, lin).proves(const(0).minus(lin)):
            return None
        return lin

    def index_value(self, node: Node, expr: Node) -> tuple[Lin, Callable[[Facts], list[Lin]]] | None:
        """The linear form of an index, or for `xs[rand.Intn(n)]` a fresh term with its bounds."""
        lin = self.lin(expr)
        if lin is not None:
            return lin, lambda c: []
        expr = unparen(expr)
        fresh = term(f"#{expr.start_byte}")
        if expr.type == "binary_expression" and text(expr.child_by_field_name("operator")) == "%":
            left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
            a = self.lin(left) if left is not None else None
            n = self.lin(right) if right is not None else None
            if a is None or n is None:
                return None

            def remainder(c: Facts) -> list[Lin]:  # a % n is in [0, n) for a >= 0 and n >= 1
                prover = _prover(c, a, n)
                if prover.proves(const(0).minus(a)) and prover.proves(const(1).minus(n)):
                    return [const(0).minus(fresh), fresh.minus(n).shift(1)]
                return []

            return fresh, remainder
        if expr.type != "call_expression" or not self.library(expr):
            return None
        return fresh, lambda c: self.call_bounds(fresh, expr, c)

    def proves_with(self, node: Node, goals: list[Lin], extra: Callable[[Facts], list[Lin]]) -> bool:
        """`proves`, with facts added to each case (the bounds of an index call)."""
        for c in self.at(node):
            for f in extra(c):
                c = c.le(f)
            if not all(_prover(c, *goals).proves(g) for g in goals):
                return False
        return True

    def nonzero(self, node: Node, expr: Node) -> bool:
        """Whether the integer `expr` is non-zero on every path to `node` (`if n == 0 { return }`)."""
        d = self.lin(expr)
        if d is None or not d.terms:
            return False
        above, below = const(1).minus(d), d.shift(1)  # d >= 1, d <= -1
        for c in self.at(node):
            prover = _prover(c, d)
            if not (prover.proves(above) or prover.proves(below)):
                return False
        return True

    def non_nil(self, node: Node, expr: Node) -> bool:
        key = self.path(expr)
        if key is None:
            return False
        return all(key in c.nonnil or _prover(c).infeasible for c in self.at(node))

    def has_type(self, node: Node, expr: Node, t: str) -> bool:
        """Whether the interface `expr` holds a value of dynamic type `t` (written as the type
        assertion at `node` writes it) on every path there: `c.laddr = &aaAddr{..}` before
        `c.laddr.(*aaAddr)`. A type declared in the function could shadow the one named."""
        key = self.path(expr)
        self._setup()
        if key is None or not t or self._own_types:
            return False
        return all((key, t) in c.dynamic or _prover(c).infeasible for c in self.at(node))

    # conditions on parameters ----------------------------------------------------------------

    def fixed(self, names: set[str]) -> set[str]:
        """Those of `names` the function never assigns, redeclares or lets escape by address:
        a fact about them at any point is a fact about the value the caller passed."""
        self._setup()
        assert self._untrusted is not None
        return names - _all_assigned(self.body) - self._untrusted

    def captured_stable(self, names: set[str], literal: Node) -> bool:
        """Whether each of `names`, as a function literal written at `literal` in this body sees
        it, is a local that nothing assigns after its declaration (a loop's own variable is
        assigned by the loop: `for i := range` without `i := i`), nor takes the address of:
        it holds the same value whenever the literal runs, and so does its length. Writing an
        element of a slice (`xs[i] = v`) changes neither."""
        self._setup()
        assert self._untrusted is not None
        if names & self._untrusted or not names <= self.locals:
            return False
        decls: dict[str, list[tuple[Node, Node]]] = {n: [] for n in names}
        writes: dict[str, list[Node]] = {n: [] for n in names}
        fn = self.body.parent
        signature = [p for p in fn.children if p.type == "parameter_list"] if fn is not None else []
        for node in (*signature, *walk_expr(self.body, into_literals=True)):
            for part in walk_expr(node) if node.type == "parameter_list" else (node,):
                kind = part.type
                if kind in ("short_var_declaration", "range_clause", "receive_statement") and any(
                    c.type == ":=" for c in part.children
                ):
                    left = part.child_by_field_name("left")
                    for n in left.named_children if left is not None else ():
                        if n.type == "identifier" and text(n) in names:
                            decls[text(n)].append((part, _decl_scope(part)))
                elif kind in ("var_spec", "parameter_declaration", "variadic_parameter_declaration"):
                    for n in part.children_by_field_name("name"):
                        if text(n) in names:
                            decls[text(n)].append((part, _decl_scope(part)))
                elif kind == "type_switch_statement":
                    alias = part.child_by_field_name("alias")
                    for n in walk_expr(alias) if alias is not None else ():
                        if n.type == "identifier" and text(n) in names:
                            decls[text(n)].append((part, part))
                elif kind in ("assignment_statement", "inc_statement", "dec_statement", "range_clause",
                              "receive_statement"):
                    for n in _assigned(part, self._element_of_slice) & names:
                        writes[n].append(part)
        for name in names:
            seen = _visible(decls[name], literal)
            if seen is None or seen[0].type == "range_clause" or _in_for_clause(seen[0]):
                return False  # a loop's own variable, or one declared elsewhere
            for write in writes[name]:
                if _visible(decls[name], write) == seen:
                    return False
            for other in decls[name]:  # `a, i := f()` in the same scope assigns i
                if other != seen and other[1] == seen[1] and other[0].start_byte > seen[0].start_byte:
                    return False
        return True

    def fixed_fields(self, name: str, fields: dict[str, bool], pointer: bool) -> set[str]:
        """The terms `name.F` of those `fields` (the ones a struct declares, each with whether
        it is plain, see linter.analysis.escape) that keep the value the caller gave all
        through the function: no statement writes `name.F` or the whole struct or takes their
        address, no method is called on `name` (a pointer method gets its address) nor on
        `name.F`, no method value of a field that is not plain is taken (it may hold a pointer
        into the struct), and, for a pointer to the struct, `name` is used only to reach
        fields or be dereferenced, so no other code gets the pointer. A by-value struct is
        the function's own copy; a pointer argument counts only when the caller allocates it
        fresh (`&T{..}`, see routes._arguments)."""
        self._setup()
        out = set(fields)
        for node in walk_expr(self.body, into_literals=True):
            if node.type != "identifier" or text(node) != name:
                continue
            parent = node.parent
            if parent is not None and (parent.type in _DECLARING or (
                parent.type == "expression_list" and parent.parent is not None
                and parent.parent.type == "type_switch_statement"
            )):
                return set()  # another variable of that name
            if parent is not None and parent.type == "literal_element" and parent.parent is not None and (
                parent.parent.type == "keyed_element" and parent.parent.child_by_field_name("key") == parent
            ):
                continue  # a field name: `T{opts: ..}`
            chain = _field_chain(node)
            if chain is None:  # the struct as a whole: a copy (`opts`, `*p`) is harmless
                if _written_whole(node) or (pointer and not _dereferenced(node)):
                    return set()
                continue
            top, selector = chain
            first = text(selector.child_by_field_name("field"))
            holder = top.parent
            if holder is not None and holder.type == "call_expression" and holder.child_by_field_name("function") == top:
                if top.child_by_field_name("operand") == node:
                    if first not in fields:
                        return set()  # a method of the struct
                    continue  # calling a func field
                out.discard(first)  # a method of the field's value
            elif _written_whole(top) or (not fields.get(first, False) and _selects_beyond(selector)):
                out.discard(first)
        return {f"{name}.{f}" for f in out}

    def conditions(self, node: Node, params: set[str]) -> frozenset[Atom]:
        """What every path to `node` knows about `params` (which must be fixed)."""
        cases = self.at(node)
        common: set[Atom] | None = None
        for c in cases:
            atoms: set[Atom] = {("isnil", k) for k in c.isnil if k in params}
            atoms |= {("nonnil", k) for k in c.nonnil if k in params}
            atoms |= {("le", f) for f in c.ineqs if all(_about(t, params) for t, _ in f.terms)}
            common = atoms if common is None else common & atoms
        return frozenset(common or ())

    def refutes(self, node: Node, atoms: frozenset[Atom], args: dict[str, Node | None]) -> bool:
        """Whether, on every path to `node`, some atom fails once each parameter is replaced
        by its argument (`cancel(err)` with `err == nil` and err known non-nil here), and each
        field of a struct parameter by the value a composite literal gives it (None: zero)."""
        for c in self.at(node):
            if not any(self._refuted(c, atom, args) for atom in atoms) and not _prover(c).infeasible:
                return False
        return True

    def _refuted(self, facts: Facts, atom: Atom, args: dict[str, Node | None]) -> bool:
        what, value = atom
        if isinstance(value, str):
            if value not in args:
                return False
            arg = args[value]
            return self._nil_refuted(facts, arg, what == "isnil") if arg is not None else what == "nonnil"
        assert isinstance(value, Lin)
        lin = self.substitute(value, args)
        if lin is None:
            return False
        goal = const(1).minus(lin)  # the atom says lin <= 0; it fails when lin >= 1
        return _prover(facts, goal).proves(goal)

    def _nil_refuted(self, facts: Facts, arg: Node, nil: bool) -> bool:
        arg = unparen(arg)
        if nil:
            if arg.type == "unary_expression" and text(arg.child_by_field_name("operator")) == "&":
                return True
            if arg.type == "call_expression" and callee(arg) in (("", "new"), ("", "make")):
                return True
            if arg.type in ("func_literal", "composite_literal"):
                return True
            key = self.path(arg)
            return key is not None and key in facts.nonnil
        if _is_nil(arg):
            return True
        key = self.path(arg)
        return key is not None and key in facts.isnil

    def substitute(self, lin: Lin, args: dict[str, Node | None]) -> Lin | None:
        """A condition on parameters in the caller's terms: each parameter replaced by its
        argument (None: a field's zero value, 0, whose length is 0 too)."""
        out = const(lin.const)
        for t, c in lin.terms:
            if t in args:
                arg = args[t]
                value = self.lin(arg) if arg is not None else const(0)
            elif t.startswith("len(") and t[4:-1] in args:
                arg = args[t[4:-1]]
                key = self.path(arg) if arg is not None else None
                value = term(f"len({key})") if key is not None else (const(0) if arg is None else None)
            else:
                value = None
            if value is None:
                return None
            out = out.plus(value, c)
        return out


# helpers ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Loop:
    """What an invariant of a loop's head gives (see Paths._loop)."""

    entries: tuple[Facts, ...]  # on entering the body
    exits: tuple[Facts, ...]  # once the loop is left, by its condition or a `break`
    escaping: tuple[tuple[Node, str, Facts], ...]  # jumps from inside to an enclosing statement
    tests: tuple[Facts, ...] = ()  # before each evaluation of the condition


def _with(facts: Facts, ineqs: list[Lin]) -> Facts:
    return replace(facts, ineqs=facts.ineqs | frozenset(ineqs))


def _widen(heads: list[Facts], backs: list[Facts], keep: Callable[[str], bool]) -> list[Facts]:
    """The head's cases once every back edge is covered: a back edge that no case holds of
    weakens the case with its nil facts to what the back edge still proves, or (for new nil
    facts) becomes a case of its own."""
    heads = list(heads)
    for b in backs:
        prover = Prover(b.ineqs, b.unequal)
        if prover.infeasible:
            continue

        def part(h: Facts) -> Facts:
            ineqs, unequal = entailed(h.ineqs, h.unequal, prover, b.unequal)
            return Facts(ineqs, unequal, h.nonnil & b.nonnil, h.isnil & b.isnil, h.dynamic & b.dynamic)

        parts = [part(h) for h in heads]
        if any(p == h for p, h in zip(parts, heads)):
            continue
        same = next((k for k, h in enumerate(heads) if h.isnil == b.isnil), None)
        if same is not None:
            heads[same] = parts[same]
        else:
            heads.append(replace(b, ineqs=saturate(b.ineqs, b.unequal, keep)))
    return _squeeze(heads)


def _escapes(stmt: Node) -> set[tuple[Node, str]]:
    """The statements a `break` or `continue` inside `stmt` leaves or repeats, outside it."""
    out: set[tuple[Node, str]] = set()
    for node in walk_expr(stmt):
        if node.type in ("break_statement", "continue_statement"):
            target = jump_target(node)
            if target is not None and not within(target, stmt):
                out.add((target, node.type.split("_")[0]))
    return out


def _loop_declared(clause: Node) -> set[str]:
    """The variables a loop's clause declares (`for i := ..`, `for k, v := range ..`)."""
    if clause.type == "for_clause":
        init = clause.child_by_field_name("initializer")
        return _assigned(init) if init is not None and init.type == "short_var_declaration" else set()
    if not any(c.type == ":=" for c in clause.children):
        return set()
    left = clause.child_by_field_name("left")
    return {r for n in (left.named_children if left is not None else ()) for r in _target_roots(n)}


def _zero_nil(stmt: Node) -> frozenset[str]:
    """The variables `var x []T`, `var p *T`, `var m map[K]V` declares without a value: nil."""
    out: set[str] = set()
    for node in walk_expr(stmt):
        if node.type == "var_spec" and node.child_by_field_name("value") is None:
            kind = node.child_by_field_name("type")
            if kind is not None and kind.type in ("slice_type", "pointer_type", "map_type"):
                out.update(text(n) for n in node.children_by_field_name("name"))
    return frozenset(out)


def _zero_int(stmt: Node) -> frozenset[str]:
    """The variables `var n int` declares without a value: 0."""
    out: set[str] = set()
    for node in walk_expr(stmt):
        if node.type == "var_spec" and node.child_by_field_name("value") is None:
            kind = node.child_by_field_name("type")
            if kind is not None and kind.type == "type_identifier" and text(kind) in INT_TYPES:
                out.update(text(n) for n in node.children_by_field_name("name"))
    return frozenset(out)


def _declared_within(stmt: Node) -> set[str]:
    """Every variable declared inside `stmt` (out of scope where it ends)."""
    out: set[str] = set()
    for node in walk_expr(stmt):
        kind = node.type
        if kind == "short_var_declaration":
            out |= _assigned(node)
        elif kind == "var_spec":
            out.update(text(n) for n in node.children_by_field_name("name"))
        elif kind in ("for_clause", "range_clause"):
            out |= _loop_declared(node)
        elif kind == "receive_statement" and any(c.type == ":=" for c in node.children):
            left = node.child_by_field_name("left")
            out |= {r for n in (left.named_children if left is not None else ()) for r in _target_roots(n)}
        elif kind == "type_switch_statement":
            alias = node.child_by_field_name("alias")
            if alias is not None:
                out |= {text(n) for n in walk_expr(alias) if n.type == "identifier"}
    return out


Atom = tuple[str, object]  # ("isnil", name), ("nonnil", name) or ("le", Lin): a condition on parameters


def _about(t: str, params: set[str]) -> bool:
    """A term that only reads parameters' values or lengths: `n`, `len(xs)`."""
    return t in params or (t.startswith("len(") and t[4:-1] in params)



def _prover(facts: Facts, *goals: Lin) -> Prover:
    extra = {t for g in goals for t, _ in g.terms}
    return Prover(facts.ineqs, facts.unequal, extra)


def _moved(facts: Facts, name: str, delta: int) -> Facts:
    """The facts once `name` has grown by `delta`: f(old) with old = new - delta."""

    def move(f: Lin) -> Lin:
        a = dict(f.terms).get(name, 0)
        return f.shift(-a * delta) if a else f

    return replace(facts, ineqs=frozenset(map(move, facts.ineqs)), unequal=frozenset(map(move, facts.unequal)))


def _dedupe(cases: list[Facts]) -> list[Facts]:
    return list(dict.fromkeys(cases))


def _squeeze(cases: list[Facts]) -> list[Facts]:
    """At most MAX_CASES cases: too many are joined by their nil facts (`proto == nil` or not, the
    facts that tell which branch set what) and their facts about plain variables (`lfs == 0,
    len(cnb) <= 0`: one branch set both), dropping first the facts that keep the most cases
    apart, or all into one."""
    if len(cases) <= MAX_CASES:
        return cases
    marks = [_marks(c) for c in cases]
    names = set().union(*marks)

    def groups(by: set[object]) -> dict[frozenset[object], list[Facts]]:
        out: dict[frozenset[object], list[Facts]] = {}
        for c, m in zip(cases, marks):
            out.setdefault(m & by, []).append(c)
        return out

    found = groups(names)
    while len(found) > MAX_CASES and names:  # tell fewer facts apart, dropping the least telling
        names.remove(min(sorted(names, key=repr), key=lambda n: len(groups(names - {n}))))
        found = groups(names)
    return [_join(g) for g in found.values()]


def _marks(c: Facts) -> frozenset[object]:
    """What tells a case apart: its nil facts, and its facts about variables, not fields."""
    return frozenset(c.isnil) | frozenset(("le", f) for f in _plain(c.ineqs)) | frozenset(
        ("ne", f) for f in _plain(c.unequal)
    )


def _plain(lins: frozenset[Lin]) -> frozenset[Lin]:
    """The facts about variables, not fields: those a call leaves alone in most cases."""
    return frozenset(f for f in lins if not any("." in t for t, _ in f.terms))


def _join(cases: list[Facts]) -> Facts:
    """What every case implies, as one case: of the closure of the first case, the facts the
    others prove too (not only the facts they state alike: `len(x) >= 2` in one case and
    `x == y, len(y) >= 5` in the other still give `len(x) >= 2`)."""
    live = [c for c in cases if not Prover(c.ineqs, c.unequal).infeasible]
    if not live:
        return _common(cases)
    first = live[0]
    ineqs, unequal = saturate(first.ineqs, first.unequal, lambda t: True), first.unequal
    for c in live[1:]:
        ineqs, unequal = entailed(ineqs, unequal, Prover(c.ineqs, c.unequal), c.unequal)
    return Facts(
        ineqs, unequal, frozenset.intersection(*(c.nonnil for c in live)), frozenset.intersection(*(c.isnil for c in live)),
        frozenset.intersection(*(c.dynamic for c in live)),
    )


def _common(cases: list[Facts]) -> Facts:
    """What every case knows, as one case."""
    return Facts(
        frozenset.intersection(*(c.ineqs for c in cases)),
        frozenset.intersection(*(c.unequal for c in cases)),
        frozenset.intersection(*(c.nonnil for c in cases)),
        frozenset.intersection(*(c.isnil for c in cases)),
        frozenset.intersection(*(c.dynamic for c in cases)),
    )


def _interface(t: str) -> bool:
    """Whether a value of (underlying) type `t` may be an interface: "" is not known."""
    return not t or t.startswith("interface{") or t in ("any", "error")


def _label(node: Node) -> str:
    """The label of a goto or labeled statement."""
    name = next((c for c in node.named_children if c.type == "label_name"), None)
    return text(name) if name is not None else ""


def _qualified(selector: Node) -> bool:
    """`time.Second`: a name selected from an identifier (maybe a package)."""
    operand = selector.child_by_field_name("operand")
    return operand is not None and operand.type == "identifier"


def _is_nil(node: Node) -> bool:
    node = unparen(node)
    return node.type == "nil" or (node.type == "identifier" and text(node) == "nil")


def _is_condition(node: Node) -> bool:
    """A comparison, or `!`, `&&`, `||` of expressions: a bool whose truth says something."""
    if node.type == "unary_expression":
        return text(node.child_by_field_name("operator")) == "!"
    return node.type == "binary_expression" and text(node.child_by_field_name("operator")) in (
        _COMPARISONS | {"&&", "||"}
    )


def _is_statement(node: Node) -> bool:
    return node.type.endswith("_statement") or node.type in (
        "short_var_declaration", "var_declaration", "const_declaration", "type_declaration", "block",
    )


def _dereference(node: Node) -> bool:
    """`*p` as a value, not the type of a conversion `(*T)(x)` (see panics.deref_panic)."""
    parent = node.parent
    if parent is not None and parent.type == "parenthesized_expression":
        holder = parent.parent
        if holder is not None and holder.type == "call_expression" and holder.child_by_field_name("function") == parent:
            return False
    return True


def _header(case: Node) -> list[Node]:
    """The expressions a select evaluates for one case before it waits: a send's channel and
    value, a receive's channel."""
    comm = case.child_by_field_name("communication") if case.type == "communication_case" else None
    if comm is None:
        return []
    if comm.type == "send_statement":
        return [n for n in (comm.child_by_field_name("channel"), comm.child_by_field_name("value")) if n is not None]
    receive = comm.child_by_field_name("right") if comm.type == "receive_statement" else comm
    receive = unparen(receive) if receive is not None else None
    if receive is not None and receive.type == "unary_expression":
        operand = receive.child_by_field_name("operand")
        return [operand] if operand is not None else []
    return [receive] if receive is not None else []


def _statements_before(container: Node, child: Node) -> list[Node]:
    out = []
    for s in container.named_children:
        if s == child:
            break
        if _is_statement(s):
            out.append(s)
    return out


def _calls_before(top: Node, node: Node, chain: list[Node], pure: Callable[[Node], bool]) -> list[Node]:
    """The calls of the statement `top` that may run before `node`. Go leaves the
    order of indexing and calls within one statement partly unspecified, so every call of the
    statement counts except those around `node` (they use its value) and those in nested blocks."""
    around = {n.id for n in chain}
    found: list[Node] = []
    stack = [top]
    while stack:
        n = stack.pop()
        if n.type in ("block", "statement_list", "func_literal") and n.id not in around:
            continue
        if n.type == "call_expression" and n.id not in around and _impure_call(n, pure):
            found.append(n)
            continue  # its arguments run with it
        stack.extend(n.children)
    return found


def _earlier_cases(case: Node) -> list[Node]:
    out = []
    sibling = case.prev_named_sibling
    while sibling is not None:
        if sibling.type == "expression_case":
            out.append(sibling)
        sibling = sibling.prev_named_sibling
    return out


def _impure_call(call: Node, pure: Callable[[Node], bool]) -> bool:
    fn = call.child_by_field_name("function")
    if fn is not None and unparen(fn).type == "identifier" and text(unparen(fn)) in _SAFE_CALLS:
        return False
    return not pure(call)


def _decl_scope(decl: Node) -> Node:
    """The node a declaration's variables live in: its block, the `if`/`for`/`switch` whose
    header declares them, the body of the function whose parameter it is."""
    if decl.type in ("parameter_declaration", "variadic_parameter_declaration"):
        fn = decl.parent.parent if decl.parent is not None else None
        body = fn.child_by_field_name("body") if fn is not None else None
        return body if body is not None else decl
    node = decl
    while node.parent is not None and node.parent.type in ("var_spec_list", "var_declaration", "for_clause"):
        node = node.parent
    return node.parent if node.parent is not None else node


def _in_for_clause(decl: Node) -> bool:
    return decl.parent is not None and decl.parent.type == "for_clause"


def _visible(decls: list[tuple[Node, Node]], at: Node) -> tuple[Node, Node] | None:
    """The declaration a use at `at` sees: the innermost scope holding `at` declared before it."""
    found = [d for d in decls if d[0].start_byte < at.start_byte and within(at, d[1])]
    if not found:
        return None
    return max(found, key=lambda d: (d[1].start_byte, -d[1].end_byte, d[0].start_byte))


_DECLARING = ("var_spec", "const_spec", "parameter_declaration", "variadic_parameter_declaration", "type_switch_statement")


def _dereferenced(name: Node) -> bool:
    """`*p` (in parentheses or not): a copy of what p points to."""
    node = name
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    parent = node.parent
    return parent is not None and parent.type == "unary_expression" and text(parent.child_by_field_name("operator")) == "*"


def _field_chain(name: Node) -> tuple[Node, Node] | None:
    """For a use of a variable as the root of `v.f`, `v.f.g[i]`, `(*v).f`: the whole chain and
    the selector of its first field; None for a use of `v` alone."""
    node = name
    while node.parent is not None and node.parent.type in ("parenthesized_expression", "unary_expression") and (
        node.parent.type == "parenthesized_expression" or text(node.parent.child_by_field_name("operator")) == "*"
    ):
        node = node.parent
    parent = node.parent
    if parent is None or parent.type != "selector_expression" or parent.child_by_field_name("operand") != node:
        return None
    top = parent
    while top.parent is not None and top.parent.type in (
        "selector_expression", "index_expression", "parenthesized_expression"
    ) and (top.parent.type == "parenthesized_expression" or top.parent.child_by_field_name("operand") == top):
        top = top.parent
    return top, parent


def _selects_beyond(selector: Node) -> bool:
    """Whether the field `v.f` is the operand of another selector (`v.f.g`, `v.f.M`)."""
    node = selector
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    parent = node.parent
    return parent is not None and parent.type == "selector_expression" and parent.child_by_field_name("operand") == node


def _written_whole(target: Node) -> bool:
    """Whether `target` (or what encloses it up to the statement) is assigned, incremented,
    bound by a range or receive, or has its address taken, slices included (`v.arr[:]`)."""
    node = target
    while node.parent is not None and node.parent.type in ("parenthesized_expression", "unary_expression"):
        if node.parent.type == "unary_expression" and text(node.parent.child_by_field_name("operator")) == "&":
            return True
        if node.parent.type == "unary_expression" and text(node.parent.child_by_field_name("operator")) != "*":
            break
        node = node.parent
    parent = node.parent
    if parent is None:
        return False
    if parent.type == "slice_expression" and parent.child_by_field_name("operand") == node:
        return True
    if parent.type in ("inc_statement", "dec_statement"):
        return True
    if parent.type == "expression_list" and parent.parent is not None and parent.parent.type in (
        "assignment_statement", "short_var_declaration", "range_clause", "receive_statement"
    ):
        return parent.parent.child_by_field_name("left") == parent
    return False


def _target_roots(target: Node) -> set[str]:
    target = unparen(target)
    while target.type in ("selector_expression", "index_expression", "slice_expression", "parenthesized_expression"):
        inner = target.child_by_field_name("operand") if target.type != "parenthesized_expression" else (
            target.named_children[0] if target.named_child_count else None
        )
        if inner is None:
            return set()
        target = inner
    if target.type == "identifier":
        return {text(target)}
    return set()


def _assigned(stmt: Node, slot: Callable[[Node], bool] = _no_slot) -> set[str]:
    """The variables a statement writes (the root of `x.f = ..`, `x[i] = ..`); `slot` tells
    the `xs[k]` whose write changes no term (see Paths.scalar_slot)."""
    if stmt.type in ("inc_statement", "dec_statement"):
        inner = stmt.named_children[0] if stmt.named_child_count else None
        if inner is None or (unparen(inner).type == "index_expression" and slot(unparen(inner))):
            return set()
        return _target_roots(inner)
    left = stmt.child_by_field_name("left")
    out: set[str] = set()
    for n in left.named_children if left is not None else ():
        if stmt.type == "assignment_statement" and unparen(n).type == "index_expression" and slot(unparen(n)):
            continue
        out |= _target_roots(n)
    return out


def _declared(stmt: Node) -> set[str]:
    if stmt.type == "short_var_declaration":
        return _assigned(stmt)
    out: set[str] = set()
    for node in walk_expr(stmt):
        if node.type == "var_spec":
            out.update(text(n) for n in node.children_by_field_name("name"))
    return out


def _all_assigned(stmt: Node, slot: Callable[[Node], bool] = _no_slot, copies: bool = True) -> set[str]:
    """The variables `stmt` may write or declare; without the names only `i := i` declares
    when not `copies` (a new variable with the same value: a loop's `i` stays in range)."""
    out: set[str] = set()
    for node in walk_expr(stmt):
        kind = node.type
        if kind == "short_var_declaration" and not copies and _self_copy(node):
            continue
        if kind in ("assignment_statement", "short_var_declaration", "inc_statement", "dec_statement"):
            out |= _assigned(node, slot)
        elif kind == "var_spec":
            out.update(text(n) for n in node.children_by_field_name("name"))
        elif kind in ("range_clause", "receive_statement"):
            left = node.child_by_field_name("left")
            for n in left.named_children if left is not None else ():
                out |= _target_roots(n)
        elif kind == "type_switch_statement":
            alias = node.child_by_field_name("alias")
            if alias is not None:
                out |= {text(n) for n in walk_expr(alias) if n.type == "identifier"}
    return out


def _self_copy(stmt: Node) -> bool:
    """`i := i` or `a, b := a, b`: each new variable gets the value of the one it shadows."""
    left, right = stmt.child_by_field_name("left"), stmt.child_by_field_name("right")
    lefts = left.named_children if left is not None else []
    rights = [unparen(r) for r in right.named_children] if right is not None else []
    return bool(lefts) and len(lefts) == len(rights) and all(
        l.type == "identifier" and r.type == "identifier" and text(l) == text(r) != "_" for l, r in zip(lefts, rights)
    )


def _impure(stmt: Node, pure: Callable[[Node], bool]) -> bool:
    """Whether running `stmt` may call code or wait (other code may then change fields)."""
    for node in walk_expr(stmt):
        kind = node.type
        if kind == "call_expression" and _impure_call(node, pure):
            return True
        elif kind in ("send_statement", "select_statement", "go_statement", "defer_statement", "range_clause"):
            return True
        elif kind == "unary_expression" and text(node.child_by_field_name("operator")) == "<-":
            return True
    return False


def _waits_only(stmt: Node, pure: Callable[[Node], bool]) -> bool:
    """Whether `stmt` lets other code run only by waiting on channels: no call, `go`, `defer`,
    range, function literal, nor a lock's Unlock handed out as a value (any of these may
    change what is locked, or run code of this goroutine)."""
    for node in walk_expr(stmt):
        kind = node.type
        if kind == "call_expression" and _impure_call(node, pure):
            return False
        if kind in ("go_statement", "defer_statement", "range_clause", "func_literal"):
            return False
        if kind == "selector_expression" and text(node.child_by_field_name("field")) in ("Unlock", "RUnlock"):
            return False
    return True


def _field_owner(t: str) -> str:
    """`b` for the terms `b.backlog` and `len(b.backlog)`; "" for a term that is no field."""
    inner = t[4:-1] if t.startswith(("len(", "cap(")) else t
    return inner.rsplit(".", 1)[0] if "." in inner and "(" not in inner else ""


def _writes_through_pointer(stmt: Node) -> bool:
    """`*p = ..`: may change any field or package variable."""
    for node in walk_expr(stmt):
        if node.type in ("assignment_statement", "inc_statement", "dec_statement"):
            left = node.child_by_field_name("left") if node.type == "assignment_statement" else node
            for n in left.named_children if left is not None else ():
                n = unparen(n)
                if n.type == "unary_expression" and text(n.child_by_field_name("operator")) == "*":
                    return True
    return False
