"""LJ201: a handler starts a goroutine that does not recover its panics."""

from __future__ import annotations

import re

from linter.analysis.functions import Function
from linter.model import Level, Precision
from linter.rule import Context, RuleMeta, Site

# A call of Handle, HandleFunc or HandlerFunc, which makes a literal argument a handler
# (as `_registered_as_handler` sees it). The bytes `Handle` alone occur in so many names
# (CloseHandle, handleError, ...) that they would keep a third of the standard library.
REGISTRAR_CALL = re.compile(rb"Handle(?:Func|rFunc)?(?![A-Za-z0-9_])\s*[(\[/]")

META = RuleMeta(
    id="LJ201",
    name="goroutine-without-recover",
    summary="Reports goroutines started in HTTP handlers whose function has no deferred `recover()`.",
    rationale=(
        "net/http, gin and echo recover a panic in the handler's own goroutine and keep serving, but a panic "
        "in a goroutine the handler starts is outside their reach: it crashes the whole process, and every "
        "request in flight with it. Goroutines of func literals and of the package's own functions are "
        "checked for a deferred `recover()` (directly, or through a package helper that calls it, or a "
        "helper of another package named after recovering, like `defer sentry.Recover()`). Only a recover() "
        "the deferred function calls itself counts: not `defer recover()`, `defer log.Println(recover())`, a "
        "helper called from a deferred literal, nor a recover that panics again. A literal that "
        "only hands its work to a package function that recovers is trusted. Goroutines running functions "
        "of other packages are not reported. The rule does not ask whether the goroutine can panic at all, "
        "so precision is medium."
    ),
    bad="""\
func (s *Server) Upload(w http.ResponseWriter, r *http.Request) {
	go func() {
		s.index(r.URL.Query()["id"][0]) // a panic here kills the server
	}()
	w.WriteHeader(http.StatusAccepted)
}""",
    good="""\
func (s *Server) Upload(w http.ResponseWriter, r *http.Request) {
	go func() {
		defer func() {
			if err := recover(); err != nil {
				log.Printf("index: %v", err)
			}
		}()
		s.index(r.URL.Query()["id"][0])
	}()
	w.WriteHeader(http.StatusAccepted)
}""",
    level=Level.ERROR,
    precision=Precision.MEDIUM,
    tags=("panic", "reliability", "http"),
    needles=(b"net/http", b"gin-gonic/gin", b"labstack/echo", b"gofiber/fiber", b"ServeHTTP", REGISTRAR_CALL),
)


def _handler_site(handler: Function) -> Site:
    node = handler.node
    anchor = node.child_by_field_name("name") if not handler.is_literal else node.child_by_field_name("parameters")
    return Site(handler.file, anchor if anchor is not None else node)


def check(ctx: Context) -> None:
    pkg = ctx.package
    if not pkg.has_go_statements:
        return
    for fn in pkg.target_functions:  # findings in context files would not be reported
        if not fn.in_handler:
            continue
        for stmt in pkg.go_statements(fn):
            if pkg.goroutine_recovers(fn, stmt) is not False:
                continue  # recovers, or runs another package's code
            targets = pkg.goroutine_targets(fn, stmt)
            handler = fn.handler
            assert handler is not None
            # through an interface, name an implementation that does not recover
            target = next((t for t in targets if not pkg.has_deferred_recover(t)), targets[0])
            runs = "a func literal" if target.is_literal else f"{target.display_name}()"
            message = (
                f"handler {handler.display_name} starts a goroutine running {runs} with no deferred recover(): "
                "a panic in it crashes the whole server, which the HTTP server's own recovery cannot prevent"
            )
            here = Site(fn.file, stmt)
            ctx.report(here, message, related=[(_handler_site(handler), f"handler {handler.display_name}")])
