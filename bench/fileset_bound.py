"""How few files an exact "parse files, not packages" could parse (a measurement, not used by lockjaw).

Usage: fileset_bound.py ROOT    (from the repository root, with lockjaw importable)

For every package group of `lockjaw check ROOT` on which a rule can fire, prints how many files
(and bytes) a file-level selection must keep, in stages: files with a needle of a rule other
than the lock words (every declaration of them), with a lock word or `Cond`, with a declaration
that mentions a function that may reach a lock, and closed under declarations. The selection
was wired into lockjaw on branch perf2 and gave identical findings, notices and counts on the
standard library and the six /usr/share/gocode projects, but kept 2,299 of 2,477 files and cost
more CPU than it saved; see docs/performance.md.

Which files of a package to parse: those a finding or a fact can come from.

Facts cross files only through names: a call, a type, a field's type, a
package variable, a method (by name, since a call through an interface or an
unknown receiver reaches every method so named), an embedded type (a struct
that embeds a type gets that type's methods, which can make it implement an
interface nobody names it by). So a file is parsed when it can hold a finding
or feed a package-wide fact (a needle of a rule that runs, a lock word, a
`Cond`, a configured name, a call of a function that may reach a lock), or when
it declares a top-level name an included file mentions, or a type embedding
such a name; and so on to a fixpoint.

The declarations are read from the bytes: comments and literals blanked out,
then every `{..}` and `(..)` below the top level folded away, which leaves
only the top-level skeleton whatever the formatting. A file the skeleton
cannot be trusted for (unbalanced brackets, non-ASCII identifiers, cgo, no
package clause) is always parsed. Mentions are every identifier outside
comments and literals, a superset of what the file refers to; declared names
may be a superset too (a continuation line of a group read as a name). Both
only ever add files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from linter.engine import Loaded
    from linter.rule import Rule

LOCK_WORDS = (b"Lock", b"Unlock")  # as linter.analysis.package has them (imported lazily there)

_BLANK = re.compile(
    rb"//[^\n]*|/\*.*?\*/|`[^`]*`|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", re.S
)
_BRACES = re.compile(rb"\{[^{}]*\}")
_PARENS = re.compile(rb"\([^()]*\)")
_OPEN_GROUP = re.compile(rb"\b(var|const|type|import)\s*\(")
_GROUP = re.compile(rb"\b(var|const|type|import) \x01([^()\x01]*)\)")
_ID = rb"[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*"  # outside literals and comments, non-ASCII is a name's
_IDENT = re.compile(_ID)
_ASCII_IDENT = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")  # as the engine reads a body's names
_NAMES = rb"(" + _ID + rb"(?:[ \t]*,[ \t]*" + _ID + rb")*)"
_FUNC = re.compile(rb"(?:^|;)[ \t]*func\b\s*(?:\x03\s*)?(" + _ID + rb")(?=\s*[\x03\[])", re.M)
_SPEC = re.compile(rb"\b(?:var|const|type)[ \t]+" + _NAMES)
_GROUP_SPEC = re.compile(rb"(?:^|;)[ \t]*" + _NAMES, re.M)
_EMBED = re.compile(rb"[{;\n][ \t]*\*?(" + _ID + rb")(?:\[[^\]\n]*\])?[ \t]*(?=[;\n}])")
_PACKAGE = re.compile(rb"\s*package\s+([A-Za-z_]\w*)")
_NON_ASCII = re.compile(rb"[\x80-\xff]")


_SPLIT = re.compile(rb"^(?=(?:func|type|var|const|import)\b)", re.M)
_HEAD = re.compile(rb"\s*package\s+[A-Za-z_]\w*\s*;?\s*")
_UNSURE = re.compile(rb"[`\"'\x01-\x03]|/\*")  # left after blanking: a literal or comment cut in two
_CONTINUED = re.compile(rb"[-=,+*/%&|^<>!.:(\[{]\Z")  # a declaration that goes on past the next split
_FOLDED = re.compile(rb"[{}()\x01]")


@dataclass(frozen=True, slots=True)
class Chunk:
    """One top-level declaration (or a few on one line), from a keyword at column 0 to the next."""

    funcs: frozenset[bytes]  # functions and methods declared
    declared: frozenset[bytes]  # every name declared, funcs included
    embedded: frozenset[bytes]  # names standing alone in braces (embedded fields, and more)
    mentions: frozenset[bytes]  # every identifier of its bytes, comments and literals included
    locky: bool  # mentions a lock word or a Cond


def _fold(pattern: re.Pattern[bytes], text: bytes, empty: bytes) -> bytes:
    count = 1
    while count:
        text, count = pattern.subn(empty, text)
    return text


def _continued(blank: bytes, part: bytes) -> bool:
    """Whether the chunk's last token asks for more (the split cut a declaration). Checked
    again with literals kept as `0` when the blanked text ends in what may be one."""
    if not _CONTINUED.search(blank.rstrip()):
        return False
    kept = _BLANK.sub(lambda m: b" " if m.group().startswith(b"/") else b"0", part)
    return _CONTINUED.search(kept.rstrip()) is not None


def chunks(data: bytes, words: Sequence[bytes]) -> list[Chunk] | None:
    """A file's top-level declarations, or None when they cannot be read from its bytes with
    certainty (not gofmt'd where it matters, cgo, non-ASCII names, a declaration split wrongly)."""
    parts = _SPLIT.split(data)
    head = 1  # a split inside a comment or a literal is healed by joining what it cut apart
    while not _HEAD.fullmatch(_BLANK.sub(b" ", b"".join(parts[:head]))):
        head += 1
        if head > len(parts):
            return None
    out: list[Chunk] = []
    pending = b""
    for piece in parts[head:]:
        part = pending + piece
        blank = _BLANK.sub(b" ", part)
        if _UNSURE.search(blank):
            pending = part
            continue
        pending = b""
        skeleton = _fold(_PARENS, _fold(_BRACES, _OPEN_GROUP.sub(b"\\1 \x01", blank), b"\x02"), b"\x03")
        rest = _GROUP.sub(b"", skeleton)
        if _FOLDED.search(rest) or _continued(blank, part):
            return None
        funcs = set(_FUNC.findall(skeleton))
        if part.startswith(b"func") and not funcs:
            return None  # a func literal or type at column 0: the split cut a declaration
        declared = set(funcs)
        for names in _SPEC.findall(rest):
            declared.update(_IDENT.findall(names))
        for kind, body in _GROUP.findall(skeleton):
            if kind != b"import":
                for names in _GROUP_SPEC.findall(body):
                    declared.update(_IDENT.findall(names))
        mentions = set(_ASCII_IDENT.findall(part))
        if _NON_ASCII.search(part):
            mentions.update(_IDENT.findall(part))
        out.append(Chunk(frozenset(funcs), frozenset(declared), frozenset(_EMBED.findall(blank)), frozenset(mentions), any(w in part for w in words) or b"Cond" in part))
    return None if pending else out


def needed(datas: Sequence[bytes], whole: Sequence[bool], lock_words: Sequence[bytes] = ()) -> list[bool]:
    """Which files to parse. `whole`: the files any of whose declarations can hold a finding.
    Every declaration with a lock word or a `Cond` is needed too, and every one that mentions
    a function that may reach a lock (package-wide facts read every lock); then the
    declarations of what the needed ones mention, to a fixpoint. A file is parsed when one of
    its declarations is needed. When a file's declarations are unknown, all files are."""
    words = (*LOCK_WORDS, *lock_words)
    files: list[list[Chunk]] = []
    for d in datas:
        found = chunks(d, words)
        if found is None:
            return [True] * len(datas)
        files.append(found)
    flat = [(i, c) for i, cs in enumerate(files) for c in cs]
    want = [whole[i] or c.locky for i, c in flat]
    # functions that may reach a lock, by name (a superset of the engine's own fixpoint)
    reach: set[bytes] = set()
    for (_, c), w in zip(flat, want):
        if c.locky:
            reach |= c.funcs
    grew = True
    while grew:
        grew = False
        for k, (_, c) in enumerate(flat):
            if not want[k] and not c.locky and not c.mentions.isdisjoint(reach) and c.funcs - reach:
                reach |= c.funcs
                grew = True
    for k, (_, c) in enumerate(flat):
        if not want[k] and not c.mentions.isdisjoint(reach):
            want[k] = True
    declares: dict[bytes, list[int]] = {}
    embeds: dict[bytes, list[int]] = {}
    for k, (_, c) in enumerate(flat):
        for name in c.declared:
            declares.setdefault(name, []).append(k)
        for name in c.embedded:
            embeds.setdefault(name, []).append(k)
    seen: set[bytes] = set()
    todo = [k for k, w in enumerate(want) if w]
    while todo:
        for name in flat[todo.pop()][1].mentions - seen:
            seen.add(name)
            owners = declares.get(name)
            if owners is None:
                continue
            for k in (*owners, *embeds.get(name, ())):
                if not want[k]:
                    want[k] = True
                    todo.append(k)
    keep = [False] * len(datas)
    for (i, _), w in zip(flat, want):
        keep[i] = keep[i] or w
    return keep


def reduce(loaded: Sequence["Loaded"], active: Sequence["Rule"], extra: Sequence[bytes]) -> list["Loaded"]:
    """The files of a read package group to parse for the `active` rules. When every file is a
    target, the seeds are the files with a needle of an active rule or of the configuration;
    when some are context (a file named on its own), the targets are, and the context files
    count only for the locks they touch, since findings are reported in targets only."""
    if len(loaded) < 2:
        return list(loaded)
    needles = [n for n in dict.fromkeys(n for r in active for n in r.meta.needles) if n not in LOCK_WORDS]
    context = not all(f.ref.target for f in loaded)
    whole = []
    for f in loaded:
        d = f.data
        whole.append((context and f.ref.target) or any(n in d for n in extra) or (not context and any(
            (n in d) if isinstance(n, bytes) else n.search(d) is not None for n in needles)))
    keep = needed([f.data for f in loaded], whole, extra)
    return [f for f, k in zip(loaded, keep) if k]


def main(root: str) -> None:
    import time
    from pathlib import Path

    from linter.discovery import discover
    from linter.engine import applicable, load, plan
    from rules import ALL_RULES

    files, _ = discover([root], Path.cwd())
    stages = {k: [0, 0] for k in ("considered", "other needles", "lock words", "may reach a lock", "closed")}
    spent = 0.0
    for group in plan(files, Path.cwd()):
        loaded, _ = load(group)
        active = applicable(ALL_RULES, loaded, ())
        if not active:
            continue
        datas = [f.data for f in loaded]
        sizes = [len(d) for d in datas]

        def add(stage: str, keep: Sequence[bool]) -> None:
            stages[stage][0] += sum(keep)
            stages[stage][1] += sum(s for s, k in zip(sizes, keep) if k)

        add("considered", [True] * len(datas))
        needles = [n for n in dict.fromkeys(n for r in active for n in r.meta.needles) if n not in LOCK_WORDS]
        whole = [any((n in d) if isinstance(n, bytes) else n.search(d) is not None for n in needles) for d in datas]
        add("other needles", whole)
        found = [chunks(d, LOCK_WORDS) for d in datas]
        if any(c is None for c in found):
            add("lock words", [True] * len(datas))
            add("may reach a lock", [True] * len(datas))
            add("closed", [True] * len(datas))
            continue
        locky = [w or any(c.locky for c in cs) for w, cs in zip(whole, found)]  # type: ignore[union-attr]
        add("lock words", locky)
        reach: set[bytes] = set()
        flat = [c for cs in found for c in cs]  # type: ignore[union-attr]
        for c in flat:
            if c.locky:
                reach |= c.funcs
        grew = True
        while grew:
            grew = False
            for c in flat:
                if not c.locky and not c.mentions.isdisjoint(reach) and c.funcs - reach:
                    reach |= c.funcs
                    grew = True
        add("may reach a lock", [lk or any(not c.mentions.isdisjoint(reach) for c in cs)  # type: ignore[union-attr]
                                 for lk, cs in zip(locky, found)])
        start = time.process_time()
        add("closed", needed(datas, whole))
        spent += time.process_time() - start
    for stage, (count, size) in stages.items():
        print(f"{stage:>18}: {count:5,} files {size / 1e6:6.1f} MB")
    print(f"selection CPU: {spent:.2f} s")


if __name__ == "__main__":
    import sys

    main(sys.argv[1])
