"""LJ101: code that can panic runs while a mutex is held without a deferred unlock."""

from __future__ import annotations

from tree_sitter import Node

from linter.analysis.autofix import defer_unlock
from linter.analysis.ops import OpKind
from linter.analysis.syntax import enclosing_function
from linter.model import Fix, Level, Precision
from linter.rule import Context, RuleMeta, Site

META = RuleMeta(
    id="LJ101",
    name="panic-while-locked",
    summary="Reports code that can panic while a mutex is held and no deferred unlock would release it.",
    rationale=(
        "If the code between `Lock()` and `Unlock()` panics, `Unlock()` never runs. net/http, gin and echo "
        "recover a handler's panic and keep serving, so the mutex stays locked forever and every later "
        "request that needs it hangs. Outside handlers the same happens wherever a deferred `recover()` "
        "catches the panic: the function returns with the mutex held and the next `Lock()` deadlocks. "
        "Index and slice expressions, single-value type assertions, integer division by a variable, pointer "
        "dereferences, `panic`, `log.Panic*` and `Must*` calls, and calls to functions of the package that "
        "panic all count, unless a condition on every path to them rules the panic out (a nil check, a "
        "length check, an index that already ran). Most findings on mature code can panic only if an "
        "invariant kept elsewhere breaks (an assertion-style `panic`, an index kept in range by another "
        "function), so precision is medium; the fix, a deferred unlock, is cheap either way."
    ),
    bad="""\
func (s *Store) Get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	item := s.items[i] // panics when i is out of range
	s.mu.Unlock()      // never runs: s.mu stays locked
	json.NewEncoder(w).Encode(item)
}""",
    good="""\
func (s *Store) Get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock() // runs even if the next line panics
	item := s.items[i]
	json.NewEncoder(w).Encode(item)
}""",
    level=Level.WARNING,
    precision=Precision.MEDIUM,
    tags=("concurrency", "deadlock", "panic", "reliability"),
    needles=(b"Lock",),
)

_HANDLER_CONSEQUENCE = (
    "net/http recovers the handler's panic and keeps serving, so {mutex} stays locked "
    "and every later request that needs it hangs"
)
_OTHER_CONSEQUENCE = "if the panic is recovered, {mutex} stays locked and the next Lock() deadlocks"


def _fix_for(ctx: Context, lock: Node, cache: dict[int, Fix | None]) -> Fix | None:
    """The safe `defer Unlock()` rewrite for the lock taken at `lock`, if there is one."""
    if lock.id not in cache:
        owner = enclosing_function(lock)
        fn = ctx.package.function_of(owner) if owner is not None else None
        body = fn.body if fn is not None else None
        cache[lock.id] = defer_unlock(fn.file, body, lock) if fn is not None and body is not None else None
    return cache[lock.id]


def check(ctx: Context) -> None:
    pkg = ctx.package
    fixes: dict[int, Fix | None] = {}
    kinds = frozenset({OpKind.PANIC, OpKind.CALL})
    for root in pkg.target_functions:  # findings in context files would not be reported
        for fn, ev in pkg.events_while_locked(root, kinds):
            held = ev.state.unreleased()
            if not held:
                continue
            op = ev.op
            if op.kind is OpKind.CALL:
                panicking = pkg.call_panics(fn, op)
                if panicking is None:
                    continue
                target, how = panicking
                what = f"call to {op.detail}()"
                why = f"{target.display_name} {how}"
            else:
                if pkg.excluded_by_paths(fn, op):
                    continue
                what, why = op.detail, op.reason
            mutexes = list(dict.fromkeys(h.mutex for h in held))
            names = " and ".join(f"{m}" for m in mutexes)
            first = held[0]
            line = first.site.start_point[0] + 1
            consequence = (_HANDLER_CONSEQUENCE if fn.in_handler else _OTHER_CONSEQUENCE).format(mutex=names)
            message = (
                f"{what} can panic ({why}) while {names} is locked (line {line}) with no deferred unlock; "
                f"{consequence}"
            )
            here = Site(fn.file, op.node)
            related = [(Site(fn.file, h.site), f"{h.mutex}.{h.method}() taken here") for h in held]
            ctx.report(
                here,
                message,
                related=related,
                flow=[*related, (here, f"{what} can panic here")],
                level=Level.ERROR if fn.in_handler else Level.WARNING,
                fixes=[fix for h in held if (fix := _fix_for(ctx, h.site, fixes)) is not None],
            )
