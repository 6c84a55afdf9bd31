"""One Go package's facts, computed lazily and at most once, shared by every rule."""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property, partial
from typing import Callable, Iterator

from tree_sitter import Node

from linter.analysis import cfg as cfgmod
from linter.analysis import library, lockorder
from linter.analysis.blocking import Blocking
from linter.analysis.bindings import FUNCTION_VALUES, Bindings, carried_names, declared_names
from linter.analysis.build import compatible, platforms
from linter.analysis.calls import Resolver
from linter.analysis.claims import ClaimedSends
from linter.analysis.conds import CondLocks
from linter.analysis.escape import NOT_PLAIN, PLAIN, SHARED_LENGTH, Escapes
from linter.analysis.fields import FixedFields
from linter.analysis.functions import Function, discover, literal_of
from linter.analysis.handles import Handles
from linter.analysis.imports import LOG, OS, SYNC, TIME, Imports
from linter.analysis.lockrefs import LockRef, identity, is_unstable, rebound_keys, ref_of
from linter.analysis.lockstate import EMPTY, Event, LockState, analyse, node_states
from linter.analysis.oncesends import OnceSends
from linter.analysis.ops import Op, OpEnv, OpKind, node_ops
from linter.analysis.linear import Lin, const, term
from linter.analysis.panics import explicit_panic
from linter.analysis.paths import Paths, roots
from linter.analysis.pools import Pools
from linter.analysis.results import NonNilResults
from linter.analysis.routes import Routes
from linter.analysis.summaries import Acquisition, Summaries, Summary
from linter.analysis.syntax import FUNCTION_KINDS, call_args, callee, enclosing_function, text, unparen, walk_expr
from linter.analysis.tokens import Tokens
from linter.analysis.writes import CallWrites
from linter.analysis.types import SCALAR_TYPES, PackageTypes, Scope, const_str_len, element_type, infer, squash
from linter.config import LOCK_ORDER_DEPTH
from linter.model import Notice, NoticeKind
from linter.source import SourceFile

LOCK_WORDS = (b"Lock", b"Unlock")  # "Unlock" does not contain "Lock"
_LITERAL = frozenset({"func_literal"})  # a local bound to a literal (see local_value)
_REFERENCES = ("*", "[]", "map[", "chan", "<-chan", "func", "interface{")  # types whose values hold no field


def _has_go_statement(file: SourceFile) -> bool:
    """Whether the file starts a goroutine: the node at each `go` in its bytes, no walk or query
    (a tree-sitter query visits every node and costs nearly as much as the parse)."""
    root, data = file.root, file.data
    i = data.find(b"go")
    while i != -1:
        token = root.descendant_for_byte_range(i, i + 2)
        if token is not None and token.type == "go" and token.start_byte == i:
            parent = token.parent
            if parent is not None and parent.type == "go_statement":
                return True
        i = data.find(b"go", i + 2)
    return False


_TESTING_TYPES = frozenset({"*testing.T", "*testing.B", "*testing.F", "testing.TB"})
_GOEXIT_METHODS = frozenset({"Fatal", "Fatalf", "FailNow", "Skip", "Skipf", "SkipNow"})


class _Unshadowed:
    """The package's constants as `fn` sees them: a name it declares itself has no value here."""

    def __init__(self, package: "Package", fn: Function):
        self.package, self.fn = package, fn

    def const_value(self, name: str) -> int | None:
        return None if self.package._shadowed(self.fn, name) else self.package.types.const_value(name)

    def const_length(self, name: str) -> int | None:
        return None if self.package._shadowed(self.fn, name) else self.package.types.const_length(name)

    def underlying(self, t: str) -> str:
        return self.package.types.underlying(t)


