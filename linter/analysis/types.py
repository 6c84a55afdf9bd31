"""Just enough type knowledge to tell a map from a slice, a float from an int.

Types are kept as their source text without spaces (`map[string]int`,
`*Store`, `[]Item`), gathered from the package's own declarations.
Anything lockjaw cannot see is `""` (unknown), and unknown is never a map.
"""

from __future__ import annotations

from collections import ChainMap
from dataclasses import dataclass, field, replace
from typing import Iterator, Protocol

from tree_sitter import Node

from linter.analysis import library
from linter.analysis.syntax import HOLDS_NO_STATEMENT, call_args, callee, text, unparen, walk_expr

FLOAT_TYPES = frozenset({"float32", "float64", "complex64", "complex128"})
INT_TYPES = frozenset(
    {"int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "byte", "rune"}
)
SCALAR_TYPES = FLOAT_TYPES | INT_TYPES | {"string", "bool"}
# Map types of the standard library that handlers index all the time.
KNOWN_MAP_TYPES = frozenset({"Header", "Values", "MIMEHeader", "FuncMap"})
MAX_INFER_DEPTH = 64  # deeper operand chains are left unknown, so inference never exhausts the stack


def squash(node: Node | None) -> str:
    """A type's text without spaces, and without the parentheses Go allows around a type
    (`map[K](map[L]V)` is `map[K]map[L]V`) except around a channel, where they matter."""
    if node is None:
        return ""
    source = text(node)
    if "(" not in source:
        return "".join(source.split())
    start, skip = node.start_byte, set[int]()
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "parenthesized_type" and not any(c.type == "channel_type" for c in n.named_children):
            skip.update((n.start_byte - start, n.end_byte - 1 - start))
        stack.extend(n.named_children)
    data = source.encode()
    kept = bytes(b for i, b in enumerate(data) if i not in skip).decode(errors="replace")
    return "".join(kept.split())


def _split_map(t: str) -> tuple[str, str]:
    """`map[K]V` -> (K, V), matching brackets."""
    depth = 0
    for i in range(3, len(t)):
        c = t[i]
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return t[4:i], t[i + 1 :]
    return "", ""


def element_type(t: str) -> str:
    if t.startswith("map["):
        return _split_map(t)[1]
    if t.startswith("[]"):
        return t[2:]
    if t.startswith("[") and "]" in t:
        return t[t.index("]") + 1 :]
    if t == "string":
        return "byte"
    return ""


@dataclass(slots=True)
class PackageTypes:
    """Declarations at package level, across all files of the package."""

    named: dict[str, str] = field(default_factory=dict)  # type name -> underlying type text
    fields: dict[str, dict[str, str]] = field(default_factory=dict)  # struct -> field -> type
    vars: dict[str, str] = field(default_factory=dict)
    consts: set[str] = field(default_factory=set)
    const_values: dict[str, int] = field(default_factory=dict)  # integer constants
    const_conflicts: set[str] = field(default_factory=set)  # declared twice with different values
    const_lengths: dict[str, int | None] = field(default_factory=dict)  # string constants' byte lengths
    results: dict[str, str] = field(default_factory=dict)  # func or Type.method -> first result type
    all_results: dict[str, list[str]] = field(default_factory=dict)  # ... -> every result type
    methods: dict[str, set[str]] = field(default_factory=dict)  # struct or interface -> its own method names
    embeds: set[str] = field(default_factory=set)  # types that embed another: their method set is open
    bodies: dict[str, Node | None] = field(default_factory=dict)  # func or Type.method -> body (None: declared twice)
    _returned: dict[str, str] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)  # seen from one file (see in_file): name -> import path

    def in_file(self, imports: dict[str, str]) -> "PackageTypes":
        """The same declarations seen from one file, whose imports (local name -> path) give
        the standard functions it calls their result types (see linter.analysis.library)."""
        return replace(self, imports=imports)

    def library_results(self, qualifier: str, name: str) -> tuple[str, ...]:
        """The result types of `qualifier.name()`, a listed function of an imported package
        (the caller checks that no local or package variable is named `qualifier`)."""
        short = library.PACKAGES.get(self.imports.get(qualifier, ""), "")
        return library.results(f"{short}.{name}", qualifier) if short else ()

    def library_variable(self, qualifier: str, name: str) -> str:
        """The type of `qualifier.name`, a listed variable of an imported package (as for
        `library_results`)."""
        short = library.PACKAGES.get(self.imports.get(qualifier, ""), "")
        return library.variable(f"{short}.{name}", qualifier) if short else ""

    def library_field(self, owner: str, name: str) -> str:
        """The type of the field `name` of `owner`, a listed struct of an imported package (`ticker.C`)."""
        qualifier, _, struct = owner.lstrip("*").partition(".")
        short = library.PACKAGES.get(self.imports.get(qualifier, ""), "") if struct else ""
        return library.field(f"{short}.{struct}", name, qualifier) if short else ""

    def method_set(self, t: str) -> set[str] | None:
        """The methods of a package struct or interface type (or a pointer to one), when all of
        them are declared here; None when unknown (another package's type, an embedding one)."""
        t = t.lstrip("*").split("[", 1)[0]
        kind = self.named.get(t, "")
        if t in self.embeds or not (kind == "struct" or kind.startswith("interface{")):
            return None
        return self.methods.get(t, set())

    def const_value(self, name: str) -> int | None:
        """The value of an integer constant of the package (None if unknown, or declared twice
        with different values, as build-tagged twins may be)."""
        return None if name in self.const_conflicts else self.const_values.get(name)

    def const_length(self, name: str) -> int | None:
        """The byte length of a string constant of the package (None if unknown or ambiguous)."""
        return self.const_lengths.get(name)

    def _const_values(self, decl: Node) -> None:
        """`const ( a = iota; b; c = 1 << 4 )`: an omitted value repeats the previous one."""
        for iota, names, values in _const_specs(decl):
            for name, v in zip(names, values if len(values) == len(names) else []):
                size = const_str_len(v, self)
                if size is not None or name in self.const_lengths:
                    known = self.const_lengths.get(name, size)
                    self.const_lengths[name] = size if known == size else None
                number = _const_int(v, iota, self)  # a typed constant has the same exact value
                if name in self.const_values and self.const_values[name] != number:
                    self.const_conflicts.add(name)
                if number is not None:
                    self.const_values[name] = number
                else:
                    self.const_conflicts.add(name)

    def returned(self, name: str) -> str:
        """The one concrete type a function or method (`Type.method`) declared to return a package
        interface always returns: every `return` gives a literal of it (`return &tx{..}`). A call's
        value then has that dynamic type, and its methods are that type's. "" when unknown."""
        found = self._returned.get(name)
        if found is None:
            found = ""
            body = self.bodies.get(name)
            if body is not None and self.underlying(self.results.get(name, "")).startswith("interface{"):
                kinds = {_literal_type(r) for r in walk_expr(body) if r.type == "return_statement"}
                found = kinds.pop() if len(kinds) == 1 else ""
            self._returned[name] = found
        return found

    def underlying(self, t: str) -> str:
        seen = 0
        t = t.split("[", 1)[0] if t and t[0].isalpha() and "[" in t and not t.startswith("map[") else t
        while t in self.named and seen < 10:
            t = self.named[t]
            seen += 1
        return t

    def is_map(self, t: str) -> bool:
        if not t:
            return False
        if "." in t and not t.startswith(("map[", "[", "*", "func")):
            return t.rsplit(".", 1)[1] in KNOWN_MAP_TYPES
        return self.underlying(t).startswith("map[")

    def field_type(self, struct: str, name: str) -> str:
        seen: set[str] = set()
        todo = [struct.lstrip("*").split("[", 1)[0]]
        while todo:  # look through embedded structs too
            s = todo.pop()
            if s in seen:
                continue
            seen.add(s)
            fields = self.fields.get(s, {})
            if name in fields:
                return fields[name]
            todo.extend(t.lstrip("*") for f, t in fields.items() if f == t.lstrip("*").rsplit(".", 1)[-1])
        return ""

    def with_types(self, specs: list[Node]) -> "PackageTypes":
        """A copy in which these type declarations replace those of the same names: a type
        declared once per platform, seen from a file of one (see Package.types_in). An interface
        keeps the first declaration (its methods go into sets shared with this one)."""
        view = replace(self, named=dict(self.named), fields=dict(self.fields), embeds=set(self.embeds), _returned={})
        for spec in specs:
            name = text(spec.child_by_field_name("name"))
            type_node = spec.child_by_field_name("type")
            interface = self.named.get(name, "").startswith("interface{")
            if type_node is None or type_node.type == "interface_type" or interface:
                continue
            view.fields.pop(name, None)
            view.embeds.discard(name)
            if type_node.type == "struct_type":
                view.fields[name] = _struct_fields(type_node, view, name)
                view.named[name] = "struct"
                if _embeds(type_node):
                    view.embeds.add(name)
            else:
                view.named[name] = squash(type_node)
        return view

    def collect(self, root: Node) -> None:
        for decl in root.named_children:
            kind = decl.type
            if kind == "type_declaration":
                for spec in decl.named_children:
                    if spec.type not in ("type_spec", "type_alias"):
                        continue
                    name = text(spec.child_by_field_name("name"))
                    type_node = spec.child_by_field_name("type")
                    if type_node is None:
                        continue
                    if name in self.named:
                        continue  # the first declaration wins; later ones are usually build-excluded twins
                    if type_node.type == "struct_type":
                        self.fields[name] = _struct_fields(type_node, self, name)
                        self.named[name] = "struct"
                        if _embeds(type_node):
                            self.embeds.add(name)
                    elif type_node.type == "interface_type" and spec.type == "type_spec":
                        self.named[name] = squash(type_node)
                        self._collect_interface(name, type_node)
                    else:
                        self.named[name] = squash(type_node)
            elif kind == "var_declaration":
                for spec in _specs(decl, "var_spec"):
                    _bind_spec(spec, self.vars, self, {})
            elif kind == "const_declaration":
                for spec in _specs(decl, "const_spec"):
                    for n in spec.children_by_field_name("name"):
                        self.consts.add(text(n))
                self._const_values(decl)
            elif kind in ("function_declaration", "method_declaration"):
                result = decl.child_by_field_name("result")
                rtype = _first_result(result)
                name = text(decl.child_by_field_name("name"))
                if kind == "method_declaration":
                    recv = decl.child_by_field_name("receiver")
                    rt = ""
                    if recv is not None:
                        for p in recv.named_children:
                            if p.type == "parameter_declaration":
                                rt = squash(p.child_by_field_name("type")).lstrip("*").split("[", 1)[0]
                    self.methods.setdefault(rt, set()).add(name)
                    name = f"{rt}.{name}"
                if rtype and name not in self.results:
                    self.results[name] = rtype
                    self.all_results[name] = _result_types(result)
                if rtype:  # a build-tagged twin may return another type: neither body is trusted
                    self.bodies[name] = decl.child_by_field_name("body") if name not in self.bodies else None


    def _collect_interface(self, name: str, iface: Node) -> None:
        """An interface's methods, with their results (`Lock() (Locker, error)`) for inference."""
        methods = self.methods.setdefault(name, set())
        for elem in iface.named_children:
            if elem.type == "comment":
                continue
            if elem.type != "method_elem":
                self.embeds.add(name)
                continue
            method = text(elem.child_by_field_name("name"))
            methods.add(method)
            result = elem.child_by_field_name("result")
            rtype = _first_result(result)
            if rtype and f"{name}.{method}" not in self.results:
                self.results[f"{name}.{method}"] = rtype
                self.all_results[f"{name}.{method}"] = _result_types(result)


