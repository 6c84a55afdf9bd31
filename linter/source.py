"""A parsed Go file: its bytes, its tree and the position arithmetic around them."""

from __future__ import annotations

from bisect import bisect_right
import copy
from functools import cached_property
from pathlib import Path

from tree_sitter import Language, Node, Parser, Tree

from linter.model import Position, Span

BOM = b"\xef\xbb\xbf"

_LANGUAGE: Language | None = None
_PARSER: Parser | None = None


def go_language() -> Language:
    global _LANGUAGE
    if _LANGUAGE is None:
        import tree_sitter_go

        _LANGUAGE = Language(tree_sitter_go.language())
    return _LANGUAGE


def parse_go(data: bytes) -> Tree:
    global _PARSER
    if _PARSER is None:
        _PARSER = Parser(go_language())
    return _PARSER.parse(data)


class SourceFile:
    """One Go file, parsed once. Columns are computed on demand, only for reported nodes."""

    def __init__(self, path: Path, display: str, data: bytes, *, is_target: bool = True):
        self.path = path
        self.display = display
        self.data = data
        self.is_target = is_target
        self.tree = parse_go(data)

    def as_context(self) -> "SourceFile":
        """The same parsed file as context only (not reported on), for another view of its package."""
        other = copy.copy(self)
        other.is_target = False
        return other

    @property
    def root(self) -> Node:
        return self.tree.root_node

    @cached_property
    def line_starts(self) -> list[int]:
        starts = [0]
        find = self.data.find
        i = find(b"\n")
        while i != -1:
            starts.append(i + 1)
            i = find(b"\n", i + 1)
        return starts

    @cached_property
    def package_name(self) -> str:
        for child in self.root.named_children:
            if child.type == "package_clause":
                for c in child.named_children:
                    return self.text(c)
        return ""

    @cached_property
    def _declarations(self) -> list[tuple[int, int, str]]:
        """(start, end, name) of the top-level functions and methods ("Get", "Store.Get")."""
        out: list[tuple[int, int, str]] = []
        for decl in self.root.named_children:
            if decl.type not in ("function_declaration", "method_declaration"):
                continue
            name = self.text(decl.child_by_field_name("name")) if decl.child_by_field_name("name") else ""
            receiver = decl.child_by_field_name("receiver")
            for param in receiver.named_children if receiver is not None else ():
                if param.type == "parameter_declaration":
                    kind = "".join(self.text(param.child_by_field_name("type")).split()).lstrip("*")
                    name = f"{kind.split('[', 1)[0]}.{name}"
                    break
            out.append((decl.start_byte, decl.end_byte, name))
        return out

    def declaration_name(self, byte: int) -> str:
        """The named function or method around a byte offset, looking through literals.

        Found by the declarations' byte ranges, not by climbing parents (which costs
        the node's depth per step in tree-sitter), and independent of line numbers,
        so baselines can use it in fingerprints.
        """
        decls = self._declarations
        i = bisect_right(decls, (byte, float("inf"), "")) - 1
        if i >= 0 and decls[i][0] <= byte < decls[i][1]:
            return decls[i][2]
        return ""

    def text(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def line_text(self, line: int) -> str:
        """The 1-based line's text without its line ending."""
        starts = self.line_starts
        if line < 1 or line > len(starts):
            return ""
        end = starts[line] if line < len(starts) else len(self.data)
        raw = self.data[starts[line - 1] : end].rstrip(b"\r\n")
        if line == 1 and raw.startswith(BOM):
            raw = raw[len(BOM) :]  # not shown, and not counted in columns (see position)
        return raw.decode("utf-8", "replace")

    def position(self, byte: int) -> Position:
        starts = self.line_starts
        row = bisect_right(starts, byte) - 1
        prefix = self.data[starts[row] : byte].decode("utf-8", "replace")
        if row == 0 and prefix.startswith("\ufeff"):
            prefix = prefix[1:]  # editors and GitHub do not count a byte-order mark
        utf16 = len(prefix.encode("utf-16-le")) // 2
        return Position(row + 1, len(prefix) + 1, utf16 + 1)

    def span(self, node: Node) -> Span:
        return Span(self.display, self.position(node.start_byte), self.position(node.end_byte))

    @cached_property
    def _line_hashes(self) -> dict[int, str]:
        from linter.fingerprint import line_hashes

        return line_hashes(self.data.decode("utf-8", "replace"))

    def line_hash(self, line: int) -> str:
        return self._line_hashes.get(line, "")
