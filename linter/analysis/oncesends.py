"""Sends on a field channel that find a free slot: each channel gets at most k values in its life.

`h.params <- v` blocks only when the buffer of the channel in `h.params` is full.
It cannot be when, for the package struct S that declares the field:

1. Every value the package gives the field is a channel just made with at least k
   slots: each composite literal of S sets it by name (`S{params: c}`), and so does
   each write that makes the object (fields.py: `s := &S{..}; s.params = c` before
   s escapes), to `make(chan T, k)` or to a local bound once to one (slots.py's
   declaration) that runs at most once per make (no loop, no literal bound to a
   name between them, no `goto`) and is otherwise only received from, measured
   (`len`, `cap`) or returned as a receive-only `<-chan` result: no other code can
   send on it. No other write of the field exists (fields.py's fixed fields: the
   field is unexported and no `=` overwrites a whole S). Every S is made by such
   a literal: S appears in the package only as its declaration, behind a pointer
   (`*S`, not as the element type of a composite literal, whose elided elements
   would be S values without the field, nor `(*S)(v)`) and as the type of those
   literals (one given to the blank identifier, `var _ I = &S{}`, makes no object
   anyone sees); never as a value type (`var s S`, `new(S)`, a value receiver, a
   field, a conversion), which would make an S with a nil channel (a send on nil
   blocks forever) or a copy. So each object has its own channel, empty when the
   object is made.
2. The field is read nowhere but as the channel of a send, a receive, `len`,
   `cap`, `close` or a comparison with nil: the channel never leaves the object.
3. Each send `x.f <- v` runs in a once-region of x: inside the then-branch of an
   `if` whose condition has the conjunct `!x.done` (and no call or receive), whose
   first statement is `x.done = true`, with no loop, function literal or label
   between the `if` and the send, and no new binding of x in the branch; x is the
   function's receiver or a parameter that nothing rebinds, or a local of its own
   bound once (not a package variable, nor one captured from around it, which
   another goroutine may rebind), its address never taken. The `if`
   is reached with `x.mu.Lock()` held, written before it in the same function
   (only statements of enclosing blocks and case clauses before it, an `if` that
   ends in a return or a jump passed by its condition alone) with nothing in
   between that may release it: no Unlock (nor its method value), no call that
   resolves to a function or literal of the package (in a `go` statement or a
   `defer`'s arguments too), no jump into the path (`goto`, a label, `fallthrough`),
   no new binding of x (a type switch's included). Calls that leave the package are
   assumed not to release the caller's lock, as everywhere in lockjaw. `mu` is a
   sync.Mutex or RWMutex (taken with Lock, not RLock) field of S, or one S embeds;
   every region of the field tests the same flag under the same lock. So the test
   and the set of the flag form one critical section of the object's own lock. The
   lock is found in the syntax, not in the lock states: those are computed from the
   operations of ops.py, which ask this question.
4. The flag is an unexported bool field of S that nothing sets but to `true`
   (`x.done = true`), apart from the literals and writes that make the object.

Then, per object, the first region whose test sees the flag false is the only one
that ever runs its branch (the flag stays true from then on), once, and every send
on the object's channel runs inside it: at most the number of sends on `x.f` along
one path through its branch, which must be at most k (quic-go's cryptoSetup sends
its 0-RTT parameters once, into one slot, under its mutex).

Assumed, as go vet's copylocks checks: an S holding a mutex by value is never
copied (`c := *h` would copy the flag with the same channel); another package
cannot name the unexported fields but could still overwrite a whole S, which
lockjaw assumes it does not (as fields.py does). Writes through reflect or unsafe
are not seen. The answer depends only on the syntax of the package, its types and
the resolution of calls, never on the order of the questions nor on lock states.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tree_sitter import Node

from linter.analysis.bindings import bound_pairs
from linter.analysis.calls import base_type
from linter.analysis.fields import VALUE, field_selectors, is_written, write_statement
from linter.analysis.functions import Function
from linter.analysis.slots import capacity, declares, runs_once, value_of
from linter.analysis.syntax import FUNCTION_KINDS, enclosing_function, expr_key, in_literal, text, unparen, walk_expr

if TYPE_CHECKING:
    from linter.analysis.package import Package

_MUTEXES = frozenset({"sync.Mutex", "sync.RWMutex"})
_EMBEDDED = {"Mutex": "sync.Mutex", "RWMutex": "sync.RWMutex"}
_UNLOCKS = frozenset({"Unlock", "RUnlock"})
_READS = frozenset({"len", "cap", "close"})  # builtins that neither send on a channel nor keep it
_CASES = frozenset({"expression_case", "default_case", "type_case", "communication_case"})
_SWITCHES = frozenset({"expression_switch_statement", "type_switch_statement", "select_statement"})
_JUMPS = frozenset({"return_statement", "break_statement", "continue_statement"})
_TYPE_NODES = frozenset({
    "pointer_type", "slice_type", "array_type", "implicit_length_array_type", "map_type", "channel_type",
    "parenthesized_type", "generic_type", "type_arguments", "type_elem",
})
_BINDERS = frozenset({"assignment_statement", "short_var_declaration", "var_spec", "range_clause", "receive_statement"})
_MANY = 1 << 30  # sends along a path with no bound


@dataclass(frozen=True, slots=True)
class _Region:
    """A once-region around one send: the flag it tests, the lock (a field of the object, "" for
    an embedded one) held at its test, and the most sends on the field along one path through it."""

    flag: str
    lock: str
    sends: int


class OnceSends:
    """The package's field channels whose sends all find a free slot, decided per field on first question."""

    def __init__(self, pkg: "Package"):
        self.pkg = pkg
        self._fields: dict[tuple[str, str], bool] = {}

    def free(self, fn: Function, send: Node) -> bool:
        """Whether the send statement `send`, written in `fn`, finds a free slot (see the module)."""
        channel = send.child_by_field_name("channel")
        channel = unparen(channel) if channel is not None else None
        operand = channel.child_by_field_name("operand") if channel is not None and (
            channel.type == "selector_expression") else None
        if operand is None:
            return False
        name = text(channel.child_by_field_name("field"))
        if not _in_region(send, text(unparen(operand))):
            return False  # most sends: the answer for the field is not needed
        struct = base_type(self.pkg.scope(fn).type_of(operand))
        if name not in self.pkg.types.fields.get(struct, {}):
            return False
        found = self._fields.get((struct, name))
        if found is None:
            found = self._fields[(struct, name)] = self._decide(struct, name)
        return found

    def _decide(self, struct: str, name: str) -> bool:
        declared = self.pkg.types.fields[struct]
        if not unexported(name) or not declared[name].startswith("chan"):
            return False  # `<-chan` cannot be sent on; an exported field may be written elsewhere
        if self.pkg.fixed_fields.kind(struct, name) != VALUE:
            return False
        made = self._literal_slots(struct, name)
        found = self._uses(struct, name) if made else None
        if found is None:
            return False
        regions, stored = found
        slots = min([made, *stored])
        kinds = {(r.flag, r.lock) for r in regions}
        if slots < 1 or len(kinds) != 1:
            return False
        flag, lock = kinds.pop()
        lock_type = declared.get(lock, "") if lock else next(
            (t for n, t in _EMBEDDED.items() if declared.get(n) == t), "")
        return (
            lock_type in _MUTEXES and unexported(flag) and declared.get(flag) == "bool"
            and max(r.sends for r in regions) <= slots and self._only_set(struct, flag)
        )

    # 1. what the field is given -----------------------------------------------------------

    def _literal_slots(self, struct: str, name: str) -> int:
        """The fewest slots of the channels the literals of `struct` give the field; 0 when one does
        not give it a made channel, or when `struct` appears where it makes or copies a value."""
        pattern = re.compile(rb"\b" + re.escape(struct.encode()) + rb"\b")
        slots = _MANY
        for file in self.pkg.files:
            for m in pattern.finditer(file.data):
                node = file.root.descendant_for_byte_range(m.start(), m.end())
                if node is None or node.type not in ("type_identifier", "identifier") or text(node) != struct:
                    continue  # a comment, a string, a field or method of that name
                parent = node.parent
                if node.type == "identifier" and pointer_conversion(node):
                    continue
                if node.type == "identifier" or parent is None:
                    return 0  # a conversion to S, or another entity of that name
                if parent.type == "type_spec" and parent.child_by_field_name("name") == node:
                    if parent.child_by_field_name("type_parameters") is not None:
                        return 0
                    continue
                if parent.type == "composite_literal" and parent.child_by_field_name("type") == node:
                    if discarded(parent):
                        continue  # `var _ I = &S{}`: a check that S implements I, no object anyone sees
                    slots = min(slots, self._given(parent, name))
                    if slots < 1:
                        return 0
                    continue
                if parent.type != "pointer_type" or literal_element_type(parent):
                    return 0
        return slots if slots < _MANY else 0

    def _given(self, literal: Node, name: str) -> int:
        """The slots of the channel the composite literal gives the field `name`; 0 if unknown."""
        body = literal.child_by_field_name("body")
        elements = [c for c in body.named_children if c.type != "comment"] if body is not None else []
        for element in elements:
            if element.type != "keyed_element":
                return 0  # positional: not read
            key = element.child_by_field_name("key")
            if key is not None and text(key).strip() == name:
                value = element.child_by_field_name("value")
                inner = value.named_children[0] if value is not None and value.named_child_count else None
                return self._slots(inner) if inner is not None else 0
        return 0  # not given: a nil channel

    def _slots(self, value: Node) -> int:
        """k for a value `make(chan T, k)`, or a local bound once to one that nothing else can send
        on (see the module); 0 for anything else."""
        value = unparen(value)
        if value.type != "identifier":
            return capacity(value)
        name, top = text(value), value
        while top.parent is not None and top.type not in ("function_declaration", "method_declaration"):
            top = top.parent
        if top.parent is None:
            return 0
        declared: Node | None = None
        uses: list[Node] = []
        for n in walk_expr(top, into_literals=True):
            if n.type == "goto_statement":
                return 0
            if n.type == "identifier" and text(n) == name and not self._field_key(n):
                if declared is None and declares(n):
                    declared = n
                else:
                    uses.append(n)
        if declared is None:
            return 0
        statement = declared.parent.parent if declared.parent.type == "expression_list" else declared.parent
        slots = capacity(value_of(statement))
        whole = statement.parent if statement.type == "var_spec" else statement
        scope = whole.parent if whole is not None else None
        if slots < 1 or scope is None or scope.type != "statement_list" or value not in uses:
            return 0
        for use in uses:
            if not (use.start_byte >= whole.end_byte and use.end_byte <= scope.end_byte):
                return 0
            if use != value and not harmless_channel_use(use) and not received_result(use):
                return 0
        return slots if runs_once(value, scope) else 0

    def _field_key(self, name: Node) -> bool:
        """Whether the identifier is a field name keying an element of a package struct's literal."""
        key = name.parent
        element = key.parent if key is not None and key.type == "literal_element" else None
        if element is None or element.type != "keyed_element" or element.child_by_field_name("key") != key:
            return False
        body = element.parent
        literal = body.parent if body is not None and body.type == "literal_value" else None
        if literal is None or literal.type != "composite_literal":
            return False
        kind = literal.child_by_field_name("type")
        fields = self.pkg.types.fields
        return kind is not None and kind.type == "type_identifier" and text(name) in fields.get(text(kind), {})

    # 2 and 3. where the field is read ---------------------------------------------------

    def _uses(self, struct: str, name: str) -> tuple[list[_Region], list[int]] | None:
        """The once-region of every send on the field, and the slots of every channel a write that
        makes the object gives it; None when a use may let the channel leave or a send is in none."""
        regions: list[_Region] = []
        stored: list[int] = []
        for selector, fn in self.selectors(struct, name):
            outer = outer_expression(selector)
            parent = outer.parent
            sent = parent is not None and parent.type == "send_statement"
            if sent and parent.child_by_field_name("channel") == outer:
                region = self._region(fn, parent, selector, name)
                if region is None:
                    return None
                regions.append(region)
            elif is_written(selector):
                stmt = write_statement(selector)
                value = assigned_value(stmt, outer) if stmt is not None else None
                if value is None or not self.pkg.fixed_fields.initializes(selector, name):
                    return None
                stored.append(self._slots(value))
            elif not harmless_channel_use(selector) or self._shadowed_builtin(fn, selector):
                return None
        return regions, stored

    def selectors(self, struct: str, name: str):
        """Every `x.name` of the package that may be the field of `struct` (x of that type, of an
        unknown one, or of one that promotes it), with the function it is written in."""
        fields = self.pkg.types.fields
        for selector in field_selectors(self.pkg.files, name):
            literal = enclosing_function(selector)
            fn = self.pkg.function_of(literal) if literal is not None else None
            operand = selector.child_by_field_name("operand")
            owner = base_type(self.pkg.scope(fn).type_of(operand)) if fn is not None and operand is not None else ""
            if owner != struct and name in fields.get(owner, {}):
                continue  # another struct's own field of that name
            yield selector, fn

    def _shadowed_builtin(self, fn: Function | None, selector: Node) -> bool:
        """`len(x.f)` where `len` is a function of the package, not the builtin."""
        args = outer_expression(selector).parent
        call = args.parent if args is not None and args.type == "argument_list" else None
        return call is not None and (fn is None or bool(self.pkg.resolve(fn, call)))

    def _region(self, fn: Function | None, send: Node, selector: Node, name: str) -> _Region | None:
        """The once-region of the send `x.name <- v` (see the module, 3.); None if it has none."""
        x = unparen(selector.child_by_field_name("operand"))
        body = fn.body if fn is not None else None
        if fn is None or body is None or x.type != "identifier" or b"goto" in (body.text or b""):
            return None
        owner = text(x)
        if not stable_name(fn, body, owner):
            return None
        child, parent = send, send.parent
        while parent is not None and parent.type not in FUNCTION_KINDS:
            if parent.type in ("for_statement", "labeled_statement"):
                return None
            if parent.type == "if_statement" and parent.child_by_field_name("consequence") == child:
                flag = _set_flag(parent, owner)
                if flag:
                    break
            child, parent = parent, parent.parent
        else:
            return None
        condition = parent.child_by_field_name("condition")
        if condition is None or any(_acts(n) for n in walk_expr(condition, into_literals=True)):
            return None
        if any(binds(n, owner) for n in walk_expr(child, into_literals=True)):
            return None
        lock = self._locked_before(fn, parent, owner)
        if lock is None:
            return None
        return _Region(flag, lock, _most_sends(child, f"{owner}.{name}"))

    def _locked_before(self, fn: Function, stmt: Node, owner: str) -> str | None:
        """The field of `owner` whose `owner.mu.Lock()` is written before `stmt` with nothing that
        may release it in between ("" for `owner.Lock()`); None if there is no such lock."""
        node = stmt
        while True:
            holder = node.parent
            if holder is not None and holder.type == "statement_list":
                sibling = node.prev_named_sibling
                while sibling is not None:
                    if sibling.type != "comment":
                        lock = _lock_of(sibling, owner)
                        if lock is not None:
                            return lock
                        if not self._keeps(fn, _passed(sibling), owner):
                            return None
                    sibling = sibling.prev_named_sibling
                holder = holder.parent
            if holder is None:
                return None
            if holder.type == "block":
                outer = holder.parent
                if outer is not None and outer.type == "statement_list":
                    node = holder  # a nested block statement
                    continue
                holder = outer
            if holder is None:
                return None
            if holder.type == "if_statement":
                if not self._keeps(fn, _headers(holder), owner):
                    return None
                node = holder
            elif holder.type in _CASES:
                switch = holder.parent
                previous = holder.prev_named_sibling
                while previous is not None and previous.type == "comment":
                    previous = previous.prev_named_sibling
                if switch is None or switch.type not in _SWITCHES or binds(switch, owner) or (
                    previous is not None and previous.type in _CASES and _falls_through(previous)
                ):
                    return None
                heads = [c for c in switch.named_children if c.type not in _CASES]
                heads.extend(v for c in switch.named_children if (v := c.child_by_field_name("value")) is not None)
                communication = holder.child_by_field_name("communication")
                if communication is not None:
                    heads.append(communication)
                if not self._keeps(fn, heads, owner):
                    return None
                node = switch
            else:
                return None  # a loop body, a function's body, a label

    def _keeps(self, fn: Function, nodes: list[Node], owner: str) -> bool:
        """Whether running `nodes` cannot release a lock nor rebind `owner`: no Unlock (nor its method
        value), no call of a function of the package, no jump; a deferred call only runs later, its
        arguments now."""
        stack = list(nodes)
        while stack:
            n = stack.pop()
            kind = n.type
            if kind in ("goto_statement", "labeled_statement", "fallthrough_statement") or binds(n, owner):
                return False
            if kind == "selector_expression" and text(n.child_by_field_name("field")) in _UNLOCKS:
                return False
            if kind == "call_expression" and self.pkg.resolve(fn, n):
                return False
            if kind == "func_literal":
                continue  # only defined here; a call of it resolves to it
            if kind == "defer_statement":
                call = next((c for c in n.named_children if c.type == "call_expression"), None)
                if call is not None:
                    function = unparen(call.child_by_field_name("function"))
                    if function.type == "call_expression":  # `defer s.lock()()`: s.lock() runs now
                        stack.append(function)
                    args = call.child_by_field_name("arguments")
                    if args is not None:
                        stack.append(args)
                continue
            stack.extend(n.named_children)
        return True

    # 4. the flag ----------------------------------------------------------------------

    def _only_set(self, struct: str, flag: str) -> bool:
        """Whether every write of the flag sets it to true, but the writes that make the object."""
        for selector, _ in self.selectors(struct, flag):
            if not is_written(selector):
                continue
            stmt = write_statement(selector)
            value = assigned_value(stmt, outer_expression(selector)) if stmt is not None else None
            if value is not None and value.type == "true" and text(stmt.child_by_field_name("operator")) == "=":
                continue
            if not self.pkg.fixed_fields.initializes(selector, flag):
                return False
        return True