def _literal_type(ret: Node) -> str:
    """The type of the one value a `return` gives when it is a composite literal (`T{..}`, `&T{..}`)."""
    values = [c for c in ret.named_children if c.type != "comment"]
    value = values[0] if len(values) == 1 else None
    if value is not None and value.type == "expression_list":
        value = value.named_children[0] if value.named_child_count == 1 else None
    value = unparen(value) if value is not None else None
    pointer = value is not None and value.type == "unary_expression" and text(value.child_by_field_name("operator")) == "&"
    if pointer and value is not None:
        operand = value.child_by_field_name("operand")
        value = unparen(operand) if operand is not None else None
    if value is None or value.type != "composite_literal":
        return ""
    t = squash(value.child_by_field_name("type"))
    return ("*" + t if pointer else t) if t and t[0].isalpha() else ""


def _embeds(struct: Node) -> bool:
    """Whether a struct type has an embedded field (which brings methods along)."""
    return any(
        fd.type == "field_declaration" and not fd.children_by_field_name("name")
        for lst in struct.named_children if lst.type == "field_declaration_list"
        for fd in lst.named_children
    )


def _const_int(expr: Node, iota: int, pkg: "ConstLookup", depth: int = 0) -> int | None:
    """The value of an integer constant expression: literals, iota, earlier constants,
    + - * / % << >> & | and parentheses, and conversions to an integer type (`State(iota + 1)`:
    Go rejects one that would change the value)."""
    expr = unparen(expr)
    if depth > 16:
        return None
    kind = expr.type
    if kind == "int_literal":
        try:
            return int(text(expr).replace("_", ""), 0)
        except ValueError:
            return None
    if kind == "iota":
        return iota
    if kind == "identifier":
        return iota if text(expr) == "iota" else pkg.const_value(text(expr))
    if kind == "unary_expression" and text(expr.child_by_field_name("operator")) in ("-", "+"):
        operand = expr.child_by_field_name("operand")
        inner = _const_int(operand, iota, pkg, depth + 1) if operand is not None else None
        return -inner if inner is not None and text(expr.child_by_field_name("operator")) == "-" else inner
    if kind == "binary_expression":
        left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
        a = _const_int(left, iota, pkg, depth + 1) if left is not None else None
        b = _const_int(right, iota, pkg, depth + 1) if right is not None else None
        if a is None or b is None:
            return None
        op = text(expr.child_by_field_name("operator"))
        if op in ("/", "%") and b == 0 or op in ("<<", ">>") and not 0 <= b <= 64:
            return None
        if op in ("/", "%") and (a < 0 or b < 0):
            return None  # Go truncates toward zero, Python floors
        result = {
            "+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a // b, "%": lambda: a % b,
            "<<": lambda: a << b, ">>": lambda: a >> b, "&": lambda: a & b, "|": lambda: a | b,
        }.get(op)
        return result() if result is not None else None
    if kind == "call_expression":
        function = expr.child_by_field_name("function")
        args = call_args(expr)
        if function is None or unparen(function).type != "identifier" or len(args) != 1:
            return None
        if text(unparen(function)) == "len":  # `LEN_CR_LF = len(CR_LF)`
            return const_str_len(args[0], pkg, depth + 1)
        if pkg.underlying(text(unparen(function))) in INT_TYPES:
            return _const_int(args[0], iota, pkg, depth + 1)
    return None


