"""Local names bound once to a function value: `unlock := func() { mu.Unlock() }`, `f := s.helper`.

Calling such a name calls the value it was bound to, so a local lock helper
is seen through like the package function it stands for. A name counts only
when one declaration binds it and nothing assigns it again (in the body or in
any literal inside it); anything else may call another function each time.
The same facts tell a flag that keeps its value (`doLock` in `if doLock {`)
from one that may change between two tests of it.

One walk of a function body (literals included) gathers every fact, so a
large function costs one pass however many names are asked about.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable

from tree_sitter import Node

from linter.analysis.syntax import in_literal, text, unparen


# The node types of a local's value that calling the local calls through: `f := func() {..}`,
# `f := s.helper`, `f := helper` (see Package.local_value).
FUNCTION_VALUES = frozenset({"func_literal", "selector_expression", "identifier"})


def bound_pairs(node: Node, *, spread: bool = False) -> list[tuple[Node, Node | None]]:
    """(name, value) pairs a declaration or assignment binds; value None when it has none. With
    `spread`, `a, err := f()` pairs every name with the one call."""
    if node.type == "var_spec":
        lefts = node.children_by_field_name("name")
        right = node.child_by_field_name("value")
    else:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        lefts = left.named_children if left is not None else []
    rights = right.named_children if right is not None else []
    if spread and len(rights) == 1 and len(lefts) > 1:
        return [(n, rights[0]) for n in lefts]
    if len(rights) != len(lefts):
        return [(n, None) for n in lefts]
    return list(zip(lefts, rights))


def declared_names(root: Node, data: bytes, start: int, end: int) -> dict[str, set[str]]:
    """Every name a `:=` or `var` between the bytes `start` and `end` declares (literals included),
    with the node types of the values bound to it ("" for none): found at those bytes, not by a
    walk, so asking whether a name is a local bound to, say, a call costs little for a body that
    binds none (see Package.local_value)."""
    names: dict[str, set[str]] = {}
    for token, parent in ((b":=", "short_var_declaration"), (b"var", "var_declaration")):
        i = data.find(token, start, end)
        while i != -1:
            node = root.descendant_for_byte_range(i, i + len(token))
            decl = node.parent if node is not None and node.start_byte == i and node.type == token.decode() else None
            if decl is not None and decl.type == parent:
                for spec in _specs(decl):
                    for ident, value in bound_pairs(spec):
                        names.setdefault(text(ident), set()).add(unparen(value).type if value is not None else "")
            i = data.find(token, i + len(token), end)
    return names


def _assigned(node: Node) -> list[Node]:
    """The plain names an assignment, `x++` or `&x` may change."""
    if node.type == "assignment_statement":
        left = node.child_by_field_name("left")
        return [unparen(n) for n in (left.named_children if left is not None else ())]
    if node.type in ("inc_statement", "dec_statement"):
        return node.named_children[:1]
    operand = node.child_by_field_name("operand")  # `&x`: a pointer to it may change it
    return [unparen(operand)] if operand is not None and text(node.child_by_field_name("operator")) == "&" else []


class Bindings:
    """What one function body (literals included) does with its local names."""

    def __init__(self, body: Node):
        self.body = body
        self.values: dict[str, Node | None] = {}  # declared in the body itself: the value, None if several
        self.declarations: Counter[str] = Counter()  # in the body and its literals (shadowing counts)
        self.changed: set[str] = set()  # assigned, incremented or address taken anywhere
        self._used: dict[str, tuple[bool, bool]] = {}  # see `_uses`
        self._text: bytes = body.text or b""
        # Found at the bytes of the tokens that declare or change a name (`:=`, `var`, `=`, `+=`, `++`,
        # `&`, ...), literals included, rather than by a walk of every node of the body.
        for decl in self._tokens(b":=", _DECLARING) + self._tokens(b"var", _DECLARING):
            own = not in_literal(decl, body)
            for spec in _specs(decl):
                for ident, value in bound_pairs(spec):
                    name = text(ident)
                    self.declarations[name] += 1
                    if own:
                        self.values[name] = unparen(value) if value is not None and name not in self.values else None
        for change in self._tokens(b"=", _CHANGING) + self._tokens(b"++", _CHANGING) + self._tokens(b"--", _CHANGING) \
                + self._tokens(b"&", _CHANGING):
            self.changed.update(text(n) for n in _assigned(change) if n.type == "identifier")

    def _tokens(self, spelled: bytes, statements: dict[str, frozenset[str]]) -> list[Node]:
        """The nodes of the body (literals included) whose own token is spelled `spelled` or ends a
        token that contains it (`+=` for `=`), for the token types `statements` lists per node type."""
        out: list[Node] = []
        body, data, base = self.body, self._text, self.body.start_byte
        i = data.find(spelled)
        while i != -1:
            token = body.descendant_for_byte_range(base + i, base + i + len(spelled))
            parent = token.parent if token is not None else None
            if parent is not None and token.type in statements.get(parent.type, ()):
                out.append(parent)
            i = data.find(spelled, i + len(spelled))
        return out

    def _uses(self, name: str) -> tuple[bool, bool]:
        """Whether `name` is used otherwise than called in place by the body itself, and whether
        otherwise than called (in place or deferred) by it: found at the bytes of the name, not by
        a walk, for the few names asked (most functions are never asked)."""
        found = self._used.get(name)
        if found is None:
            body = self.body
            not_called = escaping = False
            word, data, base = name.encode(), self._text, body.start_byte
            i = data.find(word)
            while i != -1 and not (not_called and escaping):
                node = body.descendant_for_byte_range(base + i, base + i + len(word))
                if node is not None and node.type == "identifier" and node.start_byte == base + i \
                        and node.end_byte == base + i + len(word):
                    use = _use(node, not in_literal(node, body), body.parent)
                    not_called, escaping = not_called or use[0], escaping or use[1]
                i = data.find(word, i + 1)
            found = self._used[name] = (not_called, escaping)
        return found

    def declares(self, name: str) -> bool:
        """A local of the body itself (not of a literal inside it)."""
        return name in self.values

    def value(self, name: str) -> Node | None:
        """What `name` is bound to, when one declaration (of the body itself) binds it and nothing rebinds it."""
        if self.declarations[name] != 1 or name in self.changed:
            return None
        return self.values.get(name)

    def only_called(self, name: str) -> bool:
        """Every use of `name` calls it in place, in the body itself (not in a literal, which may run
        anywhere), not under `go` or `defer`, never passed, stored or returned."""
        return not self._uses(name)[0]

    def stays(self, name: str) -> bool:
        """Every use of `name` calls it, in place or deferred, in the body itself: its value
        never leaves the function (nor runs on another goroutine)."""
        return not self._uses(name)[1]

    def unchanged(self, name: str) -> bool:
        """`name` keeps one value: declared at most once (a parameter, or one local, literals included,
        so no shadowing), never assigned, its address never taken."""
        return self.declarations[name] <= 1 and name not in self.changed


# node type -> the tokens by which one is found (see Bindings._tokens)
_DECLARING = {"short_var_declaration": frozenset({":="}), "var_declaration": frozenset({"var"})}
_CHANGING = {
    "assignment_statement": frozenset({"=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "&^="}),
    "inc_statement": frozenset({"++"}), "dec_statement": frozenset({"--"}), "unary_expression": frozenset({"&"}),
}


def _specs(decl: Node) -> list[Node]:
    """The specs of a `:=` (itself) or of a `var` declaration, grouped or not."""
    if decl.type == "short_var_declaration":
        return [decl]
    return [
        spec for c in decl.named_children
        for spec in (c.named_children if c.type == "var_spec_list" else [c]) if spec.type == "var_spec"
    ]


def _use(node: Node, own: bool, owner: Node | None) -> tuple[bool, bool]:
    """(not called in place by the body itself, not called in place or deferred by it) for one use
    of a name; (False, False) where it is declared."""
    parent = node.parent
    if parent is None or parent.type == "var_spec" or (
        parent.type == "expression_list" and parent.parent is not None
        and parent.parent.type == "short_var_declaration" and parent == parent.parent.child_by_field_name("left")
    ):
        return False, False  # the name being declared
    invoked = parent.type == "call_expression" and parent.child_by_field_name("function") == node
    called = invoked and (parent.parent is None or parent.parent.type not in ("go_statement", "defer_statement"))
    on_goroutine = parent.parent is not None and parent.parent.type == "go_statement"
    return not (called and own and owner is not None), not (invoked and own and owner is not None and not on_goroutine)


def carried_names(ret: Node, value_of: Callable[[str], Node | None], wraps: Callable[[Node], bool]) -> frozenset[str]:
    """The plain names whose values a return statement hands to its caller: returned as they are,
    by address (`&x`), as elements of a returned composite literal (`&T{tx: tx}`), as arguments
    of a call that `wraps` them into its result (`newHandle(tw)`), or through a local bound once
    to such a value (`value_of`: `tw := &T{tx: tx}; return tw`)."""
    out: set[str] = set()
    stack = [c for c in ret.named_children]
    while stack:
        node = unparen(stack.pop())
        kind = node.type
        if kind == "expression_list":
            stack.extend(node.named_children)
        elif kind == "identifier":
            name = text(node)
            if name not in out:
                out.add(name)
                value = value_of(name)
                if value is not None:
                    stack.append(value)
        elif kind == "unary_expression" and text(node.child_by_field_name("operator")) == "&":
            operand = node.child_by_field_name("operand")
            if operand is not None:
                stack.append(operand)
        elif kind == "composite_literal":
            body = node.child_by_field_name("body")
            stack.extend(body.named_children if body is not None else ())
        elif kind == "keyed_element":
            stack.extend(node.named_children[1:])
        elif kind == "literal_element":
            stack.extend(node.named_children)
        elif kind == "call_expression" and wraps(node):
            args = node.child_by_field_name("arguments")
            stack.extend(args.named_children if args is not None else ())
    return frozenset(out)
