"""`line_hashes` must agree with github/codeql-action, or alerts churn on every push.

The vectors are copied from codeql-action `src/fingerprints.test.ts` (the `hash`
test) and `src/testdata/fingerprinting.expected.sarif` (real files hashed by
`addFingerprints`). The property test compares against a literal, character by
character port of `hash()` in `src/fingerprints.ts`.
"""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linter.fingerprint import line_hashes

GREETINGS = [
    "e9496ae3ebfced30:1",
    "fb7c023a8b9ccb3f:1",
    "ce8ba1a563dcdaca:1",
    "e20e36e16fcb0cc8:1",
    "b3edc88f2938467e:1",
    "c8e28b0b4002a3a0:1",
    "c129715d7a2bc9a3:1",
]

VECTORS = [
    ("", ["c129715d7a2bc9a3:1"]),
    (
        " a\nb\n  \t\tc\n d",
        ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"],
    ),
    (
        " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
        [
            "8b7cf3e952e7aeb2:1",
            "b1ae1287ec4718d9:1",
            "bff680108adb0fcc:1",
            "c6805c5e1288b612:1",
            "b86d3392aea1be30:1",
            "e6ceba753e1a442:1",
        ],
    ),
    (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n", GREETINGS),
    (" hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r", GREETINGS),
    (" hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n", GREETINGS),
    (" hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n", GREETINGS),
    (
        "Lorem ipsum dolor sit amet.\n" * 10,
        [f"a7f2ff13bc495cf2:{i}" for i in range(1, 7)]
        + [
            "a7f2ff1481e87703:1",
            "a9cf91f7bbf1862b:1",
            "55ec222b86bcae53:1",
            "cc97dc7b1d7d8f7b:1",
            "c129715d7a2bc9a3:1",
        ],
    ),
    (
        "x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n",
        [
            "e54938cc54b302f1:1",
            "bb609acbe9138d60:1",
            "1131fd5871777f34:1",
            "5c482a0f8b35ea28:1",
            "54517377da7028d2:1",
            "2c644846cb18d53e:1",
            "f1b89f20de0d133:1",
            "c129715d7a2bc9a3:1",
        ],
    ),
]


@pytest.mark.parametrize("text, expected", VECTORS)
def test_codeql_action_vectors(text: str, expected: list[str]) -> None:
    assert len(expected) == len(re.split(r"\r\n|\r|\n", text))
    assert line_hashes(text) == dict(enumerate(expected, 1))


def test_codeql_action_testdata_files() -> None:
    # testFile1.js line 1 and testFile2.js line 2, from fingerprinting.expected.sarif
    assert line_hashes("var a = 0;\nvar b = 0;\nvar c = 0;\nvar d = 0;\n")[1] == "5e4d5a9cf1294ad9:1"
    assert line_hashes("var foo = 0;\nvar bar = 0;\nvar baz = 0;\nvar qux = 0;\n")[2] == "f7592a95a9381ac0:1"


def reference(text: str) -> dict[int, str]:
    """fingerprints.ts `hash()`, transcribed statement by statement."""
    mask = (1 << 64) - 1
    window = [0] * 100
    line_numbers = [-1] * 100
    first_mod = pow(37, 100) & mask
    state = {"hash": 0, "index": 0}
    counts: dict[str, int] = {}
    out: dict[int, str] = {}

    def output_hash() -> None:
        value = format(state["hash"], "x")
        counts[value] = counts.get(value, 0) + 1
        out[line_numbers[state["index"]]] = f"{value}:{counts[value]}"
        line_numbers[state["index"]] = -1

    def update_hash(current: int) -> None:
        i = state["index"]
        begin = window[i]
        window[i] = current
        state["hash"] = (37 * state["hash"] + current - first_mod * begin) & mask
        state["index"] = (i + 1) % 100

    line_number = 0
    line_start = True
    prev_cr = False
    data = text.encode("utf-16-le")
    units = [int.from_bytes(data[i : i + 2], "little") for i in range(0, len(data), 2)]
    for current in units + [65535]:
        if current in (32, 9) or (prev_cr and current == 10):
            prev_cr = False
            continue
        if current == 13:
            current = 10
            prev_cr = True
        else:
            prev_cr = False
        if line_numbers[state["index"]] != -1:
            output_hash()
        if line_start:
            line_start = False
            line_number += 1
            line_numbers[state["index"]] = line_number
        if current == 10:
            line_start = True
        update_hash(current)
    for _ in range(100):
        if line_numbers[state["index"]] != -1:
            output_hash()
        update_hash(0)
    return out


def test_reference_port_matches_vectors() -> None:
    for text, expected in VECTORS:
        assert reference(text) == dict(enumerate(expected, 1))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(" \t\r\nab{}()é\u0a0a😀\ufeff")), max_size=400))
def test_matches_reference(text: str) -> None:
    assert line_hashes(text) == reference(text)


def test_non_bmp_counts_two_code_units() -> None:
    # The emoji is two UTF-16 units, so line 1's 100-unit window ends at its newline
    # and line 2 does not affect it; counting code points would pull in "b" / "c".
    first = "\U0001f600" + "a" * 97 + "\n"
    assert line_hashes(first + "b")[1] == line_hashes(first + "c")[1]
    assert line_hashes(first + "b") == reference(first + "b")


def test_large_file_is_fast() -> None:
    text = "\tmu.Lock()\n\tdefer mu.Unlock()\n\tx := m[k] // comment\n" * 20_000
    began = time.perf_counter()
    hashes = line_hashes(text)
    assert len(hashes) == 60_001
    assert time.perf_counter() - began < 2.0