_SIMPLE_ESCAPES = frozenset("abfnrtv\\'\"")


def const_str_len(expr: Node, pkg: "ConstLookup", depth: int = 0) -> int | None:
    """The length in bytes of a constant string: a literal, a string constant, or a sum of them."""
    expr = unparen(expr)
    if depth > 16:
        return None
    kind = expr.type
    if kind == "raw_string_literal":
        return len(text(expr)[1:-1].replace("\r", "").encode())
    if kind == "interpreted_string_literal":
        return _unquoted_len(text(expr)[1:-1])
    if kind == "identifier":
        return pkg.const_length(text(expr))
    if kind == "binary_expression" and text(expr.child_by_field_name("operator")) == "+":
        left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
        a = const_str_len(left, pkg, depth + 1) if left is not None else None
        b = const_str_len(right, pkg, depth + 1) if right is not None else None
        return a + b if a is not None and b is not None else None
    return None


def _unquoted_len(body: str) -> int | None:
    """Bytes of a Go interpreted string literal's body (`\\r\\n` is 2, `\\u00e9` is 2)."""
    size, i = 0, 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            size += len(ch.encode())
            i += 1
            continue
        kind = body[i + 1] if i + 1 < len(body) else ""
        if kind in _SIMPLE_ESCAPES:
            size, i = size + 1, i + 2
        elif kind == "x" or (kind and kind in "01234567"):  # `\x41`, `\101`: one byte
            size, i = size + 1, i + 4
        elif kind in ("u", "U"):
            width = 4 if kind == "u" else 8
            try:
                size += len(chr(int(body[i + 2 : i + 2 + width], 16)).encode())
            except (ValueError, OverflowError):
                return None
            i += 2 + width
        else:
            return None
    return size