def unexported(name: str) -> bool:
    return bool(name) and (name[0].islower() or name[0] == "_")


def outer_expression(node: Node) -> Node:
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return node


def literal_element_type(pointer: Node) -> bool:
    """Whether the pointer type `*S` is part of a composite literal's type (`[]*S{{..}}`), whose
    elided elements are S values the module cannot read."""
    node = pointer
    while node.parent is not None and node.parent.type in _TYPE_NODES:
        node = node.parent
    parent = node.parent
    return parent is not None and parent.type == "composite_literal" and parent.child_by_field_name("type") == node


def pointer_conversion(name: Node) -> bool:
    """`(*S)(v)`, which tree-sitter reads as a call of `(*S)`: a pointer, no S value."""
    star = name.parent
    if star is None or star.type != "unary_expression" or text(star.child_by_field_name("operator")) != "*":
        return False
    outer = outer_expression(star)
    call = outer.parent
    return outer != star and call is not None and call.type == "call_expression" and (
        call.child_by_field_name("function") == outer)


def discarded(literal: Node) -> bool:
    """Whether the literal (or its address) is given to the blank identifier `_` and nothing else."""
    value = outer_expression(literal)
    if value.parent is not None and value.parent.type == "unary_expression" and (
        text(value.parent.child_by_field_name("operator")) == "&"
    ):
        value = outer_expression(value.parent)
    values = value.parent
    holder = values.parent if values is not None and values.type == "expression_list" else None
    if holder is None or holder.type not in ("var_spec", "assignment_statement"):
        return False
    if holder.type == "var_spec":
        names = holder.children_by_field_name("name")
    else:
        left = holder.child_by_field_name("left")
        names = [c for c in left.named_children if c.type != "comment"] if left is not None else []
    listed = [c for c in values.named_children if c.type != "comment"]
    return len(names) == len(listed) and text(names[listed.index(value)]) == "_"


