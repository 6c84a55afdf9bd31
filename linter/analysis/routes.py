"""Under which conditions on its parameters a function can panic.

`func (c *ctx) cancel(err error) { if err == nil { panic(..) }; ... }` panics only
when err is nil, so a caller that passes an error it has just checked cannot make
it panic. A route is one way to a panic: an explicit panic, or a call to a
package function with a route the call site does not rule out. Its guard is what
every path to it knows about the function's parameters (see paths.Paths.conditions);
an empty guard means it can panic whatever the arguments. The routes of the
functions a query reaches are a least fixpoint, so a recursive call made after
the check (`child.cancel(err)` inside cancel) adds no route.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

from linter.analysis.escape import Fields
from linter.analysis.functions import Function
from linter.analysis.imports import LOG
from linter.analysis.linear import Lin
from linter.analysis.panics import explicit_panic
from linter.analysis.paths import Atom, Paths
from linter.analysis.syntax import call_args, text, unparen, walk_expr
from linter.analysis.types import squash

if TYPE_CHECKING:
    from linter.analysis.package import Package

Guard = frozenset[Atom]
UNCONDITIONAL: frozenset[Guard] = frozenset({frozenset()})
MAX_FUNCTIONS = 400  # a larger call graph is not worked out: its functions may panic unconditionally
MAX_GUARDS = 8  # more guards than this on one function: it may panic unconditionally


class Routes:
    def __init__(self, pkg: "Package"):
        self.pkg = pkg
        self._known: dict[int, frozenset[Guard] | None] = {}
        self._sites: dict[int, tuple[list[Node], list[tuple[Node, list[Function]]]] | None] = {}

    def of(self, fn: Function) -> frozenset[Guard] | None:
        """The guards of fn's routes to a panic (empty: it cannot panic); None when not worked out."""
        if id(fn) not in self._known:
            group = self._reachable(fn)
            if group is None:
                self._known[id(fn)] = None
            else:
                self._solve(group)
        return self._known[id(fn)]

    def ruled_out(self, caller: Function, call: Node, target: Function) -> bool:
        """Whether no route of `target` can be taken from this call in `caller`."""
        guards = self.of(target)
        paths = self.pkg.paths(caller)
        if guards is None or paths is None or _deferred(call):
            return False
        args = _arguments(call, target, self.pkg._struct_fields(target))
        return all(paths.refutes(call, guard, args) for guard in guards)

    # --------------------------------------------------------------------------------------------

    def sites(self, fn: Function) -> tuple[list[Node], list[tuple[Node, list[Function]]]] | None:
        """fn's explicit panics and its calls of package functions; None when it recovers."""
        if id(fn) in self._sites:
            return self._sites[id(fn)]
        found: tuple[list[Node], list[tuple[Node, list[Function]]]] | None = None
        body = fn.body
        if not self.pkg.recovers(fn):
            explicit: list[Node] = []
            calls: list[tuple[Node, list[Function]]] = []
            log = self.pkg.imports(fn.file).of(LOG)
            for node in walk_expr(body) if body is not None else ():
                if node.type != "call_expression" or (node.parent is not None and node.parent.type == "go_statement"):
                    continue  # a goroutine's panic is not the caller's
                if explicit_panic(node, log, self.pkg.extra_panickers):
                    explicit.append(node)
                    continue
                targets = self.pkg.resolve(fn, node)
                if targets:
                    calls.append((node, targets))
            found = (explicit, calls)
        self._sites[id(fn)] = found
        return found

    def _reachable(self, fn: Function) -> list[Function] | None:
        group: list[Function] = []
        seen = {id(fn)}
        todo = [fn]
        while todo:
            current = todo.pop()
            group.append(current)
            if len(group) > MAX_FUNCTIONS:
                return None
            sites = self.sites(current)
            for _, targets in sites[1] if sites is not None else ():
                for t in targets:
                    if id(t) not in seen and id(t) not in self._known:
                        seen.add(id(t))
                        todo.append(t)
        return group

    def _solve(self, group: list[Function]) -> None:
        routes: dict[int, set[Guard]] = {id(f): set() for f in group}
        fixed: dict[int, set[str]] = {}
        for f in group:
            paths = self.pkg.paths(f)
            names = {n for n in (*f.params, f.receiver) if n and n != "_"}
            fixed[id(f)] = paths.fixed(names) if paths is not None else set()
            if paths is not None:
                fixed[id(f)] |= self._fixed_fields(f, paths)
            sites = self.sites(f)
            if sites is None:
                continue
            for node in sites[0]:
                routes[id(f)].add(paths.conditions(node, fixed[id(f)]) if paths is not None else frozenset())
        changed = True
        while changed:
            changed = False
            for f in group:
                sites = self.sites(f)
                paths = self.pkg.paths(f)
                mine = routes[id(f)]
                if sites is None or frozenset() in mine:
                    continue  # it already panics whatever the arguments
                for call, targets in sites[1]:
                    for g in targets:
                        theirs = routes.get(id(g))
                        guards = theirs if theirs is not None else (self._known.get(id(g)) or UNCONDITIONAL)
                        for guard in list(guards):
                            new = self._through(f, paths, fixed[id(f)], call, g, guard)
                            if new is not None and new not in mine:
                                mine.add(new)
                                changed = True
                if len(mine) > MAX_GUARDS or (mine and frozenset() in mine and len(mine) > 1):
                    if mine != set(UNCONDITIONAL):
                        routes[id(f)] = mine = set(UNCONDITIONAL)
                        changed = True
        for f in group:
            self._known[id(f)] = frozenset(routes[id(f)])

    def _fixed_fields(self, f: Function, paths: Paths) -> set[str]:
        """The fields of f's struct parameters (by value, or a pointer the caller may allocate
        fresh) that keep the caller's value all through f (see Paths.fixed_fields)."""
        out: set[str] = set()
        declared = self.pkg._struct_fields(f)
        for name, t in f.params.items():
            if not name or name == "_":
                continue
            fields = declared(t.removeprefix("*"))
            if fields:
                out |= paths.fixed_fields(name, fields, t.startswith("*"))
        return out

    def _through(self, f: Function, paths: Paths | None, fixed: set[str], call: Node, g: Function,
                 guard: Guard) -> Guard | None:
        """The guard of f's route through `call` to g's route with `guard`; None when the call rules it out."""
        if paths is None:
            return frozenset()
        args = _arguments(call, g, self.pkg._struct_fields(g))
        deferred = _deferred(call)
        if not deferred and paths.refutes(call, guard, args):
            return None
        out = set(paths.conditions(call, fixed)) if not deferred else set()
        for what, value in guard:  # the callee's condition, in f's parameters where it can be
            if isinstance(value, str):
                arg = args.get(value)
                arg = unparen(arg) if arg is not None else None
                if arg is not None and arg.type == "identifier" and text(arg) in fixed:
                    out.add((what, text(arg)))
            elif isinstance(value, Lin):
                lin = paths.substitute(value, args)
                if lin is not None and all(t in fixed or (t.startswith("len(") and t[4:-1] in fixed)
                                           for t, _ in lin.terms):
                    out.add(("le", lin))
        return frozenset(out)