def _const_specs(decl: Node) -> Iterator[tuple[int, list[str], list[Node]]]:
    """(iota, names, values) for each spec of a `const` declaration; a spec that omits its
    values repeats the previous spec's (`const ( a = iota; b; c )`)."""
    previous: list[Node] = []
    for iota, spec in enumerate(_specs(decl, "const_spec")):
        value = spec.child_by_field_name("value")
        values = [v for v in value.named_children if v.type != "comment"] if value is not None else previous
        previous = values
        yield iota, [text(n) for n in spec.children_by_field_name("name")], values


def _specs(decl: Node, kind: str) -> list[Node]:
    out = []
    for c in decl.named_children:
        if c.type == kind:
            out.append(c)
        elif c.type.endswith("_spec_list"):
            out.extend(s for s in c.named_children if s.type == kind)
    return out


def _first_result(result: Node | None) -> str:
    if result is None:
        return ""
    if result.type == "parameter_list":
        for p in result.named_children:
            if p.type == "parameter_declaration":
                return squash(p.child_by_field_name("type"))
        return ""
    return squash(result)


def _result_types(result: Node | None) -> list[str]:
    if result is None:
        return []
    if result.type != "parameter_list":
        return [squash(result)]
    out: list[str] = []
    for p in result.named_children:
        if p.type == "parameter_declaration":
            t = squash(p.child_by_field_name("type"))
            out.extend([t] * max(1, len(p.children_by_field_name("name"))))
    return out