def harmless_channel_use(use: Node) -> bool:
    """A use of a channel that neither sends on it nor lets it leave: a receive, `range`, `len`,
    `cap`, `close`, a comparison with nil."""
    outer = outer_expression(use)
    parent = outer.parent
    if parent is None:
        return False
    if parent.type == "unary_expression":
        return text(parent.child_by_field_name("operator")) == "<-"
    if parent.type == "range_clause":
        return parent.child_by_field_name("right") == outer
    if parent.type == "binary_expression":
        other = parent.child_by_field_name("right" if parent.child_by_field_name("left") == outer else "left")
        op = text(parent.child_by_field_name("operator"))
        return op in ("==", "!=") and other is not None and unparen(other).type == "nil"
    call = parent.parent if parent.type == "argument_list" else None
    function = call.child_by_field_name("function") if call is not None else None
    return function is not None and function.type == "identifier" and text(function) in _READS


def received_result(use: Node) -> bool:
    """`return .., ch, ..` where the function's result at that place is a receive-only channel."""
    outer = outer_expression(use)
    values = outer.parent
    ret = values.parent if values is not None and values.type == "expression_list" else None
    if ret is None or ret.type != "return_statement":
        return False
    fn = enclosing_function(ret)
    result = fn.child_by_field_name("result") if fn is not None else None
    if result is None:
        return False
    types: list[Node] = []
    if result.type == "parameter_list":
        for param in result.named_children:
            if param.type == "parameter_declaration":
                t = param.child_by_field_name("type")
                types.extend([t] * max(1, len(param.children_by_field_name("name"))))
    else:
        types.append(result)
    position = [c for c in values.named_children if c.type != "comment"].index(outer)
    if len(types) != len([c for c in values.named_children if c.type != "comment"]):
        return False
    return "".join(text(types[position]).split()).startswith("<-chan")