def _arguments(call: Node, target: Function, fields: Fields) -> dict[str, Node | None]:
    """The argument each of the target's parameters (and its receiver) gets at this call, and
    for a keyed composite literal of the parameter's struct type (`T{F: v}`, or `&T{F: v}`, a
    fresh object, for a `*T`), each declared field `p.F` with its value: None for the zero
    value of a field the literal leaves out."""
    out: dict[str, Node | None] = {}
    args = call_args(call)
    params = target.node.child_by_field_name("parameters")
    variadic = params is not None and any(p.type == "variadic_parameter_declaration" for p in params.named_children)
    if len(args) == len(target.params) and not variadic:
        for (name, t), arg in zip(target.params.items(), args):
            if name and name != "_":
                out[name] = arg
                out.update(_literal_fields(name, t, arg, fields))
    fn = call.child_by_field_name("function")
    fn = unparen(fn) if fn is not None else None
    if target.receiver and fn is not None and fn.type == "selector_expression":
        operand = fn.child_by_field_name("operand")
        if operand is not None:
            out[target.receiver] = operand
    return out


def _literal_fields(name: str, t: str, arg: Node, fields: Fields) -> dict[str, Node | None]:
    """`name.F` -> the value a composite literal argument gives each field its type declares
    (None: left out, the zero value); empty unless every element is keyed by a field name."""
    value = unparen(arg)
    if t.startswith("*"):
        if value.type != "unary_expression" or text(value.child_by_field_name("operator")) != "&":
            return {}
        operand = value.child_by_field_name("operand")
        value = unparen(operand) if operand is not None else value
    declared = fields(t.removeprefix("*"))
    body = value.child_by_field_name("body")
    if value.type != "composite_literal" or squash(value.child_by_field_name("type")) != t.removeprefix("*"):
        return {}
    if declared is None or body is None:
        return {}
    given: dict[str, Node | None] = dict.fromkeys(declared)
    for element in body.named_children:
        if element.type == "comment":
            continue
        key, val = element.child_by_field_name("key"), element.child_by_field_name("value")
        if element.type != "keyed_element" or key is None or val is None or text(key) not in given:
            return {}
        val = val.named_children[0] if val.type == "literal_element" and val.named_child_count else val
        given[text(key)] = val
    return {f"{name}.{k}": v for k, v in given.items()}


def _deferred(call: Node) -> bool:
    """A deferred call runs at return, when the facts of its statement may no longer hold."""
    parent = call.parent
    return parent is not None and parent.type == "defer_statement"