def _struct_fields(struct: Node, pkg: "PackageTypes", owner: str) -> dict[str, str]:
    """The fields of a struct type and their types. A field of anonymous struct type
    (`pasi struct { sync.Mutex; m map[K]V }`) gets a synthetic named type, `struct:Owner.pasi`,
    so that its own fields are known too."""
    fields: dict[str, str] = {}
    for lst in struct.named_children:
        if lst.type != "field_declaration_list":
            continue
        for fd in lst.named_children:
            if fd.type != "field_declaration":
                continue
            type_node = fd.child_by_field_name("type")
            t = squash(type_node)
            names = fd.children_by_field_name("name")
            if names and type_node is not None and type_node.type == "struct_type":
                for n in names:
                    synthetic = f"struct:{owner.removeprefix('struct:')}.{text(n)}"
                    pkg.fields[synthetic] = _struct_fields(type_node, pkg, synthetic)
                    pkg.named[synthetic] = "struct"
                    if _embeds(type_node):
                        pkg.embeds.add(synthetic)
                    fields[text(n)] = synthetic
            elif names:
                for n in names:
                    fields[text(n)] = t
            else:  # embedded: the field is named after its type
                fields[t.lstrip("*").rsplit(".", 1)[-1].split("[", 1)[0]] = t
    return fields


def _reassigned(body: Node) -> set[str]:
    """Names assigned with `=` (or received, ranged into) anywhere in `body`, function literals
    included, or whose address is taken: their value may be another than the declaration's."""
    out: set[str] = set()
    for node in walk_expr(body, into_literals=True):
        kind = node.type
        if kind in ("assignment_statement", "range_clause", "receive_statement"):
            left = node.child_by_field_name("left")
            out.update(text(n) for n in (left.named_children if left is not None else ()) if n.type == "identifier")
        elif kind == "var_spec":
            out.update(text(n) for n in node.children_by_field_name("name"))
        elif kind == "unary_expression" and text(node.child_by_field_name("operator")) == "&":
            operand = node.child_by_field_name("operand")
            out.update([text(operand)] if operand is not None and operand.type == "identifier" else [])
    return out


def _anonymous_struct(spec: Node) -> Node | None:
    """The struct type a var spec declares its names with, if it is an anonymous one:
    `var cache struct { sync.Mutex; m map[K]V }`, `var t = struct{ ... }{...}`."""
    if not spec.children_by_field_name("name"):
        return None
    type_node = spec.child_by_field_name("type")
    value = spec.child_by_field_name("value")
    if type_node is None and value is not None and value.named_child_count == 1:
        literal = unparen(value.named_children[0])
        if literal.type == "composite_literal":
            type_node = literal.child_by_field_name("type")
    return type_node if type_node is not None and type_node.type == "struct_type" else None


def _bind_spec(spec: Node, into: dict[str, str], pkg: PackageTypes, scope: dict[str, str]) -> None:
    names = [text(n) for n in spec.children_by_field_name("name")]
    type_node = spec.child_by_field_name("type")
    value = spec.child_by_field_name("value")
    struct = _anonymous_struct(spec)
    if struct is not None:
        type_node = struct
        # `var cache struct { sync.Mutex; m map[K]V }`: give the struct a name to find its fields by
        synthetic = f"struct:{names[0]}"
        pkg.fields[synthetic] = _struct_fields(type_node, pkg, synthetic)
        pkg.named[synthetic] = "struct"
        if _embeds(type_node):
            pkg.embeds.add(synthetic)
        for name in names:
            into[name] = synthetic
        return
    declared = squash(type_node)
    values = value.named_children if value is not None else []
    for i, name in enumerate(names):
        if declared:
            into[name] = declared
        elif len(values) == len(names):
            into[name] = infer(values[i], pkg, scope)


