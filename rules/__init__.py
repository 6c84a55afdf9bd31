"""The registry: every rule lockjaw has, in the order they are documented and run."""

from __future__ import annotations

from linter.rule import Rule
from rules import invalid_suppression, panic_while_locked

ALL_RULES: tuple[Rule, ...] = (
    Rule(panic_while_locked.META, panic_while_locked.check),
    Rule(invalid_suppression.META, invalid_suppression.check),  # last: it reads the others' findings
)

BY_ID: dict[str, Rule] = {r.meta.id: r for r in ALL_RULES}
