"""Which of the package's own functions a call can reach.

Functions resolve by name; methods by the receiver's type and the method's
name, looking through embedded structs for promoted methods; a call on a
value of one of the package's interface types reaches every package type
that implements it (by method names, as far as the package shows them).
What lies outside the package resolves to nothing.
"""

from __future__ import annotations

from tree_sitter import Node

from linter.analysis.functions import Function
from linter.analysis.syntax import text
from linter.analysis.types import PackageTypes

MAX_EMBEDDING = 8  # how deep promotion through embedded structs is followed

# Methods of the standard library's small interfaces (io.Writer, fmt.Stringer, sort.Interface, ...).
# A package interface made only of these mostly holds values of other packages (a hash, a
# buffer, a net.Conn), so a call through it is not assumed to reach the package's own types.
STANDARD_METHODS = frozenset({
    "Read", "Write", "Close", "Seek", "ReadAt", "WriteAt", "ReadFrom", "WriteTo", "WriteString",
    "ReadByte", "WriteByte", "ReadRune", "UnreadByte", "UnreadRune", "Flush", "Sum", "Reset", "Size",
    "BlockSize", "String", "Error", "Len", "Less", "Swap", "Unwrap", "Format", "Lock", "Unlock",
})


def base_type(t: str) -> str:
    """`*pkg.T[int]` -> `pkg.T`; `*T` -> `T`."""
    return t.lstrip("*").split("[", 1)[0]


def interface_methods(roots: list[Node]) -> dict[str, tuple[frozenset[str], tuple[str, ...]]]:
    """Interface type name -> (its own method names, the interface types it embeds)."""
    out: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}
    for root in roots:
        for decl in root.named_children:
            if decl.type != "type_declaration":
                continue
            for spec in decl.named_children:
                if spec.type not in ("type_spec", "type_alias"):
                    continue
                body = spec.child_by_field_name("type")
                if body is None or body.type != "interface_type":
                    continue
                names: set[str] = set()
                embeds: list[str] = []
                for elem in body.named_children:
                    if elem.type == "method_elem":
                        names.add(text(elem.child_by_field_name("name")))
                    elif elem.type == "type_elem" and elem.named_child_count == 1:
                        embeds.append(text(elem.named_children[0]))
                out[text(spec.child_by_field_name("name"))] = (frozenset(names), tuple(embeds))
    return out


class Resolver:
    """Method sets of the package's types, and call targets by receiver type."""

    def __init__(self, types: PackageTypes, functions: list[Function], roots: list[Node]):
        self.types = types
        self.functions: dict[str, list[Function]] = {}
        self.methods: dict[str, dict[str, list[Function]]] = {}
        for fn in functions:
            if fn.is_literal:
                continue
            if fn.receiver_type:
                self.methods.setdefault(fn.receiver_type, {}).setdefault(fn.name, []).append(fn)
            else:
                self.functions.setdefault(fn.name, []).append(fn)
        self.interfaces = interface_methods(roots)
        self._implementers: dict[str, list[str]] = {}

    def _embedded(self, struct: str) -> list[str]:
        fields = self.types.fields.get(struct, {})
        return [base_type(t) for f, t in fields.items() if f == base_type(t).rsplit(".", 1)[-1]]

    def method(self, type_name: str, name: str, seen: set[str] | None = None) -> list[Function]:
        """`name` on `type_name`: its own method, a promoted one, or, on an interface, every implementation."""
        seen = set() if seen is None else seen
        level = [base_type(type_name)]
        for _ in range(MAX_EMBEDDING):
            found: list[Function] = []
            following: list[str] = []
            for t in level:
                if t in seen:
                    continue
                seen.add(t)
                if t in self.interfaces:
                    found.extend(f for impl in self.implementers(t) for f in self.method(impl, name, seen))
                    continue
                own = self.methods.get(t, {}).get(name)
                if own:
                    found.extend(own)
                else:
                    following.extend(self._embedded(t))
            if found:  # a shallower method hides deeper ones
                return list(dict.fromkeys(found))
            if not following:
                return []
            level = following
        return []

    def has_method(self, type_name: str, name: str) -> bool:
        """Whether `name` is in the method set of a concrete type, promoted methods included."""
        seen: set[str] = set()
        todo = [base_type(type_name)]
        while todo and len(seen) < 64:
            t = todo.pop()
            if t in seen:
                continue
            seen.add(t)
            if t in self.interfaces:
                if name in self.method_names(t):
                    return True
                continue
            if name in self.methods.get(t, {}):
                return True
            todo.extend(self._embedded(t))
        return False

    def method_names(self, interface: str) -> frozenset[str]:
        """Every method an interface requires that the package declares, embedded interfaces included."""
        names: set[str] = set()
        todo, seen = [interface], set()
        while todo:
            t = todo.pop()
            if t in seen or t not in self.interfaces:
                continue
            seen.add(t)
            own, embeds = self.interfaces[t]
            names |= own
            todo.extend(embeds)
        return frozenset(names)

    def implementers(self, interface: str) -> list[str]:
        """The package's concrete types whose method sets cover the interface's methods."""
        cached = self._implementers.get(interface)
        if cached is None:
            required = self.method_names(interface)
            cached = [] if required <= STANDARD_METHODS else [
                t for t in sorted(set(self.methods) | set(self.types.fields))
                if t not in self.interfaces and all(self.has_method(t, m) for m in required)
            ]
            self._implementers[interface] = cached
        return cached
