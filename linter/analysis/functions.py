"""Functions, methods and function literals, and which of them are HTTP handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from tree_sitter import Node

from linter.analysis.imports import ECHO, FIBER, GIN, NET_HTTP, Imports
from linter.analysis.syntax import FUNCTION_KINDS, callee, text, unparen
from linter.source import SourceFile

# Calls that register or convert a function literal into a handler.
HANDLER_REGISTRARS = frozenset({"HandleFunc", "Handle", "HandlerFunc"})


@dataclass(eq=False, slots=True)
class Function:
    file: SourceFile
    node: Node
    name: str  # "" for literals
    receiver: str = ""  # receiver variable name
    receiver_type: str = ""  # base type name, without * or type parameters
    params: dict[str, str] = field(default_factory=dict)  # name -> type text
    parent: "Function | None" = None
    is_handler: bool = False
    is_literal: bool = field(init=False, default=False)  # read from the node once: asked for every function

    def __post_init__(self) -> None:
        self.is_literal = self.node.type == "func_literal"

    @property
    def body(self) -> Node | None:
        return self.node.child_by_field_name("body")

    @property
    def results(self) -> dict[str, str]:
        """Named results (name -> type text): locals of the body like the parameters."""
        result = self.node.child_by_field_name("result")
        if result is None or result.type != "parameter_list":
            return {}
        return {n: t for n, t in _param_types(result).items() if not (n.startswith("_") and n[1:].isdigit())}

    @property
    def in_handler(self) -> bool:
        """A handler, or a function literal written inside one."""
        fn: Function | None = self
        while fn is not None:
            if fn.is_handler:
                return True
            fn = fn.parent
        return False

    @property
    def handler(self) -> "Function | None":
        fn: Function | None = self
        while fn is not None:
            if fn.is_handler:
                return fn
            fn = fn.parent
        return None

    @property
    def display_name(self) -> str:
        if self.receiver_type:
            return f"{self.receiver_type}.{self.name}"
        if self.name:
            return self.name
        outer = self.parent
        while outer is not None and outer.is_literal:  # a loop: literals may nest thousands deep
            outer = outer.parent
        return f"func literal in {outer.display_name if outer is not None else '?'}"


def _param_types(params: Node | None) -> dict[str, str]:
    out: dict[str, str] = {}
    if params is None:
        return out
    for decl in params.named_children:
        if decl.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        type_node = decl.child_by_field_name("type")
        type_text = "".join(text(type_node).split())
        if decl.type == "variadic_parameter_declaration":
            type_text = "[]" + type_text
        names = decl.children_by_field_name("name")
        if not names:
            out[f"_{len(out)}"] = type_text
        for n in names:
            out[text(n)] = type_text
    return out


def _receiver(node: Node) -> tuple[str, str]:
    recv = node.child_by_field_name("receiver")
    if recv is None:
        return "", ""
    for decl in recv.named_children:
        if decl.type != "parameter_declaration":
            continue
        name_node = decl.child_by_field_name("name")
        type_node = decl.child_by_field_name("type")
        type_text = "".join(text(type_node).split()).lstrip("*")
        return text(name_node), type_text.split("[", 1)[0]
    return "", ""


class HandlerTypes:
    """The handler parameter types a file can name, under its import aliases.

    `extra` adds (import path, type) pairs from the configuration, e.g.
    ("github.com/acme/web", "*Context") for an in-house framework.
    """

    def __init__(self, imports: Imports, extra: Sequence[tuple[str, str]] = ()):
        http = imports.of(NET_HTTP)
        self.writer = {f"{n}.ResponseWriter" for n in http}
        self.request = {f"*{n}.Request" for n in http}
        self.framework = (
            {f"*{n}.Context" for n in imports.of(GIN)}
            | {f"{n}.Context" for n in imports.of(ECHO)}
            | {f"*{n}.Ctx" for n in imports.of(FIBER)}
            | {f"{'*' if t.startswith('*') else ''}{n}.{t.lstrip('*')}" for path, t in extra for n in imports.of(path)}
        )

    def matches(self, params: dict[str, str]) -> bool:
        types = set(params.values())
        if types & self.framework:
            return True
        return bool(types & self.writer) and bool(types & self.request)


def _registered_as_handler(literal: Node) -> bool:
    """`http.HandleFunc("/", func...)`, `mux.Handle(..)`, `http.HandlerFunc(func...)`."""
    parent = literal.parent
    if parent is None or parent.type != "argument_list":
        return False
    call = parent.parent
    return call is not None and call.type == "call_expression" and callee(call)[1] in HANDLER_REGISTRARS


def _function_nodes(file: SourceFile) -> list[Node]:
    """Every function node of the file, in source order.

    Each one starts with the keyword `func`, so instead of walking every node in
    Python we look up the node at each occurrence of those bytes (in identifiers,
    comments and strings the smallest node there is not a `func` keyword).
    """
    root, data = file.root, file.data
    found: list[Node] = []
    find = data.find
    i = find(b"func")
    while i != -1:
        token = root.descendant_for_byte_range(i, i + 4)
        if token is not None and token.type == "func" and token.start_byte == i:
            node = token.parent
            if node is not None and node.type in FUNCTION_KINDS and node.start_byte == i:
                found.append(node)
        i = find(b"func", i + 4)
    return found


def discover(file: SourceFile, imports: Imports, extra_handlers: Sequence[tuple[str, str]] = ()) -> list[Function]:
    """Every function, method and literal in the file, outermost first, in source order."""
    handler_types = HandlerTypes(imports, extra_handlers)
    found: list[Function] = []
    open_: list[Function] = []  # the functions whose bodies enclose the current position
    for node in _function_nodes(file):
        start = node.start_byte
        while open_ and open_[-1].node.end_byte <= start:
            open_.pop()
        parent = open_[-1] if open_ else None
        params = _param_types(node.child_by_field_name("parameters"))
        name = text(node.child_by_field_name("name"))
        recv_name, recv_type = _receiver(node) if node.type == "method_declaration" else ("", "")
        fn = Function(file, node, name, recv_name, recv_type, params, parent)
        fn.is_handler = handler_types.matches(params) or (
            node.type == "method_declaration" and name == "ServeHTTP"
        ) or (node.type == "func_literal" and _registered_as_handler(node))
        found.append(fn)
        open_.append(fn)
    return found


def literal_of(node: Node) -> Node | None:
    """The function literal a call invokes directly: `func() {...}()`."""
    fn = node.child_by_field_name("function")
    fn = unparen(fn) if fn is not None else None
    return fn if fn is not None and fn.type == "func_literal" else None