def assigned_value(stmt: Node, target: Node) -> Node | None:
    """The value `=` gives `target` in the assignment `stmt`; None for another write."""
    if stmt.type != "assignment_statement" or text(stmt.child_by_field_name("operator")) != "=":
        return None
    left, right = stmt.child_by_field_name("left"), stmt.child_by_field_name("right")
    targets = [c for c in left.named_children if c.type != "comment"] if left is not None else []
    values = [c for c in right.named_children if c.type != "comment"] if right is not None else []
    if target not in targets or len(targets) != len(values):
        return None
    return unparen(values[targets.index(target)])


def _set_flag(region: Node, owner: str) -> str:
    """`done` when the `if` tests `!owner.done` as a conjunct of its condition and its branch
    begins with `owner.done = true`; "" otherwise."""
    consequence = region.child_by_field_name("consequence")
    statements = consequence.named_children[0] if consequence is not None and consequence.named_child_count else None
    first = next((c for c in statements.named_children if c.type != "comment"), None) if statements else None
    if first is None or first.type != "assignment_statement":
        return ""
    left = first.child_by_field_name("left")
    target = unparen(left.named_children[0]) if left is not None and left.named_child_count == 1 else None
    if target is None or target.type != "selector_expression":
        return ""
    value = assigned_value(first, left.named_children[0])
    operand = target.child_by_field_name("operand")
    if value is None or value.type != "true" or operand is None or text(unparen(operand)) != owner:
        return ""
    flag = text(target.child_by_field_name("field"))
    conjuncts = [region.child_by_field_name("condition")]
    while conjuncts:
        c = conjuncts.pop()
        c = unparen(c) if c is not None else None
        if c is None:
            continue
        if c.type == "binary_expression" and text(c.child_by_field_name("operator")) == "&&":
            conjuncts.extend((c.child_by_field_name("left"), c.child_by_field_name("right")))
        elif c.type == "unary_expression" and text(c.child_by_field_name("operator")) == "!":
            tested = unparen(c.child_by_field_name("operand"))
            if tested.type == "selector_expression" and expr_key(tested) == f"{owner}.{flag}":
                return flag
    return ""