def infer(expr: Node, pkg: PackageTypes, scope: dict[str, str], depth: int = 0) -> str:
    """The type of an expression, as far as declarations show it.

    Recursion is bounded: operands nested deeper than MAX_INFER_DEPTH (long
    generated chains) are unknown rather than a RecursionError.
    """
    if depth > MAX_INFER_DEPTH:
        return ""
    depth += 1
    expr = unparen(expr)
    kind = expr.type
    if kind == "identifier":
        name = text(expr)
        return scope.get(name) or pkg.vars.get(name, "")
    if kind == "composite_literal":
        return squash(expr.child_by_field_name("type"))
    if kind == "unary_expression":
        op = text(expr.child_by_field_name("operator"))
        operand = expr.child_by_field_name("operand")
        inner = infer(operand, pkg, scope, depth) if operand is not None else ""
        if op == "&":
            return "*" + inner if inner else ""
        if op == "*":
            return inner[1:] if inner.startswith("*") else ""
        if op == "<-":
            return inner.split("chan", 1)[1] if "chan" in inner else ""
        return inner
    if kind == "selector_expression":
        operand = expr.child_by_field_name("operand")
        owner = infer(operand, pkg, scope, depth) if operand is not None else ""
        if not owner and operand is not None and _imported(operand, pkg, scope):
            return pkg.library_variable(text(operand), text(expr.child_by_field_name("field")))
        name = text(expr.child_by_field_name("field"))
        return (pkg.field_type(owner, name) or pkg.library_field(owner, name)) if owner else ""
    if kind == "index_expression":
        operand = expr.child_by_field_name("operand")
        return element_type(pkg.underlying(infer(operand, pkg, scope, depth))) if operand is not None else ""
    if kind == "slice_expression":
        operand = expr.child_by_field_name("operand")
        return pkg.underlying(infer(operand, pkg, scope, depth)) if operand is not None else ""
    if kind == "call_expression":
        return _infer_call(expr, pkg, scope, depth)
    if kind == "type_assertion_expression":
        return squash(expr.child_by_field_name("type"))
    if kind in ("interpreted_string_literal", "raw_string_literal"):
        return "string"
    if kind == "float_literal":
        return "float64"
    if kind == "int_literal":
        return "int"
    if kind == "binary_expression":
        op = text(expr.child_by_field_name("operator"))
        if op in ("==", "!=", "<", "<=", ">", ">=", "&&", "||"):
            return "bool"
        left = expr.child_by_field_name("left")
        right = expr.child_by_field_name("right")
        lt = infer(left, pkg, scope, depth) if left is not None else ""
        return lt or (infer(right, pkg, scope, depth) if right is not None else "")
    return ""


def _infer_call(call: Node, pkg: PackageTypes, scope: dict[str, str], depth: int) -> str:
    fn = call.child_by_field_name("function")
    if fn is not None and fn.type == "selector_expression":
        # A method: the result of Owner.name. (callee() is not used here: it renders the
        # whole receiver chain as text, which is quadratic on long builder chains.)
        operand = fn.child_by_field_name("operand")
        owner = infer(operand, pkg, scope, depth).lstrip("*") if operand is not None else ""
        name = text(fn.child_by_field_name("field"))
        if not owner and operand is not None and _imported(operand, pkg, scope):
            return next(iter(pkg.library_results(text(operand), name)), "")
        return pkg.results.get(f"{owner.split('[', 1)[0]}.{name}", "") if owner else ""
    qual, name = callee(call)
    args = call.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_child_count else None
    if not qual:
        if name in ("make",) and first is not None:
            return squash(first)
        if name == "new" and first is not None:
            return "*" + squash(first)
        if name in FLOAT_TYPES or name in INT_TYPES or name == "string":
            return name
        if name in ("len", "cap", "copy"):
            return "int"
        if name in pkg.named:
            return name  # a conversion T(x)
        return pkg.results.get(name, "")
    if fn is not None and fn.type == "parenthesized_expression":
        return squash(unparen(fn))  # (*T)(x)
    return ""


def _imported(operand: Node, pkg: PackageTypes, scope: dict[str, str]) -> bool:
    """Whether `operand` (of `operand.f`) names an imported package: no local or package
    variable shadows the name the file imports it by."""
    if operand.type != "identifier":
        return False
    name = text(operand)
    return name in pkg.imports and name not in scope and name not in pkg.vars


# Nodes that end the scope of a variable declared in them (or in their header).
_BLOCKS = frozenset({
    "block", "if_statement", "for_statement", "expression_switch_statement", "type_switch_statement",
    "select_statement", "expression_case", "type_case", "default_case", "communication_case", "func_literal",
})


class ConstLookup(Protocol):
    """Where a constant expression finds the names it reads."""

    def const_value(self, name: str) -> int | None: ...

    def const_length(self, name: str) -> int | None: ...

    def underlying(self, t: str) -> str: ...


class _LocalConsts:
    """What a local constant's value may read: the function's own earlier constants and
    the predeclared integer types."""

    def __init__(self, scope: "Scope"):
        self.scope = scope

    def const_value(self, name: str) -> int | None:
        return None if name in self.scope.names else self.scope.const_values.get(name)

    def const_length(self, name: str) -> int | None:
        return None

    def underlying(self, t: str) -> str:
        return t if t in INT_TYPES else ""


