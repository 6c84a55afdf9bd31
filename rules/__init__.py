"""The registry: every rule lockjaw has, in the order they are documented and run."""

from __future__ import annotations

from linter.rule import Rule
from rules import double_lock, lock_leak_on_return, lock_order_inversion, panic_while_locked

ALL_RULES: tuple[Rule, ...] = (
    Rule(panic_while_locked.META, panic_while_locked.check),
    Rule(lock_leak_on_return.META, lock_leak_on_return.check),
    Rule(double_lock.META, double_lock.check),
    Rule(lock_order_inversion.META, lock_order_inversion.check),
)

BY_ID: dict[str, Rule] = {r.meta.id: r for r in ALL_RULES}