def _in_region(send: Node, owner: str) -> bool:
    """Whether an `if` around the send, in its function, looks like a once-region of `owner`."""
    child, parent = send, send.parent
    while parent is not None and parent.type not in FUNCTION_KINDS:
        if parent.type == "if_statement" and parent.child_by_field_name("consequence") == child and (
            _set_flag(parent, owner)
        ):
            return True
        child, parent = parent, parent.parent
    return False


def stable_name(fn: Function, body: Node, name: str) -> bool:
    """Whether `name` names one object for the whole of a run of `fn`: its receiver or a parameter
    that nothing rebinds, or a local of its own declared once and never bound again (a package
    variable, or one captured from around it, another goroutine may rebind between the test, the
    lock and the send); never with its address taken."""
    bindings = [n for n in walk_expr(body, into_literals=True) if binds(n, name)]
    if name == fn.receiver or name in fn.params or name in fn.results:
        return not bindings
    return len(bindings) == 1 and bindings[0].type in ("short_var_declaration", "var_spec") and not (
        in_literal(bindings[0], body))


def _acts(node: Node) -> bool:
    """A call, a receive or a function literal: what may run other code or wait."""
    if node.type in ("call_expression", "func_literal"):
        return True
    return node.type == "unary_expression" and text(node.child_by_field_name("operator")) == "<-"


