"""Plain values that analysis produces and output consumes.

Everything here is frozen so that findings can cross process boundaries,
be cached, sorted and compared without surprises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Level(str, Enum):
    """SARIF result levels, also used for the text output's labels."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


class Precision(str, Enum):
    """How often a rule's findings are real bugs (GitHub's `precision` values)."""

    VERY_HIGH = "very-high"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """A 1-based line and column; `column` counts code points, `utf16_column` UTF-16 units."""

    line: int
    column: int
    utf16_column: int


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A region of one file. `path` is POSIX and relative to the working directory."""

    path: str
    start: Position
    end: Position


@dataclass(frozen=True, slots=True)
class Related:
    """A secondary location that explains a finding (where the lock was taken, ...)."""

    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the bytes of `span` with `text` (used by fixes)."""

    span: Span
    start_byte: int
    end_byte: int
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """One self-contained change that resolves a finding; its edits never overlap."""

    description: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """One reported problem. `flow` is the ordered path that explains it (lock -> panic)."""

    rule_id: str
    level: Level
    message: str
    span: Span
    related: tuple[Related, ...] = ()
    flow: tuple[Related, ...] = ()
    line_hash: str = ""
    fixes: tuple[Fix, ...] = ()
    function: str = ""  # enclosing named function ("Store.Get"): part of the baseline fingerprint

    @property
    def sort_key(self) -> tuple:
        s = self.span
        return (s.path, s.start.line, s.start.column, self.rule_id, self.message)


class NoticeKind(str, Enum):
    """Why a file was not (fully) analysed, or what else went wrong."""

    PARSE_ERROR = "parse-error"
    ENCODING = "encoding"
    BINARY = "binary"
    EMPTY = "empty"
    UNREADABLE = "unreadable"
    MISSING = "missing"
    TOO_DEEP = "too-deep"
    INTERNAL_ERROR = "internal-error"
    SUPPRESSION = "suppression"
    SPECIAL_FILE = "special-file"  # a FIFO, socket or device named *.go: never read


@dataclass(frozen=True, slots=True)
class Notice:
    """A message about the run rather than about the code: a file skipped, a crash contained."""

    path: str
    kind: NoticeKind
    message: str
    level: Level = Level.WARNING
    line: int | None = None

    @property
    def fails_run(self) -> bool:
        """Notices that must turn CI red (exit 2): lost files and internal errors."""
        return self.kind in (NoticeKind.UNREADABLE, NoticeKind.MISSING, NoticeKind.INTERNAL_ERROR)

    def one_line(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.level.value}: {self.message}"


@dataclass(slots=True)
class Report:
    """The result of one run, handed to a formatter."""

    findings: list[Finding] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    excerpts: dict[str, dict[int, str]] = field(default_factory=dict)
    files_seen: int = 0
    files_parsed: int = 0

    @property
    def exit_code(self) -> int:
        if any(n.fails_run for n in self.notices):
            return 2
        return 1 if self.findings else 0