class Package:
    def __init__(
        self,
        files: list[SourceFile],
        *,
        extra_panickers: frozenset[str] = frozenset(),
        handler_types: tuple[tuple[str, str], ...] = (),
        lock_helpers: frozenset[str] = frozenset(),
        lock_order_depth: int = LOCK_ORDER_DEPTH,
    ):
        self.files = files
        self.extra_panickers = extra_panickers
        self.handler_types = handler_types  # (import path, type) pairs from the configuration
        self.lock_helpers = lock_helpers  # configured names of functions that lock for their caller
        self.lock_order_depth = lock_order_depth  # calls the lock-order graph follows down to a lock
        self.notices: list[Notice] = []
        self._imports = {id(f): Imports.from_root(f.root) for f in files}
        self._scopes: dict[int, Scope] = {}
        self._file_types: dict[int, PackageTypes] = {}
        self._events: dict[tuple[int, LockState], list[Event]] = {}
        self._platform_cache: dict[int, frozenset[str] | None] = {}
        self._build_types: dict[frozenset[str], PackageTypes] = {}
        self._edges: dict[int, tuple[str, list[Function]] | None] = {}
        self._reaches: dict[int, bool] = {}
        self._cfgs: dict[int, cfgmod.CFG | None] = {}
        self._ends: dict[int, bool] = {}  # _never_returns, by function
        self._escapes: dict[int, Escapes] = {}  # escapes, by function
        self._own_names: dict[int, frozenset[str]] = {}
        self._rebound: dict[int, frozenset[str]] = {}
        self._unstable: dict[tuple[int, str], bool] = {}
        self._node_ops: dict[int, list[Op]] = {}
        self._handoffs: dict[int, frozenset[str]] = {}
        self._families: dict[int, list[Function]] | None = None
        self._identities: dict[tuple[int, str], str | None] = {}
        self._refs: dict[tuple[int, str], LockRef | None] = {}
        self._paths: dict[tuple[int, str], Paths] = {}
        self._must_states: dict[int, dict[int, LockState]] = {}
        self._bindings: dict[int, Bindings] = {}
        self._declared: dict[int, dict[str, set[str]]] = {}  # outermost function id -> names declared in it
        self._ranged: dict[int, frozenset[str]] = {}  # outermost function id -> its range clauses' names
        self._signed: dict[int, frozenset[str]] = {}  # function id -> the names its signatures bind (_may_be_local)
        self._in_place: dict[int, bool] = {}
        self._uses_locks: dict[int, bool] = {}
        self._called: dict[int, Function | None] = {}  # call node -> the literal it runs in place

    def release(self) -> None:
        """Forget every fact. Facts refer back to the package (summaries hold it), so without this
        the package and the trees its facts keep alive wait for the cyclic garbage collector, and
        trees, allocated by the parser, never prompt it: one process grew by a few packages' trees."""
        self.__dict__.clear()

    def imports(self, file: SourceFile) -> Imports:
        return self._imports[id(file)]

    # declarations -------------------------------------------------------------------------

    @cached_property
    def functions(self) -> list[Function]:
        out: list[Function] = []
        for f in self.files:
            out.extend(discover(f, self.imports(f), self.handler_types))
        return out

    @property
    def target_functions(self) -> list[Function]:
        """The functions of the files being checked; the others (siblings of a file named
        on the command line) are context: read for facts, never reported on."""
        return [fn for fn in self.functions if fn.file.is_target]

    @cached_property
    def types(self) -> PackageTypes:
        types = PackageTypes()
        for f in self.files:
            types.collect(f.root)
        return types

    def types_in(self, file: SourceFile) -> PackageTypes:
        """The declarations as code in `file` sees them. A type declared once per platform (`type
        reader struct{}` in rand_js.go, with an array `key` in rand_plan9.go) has, for rand_plan9.go,
        the plan9 fields: the first declaration built with the file, not the first in path order."""
        mine = self._platforms(file)
        if mine is None:
            return self.types
        types = self._build_types.get(mine)
        if types is None:
            chosen: list[Node] = []
            for decls in self._type_twins.values():
                if compatible(mine, self._platforms(decls[0][0])):
                    continue  # the first declaration, which `types` has, is built with the file
                spec = next((s for f, s in decls if compatible(mine, self._platforms(f))), None)
                if spec is not None:
                    chosen.append(spec)
            types = self._build_types[mine] = self.types.with_types(chosen) if chosen else self.types
        return types

    @cached_property
    def _type_twins(self) -> dict[str, list[tuple[SourceFile, Node]]]:
        """Every declaration, in file order, of each type declared in more than one file."""
        found: dict[str, list[tuple[SourceFile, Node]]] = {}
        for f in self.files:
            for decl in f.root.named_children:
                if decl.type != "type_declaration":
                    continue
                for spec in decl.named_children:
                    name = spec.child_by_field_name("name") if spec.type in ("type_spec", "type_alias") else None
                    if name is not None:
                        found.setdefault(text(name), []).append((f, spec))
        return {n: decls for n, decls in found.items() if len({id(f) for f, _ in decls}) > 1}

    @cached_property
    def _by_name(self) -> dict[str, list[Function]]:
        index: dict[str, list[Function]] = {}
        for fn in self.functions:
            if fn.is_literal:
                continue
            key = f"{fn.receiver_type}.{fn.name}" if fn.receiver_type else fn.name
            index.setdefault(key, []).append(fn)
        return index

    @cached_property
    def _by_node(self) -> dict[int, Function]:
        return {fn.node.id: fn for fn in self.functions}

    def function_of(self, node: Node) -> Function | None:
        return self._by_node.get(node.id)

    @cached_property
    def cond_locks(self) -> CondLocks:
        conds = CondLocks()
        for f in self.files:
            if b"Cond" in f.data:
                conds.collect(f.root, self.imports(f).of(SYNC), self._type_where, f.data)
        return conds

    def _type_where(self, expr: Node) -> str:
        """The type of an expression in the scope of the function it is written in."""
        node = enclosing_function(expr)
        fn = self.function_of(node) if node is not None else None
        if fn is not None:
            return self.scope(fn).type_of(expr)
        return infer(expr, self.types, {})

    # per-function facts -------------------------------------------------------------------

    def scope(self, fn: Function) -> Scope:
        """Built outermost first, iteratively: literals may nest thousands deep."""
        missing: list[Function] = []
        f: Function | None = fn
        while f is not None and id(f) not in self._scopes:
            missing.append(f)
            f = f.parent
        for f in reversed(missing):
            outer = self._scopes[id(f.parent)].names if f.parent is not None else {}
            params = {**f.results, **f.params}
            if f.receiver:
                params[f.receiver] = "*" + f.receiver_type
            self._scopes[id(f)] = Scope(self.file_types(f.file), params, f.body, outer)
        return self._scopes[id(fn)]

    def file_types(self, file: SourceFile) -> PackageTypes:
        """The package's types seen from one file: the declarations of its build (see `types_in`),
        with its imports (see PackageTypes.in_file)."""
        found = self._file_types.get(id(file))
        if found is None:
            names = {n: path for path, ns in self.imports(file).names.items() for n in ns}
            found = self._file_types[id(file)] = self.types_in(file).in_file(names)
        return found

    def op_env(self, fn: Function) -> OpEnv:
        imports = self.imports(fn.file)
        every = frozenset(n for names in imports.names.values() for n in names)
        return OpEnv(
            self.scope(fn), imports.of(LOG), imports.of(TIME), every, self.extra_panickers,
            imports.of(SYNC), self.cond_locks, partial(self.tokens.not_mutex, fn), partial(self._stays, fn),
            pooled=self.pools.slots, once_slot=partial(self.once_sends.free, fn),
            claimed=partial(self.claimed_sends.free, fn),
        )

    def returned_locals(self, fn: Function, ret: Node) -> frozenset[str]:
        """`fn`'s own locals whose values the return statement `ret` hands to the caller
        (`return &txn{tx: tx}`): a lock held on one goes to the caller with the value."""
        bindings = self.bindings(fn)
        if bindings is None:
            return frozenset()
        scope = self.scope(fn)

        def wraps(call: Node) -> bool:
            """A constructor: its result (a pointer, or a struct or interface of the package) may hold its arguments."""
            result = scope.type_of(call)
            return result.startswith("*") or self.types.underlying(result).startswith(("struct", "interface{"))

        def local(name: str) -> Node | None:
            return bindings.value(name) if bindings.declares(name) else None

        return frozenset(n for n in carried_names(ret, local, wraps) if bindings.declares(n) and n not in fn.params)

    def _stays(self, fn: Function, name: str) -> bool:
        """A local of `fn` bound once to a value and only ever called, in place or deferred (see bindings)."""
        bindings = self.bindings(fn)
        return bindings is not None and bindings.value(name) is not None and bindings.stays(name)

    @cached_property
    def pools(self) -> Pools:
        """The package's sync.Pool variables that hold only channels (see linter.analysis.pools)."""
        return Pools(self.files, lambda file: self.imports(file).of(SYNC))

    @cached_property
    def once_sends(self) -> OnceSends:
        """Field channels whose sends run in once-flag regions and find a free slot (see oncesends.py)."""
        return OnceSends(self)

    @cached_property
    def claimed_sends(self) -> ClaimedSends:
        """Lazy futures' producer sends, once per object claimed from a map (see claims.py)."""
        return ClaimedSends(self)

    @cached_property
    def tokens(self) -> Tokens:
        """Values whose Unlock is not a mutex's (see linter.analysis.tokens)."""
        return Tokens(self)

    def ops_of(self, fn: Function) -> Callable[[Node], list[Op]]:
        """node -> its operations in `fn`, computed once per node."""
        env = self.op_env(fn)
        cache = self._node_ops

        def ops(node: Node) -> list[Op]:
            found = cache.get(node.id)
            if found is None:
                found = cache[node.id] = node_ops(node, env)
            return found

        return ops

    def terminal(self, fn: Function, helpers: bool = True):
        """Classify statements that end a path: panic(...) or os.Exit/log.Fatal, and `t.Fatalf(..)` of a
        *testing.T, B or F or a testing.TB: it ends the goroutine (runtime.Goexit), so no operation of
        this body runs after it (its deferred calls do, but no rule asks what they do on that path).
        With `helpers`, also a call of the package's functions that never return (see _never_returns)."""
        imports = self.imports(fn.file)
        log, os_ = imports.of(LOG), imports.of(OS)
        scope = None

        def classify(stmt: Node) -> cfgmod.Terminal:
            call = stmt.named_children[0] if stmt.named_child_count else None
            if call is None or call.type != "call_expression":
                return None
            qual, name = callee(call)
            if not qual and name == "panic":
                return "panic"
            if (qual in os_ and name == "Exit") or (qual in log and name.startswith("Fatal")):
                return "exit"
            if name in _GOEXIT_METHODS and qual:
                nonlocal scope
                scope = scope or self.scope(fn)
                operand = unparen(call.child_by_field_name("function")).child_by_field_name("operand")
                if scope.names.get(qual) in _TESTING_TYPES or (
                    operand is not None and scope.type_of(operand) in _TESTING_TYPES  # `c.t.FailNow()`
                ):
                    return "exit"
            if helpers and name in self._ending_names:
                targets = self.resolve(fn, call)
                if targets and all(self._never_returns(t) for t in targets):
                    return "exit"
            return None

        return classify

    @cached_property
    def _ending_names(self) -> frozenset[str]:
        """Names of the package's functions that may end the goroutine (a cheap filter for _never_returns)."""
        words = (b"Fatal", b"FailNow", b"Exit", b"Skip")
        return frozenset(
            f.name for f in self.functions
            if f.name and f.body is not None
            and any(f.file.data.find(w, f.body.start_byte, f.body.end_byte) != -1 for w in words)
        )

    def _never_returns(self, fn: Function) -> bool:
        """Every path of `fn` ends the goroutine by a call it makes itself (a test helper's `c.t.FailNow()`,
        `os.Exit`), so a call of it ends its caller's path like that call. Read from a graph of fn that
        does not ask this of fn's own callees: one level, so no recursion, and the same answer whichever
        function is asked first (a one-file run asks in another order than a whole package)."""
        found = self._ends.get(id(fn))
        if found is None:
            found = False
            if fn.body is not None:
                try:
                    graph = cfgmod.build(fn.body, self.terminal(fn, helpers=False))
                except cfgmod.TooDeep:
                    graph = None
                reached = graph.reachable() if graph is not None else {None}
                found = graph is not None and graph.exit not in reached and graph.panic_exit not in reached
            self._ends[id(fn)] = found
        return found

    def uses_locks(self, fn: Function) -> bool:
        found = self._uses_locks.get(id(fn))
        if found is None:
            body = fn.body
            data = fn.file.data
            found = body is not None and any(data.find(w, body.start_byte, body.end_byte) != -1 for w in LOCK_WORDS)
            self._uses_locks[id(fn)] = found
        return found

    def cfg(self, fn: Function) -> cfgmod.CFG | None:
        if id(fn) in self._cfgs:
            return self._cfgs[id(fn)]
        graph = None
        body = fn.body
        if body is not None:
            try:
                graph = cfgmod.build(body, self.terminal(fn))
            except cfgmod.TooDeep:
                line = fn.node.start_point[0] + 1
                self.notices.append(
                    Notice(fn.file.display, NoticeKind.TOO_DEEP,
                           f"{fn.display_name} nests deeper than {cfgmod.MAX_NESTING} levels; not analysed", line=line)
                )
        self._cfgs[id(fn)] = graph
        return graph

    def unchanged_flag(self, fn: Function) -> Callable[[str], bool]:
        """name -> whether it is a parameter or local of `fn` (not a captured variable: the enclosing
        function may change it) that keeps one value in its body: `if doLock {` decides the same way
        every time. Asked only about the flags a held lock was taken under."""

        def unchanged(name: str) -> bool:
            bindings = self.bindings(fn)
            return (
                bindings is not None and (name in fn.params or bindings.declares(name))
                and bindings.unchanged(name) and not self.unstable(fn, name)
            )

        return unchanged

    def bindings(self, fn: Function) -> Bindings | None:
        """What `fn`'s body does with its local names (see linter.analysis.bindings)."""
        body = fn.body
        if body is None:
            return None
        found = self._bindings.get(id(fn))
        if found is None:
            found = self._bindings[id(fn)] = Bindings(body)
        return found

    def lock_events(self, fn: Function, initial: LockState = EMPTY) -> list[Event]:
        """Every operation of `fn` with the lock state before it; [] for lock-free functions."""
        key = (id(fn), initial)
        cached = self._events.get(key)
        if cached is None:
            cached = []
            # A call whose callees only take (and give back) locks changes no lock state:
            # a function with no other calls, and no lock of its own, has nothing to say.
            if self.uses_locks(fn) or initial.held or self.effects_table.relevant(fn):
                graph = self.cfg(fn)
                if graph is not None:
                    cached = analyse(graph, self.ops_of(fn), self.effects_table.expander(fn), initial,
                                     unchanged=self.unchanged_flag(fn))
            self._events[key] = cached
        return cached

    def is_invoked_literal(self, fn: Function) -> bool:
        """`func() {...}()`: its body runs in place, so it is analysed from its call site.
        Not so under `go` (another goroutine) or `defer` (at return): those are analysed on their own.
        A literal bound to a local name that is only ever called (`unlock := func() {...}; unlock()`)
        runs in place too."""
        if not fn.is_literal:
            return False
        answer = self._in_place.get(id(fn))  # asked for every function by every rule: a node's parent costs a descent
        if answer is None:
            parent = fn.node.parent
            if parent is None:
                answer = False
            elif parent.type == "call_expression":
                answer = parent.child_by_field_name("function") == fn.node and (
                    parent.parent is None or parent.parent.type not in ("go_statement", "defer_statement")
                )
            else:
                answer = self._bound_in_place(fn)
            self._in_place[id(fn)] = answer
        return answer

    def _bound_in_place(self, fn: Function) -> bool:
        decl = fn.node.parent
        if decl is not None and decl.type == "expression_list":
            decl = decl.parent
        owner = fn.parent
        if decl is None or decl.type not in ("short_var_declaration", "var_spec"):
            return False
        if owner is None or owner.body is None:
            return False
        bindings = self.bindings(owner)
        for name in self._declared_names(decl):
            value = self.local_value(owner, name)
            if value is not None and value[1].id == fn.node.id and bindings is not None:
                return bindings.only_called(name)
        return False

    @staticmethod
    def _declared_names(decl: Node) -> list[str]:
        if decl.type == "var_spec":
            return [text(n) for n in decl.children_by_field_name("name")]
        left = decl.child_by_field_name("left")
        return [text(n) for n in left.named_children] if left is not None else []

    def local_value(
        self, fn: Function, name: str, kinds: frozenset[str] | None = None
    ) -> tuple[Function, Node] | None:
        """(declaring function, value) of a local name `fn` uses that is bound once and never
        rebound (see linter.analysis.bindings); None for anything else, and for a value whose
        node type is not one of `kinds` (when given)."""
        if not self.may_bind(fn, name, kinds):
            return None  # a package function, a parameter, nothing local, no such value: no body walk needed
        owner: Function | None = fn
        while owner is not None:
            if name in owner.params or name == owner.receiver:
                return None  # a parameter: its value comes from the caller
            bindings = self.bindings(owner)
            if bindings is not None and bindings.declares(name):
                value = bindings.value(name)
                return (owner, value) if value is not None and (kinds is None or value.type in kinds) else None
            owner = owner.parent
        return None

    def may_bind(self, fn: Function, name: str, kinds: frozenset[str] | None = None) -> bool:
        """Whether `local_value` may find a value for `name` in `fn` (of one of `kinds`, when given):
        a declaration of it somewhere around `fn`, known from bytes alone."""
        declared = self.declared_around(fn).get(name)
        return declared is not None and (kinds is None or not kinds.isdisjoint(declared))

    def declared_around(self, fn: Function) -> dict[str, set[str]]:
        """The names declared anywhere in the outermost function around `fn`, with the node types of
        their values (see bindings.declared_names): a superset of the locals `fn` and the functions
        around it bind, known without a walk or their scopes' types."""
        top = fn
        while top.parent is not None:
            top = top.parent
        found = self._declared.get(id(top))
        if found is None:
            body, file = top.body, top.file
            found = {} if body is None else declared_names(file.root, file.data, body.start_byte, body.end_byte)
            self._declared[id(top)] = found
        return found

    def called_literal(self, fn: Function, call: Node) -> Function | None:
        """The literal a call in `fn` runs in place: `func() {...}()`, or `unlock()` for a local
        `unlock := func() {...}` that is only ever called."""
        if call.id in self._called:
            return self._called[call.id]
        literal = literal_of(call)
        if literal is None:
            target = call.child_by_field_name("function")
            target = unparen(target) if target is not None else None
            named = target is not None and target.type == "identifier"
            bound = self.local_value(fn, text(target), _LITERAL) if named else None
            literal = bound[1] if bound is not None and bound[1].type == "func_literal" else None
        found = self.function_of(literal) if literal is not None else None
        found = found if found is not None and self.is_invoked_literal(found) else None
        self._called[call.id] = found
        return found

    def all_events(self, fn: Function) -> Iterator[tuple[Function, Event]]:
        """Events of `fn` and of the literals it invokes in place, which inherit its locks."""
        if self.is_invoked_literal(fn):
            return
        todo: list[tuple[Function, LockState]] = [(fn, EMPTY)]
        seen: set[tuple[int, LockState]] = set()  # the same literal in the same state yields the same events
        while todo:
            current, initial = todo.pop()
            if (id(current), initial) in seen:
                continue
            seen.add((id(current), initial))
            for ev in self.lock_events(current, initial):
                yield current, ev
                if ev.op.kind is OpKind.CALL:
                    target = self.called_literal(current, ev.op.node)
                    if target is not None:
                        # guards name the caller's flags, which the literal may shadow
                        todo.append((target, LockState(frozenset(replace(h, guard="") for h in ev.state.held))))

    def events_while_locked(self, fn: Function, kinds: frozenset[OpKind]) -> Iterator[tuple[Function, Event]]:
        for owner, ev in self.all_events(fn):
            if ev.op.kind in kinds and ev.state.held:
                yield owner, ev

    # summaries across calls ---------------------------------------------------------------

    @cached_property
    def blocking(self) -> Blocking:
        """Which functions block on every path (see linter.analysis.blocking)."""
        return Blocking(self)

    @cached_property
    def handles(self) -> Handles:
        """Values calls return that point back to their receiver (see linter.analysis.handles)."""
        return Handles(self)

    @cached_property
    def summaries(self) -> Summaries:
        return Summaries(self, calls_of=self.effects_table)

    @cached_property
    def effects_table(self) -> Summaries:
        return Summaries(self, takes=False)

    def summary(self, fn: Function) -> Summary:
        """What calling `fn` does to locks (see linter.analysis.summaries)."""
        return self.summaries.get(fn)

    def effects(self, fn: Function) -> Summary:
        """`fn`'s summary without `takes`: what a call to it does to the caller's lock state.
        Cheaper than `summary`, which needs what every function below it takes."""
        return self.effects_table.get(fn)

    def acquisitions(self, fn: Function) -> Iterator[Acquisition]:
        """Every lock `fn` takes, directly or through the package's functions it calls."""
        return self.summaries.acquisitions(fn)

    def lock_identity(self, fn: Function, mutex: str) -> str | None:
        """The package-wide name of a mutex as `fn` writes it: `(*Store).mu`, a package variable."""
        key = (id(fn), mutex)
        if key not in self._identities:
            self._identities[key] = identity(self, fn, mutex)
        return self._identities[key]

    def lock_ref(self, fn: Function, mutex: str) -> LockRef | None:
        """How `fn`'s callers can name the mutex `fn` writes as `mutex` (see lockrefs.LockRef)."""
        key = (id(fn), mutex)
        if key not in self._refs:
            self._refs[key] = ref_of(self, fn, mutex)
        return self._refs[key]

    @cached_property
    def lock_cycles(self) -> list[lockorder.Cycle]:
        """Cycles in the package's lock-order graph (see linter.analysis.lockorder)."""
        return lockorder.cycles(self)

    def handoffs(self, fn: Function) -> frozenset[str]:
        """Mutexes one goroutine of `fn`'s family locks and another unlocks (`go func() { mu.Unlock() }()`).

        sync.Mutex is not owned by a goroutine, so locking in one and unlocking in another is a
        hand-off (a semaphore, a start signal), not a leak or a double lock. The family is an
        outermost function with the literals inside it; each `go` literal is its own goroutine.
        """
        root = fn
        while root.parent is not None:
            root = root.parent
        cached = self._handoffs.get(id(root))
        if cached is None:
            acquired: dict[int, set[str]] = {}
            released: dict[int, set[str]] = {}
            for member in self._family(root):
                g = member
                while g.parent is not None and not self._is_go_literal(g):
                    g = g.parent
                acquired.setdefault(id(g), set()).update(
                    ev.op.mutex for ev in self.lock_events(member) if ev.op.kind is OpKind.ACQUIRE
                )
                released.setdefault(id(g), set()).update(self.effects(member).expects)
            cached = frozenset(
                m for g, ms in acquired.items() for h, rs in released.items() if g != h for m in ms & rs
            )
            self._handoffs[id(root)] = cached
        return cached

    def _is_go_literal(self, fn: Function) -> bool:
        call = fn.node.parent
        return fn.is_literal and call is not None and call.type == "call_expression" and (
            call.parent is not None and call.parent.type == "go_statement"
        )

    def family(self, top: Function) -> list[Function]:
        """An outermost function and every literal written inside it."""
        return self._family(top)

    def _family(self, root: Function) -> list[Function]:
        if self._families is None:
            self._families = {}
            for f in self.functions:
                top = f
                while top.parent is not None:
                    top = top.parent
                self._families.setdefault(id(top), []).append(f)
        return self._families.get(id(root), [root])

    def own_names(self, fn: Function) -> frozenset[str]:
        """Names `fn` declares itself (parameters and locals), not those of enclosing functions."""
        cached = self._own_names.get(id(fn))
        if cached is None:
            cached = frozenset(Scope(self.types, {**fn.results, **fn.params}, fn.body, {}).names)
            self._own_names[id(fn)] = cached
        return cached

    def unstable(self, fn: Function, mutex: str) -> bool:
        """Whether `mutex` runs through a variable `fn` rebinds, so its text may name two locks."""
        key = (id(fn), mutex)
        answer = self._unstable.get(key)
        if answer is None:
            rebound = self._rebound.get(id(fn))
            if rebound is None:
                rebound = rebound_keys(fn.body)
                self._rebound[id(fn)] = rebound
            answer = self._unstable[key] = is_unstable(rebound, mutex)
        return answer

    # calls --------------------------------------------------------------------------------

    def _platforms(self, file: SourceFile) -> frozenset[str] | None:
        key = id(file)
        if key not in self._platform_cache:
            self._platform_cache[key] = platforms(file)
        return self._platform_cache[key]
    @cached_property
    def resolver(self) -> Resolver:
        return Resolver(self.types, self.functions, [f.root for f in self.files])

    def resolve(self, fn: Function, call: Node) -> list[Function]:
        """The package's functions a call may reach in the caller's build (empty when it leaves the package)."""
        mine = self._platforms(fn.file)
        return [t for t in self._resolve(fn, call) if compatible(mine, self._platforms(t.file))]

    def _resolve(self, fn: Function, call: Node) -> list[Function]:
        literal = literal_of(call)
        if literal is not None:
            target = self.function_of(literal)
            return [target] if target is not None else []
        target_node = call.child_by_field_name("function")
        if target_node is None:
            return []
        target_node = unparen(target_node)
        if target_node.type == "identifier":
            name = text(target_node)
            if self._may_be_local(fn, name) and name in self.scope(fn).names:
                return self._resolve_local(fn, name)
            return [f for f in self._by_name.get(name, []) if not f.receiver_type]
        if target_node.type == "selector_expression":
            operand = target_node.child_by_field_name("operand")
            method = text(target_node.child_by_field_name("field"))
            if operand is None:
                return []
            owner = self.scope(fn).type_of(operand).lstrip("*").split("[", 1)[0]
            if owner:
                return self.resolver.method(owner, method)
        return []

    def _may_be_local(self, fn: Function, name: str) -> bool:
        """Whether `name` may be in `fn`'s scope: a superset of `name in self.scope(fn).names`, known
        from the bytes and the signatures, so a call of a package function by its name is told apart
        from a call of a local without the types of every local (see Scope). A scope's names are
        the parameters, results and receivers of `fn` and the functions around it, and the names
        that `:=`, `var` and range clauses bind in their bodies, all inside the outermost one."""
        if name in self.declared_around(fn) or name in self._ranged_around(fn):
            return True
        signed = self._signed.get(id(fn))
        if signed is None:
            names: set[str] = set()
            f: Function | None = fn
            while f is not None:
                names.update(f.params)
                names.update(f.results)
                names.add(f.receiver)
                f = f.parent
            signed = self._signed[id(fn)] = frozenset(names)
        return name in signed

    def _ranged_around(self, fn: Function) -> frozenset[str]:
        """What the range clauses of the outermost function around `fn` assign, found at the bytes
        `range` (as declared_names finds `:=` and `var`)."""
        top = fn
        while top.parent is not None:
            top = top.parent
        found = self._ranged.get(id(top))
        if found is None:
            names: set[str] = set()
            body, data, root = top.body, top.file.data, top.file.root
            if body is not None:
                i = data.find(b"range", body.start_byte, body.end_byte)
                while i != -1:
                    node = root.descendant_for_byte_range(i, i + 5)
                    clause = node.parent if node is not None and node.type == "range" and node.start_byte == i else None
                    left = clause.child_by_field_name("left") if clause is not None and clause.type == "range_clause" else None
                    if left is not None:
                        names.update(text(n) for n in left.named_children)
                    i = data.find(b"range", i + 5, body.end_byte)
            found = self._ranged[id(top)] = frozenset(names)
        return found

    def _resolve_local(self, fn: Function, name: str) -> list[Function]:
        """A call through a local name bound once: `unlock := func() {...}`, `f := s.release`."""
        bound = self.local_value(fn, name, FUNCTION_VALUES)
        if bound is None:
            return []
        owner, value = bound
        if value.type == "func_literal":
            target = self.function_of(value)
            return [target] if target is not None else []
        return self.resolve_value(owner, value) if value.type in ("identifier", "selector_expression") else []

    def resolve_value(self, fn: Function, expr: Node) -> list[Function]:
        """The package function or method a function value names: `unlockAll`, `s.release`."""
        expr = unparen(expr)
        if expr.type == "identifier":
            name = text(expr)
            if self._may_be_local(fn, name) and name in self.scope(fn).names:
                return []
            return [f for f in self._by_name.get(name, []) if not f.receiver_type]
        if expr.type == "selector_expression":
            operand = expr.child_by_field_name("operand")
            owner = self.scope(fn).type_of(operand).lstrip("*").split("[", 1)[0] if operand is not None else ""
            return self.resolver.method(owner, text(expr.child_by_field_name("field"))) if owner else []
        return []

    def recovers(self, fn: Function) -> bool:
        """A deferred recover(): the function's panics do not reach its caller."""
        body = fn.body
        if body is None or b"recover()" not in fn.file.data[body.start_byte : body.end_byte]:
            return False
        for node in walk_expr(body):
            if node.type == "defer_statement":
                # recover() stops a panic only when the deferred function calls it itself: not as an
                # argument of the deferred call (evaluated at the defer), not as the deferred call
                # (`defer recover()`), not in a literal the deferred function calls; and one that
                # panics again (`log(r); panic(r)`) lets it go on
                call = next((c for c in node.named_children if c.type == "call_expression"), None)
                literal = literal_of(call) if call is not None else None
                called = {callee(n) for n in walk_expr(literal) if n.type == "call_expression"} if literal is not None else set()
                if ("", "recover") in called and ("", "panic") not in called:
                    return True
        return False

    def _panic_edges(self, fn: Function) -> tuple[str, list[Function]] | None:
        """How `fn` panics itself ("" if it does not) and the package functions it calls;
        None when a deferred recover() stops its panics. Computed once per function."""
        key = id(fn)
        if key in self._edges:
            return self._edges[key]
        edges: tuple[str, list[Function]] | None = None
        if not self.recovers(fn):
            body = fn.body
            how, targets = "", []
            if body is not None:
                log = self.imports(fn.file).of(LOG)
                for node in walk_expr(body):
                    if node.type != "call_expression" or (node.parent is not None and node.parent.type == "go_statement"):
                        continue  # a goroutine's panic is not the caller's
                    explicit = explicit_panic(node, log, self.extra_panickers)
                    if explicit:
                        how = f"calls {explicit}"
                        break
                    targets.extend(t for t in self.resolve(fn, node) if t is not fn)
            edges = (how, targets)
        self._edges[key] = edges
        return edges

    def _reaches_panic(self, fn: Function) -> bool:
        """Whether some chain of calls from `fn` reaches an explicit panic without passing a recover()."""
        known = self._reaches
        if id(fn) in known:
            return known[id(fn)]
        seen: set[int] = set()
        todo = [fn]
        found = False
        while todo and not found:
            current = todo.pop()
            if id(current) in seen or known.get(id(current)) is False:
                continue
            seen.add(id(current))
            edges = self._panic_edges(current)
            if edges is None:
                continue
            how, targets = edges
            found = bool(how) or known.get(id(current)) is True
            todo.extend(targets)
        if found:
            known[id(fn)] = True
        else:  # everything explored is closed under calls and reaches no panic
            known.update(dict.fromkeys(seen, False))
        return found

    def panics_via(self, fn: Function) -> str:
        """Why a call to `fn` can panic ("calls panic()", "calls boom()"), or "" if it cannot.

        Only the functions a query reaches are examined, so a package's other
        function bodies are never walked."""
        edges = self._panic_edges(fn)
        if edges is None:
            return ""
        how, targets = edges
        if how:
            return how
        for target in targets:
            if self._reaches_panic(target):
                return f"calls {target.display_name}()"
        return ""

    # goroutines and recover -----------------------------------------------------------------

    @cached_property
    def has_go_statements(self) -> bool:
        """Whether any file starts a goroutine; cheaper than discovering functions."""
        return any(_has_go_statement(f) for f in self.files)

    def go_statements(self, fn: Function) -> list[Node]:
        """The `go` statements of fn's own body (those of the literals it defines are theirs)."""
        body = fn.body
        if body is None or b"go" not in fn.file.data[body.start_byte : body.end_byte]:
            return []
        return [n for n in walk_expr(body) if n.type == "go_statement"]

    def goroutine_targets(self, fn: Function, stmt: Node) -> list[Function]:
        """What `go f(..)` runs: the literal or the package's functions; [] when it leaves the package."""
        call = next((c for c in stmt.named_children if c.type == "call_expression"), None)
        return self.resolve(fn, call) if call is not None else []

    @cached_property
    def _recover_helpers(self) -> set[int]:
        """Functions that call recover() themselves: deferred, they stop a panic."""
        out: set[int] = set()
        for fn in self.functions:
            body = fn.body
            if body is None or b"recover()" not in fn.file.data[body.start_byte : body.end_byte]:
                continue
            if any(n.type == "call_expression" and callee(n) == ("", "recover") for n in walk_expr(body)):
                out.add(id(fn))
        return out

    def has_deferred_recover(self, fn: Function) -> bool:
        """A panic in fn's body is recovered: `defer func() { recover() }()`, or `defer h()`
        where h is a package function that calls recover(), or a helper of another package
        whose name says it recovers (`defer sentry.Recover()`, `defer runtime.HandleCrash()`)."""
        if self.recovers(fn):
            return True
        body = fn.body
        for stmt in walk_expr(body) if body is not None else ():
            if stmt.type != "defer_statement":
                continue
            call = next((c for c in stmt.named_children if c.type == "call_expression"), None)
            if call is None:
                continue
            if literal_of(call) is not None:
                continue  # a helper the deferred literal calls is not deferred: its recover() returns nil
            targets = self.resolve(fn, call)
            if any(id(t) in self._recover_helpers for t in targets):
                return True
            name = callee(call)[1].lower()
            if not targets and callee(call) != ("", "recover") and any(w in name for w in ("recover", "panic", "crash")):
                return True
        return False

    def goroutine_recovers(self, fn: Function, stmt: Node) -> bool | None:
        """Whether the goroutine of `go f(..)` recovers its panics; None when it runs another package's code.

        A literal that hands its work to a package function that recovers
        (`go func() { s.process(job) }()`) counts as recovering. A call through one of
        the package's interfaces may run any implementation: each must recover (one
        that did was enough before 2026-11-26).
        """
        targets = self.goroutine_targets(fn, stmt)
        if not targets:
            return None
        return all(self._target_recovers(t) for t in targets)

    def _target_recovers(self, target: Function) -> bool:
        if self.has_deferred_recover(target):
            return True
        body = target.body
        if target.is_literal and body is not None:
            # trusted only when every call of the package's code in it recovers (missed before the audit)
            called = [self.resolve(target, n) for n in walk_expr(body) if n.type == "call_expression"]
            called = [ts for ts in called if ts]
            return bool(called) and all(all(self.has_deferred_recover(t) for t in ts) for ts in called)
        return False

    # path facts ---------------------------------------------------------------------------

    def paths(self, fn: Function, indexed: str = "") -> Paths | None:
        """What holds on the paths to each expression of `fn` (see linter.analysis.paths).

        `indexed`: a local of unknown type taken as a slice, because the question is whether an
        index of it is in range: were it a map, the index could not panic anyway."""
        body = fn.body
        if body is None:
            return None
        found = self._paths.get((id(fn), indexed))
        if found is None:
            scope = self.scope(fn)
            names = self.own_names(fn) | ({fn.receiver} if fn.receiver else set())

            def slices(name: str) -> bool:
                t = scope.pkg.underlying(scope.names.get(name, "")) if name in names else ""
                return t.startswith("[") or t == "string" or name == indexed

            found = self._paths[(id(fn), indexed)] = Paths(
                body, frozenset(names), slices, self.terminal(fn), lambda call: self._inline(fn, call),
                lambda call: self._library(fn, call),
                lambda name: self._constant(fn, name),
                lambda target: self._scalar_slot(fn, target),
                lambda expr: scope.pkg.underlying(scope.type_of(expr)),
                lambda node: self.locked_owners(fn, node),
                lambda owner, name: self._fixed_field(fn, owner, name),
                lambda target: self._struct_slot(fn, target),
                lambda selector: self._field_through_pointer(fn, selector),
                lambda expr: const_str_len(expr, _Unshadowed(self, fn)),
                lambda node: self.call_writes.of_node(fn, node),
                self._escapes_of_body(fn, body).private,
                lambda call, index: self.non_nil_results.of_call(fn, call, index),
            )
        return found

    @cached_property
    def non_nil_results(self) -> NonNilResults:
        return NonNilResults(self)

    def _value_method(self, t: str, name: str) -> bool:
        """Whether the package declares the method `name` of the type t with a value receiver only:
        calling it copies the value, where a pointer receiver would get its address."""
        found = self.resolver.methods.get(t.split("[", 1)[0], {}).get(name)
        return bool(found) and all(
            "*" not in text(f.node.child_by_field_name("receiver")) for f in found  # type: ignore[arg-type]
        )

    def _struct_fields(self, fn: Function) -> Callable[[str], dict[str, bool] | None]:
        """The fields a package struct type declares, as `fn`'s file sees the types, each with
        how plain it is (see linter.analysis.escape); None for another type."""
        pkg = self.scope(fn).pkg

        def plain(t: str) -> str:
            if t.startswith(("map[", "chan", "<-chan")):
                return SHARED_LENGTH  # the reference is the field's, the length the map's
            plain = t.startswith(_REFERENCES) or t in SCALAR_TYPES or t in ("error", "any") or (
                pkg.named.get(t, "").startswith("interface{")
            )
            return PLAIN if plain else NOT_PLAIN

        seen: dict[str, dict[str, str] | None] = {}

        def fields(t: str) -> dict[str, str] | None:
            name = t.split("[", 1)[0]
            if name not in seen:
                own = pkg.fields.get(name) if pkg.named.get(name) == "struct" else None
                seen[name] = {f: plain(ft) for f, ft in own.items()} if own is not None else None
            return seen[name]

        return fields

    @cached_property
    def call_writes(self) -> CallWrites:
        """What calls may change of the terms path facts read (see linter.analysis.writes)."""
        return CallWrites(self, lambda fn, call: self._library(fn, call))

    @cached_property
    def fixed_fields(self) -> FixedFields:
        """Fields only composite literals and writes of a private object set (see linter.analysis.fields)."""
        return FixedFields(self)

    def escapes(self, fn: Function) -> Escapes | None:
        """The fresh locals of `fn` and where each escapes (see linter.analysis.escape); None for
        a function without a body. One per function, shared by LJ101's path facts and fixed fields."""
        body = fn.body
        return self._escapes_of_body(fn, body) if body is not None else None

    def _escapes_of_body(self, fn: Function, body: Node) -> Escapes:
        found = self._escapes.get(id(fn))
        if found is None:
            scope = self.scope(fn)
            found = self._escapes[id(fn)] = Escapes(
                body, frozenset({*fn.params, *fn.results, fn.receiver}), self._struct_fields(fn), fn.params,
                scope.type_of, scope.pkg.underlying, self._value_method,
            )
        return found

    def _fixed_field(self, fn: Function, owner: str, name: str) -> str:
        """Whether the field `name` of the path `owner` in `fn` (`p`, `s.cfg`) is fixed (see
        linter.analysis.fields): the path's type is followed from a local or package variable."""
        scope = self.scope(fn)
        root, *rest = owner.split(".")
        t = scope.names.get(root) or ("" if self._shadowed(fn, root) else self.types.vars.get(root, ""))
        for part in rest:
            t = self.types.field_type(t, part) if t else ""
        struct = t.lstrip("*").split("[", 1)[0]
        return self.fixed_fields.kind(struct, name) if struct else ""

    def _struct_slot(self, fn: Function, target: Node) -> Callable[[str], bool] | None:
        """For `xs[k]` of a slice or array whose element is a struct E (by value, maybe in arrays):
        the terms that may read E's memory. Writing the slot changes an E and the structs it holds
        by value; a term reads a struct object only where its path goes through a pointer, so it
        may change when some pointer on its path leads to such a struct (or to a type lockjaw does
        not know). Another package's E holds none of this package's types (it cannot import them)."""
        operand = target.child_by_field_name("operand")
        if target.type != "index_expression" or operand is None:
            return None
        t = self.types.underlying(self.scope(fn).type_of(operand)).lstrip("*")
        if not t.startswith("["):
            return None  # a map's element is no memory, but its length changes
        element = element_type(t)
        while element.startswith("[") and not element.startswith("[]"):
            element = element_type(element)
        if not element[:1].isalpha() or "[" in element:
            return None
        nested = self._nested_structs(element)
        if nested is None:
            return None
        return lambda term: self._reads_within(fn, term, nested)

    def _nested_structs(self, name: str) -> frozenset[str] | None:
        """The package's struct types held by value in a value of type `name` (itself included);
        empty for another package's type, None for a package type that is no struct."""
        fields = self.types.fields
        if name not in fields:
            return None if name in self.types.named or "." not in name else frozenset()
        seen = {name}
        todo = [name]
        while todo:
            for ft in fields.get(todo.pop(), {}).values():
                while ft.startswith("[") and not ft.startswith("[]"):
                    ft = element_type(ft)
                base = ft.split("[", 1)[0]
                if base in fields and base not in seen:
                    seen.add(base)
                    todo.append(base)
        return frozenset(seen)

    def _reads_within(self, fn: Function, term: str, nested: frozenset[str]) -> bool:
        """Whether the term `p.a.b` (or its len/cap) may read memory of a struct in `nested`:
        some pointer on its path leads to one, to a type of another package or an unknown one,
        or a field on it is promoted (through a pointer lockjaw does not see)."""
        path = term[4:-1] if term.startswith(("len(", "cap(")) else term
        if "(" in path or "." not in path:
            return "(" in path
        root, *rest = path.split(".")
        t = self.scope(fn).names.get(root) or ("" if self._shadowed(fn, root) else self.types.vars.get(root, ""))
        fields = self.types.fields
        for part in rest:
            if not t:
                return True
            struct = t[1:] if t.startswith("*") else t
            if struct not in fields or part not in fields[struct]:
                return True
            if t.startswith("*") and struct in nested:
                return True
            t = fields[struct][part]
        return False

    def locked_owners(self, fn: Function, node: Node) -> frozenset[str]:
        """The objects whose mutex `fn` holds on every path to `node` (`b` for `b.mu`, or for
        `b.Lock()` of an embedded mutex). `node` is a CFG node, an expression inside one, or a
        statement whose CFG nodes change no lock (the first of them is asked)."""
        states = self._must_states.get(id(fn))
        if states is None:
            states = {}
            graph = self.cfg(fn) if self.uses_locks(fn) or self.effects_table.relevant(fn) else None
            if graph is not None:
                states = node_states(graph, self.ops_of(fn), self.effects_table.expander(fn), must=True,
                                     unchanged=self.unchanged_flag(fn))
            self._must_states[id(fn)] = states
        if not states:
            return frozenset()
        state = next((states[n.id] for n in walk_expr(node) if n.id in states), None)
        current = node.parent
        while state is None and current is not None and current.type not in FUNCTION_KINDS:
            state = states.get(current.id)
            current = current.parent
        if state is None:
            return frozenset()
        return frozenset(h.mutex.rsplit(".", 1)[0] for h in state.held)

    def _constant(self, fn: Function, name: str) -> int | None:
        """The value of the integer constant `name` seen from `fn`: a local constant of `fn` or
        a function around it (declared once there, and naming no package constant or variable,
        so that no block can mean another one), else the package's unless a local shadows it;
        or a listed constant of an imported package (`time.Second`, see linter.analysis.library)."""
        if "." in name:
            qual, _, member = name.partition(".")
            value = library.CONSTANTS.get(self._listed(fn, qual, member))
            return None if value is None or self._shadowed(fn, qual) or qual in self.types.vars else value
        if not self._shadowed(fn, name):
            return self.types.const_value(name)
        declared = [s for s in self._chain_scopes(fn) if name in s.consts]
        if len(declared) != 1 or any(name in s.names for s in self._chain_scopes(fn)):
            return None
        if name in self.types.consts or name in self.types.vars:
            return None
        return declared[0].const_values.get(name)

    def _chain_scopes(self, fn: Function) -> list[Scope]:
        out, f = [], fn
        while f is not None:
            out.append(self.scope(f))
            f = f.parent
        return out

    def _field_through_pointer(self, fn: Function, selector: Node) -> bool:
        """`p.f` with p a pointer to a struct that has the field f (not a method): reading it
        dereferences p."""
        operand, name = selector.child_by_field_name("operand"), selector.child_by_field_name("field")
        if operand is None or name is None:
            return False
        t = self.scope(fn).type_of(operand)
        return t.startswith("*") and bool(self.types.field_type(t, text(name)))

    def _shadowed(self, fn: Function, name: str) -> bool:
        """Whether `fn` or a function around it declares `name` (a variable or a local constant)."""
        f: Function | None = fn
        while f is not None:
            scope = self.scope(f)
            if name in scope.names or name in scope.consts:
                return True
            f = f.parent
        return False

    def _scalar_slot(self, fn: Function, target: Node) -> bool:
        """`xs[k]` of a slice or array, or a field `s.n`, that holds a number, string or bool:
        writing it changes no other variable, field or length (no path leads through it). So
        does `xs[k]` holding a pointer, slice, map, channel, func or interface: an element of
        such a type is no variable and no struct's field, so no term reads its memory."""
        operand = target.child_by_field_name("operand")
        if operand is None:
            return False
        scope = self.scope(fn)
        if target.type == "selector_expression":
            owner = scope.pkg.underlying(scope.type_of(operand)).lstrip("*")
            return bool(owner) and scope.pkg.underlying(scope.type_of(target)) in SCALAR_TYPES
        t = scope.pkg.underlying(scope.type_of(operand)).lstrip("*")
        if not t.startswith("["):
            return False
        element = scope.pkg.underlying(element_type(t))
        return element in SCALAR_TYPES or element in ("error", "any") or element.startswith(_REFERENCES)

    def _library(self, fn: Function, call: Node) -> str:
        """"sort.Search" for a call of that standard function (the package name not shadowed),
        "rand.Rand.Intn" for that method of a value of type `*rand.Rand` (see
        linter.analysis.library; unless the package has a rand.Source of its own, whose code the
        method would run)."""
        function = unparen(call.child_by_field_name("function"))
        operand = function.child_by_field_name("operand") if function.type == "selector_expression" else None
        if operand is None:
            return ""
        scope = self.scope(fn)
        name = text(function.child_by_field_name("field"))
        root = text(operand) if operand.type == "identifier" else ""
        if root and root not in scope.names and root not in self.types.vars:  # a package's name
            return self._listed(fn, root, name)
        if operand.type == "selector_expression":  # a method of a package's variable (`binary.LittleEndian`)
            inner = operand.child_by_field_name("operand")
            qual = text(inner) if inner is not None and inner.type == "identifier" else ""
            if qual and qual not in scope.names and qual not in self.types.vars:
                return self._listed(fn, qual, f"{text(operand.child_by_field_name('field'))}.{name}")
        owner = scope.type_of(operand).removeprefix("*")
        qual, _, type_name = owner.partition(".")
        if not type_name or "." in type_name or "[" in owner:
            return ""
        found = self._listed(fn, qual, f"{type_name}.{name}")
        return "" if found.startswith("rand.Rand.") and self._own_rand_source else found

    def _listed(self, fn: Function, qual: str, name: str) -> str:
        """`short.name` when the file imports a package of linter.analysis.library as `qual`."""
        path = self.file_types(fn.file).imports.get(qual, "")
        short = library.PACKAGES.get(path, "")
        return f"{short}.{name}" if short else ""

    @cached_property
    def _own_rand_source(self) -> bool:
        """Whether the package declares an `Int63` method: a rand.Source whose code a *rand.Rand may run."""
        return any("Int63" in methods for methods in self.types.methods.values())

    def _inline(self, fn: Function, call: Node) -> tuple[Node, dict[str, str]] | None:
        """A call of a helper whose body is `return <expr>`: the expression, and the caller's
        name for each of the helper's receiver and parameters (`cr.hitReadLimit()`)."""
        targets = self.resolve(fn, call)
        if len(targets) != 1 or targets[0].body is None:
            return None
        target = targets[0]
        paths = self.paths(fn)
        stmts = cfgmod.statements(target.body)
        if paths is None or len(stmts) != 1 or stmts[0].type != "return_statement":
            return None
        values = [c for c in stmts[0].named_children if c.type != "comment"]
        result = values[0] if len(values) == 1 else None
        if result is not None and result.type == "expression_list":
            result = result.named_children[0] if result.named_child_count == 1 else None
        if result is None:
            return None
        renaming: dict[str, str] = {}
        function = unparen(call.child_by_field_name("function"))
        if target.receiver:
            operand = function.child_by_field_name("operand") if function.type == "selector_expression" else None
            key = paths.path(operand) if operand is not None else None
            static = self.scope(fn).type_of(operand).lstrip("*").split("[", 1)[0] if operand is not None else ""
            if key is None or static != target.receiver_type:
                return None  # through an interface the method may be another package's
            renaming[target.receiver] = key
        args = call_args(call)
        params = target.node.child_by_field_name("parameters")
        if len(args) != len(target.params) or (
            params is not None and any(p.type == "variadic_parameter_declaration" for p in params.named_children)
        ):
            return None
        for name, arg in zip(target.params, args):
            key = paths.path(arg)
            if key is not None:
                renaming[name] = key
        return result, renaming

    @cached_property
    def routes(self) -> Routes:
        """Under which conditions on their parameters the package's functions can panic."""
        return Routes(self)

    def excluded_by_paths(self, fn: Function, op: Op) -> bool:
        """Whether the facts on every path to a panic op rule it out: `*p` behind `p != nil`,
        `xs[i]` behind `i < n` with `n := len(xs)` and i >= 0, `k % n` behind `if n == 0 { return }`."""
        if op.kind is not OpKind.PANIC:
            return False
        paths = self.paths(fn)
        node = op.node
        if paths is None:
            return False
        if op.reason == "nil pointer dereference":
            operand = node.child_by_field_name("operand")
            return operand is not None and (paths.non_nil(node, operand) or self._captured_non_nil(fn, operand))
        if op.reason == "failed type assertion":
            operand = node.child_by_field_name("operand")
            return operand is not None and paths.has_type(node, operand, squash(node.child_by_field_name("type")))
        if self._in_range(paths, op) or self._captured_in_range(fn, op):
            return True
        operand = node.child_by_field_name("operand")
        name = text(unparen(operand)) if operand is not None and unparen(operand).type == "identifier" else ""
        if name and not paths.slices(name):  # `b := tx.Range(..)` through an interface of another package
            indexed = self.paths(fn, name)
            return indexed is not None and self._in_range(indexed, op)
        return False

    def _captured_non_nil(self, fn: Function, operand: Node) -> bool:
        """`*p` in a function literal, p a variable of an enclosing function that is never
        assigned nor has its address taken: p still holds the value it had where the literal
        was written, so a non-nil fact there (`*p = nil` before it) holds inside."""
        operand = unparen(operand)
        if operand.type != "identifier":
            return False
        name = text(operand)
        while fn.is_literal and fn.parent is not None and name not in self.own_names(fn):
            literal, fn = fn.node, fn.parent
            if name in self.own_names(fn) or name == fn.receiver:
                paths = self.paths(fn)
                return paths is not None and bool(paths.fixed({name})) and paths.non_nil(literal, operand)
        return False

    def _captured_in_range(self, fn: Function, op: Op) -> bool:
        """`xs[i]` in a function literal, xs and i variables of an enclosing function that hold
        the value they had where the literal was written (see Paths.captured_stable): the facts
        there (`i := i` in a range over ys, `xs := make(.., len(ys))`) bound the index whenever
        the literal runs (containerd's convertIndex, whose errgroup goroutines fill newManifests)."""
        node = op.node
        if op.reason != "index out of range" or not fn.is_literal:
            return False
        operand, index = node.child_by_field_name("operand"), node.child_by_field_name("index")
        inner = self.paths(fn)
        if operand is None or index is None or inner is None or unparen(operand).type != "identifier":
            return False
        i = inner.lin(index)
        if i is None:
            return False
        length = term(f"len({text(unparen(operand))})")
        goals = [const(0).minus(i), i.minus(length).shift(1)]
        names = {r for g in goals for t, _ in g.terms for r in roots(t)}
        literal = fn.node
        while fn.is_literal and fn.parent is not None and not names & self.own_names(fn):
            literal, fn = fn.node, fn.parent
            if names <= self.own_names(fn):
                paths = self.paths(fn)
                return paths is not None and paths.captured_stable(names, literal) and paths.proves(literal, goals)
        return False

    @staticmethod
    def _in_range(paths: Paths, op: Op) -> bool:
        """Whether an index, slice or division is proven safe by the facts of `paths`."""
        node = op.node
        if op.reason == "integer divide by zero":
            divisor = node.child_by_field_name("right")
            if node.type == "assignment_statement":  # `x /= d`
                divisor = divisor.named_children[0] if divisor is not None and divisor.named_child_count == 1 else None
            return divisor is not None and paths.nonzero(node, divisor)
        operand = node.child_by_field_name("operand")
        size = paths.path(operand) if operand is not None else None
        if size is None:
            return False
        fixed = paths.text_len(operand) if operand is not None else None  # a constant string
        length = term(f"len({size})") if fixed is None else const(fixed)
        if op.reason == "index out of range":
            index = node.child_by_field_name("index")
            value = paths.index_value(node, index) if index is not None else None
            if value is None:
                return False
            i, bounds = value
            return paths.proves_with(node, [const(0).minus(i), i.minus(length).shift(1)], bounds)
        if op.reason == "slice bounds out of range":
            bounds = [node.child_by_field_name(f) for f in ("start", "end", "capacity")]
            start, end, cap = (paths.lin(b) if b is not None else None for b in bounds)
            if any(b is not None and v is None for b, v in zip(bounds, (start, end, cap))):
                return False
            lo, hi = start or const(0), end or length
            goals: list[Lin] = [const(0).minus(lo), lo.minus(hi)]
            goals.append(hi.minus(cap) if cap is not None else hi.minus(length))
            if cap is not None:
                goals.append(cap.minus(term(f"cap({size})")))
            return paths.proves(node, goals)
        return False

    def call_panics(self, fn: Function, op: Op) -> tuple[Function, str] | None:
        """If a call reaches a package function that can panic explicitly: (callee, how)."""
        if op.kind is not OpKind.CALL:
            return None
        for target in self.resolve(fn, op.node):
            how = self.panics_via(target)
            if how and not self.routes.ruled_out(fn, op.node, target):
                return target, how
        return None