def binds(node: Node, name: str) -> bool:
    """Whether `node` is a statement that (re)binds the name `name`, or takes its address."""
    if node.type == "unary_expression":
        operand = node.child_by_field_name("operand")
        return text(node.child_by_field_name("operator")) == "&" and operand is not None and (
            unparen(operand).type == "identifier" and text(unparen(operand)) == name)
    if node.type == "type_switch_statement":  # `switch x := v.(type)`
        alias = node.child_by_field_name("alias")
        return alias is not None and any(text(n) == name for n in alias.named_children)
    if node.type not in _BINDERS:
        return False
    return any(unparen(s).type == "identifier" and text(unparen(s)) == name for s, _ in bound_pairs(node))


def _lock_of(stmt: Node, owner: str) -> str | None:
    """`mu` for the statement `owner.mu.Lock()`, "" for `owner.Lock()`; None for any other."""
    call = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_child_count else None
    if call is None or call.type != "call_expression":
        return None
    function = unparen(call.child_by_field_name("function"))
    args = call.child_by_field_name("arguments")
    if function.type != "selector_expression" or args is None or args.named_child_count:
        return None
    if text(function.child_by_field_name("field")) != "Lock":
        return None
    operand = unparen(function.child_by_field_name("operand"))
    if operand.type == "identifier":
        return "" if text(operand) == owner else None
    inner = operand.child_by_field_name("operand") if operand.type == "selector_expression" else None
    if inner is None or unparen(inner).type != "identifier" or text(unparen(inner)) != owner:
        return None
    return text(operand.child_by_field_name("field"))


