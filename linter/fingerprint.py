"""GitHub's `primaryLocationLineHash`, computed here so uploads need no source checkout.

A port of the rolling hash in github/codeql-action `src/fingerprints.ts`. If our
value differed from the one the upload action would compute, alerts would be
closed and reopened on every push, so this must match it exactly.

The action's definition: drop spaces and tabs, turn CR, LF and CRLF into LF,
append EOF (65535) and zero padding; a line's hash is the polynomial hash
(base 37, wrapping 64-bit) of the 100 UTF-16 code units starting at its first
kept character; a repeated hash gets the suffix `:2`, `:3`, ... in line order.
We compute it from prefix hashes, H(s..s+100) = P(s+100) - P(s) * 37**100,
so each character costs one step of a single `accumulate` pass, whatever the line lengths.
"""

from __future__ import annotations

import sys
from array import array
from itertools import accumulate

_BLOCK_SIZE = 100
_MOD = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_MOD, _BLOCK_SIZE, 1 << 64)
_EOF = 65535


def _step(h: int, c: int) -> int:
    return (h * _MOD + c) & _MASK


def _utf16_len(s: str) -> int:
    return len(s) if s.isascii() else len(s.encode("utf-16-le")) // 2


def line_hashes(text: str) -> dict[int, str]:
    """Map each 1-based line (CR, LF and CRLF end lines) to its `hex:count` hash."""
    kept = text.replace("\r\n", "\n").replace("\r", "\n").replace(" ", "").replace("\t", "")
    units = array("H", kept.encode("utf-16-le"))
    if sys.byteorder == "big":
        units.byteswap()
    units.append(_EOF)
    units.extend([0] * _BLOCK_SIZE)
    prefix = array("Q", accumulate(units, _step, initial=0))

    lines = kept.split("\n")
    starts = accumulate((_utf16_len(line) + 1 for line in lines[:-1]), initial=0)
    counts: dict[str, int] = {}
    hashes: dict[int, str] = {}
    for number, start in enumerate(starts, 1):
        raw = (prefix[start + _BLOCK_SIZE] - prefix[start] * _FIRST_MOD) & _MASK
        value = format(raw, "x")
        counts[value] = counts.get(value, 0) + 1
        hashes[number] = f"{value}:{counts[value]}"
    return hashes
