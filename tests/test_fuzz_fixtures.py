"""Half-written files: the fixtures with lines deleted, duplicated and moved, bytes
inserted, and the file cut short. lockjaw must analyse whatever is left, through
the whole pipeline down to every output format, without an internal error.

The default run is short. LOCKJAW_FUZZ_EXAMPLES=2000 runs it longer.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter.engine import run
from linter.model import NoticeKind
from linter.output import FORMATS, OutputEnv, renderer
from rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted(ROOT.glob("fixtures/*/*.go"))
FUZZ = settings(
    max_examples=int(os.environ.get("LOCKJAW_FUZZ_EXAMPLES", "50")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# A mutation: (what, where as a fraction of the file, how many lines, bytes to insert).
mutation = st.tuples(
    st.sampled_from(["delete", "duplicate", "move", "insert", "truncate"]),
    st.floats(0, 1),
    st.integers(1, 8),
    st.sampled_from([b"{", b"}", b"(", b")", b"\"", b"`", b"/*", b"\n", b"\xff", b"\xe6\x97", b"\x00", b"\r",
                     b"\xef\xbb\xbf", b"func", b"defer", b"go ", b"select {", b"case", b".Lock()", b"goto L"]),
)


def mutate(data: bytes, mutations: list[tuple[str, float, int, bytes]]) -> bytes:
    for what, where, count, junk in mutations:
        lines = data.splitlines(keepends=True)
        i = int(where * len(lines))
        if what == "delete":
            del lines[i : i + count]
        elif what == "duplicate":
            lines[i:i] = lines[i : i + count]
        elif what == "move":  # cut lines and paste them near the top
            cut = lines[i : i + count]
            del lines[i : i + count]
            lines[count:count] = cut
        data = b"".join(lines)
        if what == "insert":
            at = int(where * len(data))
            data = data[:at] + junk + data[at:]
        elif what == "truncate":  # may cut a UTF-8 sequence, a string, a comment, a function
            data = data[: int(where * len(data))]
    return data


@FUZZ
@given(st.sampled_from(FIXTURES), st.lists(mutation, min_size=1, max_size=4))
def test_mutated_fixtures_never_crash_lockjaw(fixture: Path, mutations: list) -> None:
    data = mutate(fixture.read_bytes(), mutations)
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        (cwd / fixture.name).write_bytes(data)
        report = run(["."], ALL_RULES, cwd=cwd)
        bugs = [n for n in report.notices if n.kind in (NoticeKind.INTERNAL_ERROR, NoticeKind.TOO_DEEP)]
        assert bugs == [], bugs
        env = OutputEnv(rules=tuple(r.meta for r in ALL_RULES), version="0", cwd=cwd, root=cwd, color=True)
        for fmt in FORMATS:
            out = renderer(fmt)(report, env)
            if fmt in ("json", "sarif"):
                json.loads(out)


def test_there_are_fixtures_to_mutate() -> None:
    assert len(FIXTURES) >= 10