def _passed(stmt: Node) -> list[Node]:
    """What of a statement before the `if` runs on a path to it: all of it, or only the header of
    an `if` without else whose branch ends in a return, `break` or `continue`."""
    if stmt.type != "if_statement" or stmt.child_by_field_name("alternative") is not None:
        return [stmt]
    consequence = stmt.child_by_field_name("consequence")
    statements = consequence.named_children[0] if consequence is not None and consequence.named_child_count else None
    last = [c for c in statements.named_children if c.type != "comment"][-1:] if statements is not None else []
    return _headers(stmt) if last and last[0].type in _JUMPS else [stmt]


def _headers(stmt: Node) -> list[Node]:
    """The initializer and condition of an `if`."""
    parts = (stmt.child_by_field_name("initializer"), stmt.child_by_field_name("condition"))
    return [n for n in parts if n is not None]


def _falls_through(case: Node) -> bool:
    statements = [c for c in case.named_children if c.type == "statement_list"]
    last = [c for c in statements[0].named_children if c.type != "comment"][-1:] if statements else []
    return bool(last) and last[0].type == "fallthrough_statement"


def _most_sends(root: Node, key: str) -> int:
    """The most sends on `key` along one path through `root` (its branches are alternatives)."""
    counts: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if not done:
            stack.append((node, True))
            if node.type != "func_literal":
                stack.extend((c, False) for c in node.named_children)
            continue
        kids = [counts.get(c.id, 0) for c in node.named_children] if node.type != "func_literal" else []
        kind = node.type
        if kind == "send_statement":
            channel = node.child_by_field_name("channel")
            own = 1 if channel is not None and expr_key(channel) == key else 0
            counts[node.id] = own + sum(kids)
        elif kind == "if_statement":
            branches = [node.child_by_field_name("consequence"), node.child_by_field_name("alternative")]
            ids = {b.id for b in branches if b is not None}
            head = sum(counts.get(c.id, 0) for c in node.named_children if c.id not in ids)
            counts[node.id] = head + max([counts.get(i, 0) for i in ids] + [0])
        elif kind in _SWITCHES:
            cases = [c for c in node.named_children if c.type in _CASES]
            head = sum(counts.get(c.id, 0) for c in node.named_children if c.type not in _CASES)
            counts[node.id] = head + max([counts.get(c.id, 0) for c in cases] + [0])
        elif kind == "for_statement":
            counts[node.id] = _MANY if sum(kids) else 0
        else:
            counts[node.id] = sum(kids)
    return counts.get(root.id, 0)
