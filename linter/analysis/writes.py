"""What a call may change of the terms a caller's path facts read: fields, variables, lengths.

Path facts (linter.analysis.paths) are about locals, fields (`ae.entries`,
`len(s.xs)`) and package variables. A call used to forget every fact on a
field or package variable; with this summary it forgets only those on a
field the call may write, by name (`n.peers = ..` changes the terms with a
`.peers` in them, under any root: any two pointers may alias), on a variable
it may assign, and, if it may insert into or delete from a map, on lengths.
Writing a struct value (`*p = T{}`, `x.inner = Inner{}`, `xs[k] = T{}`) writes
every field that value holds by value, nested structs included.

The summary is transitive over the package's call graph, computed for a
function the first time a caller needs it (only for calls between a fact
and its use). A call that leaves the package (another package's function,
a method of an interface another package may implement, a function value)
writes the package's external set (`CallWrites.external`): what Go's
visibility lets other packages' code reach, and what the package's code it
can call back writes. Standard calls linter.analysis.library lists are
followed more closely: they run nothing (`strconv.Itoa`,
`binary.LittleEndian.Uint32`), the package's String, Error, Format and
GoString methods (`fmt.Sprintf`), its Len, Less and Swap methods
(`sort.Sort`), or the less function literal (`sort.Slice`, which also
permutes the slice's elements). A summary is None, "anything", when the
function writes through a pointer of unknown type or a target whose type is
unknown, or when the external set is itself unknown.

A callee that may synchronise with other goroutines (a lock, a channel
operation, a `go`, another package's code) `waits`: the caller then also
forgets what other goroutines may change meanwhile, as it does at its own
waits (see Paths). One that unlocks a mutex it has not locked itself
`releases`: what the caller's lock guards may change too. A function that
unlocks only what it locked releases nothing of its caller's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable

from tree_sitter import Node

from linter.analysis import library
from linter.analysis.calls import base_type
from linter.analysis.functions import Function
from linter.analysis.lockstate import EMPTY, analyse
from linter.analysis.ops import OpKind
from linter.analysis.syntax import call_args, text, unparen, walk_expr
from linter.analysis.types import SCALAR_TYPES, element_type

if TYPE_CHECKING:
    from linter.analysis.package import Package

MAX_REACH = 400  # functions followed for one summary; more and it is "anything"
_SIZE = re.compile(r"(?<![.\w])(?:len|cap)\(([^()]*)\)")
_PATH = re.compile(r"(?<![.\w])[A-Za-z_]\w*((?:\.[A-Za-z_]\w*)*)")
_LOCKS = frozenset({"Lock", "Unlock", "RLock", "RUnlock", "TryLock", "TryRLock"})
_BUILTINS = frozenset({  # change no term (but see _SIZES)
    "len", "cap", "new", "make", "append", "panic", "print", "println", "recover", "complex", "real", "imag",
    "min", "max", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64",
    "uintptr", "float32", "float64", "string", "byte", "rune", "bool", "complex64", "complex128",
})
_SIZES = frozenset({"delete", "clear"})  # change the length of a map
_VALUELESS = ("*", "[]", "map[", "chan", "<-chan", "func", "interface")  # types that hold no field by value


@dataclass(frozen=True, slots=True)
class Writes:
    """What running a call may change, besides the callee's own locals."""

    fields: frozenset[str] = frozenset()  # names of the fields it may write, of any struct
    names: frozenset[str] = frozenset()  # variables not its own it may assign (package or captured)
    sizes: bool = False  # may insert into or delete from a map
    exported: bool = False  # may write inside a struct value of another package (its exported fields)
    waits: bool = False  # may synchronise with other goroutines
    releases: bool = False  # may unlock a mutex (its caller's: what it guards may then change too)
    external: bool = False  # may run another package's code: also what CallWrites.external writes
    variable_sizes: bool = False  # may change the length of a map a variable holds (`len(m)`)

    def union(self, other: "Writes") -> "Writes":
        return Writes(
            self.fields | other.fields, self.names | other.names, self.sizes or other.sizes,
            self.exported or other.exported, self.waits or other.waits, self.releases or other.releases,
            self.external or other.external, self.variable_sizes or other.variable_sizes,
        )

    def changes(self, key: str) -> bool:
        """Whether the term (`s.xs`, `len(a.b.c)`, `n`) may read what the call writes."""
        if (self.sizes or self.variable_sizes) and ("len(" in key or "cap(" in key):
            # `len(m)`, also inside `(len(m)+1)/2` or `uint32(len(m))`
            if self.sizes or any("." not in inner for inner in _SIZE.findall(key)):
                return True
        for m in _PATH.finditer(key):
            root = m.group(0).split(".", 1)[0]
            if root in self.names:
                return True
            for name in m.group(1).split(".")[1:]:
                if name in self.fields or (self.exported and name[:1].isupper()):
                    return True
        return False


