"""The registry: every rule lockjaw has, in the order they are documented and run."""

from __future__ import annotations

from linter.rule import Rule
from rules import (
    blocking_while_locked,
    deferred_lock,
    double_lock,
    goroutine_without_recover,
    invalid_suppression,
    lock_leak_on_return,
    lock_order_inversion,
    panic_while_locked,
    unlock_mismatch,
)

ALL_RULES: tuple[Rule, ...] = (
    Rule(panic_while_locked.META, panic_while_locked.check),
    Rule(lock_leak_on_return.META, lock_leak_on_return.check),
    Rule(double_lock.META, double_lock.check),
    Rule(unlock_mismatch.META, unlock_mismatch.check),
    Rule(deferred_lock.META, deferred_lock.check),
    Rule(lock_order_inversion.META, lock_order_inversion.check),
    Rule(blocking_while_locked.META, blocking_while_locked.check),
    Rule(goroutine_without_recover.META, goroutine_without_recover.check),
    Rule(invalid_suppression.META, invalid_suppression.check),  # last: it reads the others' findings
)

BY_ID: dict[str, Rule] = {r.meta.id: r for r in ALL_RULES}
