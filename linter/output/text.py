"""Human output: a gcc-style header per finding, a source excerpt, notices and a summary.

The header `path:line:col: level: LJ101 message` is what editors' problem
matchers parse. The excerpt marks the primary span with `>` and carets and the
related lines with their message (the flow stands in for findings without
related locations), so the reader sees where the lock was taken without
opening the file. Carets are placed by terminal cell width after tab
expansion, so they line up under tabs and wide characters alike.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from io import StringIO

from linter.model import Finding, Level, Position, Report
from linter.output import OutputEnv

TAB_WIDTH = 4
MAX_GAP = 3  # unmarked lines shown between marked ones; longer gaps become "..."
MAX_LINE = 160  # longer lines (minified, generated) are clipped around their marks
CONTEXT = 40  # code points kept on each side of the marks of a clipped line

LEVEL_STYLE = {Level.ERROR: "bold red", Level.WARNING: "bold yellow", Level.NOTE: "bold cyan"}
GUTTER_STYLE = "blue"
RELATED_STYLE = "cyan"


def _cell_len(text: str) -> int:
    """Terminal cells of `text`: one per printable ASCII character; rich (a slow import, needed
    by no other plain run) measures anything else."""
    if text.isascii() and text.isprintable():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


@dataclass(frozen=True, slots=True)
class Text:
    """Styled runs of text. Plain output is just their concatenation; rich (a slow import)
    renders them only when colour is asked for. Mirrors the part of rich.text.Text used here."""

    runs: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, text: str = "", style: str = "") -> "Text":
        return cls(((text, style),)) if text else cls()

    @classmethod
    def assemble(cls, *parts: "str | tuple[str, str]") -> "Text":
        return cls(tuple((p, "") if isinstance(p, str) else p for p in parts))

    def join(self, texts: "list[Text]") -> "Text":
        runs: list[tuple[str, str]] = []
        for i, text in enumerate(texts):
            if i:
                runs.extend(self.runs)
            runs.extend(text.runs)
        return Text(tuple(runs))

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.runs)

    def rich(self):
        from rich.text import Text as RichText

        out = RichText()
        for text, style in self.runs:
            out.append(text, style=style or None)
        return out


@dataclass(frozen=True, slots=True)
class _Mark:
    """An underline under one line: code-point columns, `end` exclusive, None = to end of line."""

    start: int
    end: int | None
    char: str
    message: str
    style: str


def render(report: Report, env: OutputEnv) -> str:
    lines: list[Text] = []
    for finding in report.findings:
        lines.append(_header(finding))
        if env.show_source:
            lines += _excerpt(finding, report.excerpts.get(finding.span.path, {}))
            lines.append(Text.of())
    if report.notices:
        lines += [Text.of(n.one_line(), style=LEVEL_STYLE[n.level]) for n in report.notices]
        lines.append(Text.of())
    if env.statistics and report.findings:
        if lines and lines[-1].plain:
            lines.append(Text.of())  # without excerpts, nothing separated the findings from the table
        lines += _statistics(report, env)
        lines.append(Text.of())
    if env.summary:
        lines.append(Text.of(_summary(report), style="bold"))
    elif not lines:
        return ""
    elif not lines[-1].plain:
        lines.pop()  # no blank line before a summary that is not there
    return _to_string(Text.of("\n").join(lines), env.color) + "\n"


def _header(f: Finding) -> Text:
    s = f.span
    return Text.assemble(
        (s.path, "bold"),
        f":{s.start.line}:{s.start.column}: ",
        (f.level.value, LEVEL_STYLE[f.level]),
        ": ",
        (f.rule_id, "bold"),
        f" {f.message}",
    )


def _excerpt(f: Finding, source: dict[int, str]) -> list[Text]:
    primary = f.span.start.line
    style = LEVEL_STYLE[f.level]
    marks: dict[int, list[_Mark]] = {primary: [_mark(f.span.start, f.span.end, "^", "", style)]}
    elsewhere: list[Text] = []
    for r in f.related or f.flow:
        if r.span == f.span:
            continue  # already underlined with carets
        if r.span.path != f.span.path:
            where = f"{r.span.path}:{r.span.start.line}:{r.span.start.column}"
            elsewhere.append(Text.assemble(("  = ", GUTTER_STYLE), f"{where}: ", (r.message, RELATED_STYLE)))
            continue
        mark = _mark(r.span.start, r.span.end, "-", r.message, RELATED_STYLE)
        marks.setdefault(r.span.start.line, []).append(mark)

    shown = sorted(n for n in marks if n in source)
    if not shown:
        return elsewhere
    width = len(str(shown[-1]))
    out: list[Text] = []
    for prev, n in zip([None, *shown], shown):
        if prev is not None and n - prev > 1:
            gap = range(prev + 1, n)
            if len(gap) <= MAX_GAP and all(g in source for g in gap):
                out += [_code(" ", g, _clip(source[g], [])[0], width, style) for g in gap]
            else:
                out.append(Text.of("  ...", style=GUTTER_STYLE))
        line, line_marks = _clip(source[n], marks[n])
        out.append(_code(">" if n == primary else " ", n, line, width, style))
        out += [_underline(line, m, width) for m in line_marks]
    return out + elsewhere


def _clip(line: str, marks: list[_Mark]) -> tuple[str, list[_Mark]]:
    """A long line cut to a window around its marks, with `…` where it was cut.

    Without this, a one-line minified file prints its whole length once per finding.
    """
    if len(line) <= MAX_LINE:
        return line, marks
    lo = max(min((m.start for m in marks), default=1) - 1 - CONTEXT, 0)
    hi = max(((m.end or m.start) - 1 + CONTEXT for m in marks), default=MAX_LINE)
    hi = min(hi, lo + MAX_LINE, len(line))
    shown = ("…" if lo else "") + line[lo:hi] + ("…" if hi < len(line) else "")
    shift = lo - (1 if lo else 0)

    def column(c: int) -> int:
        return min(max(c - shift, 1), len(shown) + 1)

    return shown, [replace(m, start=column(m.start), end=None if m.end is None else column(m.end)) for m in marks]


def _mark(start: Position, end: Position, char: str, message: str, style: str) -> _Mark:
    return _Mark(start.column, end.column if end.line == start.line else None, char, message, style)


def _code(marker: str, n: int, line: str, width: int, style: str) -> Text:
    gutter = (f" {n:>{width}} | ", GUTTER_STYLE)
    return Text.assemble((marker, style) if marker.strip() else marker, gutter, line.expandtabs(TAB_WIDTH).rstrip())


def _underline(line: str, m: _Mark, width: int) -> Text:
    offset = _cell_len(line[: m.start - 1].expandtabs(TAB_WIDTH))
    end = len(line) + 1 if m.end is None else m.end
    length = max(_cell_len(line[: end - 1].expandtabs(TAB_WIDTH)) - offset, 1)
    label = f" {m.message}" if m.message else ""
    return Text.assemble((f"  {'':>{width}} | ", GUTTER_STYLE), " " * offset, (m.char * length + label, m.style))


def _statistics(report: Report, env: OutputEnv) -> list[Text]:
    names = {m.id: m.name for m in env.rules}
    counts = Counter(f.rule_id for f in report.findings)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    count_width = len(str(rows[0][1]))
    id_width = max(len(rule_id) for rule_id in counts)
    return [
        Text.of(f"{count:>{count_width}}  {rule_id:<{id_width}}  {names.get(rule_id, '')}".rstrip())
        for rule_id, count in rows
    ]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _summary(report: Report) -> str:
    total = len(report.findings)
    if not total:
        return f"No problems found in {_plural(report.files_seen, 'file')}."
    levels = Counter(f.level for f in report.findings)
    by_level = ", ".join(_plural(levels[level], level.value) for level in Level if levels[level])
    files = len({f.span.path for f in report.findings})
    return f"Found {_plural(total, 'problem')} ({by_level}) in {files} of {_plural(report.files_seen, 'file')}."


def _to_string(text: Text, color: bool) -> str:
    if not color:
        return text.plain
    from rich.console import Console  # only for colour: it is the slowest import of a run

    buffer = StringIO()
    console = Console(
        file=buffer,
        force_terminal=True,
        color_system="standard",
        no_color=False,
        highlight=False,
        markup=False,
        emoji=False,
        legacy_windows=False,
    )
    console.print(text.rich(), soft_wrap=True, end="")
    return buffer.getvalue()