NOTHING = Writes()
WAITS = Writes(waits=True)
RELEASES = Writes(waits=True, releases=True)
EXTERNAL = Writes(waits=True, external=True)
_MUTEXES = frozenset({"sync.Mutex", "sync.RWMutex"})
_UNSET = Writes(names=frozenset({"<unset>"}))
# a word of Go source, and whether a `(` follows it, skipping comments and string and rune literals
_WORDS = re.compile(rb'''//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|`[^`]*`|'(?:\\.|[^'\\\n])*'|([A-Za-z_]\w*)\s*(\()?''', re.S)
_ADDRESS = re.compile(rb"(?<!&)&(?![&=^])")  # an address taken, not `&&`, `&=` or `&^`


class CallWrites:
    """The Writes of the package's functions, each computed on first question."""

    def __init__(self, pkg: "Package", library_name: Callable[[Function, Node], str]):
        self.pkg = pkg
        self.library_name = library_name  # "sort.Slice" for a call of a standard function listed in library
        self._local: dict[int, tuple[Writes | None, list[Function]]] = {}
        self._closed: dict[int, Writes | None] = {}
        self._nodes: dict[int, Writes | None] = {}
        self._external: Writes | None = _UNSET
        self._addresses: Writes | None = _UNSET  # what the addresses the package takes may reach
        self._maps: Writes | None = None  # what inserting into a map may change (see _map_sizes)

    def of_node(self, fn: Function, node: Node) -> Writes | None:
        """What running the statement or expression `node` of `fn` may change (the calls it makes
        included, not the function literals it only defines); None for anything."""
        if node.id in self._nodes:
            return self._nodes[node.id]
        local = self._of_node(fn, node)
        if local is not None and local.external:
            outside = self.external()
            local = replace(local.union(outside), external=False) if outside is not None else None
        self._nodes[node.id] = local
        return local

    def _of_node(self, fn: Function, node: Node) -> Writes | None:
        """`of_node` before adding what other packages' code writes (`external` still set)."""
        local, targets = self._summarise(fn, node)
        for target in targets:
            if local is None:
                break
            found = self.of_function(target)
            local = local.union(found) if found is not None else None
        return local

    def of_function(self, fn: Function) -> Writes | None:
        """What running `fn` may change (its callees included, `external` set when they may
        run another package's code); None for anything."""
        if id(fn) in self._closed:
            return self._closed[id(fn)]
        out: Writes | None = NOTHING
        seen = {id(fn)}
        todo = [fn]
        while todo and out is not None:
            f = todo.pop()
            if id(f) in self._closed and f is not fn:
                found = self._closed[id(f)]
                out = out.union(found) if found is not None else None
                continue
            local, callees = self.local(f)
            if local is None or len(seen) > MAX_REACH:
                out = None
                break
            out = out.union(local)
            for c in callees:
                if id(c) not in seen:
                    seen.add(id(c))
                    todo.append(c)
        self._closed[id(fn)] = out
        return out

    def local(self, fn: Function) -> tuple[Writes | None, list[Function]]:
        """What `fn`'s own statements may change, and the package functions it calls."""
        found = self._local.get(id(fn))
        if found is None:
            found = self._summarise(fn, fn.body) if fn.body is not None else (None, [])
            if found[0] is not None and found[0].releases and self._balanced(fn):
                found = (replace(found[0], releases=False), found[1])
            found = self._local[id(fn)] = found
        return found

    def _balanced(self, fn: Function) -> bool:
        """Whether `fn` unlocks only mutexes it has locked itself (`mu.Lock(); defer mu.Unlock()`):
        then it never releases a lock its caller holds (taking it again would deadlock, a read
        lock stays held by the caller), though it still waits. Every unlock must be one the
        lock-state analysis follows, of a mutex held there on every path."""
        pkg = self.pkg
        graph = pkg.cfg(fn)
        if graph is None or pkg.effects(fn).expects:
            return False
        # held on every path, not under a flag (`if !locked { mu.Lock() }; mu.Unlock()` releases
        # its caller's lock when locked)
        events = analyse(graph, pkg.ops_of(fn), pkg.effects_table.expander(fn), EMPTY, must=True,
                         unchanged=pkg.unchanged_flag(fn))
        unlocks = {ev.op.node.id for ev in events if ev.op.kind in (OpKind.RELEASE, OpKind.DEFER_RELEASE)
                   and any(not h.guard for h in ev.state.holding(ev.op.mutex))}
        for node in walk_expr(fn.body):
            if node.type == "call_expression":
                target = unparen(node.child_by_field_name("function"))
                if target.type == "selector_expression" and "Unlock" in text(target.child_by_field_name("field")):
                    deferred = node.parent is not None and node.parent.type == "defer_statement"
                    if (node.parent.id if deferred else node.id) not in unlocks:
                        return False
        return True

    def _summarise(self, fn: Function, body: Node) -> tuple[Writes | None, list[Function]]:
        out = NOTHING
        callees: list[Function] = []
        for node in walk_expr(body):
            kind = node.type
            if kind == "call_expression":
                local, targets = self._call(fn, node)
                if local is None:
                    return None, []
                out = out.union(local)
                callees.extend(targets)
                continue
            if kind in ("send_statement", "select_statement", "go_statement"):
                out = out.union(WAITS)
            elif kind == "unary_expression" and text(node.child_by_field_name("operator")) == "<-":
                out = out.union(WAITS)
            elif kind == "range_clause":
                ranged = self._range(fn, node)
                if ranged is None:
                    return None, []
                out = out.union(ranged)
            targets = _targets(node)
            for target in targets:
                written = self._target(fn, target)
                if written is None:
                    return None, []
                out = out.union(written)
        return out, list({id(c): c for c in callees}.values())

    def _range(self, fn: Function, clause: Node) -> Writes | None:
        """A range over a slice, array, string, map or integer changes nothing, over a channel it
        waits; over a function (an iterator) or a value of unknown type it calls a function value."""
        right = clause.child_by_field_name("right")
        t = self.pkg.types.underlying(self.pkg.scope(fn).type_of(right)) if right is not None else ""
        if t.startswith(("[", "map[", "*[")) or t in SCALAR_TYPES:
            return NOTHING
        # a channel waits; a value of unknown type may be a function (an iterator): a function value
        return WAITS if t.startswith(("chan", "<-chan")) else EXTERNAL

    def _call(self, fn: Function, call: Node) -> tuple[Writes | None, list[Function]]:
        """What the call itself does (without its package targets' bodies), and those targets."""
        target = call.child_by_field_name("function")
        target = unparen(target) if target is not None else None
        if target is None:
            return None, []
        if target.type == "selector_expression" and self._dynamic(fn, target):
            # another package may implement the interface; the package's own methods of the name too
            return self._outside(fn, call), self._methods((text(target.child_by_field_name("field")),))
        targets = self.pkg.resolve(fn, call)
        if targets:
            return NOTHING, targets
        names = self.pkg.scope(fn).names
        if target.type == "identifier":
            name = text(target)
            if name in names:
                return self._outside(fn, call), []  # a function value: a literal, one let out, or another package's
            if name in _BUILTINS or name in self.pkg.types.named:  # a builtin or a conversion
                return NOTHING, []
            if name in _SIZES:
                return Writes(sizes=True), []
            if name == "close":
                return WAITS, []
            if name == "copy":
                args = call.child_by_field_name("arguments")
                first = args.named_children[0] if args is not None and args.named_child_count else None
                return self._elements(fn, first) if first is not None else None, []
            # a variable of function type; or a function of the package that no file of this build declares
            return self._outside(fn, call), list(self.pkg.resolver.functions.get(name, ()))
        if target.type in ("slice_type", "array_type", "map_type", "pointer_type", "channel_type",
                           "function_type", "interface_type", "qualified_type"):
            return NOTHING, []  # a conversion
        if target.type == "parenthesized_expression":  # `(*T)(x)` converts; `(*f)(x)` calls
            inner = unparen(target)
            operand = inner.child_by_field_name("operand") if inner.type == "unary_expression" else None
            named = operand is not None and operand.type == "identifier" and text(operand) in self.pkg.types.named
            return (NOTHING, []) if inner.type == "pointer_type" or named else (self._outside(fn, call), [])
        if target.type == "selector_expression":
            method = text(target.child_by_field_name("field"))
            if method in _LOCKS and not self._package_locker(method):
                return (RELEASES if "Unlock" in method else WAITS), []
            found, targets = self._library(fn, call)
            # not resolved (a receiver of unknown type, another build's file): any method of the name
            return found, targets if found is None or not found.external else self._methods((method,))
        return self._outside(fn, call), []  # a function value: `fs[i]()`, `f()()`

    def _library(self, fn: Function, call: Node) -> tuple[Writes | None, list[Function]]:
        """A standard call: what it writes, and the package functions it may call back (see the
        tables of linter.analysis.library); None for a call not listed there."""
        which = self.library_name(fn, call)
        if which in library.PURE or which in library.CALLS_NOTHING:
            return NOTHING, []
        if which in library.FORMATS:
            return NOTHING, self._methods(library.FORMAT_METHODS)
        if which in library.SORTS:
            return NOTHING, self._methods(library.SORT_METHODS)
        args = call.child_by_field_name("arguments")
        if which in library.SORTS_BY and args is not None and args.named_child_count == 2:
            xs, less = args.named_children
            if unparen(less).type != "func_literal":
                return self._outside(fn, call), []
            permuted = self._elements(fn, xs)
            called = self._of_node(fn, unparen(less))
            return (permuted.union(called) if permuted is not None and called is not None else None), []
        return self._outside(fn, call), []

    def _outside(self, fn: Function, call: Node) -> Writes | None:
        """A call that may run another package's code: what that code may write (EXTERNAL, see
        `external`), and the elements of the slices it is given, which it may reorder or copy
        over without naming their type (sort.Slice swaps them by reflection)."""
        out: Writes | None = EXTERNAL
        for arg in call_args(call):
            t = self.pkg.types.underlying(self.pkg.scope(fn).type_of(arg))
            if t.startswith("[]") and out is not None:
                held = self._held(element_type(t))
                out = out.union(held) if held is not None else None
        return out

    def external(self) -> Writes | None:
        """What code of another package may change when the package calls it (through an
        interface, a function value or a call it cannot follow); None for anything.

        Go's visibility bounds it: such code cannot name an unexported field or package
        variable, nor (unless it imports this package) any of its types. It can write exported
        fields of any struct (by name or by reflection) and whatever those hold by value (an
        exported embedded struct carries the unexported fields promoted from it), the length of
        any map it may have been given (a field or variable that may hold one), whole values
        of the package's exported types (`*p = pkg.T{}` in an importer), exported package
        variables, and what is reachable through addresses the package takes (`&v`, `&x.f`,
        handed to `flag.IntVar`). And it can call back the package: every exported function
        and method (by name, or through an interface), every function literal and every
        function or method used as a value, and so all these transitively write. It may
        synchronise; it may unlock a mutex when a callback does or when the package lets a
        mutex out (embedded in a type, so the type's values are sync.Lockers; an exported or
        pointer field of mutex type; `&mu`; `RLocker()`).

        Not covered: reflection and unsafe beyond that, a generic function of another package
        writing whole values through a pointer it is given, and `*p = *q` by an importer on an
        unexported type it gets through an exported function."""
        if self._external is not _UNSET:
            return self._external
        self._external = None  # while computing: a nested question gets "anything"
        functions = self.pkg.functions
        seen: set[int] = set()
        # the callbacks first: most often one of them runs code lockjaw cannot follow, and then
        # the rest need not be computed
        out = self._reach([f for f in functions if f.is_literal or f.name[:1].isupper()], seen)
        let_out = self._values() if out is not None else set()
        if out is not None:
            out = _union(out, self._reach([f for f in functions if f.name in let_out], seen))
        types = self.pkg.types
        if out is not None:
            out = out.union(Writes(
                names=frozenset(v for v in types.vars if v[:1].isupper()), exported=True, waits=True,
                releases=self._lets_mutex_out(let_out),
            ))
            # a map is a reference: code of another package given one (`ext.Fill(s.counts)`, even
            # long before) may insert into it whenever it runs
            out = out.union(Writes(
                fields=frozenset(n for fs in types.fields.values() for n, t in fs.items() if self._may_be_map(t)),
                names=frozenset(v for v, t in types.vars.items() if self._may_be_map(t)), variable_sizes=True,
            ))
        for declared in types.fields.values():
            for name, t in declared.items():
                if out is not None and name[:1].isupper():
                    out = _union(out, self._held(t))
                    embedded = t.lstrip("*").split("[", 1)[0]
                    if t.startswith("*") and embedded == name:  # replacing it changes the fields promoted from it
                        out = out.union(Writes(fields=frozenset(types.fields.get(embedded, ()))))
        for named in types.named:  # an importer may write a whole value: `*p = pkg.T{}`
            if out is not None and named[:1].isupper():
                out = _union(out, self._held(named))
        if out is not None:
            out = _union(out, self._addressed_at_top())
        for f in functions:
            if out is None:
                break
            if f.body is not None and _ADDRESS.search(f.file.data, f.body.start_byte, f.body.end_byte):
                out = _union(out, self._addressed(f))
        self._external = replace(out, external=False) if out is not None else None
        return self._external

    def _may_be_map(self, t: str) -> bool:
        """Whether a field or variable of declared type `t` may hold a map (another package's
        named type may be one)."""
        if not t or self.pkg.types.is_map(t):
            return True
        return "." in t and not t.startswith(("*", "[", "func", "chan", "<-chan", "interface", "struct"))

    def _reach(self, entries: list[Function], seen: set[int]) -> Writes | None:
        """What running `entries` may write, their callees included (`seen`: already counted)."""
        out: Writes | None = NOTHING
        entries = [f for f in entries if id(f) not in seen]
        seen.update(id(f) for f in entries)
        while entries and out is not None:
            local, callees = self.local(entries.pop())
            out = _union(out, local)
            for c in callees:
                if id(c) not in seen:
                    seen.add(id(c))
                    entries.append(c)
        return out

    def _values(self) -> set[str]:
        """The names used as values, not called (`hook = (*T).grow`, `go run(f)`): the package's
        functions and methods of those names are let out. Read from the words of the source
        outside comments and strings; a word not followed by `(` counts (a declaration's name is)."""
        out: set[str] = set()
        for f in self.pkg.files:
            for m in _WORDS.finditer(f.data):
                if m.group(1) is not None and not m.group(2):
                    out.add(m.group(1).decode())
        return out

    def _addressed(self, fn: Function) -> Writes | None:
        """What code given the addresses `fn` takes may write (`&v`, `&x.f`, `&xs[i]`)."""
        out: Writes | None = NOTHING
        for node in walk_expr(fn.body):
            operand = _addressed_variable(node)
            if operand is None:
                continue
            if self.pkg.types.underlying(self.pkg.scope(fn).type_of(operand)) in _MUTEXES:
                out = out.union(RELEASES)  # `sync.NewCond(&mu)`: Wait unlocks it
            if operand.type == "identifier" and text(operand) in self.pkg.own_names(fn):
                # a local: paths distrusts it (forgets it where a call may write it), by name
                held = self._held(self.pkg.scope(fn).type_of(operand))
                out = out.union(Writes(names=frozenset({text(operand)}))).union(held) if held is not None else None
            else:
                out = _union(out, self._target(fn, operand))
            if out is None:
                break
        return out

    def _addressed_at_top(self) -> Writes | None:
        """What code given the addresses package variable initializers take may write (`&v`);
        None for any other address (`&v.f`: its type is not followed here)."""
        out: Writes | None = NOTHING
        for f in self.pkg.files:
            for decl in f.root.named_children:
                if decl.type != "var_declaration":
                    continue
                for node in walk_expr(decl, into_literals=False):
                    operand = _addressed_variable(node)
                    if operand is None:
                        continue
                    if operand.type != "identifier":
                        return None
                    name = text(operand)
                    t = self.pkg.types.vars.get(name, "")
                    held = self._held(t) if t else None
                    if held is None:
                        return None
                    out = out.union(Writes(names=frozenset({name}), releases=t in _MUTEXES)).union(held)
        return out

    def _lets_mutex_out(self, values: set[str]) -> bool:
        """Whether code of another package may get hold of one of the package's mutexes, or of
        its Unlock as a function value (`values`: names used as values)."""
        if "Unlock" in values or "RUnlock" in values:
            return True
        for name, t in self.pkg.types.vars.items():
            if name[:1].isupper() and t.lstrip("*") in _MUTEXES | {"sync.Locker"}:
                return True
        for declared in self.pkg.types.fields.values():
            for name, t in declared.items():
                bare = t.lstrip("*")
                if bare == "sync.Locker" or (bare in _MUTEXES and (t != bare or name[:1].isupper())):
                    return True  # embedded (named Mutex), exported, or shared through a pointer
        return any(b"RLocker" in f.data for f in self.pkg.files)  # a read lock as a sync.Locker

    def _methods(self, names: tuple[str, ...]) -> list[Function]:
        """Every method of the package with one of these names (a dynamic type's a library call may run)."""
        return [f for ms in self.pkg.resolver.methods.values() for n in names for f in ms.get(n, ())]

    def _dynamic(self, fn: Function, selector: Node) -> bool:
        """A method call on a value of one of the package's interface types."""
        operand = selector.child_by_field_name("operand")
        t = self.pkg.scope(fn).type_of(operand) if operand is not None else ""
        return base_type(t) in self.pkg.resolver.interfaces

    def _package_locker(self, method: str) -> bool:
        """Whether a package type has a method named like a mutex's: a call through another
        package's interface (sync.Locker) may then run it."""
        return any(method in ms for ms in self.pkg.resolver.methods.values())

    def _target(self, fn: Function, target: Node) -> Writes | None:
        """What writing `target` (`x`, `x.f`, `xs[k]`, `*p`) may change."""
        target = unparen(target)
        scope = self.pkg.scope(fn)
        kind = target.type
        if kind == "identifier":
            name = text(target)
            if name == "_" or name in self.pkg.own_names(fn):
                return NOTHING
            held = self._held(scope.type_of(target))
            return Writes(names=frozenset({name})).union(held) if held is not None else None
        if kind == "selector_expression":
            name = text(target.child_by_field_name("field"))
            t = scope.type_of(target)
            if not t:  # a field of a struct whose type is not inferred: its declared types, by name
                declared = {fs[name] for fs in self.pkg.types.fields.values() if name in fs}
                held: Writes | None = Writes(exported=True)  # or another package's struct
                for d in declared:
                    more = self._held(d)
                    held = held.union(more) if held is not None and more is not None else None
            else:
                held = self._held(t)
            return Writes(fields=frozenset({name})).union(held) if held is not None else None
        if kind == "index_expression":
            return self._elements(fn, target.child_by_field_name("operand"))
        if kind == "unary_expression" and text(target.child_by_field_name("operator")) == "*":
            operand = target.child_by_field_name("operand")
            t = scope.type_of(operand) if operand is not None else ""
            if not t.startswith("*"):
                return None
            # a struct: its fields; anything else (`*p = 1`) a variable or field whose address is taken
            held = self._held(t[1:])
            if held is None or self.pkg.types.underlying(t[1:]) == "struct":
                return held
            cells = self._cells(t[1:])
            return cells.union(held) if cells is not None else None
        return None

    def _cells(self, t: str) -> Writes | None:
        """The variables and fields a pointer to a `t` that is no struct may point to: those
        whose address the package takes (`&v`, `&x.f`), those of type `t` when it is a named
        type (a method with a pointer receiver takes it implicitly), and another package's
        (their exported names). A term reads no other memory: it is a path of fields, never
        `*p`, so a fresh `new(T)` is none."""
        if self._addresses is _UNSET:
            self._addresses = None  # while computing: `&*p` asks again
            found: Writes | None = self._addressed_at_top()
            for f in self.pkg.functions:
                if found is None:
                    break
                if f.body is not None and _ADDRESS.search(f.file.data, f.body.start_byte, f.body.end_byte):
                    found = _union(found, self._addressed(f))
            self._addresses = replace(found, releases=False, waits=False) if found is not None else None
        if self._addresses is None:
            return None
        out = self._addresses.union(Writes(exported=True))
        if t in self.pkg.types.named:
            types = self.pkg.types
            out = out.union(Writes(
                fields=frozenset(n for fs in types.fields.values() for n, ft in fs.items() if ft == t),
                names=frozenset(n for n, vt in types.vars.items() if vt == t),
            ))
        return out

    def _elements(self, fn: Function, operand: Node | None) -> Writes | None:
        """Writing an element of `operand`: a map's length, or the fields a slice's or array's
        element holds by value."""
        if operand is None:
            return None
        t = self.pkg.types.underlying(self.pkg.scope(fn).type_of(operand))
        if t.startswith("*["):
            t = t[1:]
        if t.startswith("map["):
            return self._map_sizes()
        if t.startswith("["):
            return self._held(element_type(t))
        return None

    def _map_sizes(self) -> Writes:
        """Inserting into a map changes its length, which a term reads as `len(m)` of a variable,
        or `len(x.f)` of a field that may hold a map: one of the package's fields whose declared
        type may be one (not a slice, array, string, pointer, channel, func or scalar, nor a
        package type whose underlying type is none of these), or another package's field
        (an exported name)."""
        if self._maps is None:
            types = self.pkg.types

            def may_be_map(t: str) -> bool:
                under = types.underlying(t) if t else ""
                return not under or not (
                    under.startswith(("[", "*", "chan", "<-chan", "func", "struct", "interface"))
                    or under in SCALAR_TYPES or under in ("error", "any", "byte", "rune", "uintptr")
                )

            fields = frozenset(n for fs in types.fields.values() for n, t in fs.items() if may_be_map(t))
            self._maps = Writes(fields=fields, exported=True, variable_sizes=True)
        return self._maps

    def _held(self, t: str) -> Writes | None:
        """The fields a value of type `t` holds by value (a struct's, nested structs' too); None
        when `t` is unknown."""
        fields: set[str] = set()
        exported = False
        todo, seen = [t], set()
        while todo:
            t = todo.pop()
            if t in seen:
                continue
            seen.add(t)
            if not t:
                return None
            if t.startswith(_VALUELESS) or t in SCALAR_TYPES or t in ("error", "any", "byte", "rune", "uintptr"):
                continue
            if t.startswith("["):
                todo.append(element_type(t))
                continue
            base = t.split("[", 1)[0]
            if base in self.pkg.types.fields:
                declared = self.pkg.types.fields[base]
                fields.update(declared)
                todo.extend(declared.values())
            elif base in self.pkg.types.named:
                todo.append(self.pkg.types.named[base])
            elif "." in base:
                exported = True  # another package's type: only its exported fields can be named here
            else:
                return None
        return Writes(fields=frozenset(fields), exported=exported)


def _union(a: Writes, b: Writes | None) -> Writes | None:
    return a.union(b) if b is not None else None


def _targets(node: Node) -> list[Node]:
    """The places a statement writes: `x`, `x.f`, `xs[k]`, `*p` (not a `:=` declaration's)."""
    kind = node.type
    if kind in ("inc_statement", "dec_statement"):
        return node.named_children[:1]
    if kind not in ("assignment_statement", "range_clause", "receive_statement"):
        return []
    if kind != "assignment_statement" and any(c.type == ":=" for c in node.children):
        return []
    left = node.child_by_field_name("left")
    return list(left.named_children) if left is not None else []


def _addressed_variable(node: Node) -> Node | None:
    """What `&x` takes the address of, when `node` is one; not a fresh `&T{..}`."""
    if node.type != "unary_expression" or text(node.child_by_field_name("operator")) != "&":
        return None
    operand = node.child_by_field_name("operand")
    operand = unparen(operand) if operand is not None else None
    return None if operand is None or operand.type == "composite_literal" else operand