class Scope:
    """Local names of one function (and the functions around it) with their types."""

    def __init__(self, pkg: PackageTypes, params: dict[str, str], body: Node | None, outer: dict[str, str]):
        self.pkg = pkg
        self.names: dict[str, str] = dict(outer)
        self.names.update(params)
        self.consts: set[str] = set()
        self.const_values: dict[str, int | None] = {}  # None: not an integer, or declared twice differently
        # Names that stand for another variable in part of the body, (start, end, name, type):
        # `switch v := x.(type) { case *T: ... }` in each one-type case, and `y := y.(*T)` in an inner block.
        self.narrowed: list[tuple[int, int, str, str]] = []
        self._own_tables = False  # self.pkg is a copy holding this function's local struct types
        if body is not None:
            self._collect(body)

    def _collect(self, body: Node) -> None:
        stack = [body]
        names = self.names
        dynamic: dict[str, str] = {}  # `tx := f()`, f always returning one concrete type: tx's dynamic type
        declared: set[str] = set()  # declared more than once in the body
        while stack:
            node = stack.pop()
            kind = node.type
            if kind == "func_literal":
                continue
            if kind == "short_var_declaration":
                left = node.child_by_field_name("left")
                right = node.child_by_field_name("right")
                lefts = left.named_children if left is not None else []
                rights = right.named_children if right is not None else []
                if len(lefts) == len(rights):
                    for l, r in zip(lefts, rights):
                        n = text(l)
                        if n != "_" and n not in names:
                            names[n] = infer(r, self.pkg, names)
                            concrete = self._returned(r)
                            if concrete:
                                dynamic[n] = concrete
                        elif n != "_":
                            declared.add(n)
                            self._shadow(node, n, infer(r, self.pkg, names))
                elif len(rights) == 1 and len(lefts) > 1:
                    first = infer(rights[0], self.pkg, names)  # `v, ok := x.(T)`, `v, err := f()`
                    types = self._results(rights[0]) or [first]
                    types = types + [""] * (len(lefts) - len(types))
                    for l, t in zip(lefts, types):
                        n = text(l)
                        if n != "_" and n not in names:
                            names[n] = t  # "" when unknown: still a local (linter.analysis.paths needs them all)
                        elif n != "_":
                            declared.add(n)
                            self._shadow(node, n, t)
            elif kind == "var_spec":
                if _anonymous_struct(node) is not None and not self._own_tables:
                    # a local's synthetic struct type goes into this function's own copy of the
                    # tables, so what every other function sees never depends on which scopes
                    # were built first (nor is a package variable's of the same name replaced)
                    self.pkg = replace(self.pkg, named=dict(self.pkg.named), fields=dict(self.pkg.fields),
                                       embeds=set(self.pkg.embeds), _returned={})
                    self._own_tables = True
                _bind_spec(node, names, self.pkg, names)
            elif kind == "const_declaration":
                self._const_values(node)
            elif kind == "const_spec":
                for n in node.children_by_field_name("name"):
                    self.consts.add(text(n))
            elif kind == "range_clause":
                self._bind_range(node)
            elif kind == "type_switch_statement":
                self._bind_type_switch(node)
            if node.named_child_count and kind not in HOLDS_NO_STATEMENT:  # nor a declaration
                stack.extend(reversed(node.named_children))
        if dynamic:
            for n in set(dynamic) - declared - _reassigned(body):
                names[n] = dynamic[n]

    def _returned(self, value: Node) -> str:
        """For a call of a package function or method declared to return an interface that always
        returns one concrete type: that type (see PackageTypes.returned)."""
        value = unparen(value)
        if value.type != "call_expression":
            return ""
        fn = unparen(value.child_by_field_name("function"))
        if fn.type == "identifier":
            return self.pkg.returned(text(fn)) if text(fn) not in self.names else ""
        operand = fn.child_by_field_name("operand") if fn.type == "selector_expression" else None
        owner = self.type_of(operand).lstrip("*").split("[", 1)[0] if operand is not None else ""
        return self.pkg.returned(f"{owner}.{text(fn.child_by_field_name('field'))}") if owner else ""

    def results_of(self, expr: Node) -> list[str]:
        """Every result type of a call (`v, err := f()`); [] when unknown."""
        return self._results(expr)

    def _const_values(self, decl: Node) -> None:
        """The values of a local `const` declaration. Only literals, iota, predeclared integer
        conversions and this function's earlier constants count: any other name might be shadowed."""
        for iota, names, values in _const_specs(decl):
            for name, v in zip(names, values if len(values) == len(names) else [None] * len(names)):
                number = _const_int(v, iota, _LocalConsts(self)) if v is not None else None
                known = self.const_values.get(name, number) if name in self.const_values else number
                self.const_values[name] = number if known == number else None
                self.consts.add(name)

    def _results(self, expr: Node) -> list[str]:
        expr = unparen(expr)
        if expr.type != "call_expression":
            return []
        qual, name = callee(expr)
        if not qual:
            return self.pkg.all_results.get(name, [])
        fn = expr.child_by_field_name("function")
        operand = fn.child_by_field_name("operand") if fn is not None and fn.type == "selector_expression" else None
        if operand is not None and _imported(operand, self.pkg, self.names):
            return list(self.pkg.library_results(qual, name))
        owner = self.type_of(operand).lstrip("*").split("[", 1)[0] if operand is not None else ""
        return self.pkg.all_results.get(f"{owner}.{name}", []) if owner else []

    def _bind_range(self, clause: Node) -> None:
        left = clause.child_by_field_name("left")
        right = clause.child_by_field_name("right")
        if left is None or right is None:
            return
        over = self.pkg.underlying(infer(right, self.pkg, self.names))
        lefts = [text(n) for n in left.named_children]
        if over.startswith("map["):
            k, v = _split_map(over)
        elif over.startswith("[") or over == "string":
            k, v = "int", element_type(over)
        else:
            k, v = "", ""
        for name, t in zip(lefts, (k, v)):
            if name != "_" and name not in self.names and t:
                self.names[name] = t

    def _shadow(self, decl: Node, name: str, t: str) -> None:
        """`y, _ := y.(*T)` redeclares y from here to the end of its block (with another type only
        in an inner block: Go refuses a `:=` that changes a variable's type in its own block)."""
        if not t or t == self.names.get(name):
            return
        block = decl.parent
        while block is not None and block.type not in _BLOCKS:
            block = block.parent
        if block is not None:
            self.narrowed.append((decl.end_byte, block.end_byte, name, t))

    def _bind_type_switch(self, stmt: Node) -> None:
        alias = stmt.child_by_field_name("alias")
        names = [text(n) for n in alias.named_children] if alias is not None else []
        if len(names) != 1 or names[0] == "_":
            return
        for case in stmt.named_children:
            if case.type != "type_case":
                continue
            types = case.children_by_field_name("type")
            if len(types) == 1 and text(types[0]) != "nil":  # with more than one, v keeps the switched type
                self.narrowed.append((case.start_byte, case.end_byte, names[0], squash(types[0])))

    def type_of(self, expr: Node) -> str:
        if self.narrowed:
            inside = [n for n in self.narrowed if n[0] <= expr.start_byte and expr.end_byte <= n[1]]
            if inside:  # outermost first, so an inner switch on the same name wins
                narrow = {name: t for _, _, name, t in sorted(inside, key=lambda n: n[0])}
                return infer(expr, self.pkg, ChainMap(narrow, self.names))  # type: ignore[arg-type]
        return infer(expr, self.pkg, self.names)

    def is_map(self, expr: Node) -> bool:
        return self.pkg.is_map(self.type_of(expr))

    def is_float(self, expr: Node) -> bool:
        expr = unparen(expr)
        if expr.type == "float_literal":
            return True
        return self.pkg.underlying(self.type_of(expr)) in FLOAT_TYPES

    def is_constant(self, expr: Node, imported: frozenset[str]) -> bool:
        """A literal, a declared constant, `pkg.Name`, or arithmetic over those."""
        stack = [unparen(expr)]
        while stack:
            e = unparen(stack.pop())
            kind = e.type
            if kind in ("int_literal", "float_literal", "imaginary_literal", "rune_literal"):
                continue
            if kind == "identifier":
                name = text(e)
                if name in self.consts or (name in self.pkg.consts and name not in self.names):
                    continue
                return False
            if kind == "selector_expression":
                operand = e.child_by_field_name("operand")
                if operand is not None and operand.type == "identifier" and text(operand) in imported:
                    continue
                return False
            if kind == "binary_expression":
                stack.extend(c for c in (e.child_by_field_name("left"), e.child_by_field_name("right")) if c is not None)
                continue
            if kind == "unary_expression":
                operand = e.child_by_field_name("operand")
                if operand is not None and text(e.child_by_field_name("operator")) in ("-", "+", "^"):
                    stack.append(operand)
                    continue
                return False
            if kind == "call_expression":
                # conversions of constants: time.Duration(5), int64(2)
                _, name = callee(e)
                args = e.child_by_field_name("arguments")
                if args is not None and args.named_child_count == 1 and (
                    name in INT_TYPES or name in FLOAT_TYPES or name in self.pkg.named or name == "Duration"
                ):
                    stack.append(args.named_children[0])
                    continue
                return False
            return False
        return True
