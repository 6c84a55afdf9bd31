"""LJ900: a suppression comment that gives no reason, names no known rule, or silences nothing.

The findings come from the engine's suppression pass (linter/suppressions.py),
which runs after the other rules because it needs their findings; `check`
has nothing to do. The rule is selected, ignored and documented like any other.
"""

from __future__ import annotations

from linter.model import Level, Precision
from linter.rule import Context, RuleMeta
from linter.suppressions import NEEDLES, RULE_ID

META = RuleMeta(
    id=RULE_ID,
    name="invalid-suppression",
    summary="Reports suppression comments that give no reason, name an unknown rule, or silence nothing.",
    rationale=(
        "A suppression is a claim that a finding is wrong or acceptable. Without a reason the next reader "
        "cannot check the claim; with a misspelt rule id it silences nothing while looking as if it does; "
        "and once the code is fixed or moved it silences nothing and hides the next real finding on that "
        "line. `//lockjaw:ignore` and `//lockjaw:file-ignore` need a reason after the rule ids; "
        "`//nolint:lockjaw` and `//nolint:LJ101` (golangci-lint's form) do not, but are reported when "
        "unused. A bare `//nolint` is shared with other linters and never reported as unused. Suppressions "
        "of rules that did not run are not reported."
    ),
    bad="""\
func (s *Store) Get(i int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	//lockjaw:ignore LJ101
	return s.items[i] // the deferred unlock already makes this safe
}""",
    good="""\
func (s *Store) Get(i int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.items[i]
}""",
    level=Level.WARNING,
    precision=Precision.VERY_HIGH,
    tags=("suppression", "maintainability"),
    needles=NEEDLES,
)


def check(ctx: Context) -> None:
    """Nothing to do here: the suppression pass reports LJ900 after the other rules ran."""
