"""Which local names a file gives the packages lockjaw knows about."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from linter.analysis.syntax import text

NET_HTTP = "net/http"
SYNC = "sync"
LOG = "log"
OS = "os"
TIME = "time"
GIN = "github.com/gin-gonic/gin"
ECHO = "github.com/labstack/echo/v4"
FIBER = "github.com/gofiber/fiber/v2"

_VERSION_SUFFIX = re.compile(r"^v\d+$")


def default_name(path: str) -> str:
    """The name a package is referred to by when imported without an alias."""
    parts = path.split("/")
    last = parts[-1]
    if _VERSION_SUFFIX.match(last) and len(parts) > 1:
        last = parts[-2]
    if last.startswith("go-"):
        last = last[3:]
    return re.split(r"[.\-]", last)[0] or last


@dataclass(frozen=True, slots=True)
class Imports:
    """Import path -> the local names it is known by in one file."""

    names: dict[str, frozenset[str]]

    def of(self, path: str) -> frozenset[str]:
        return self.names.get(path, frozenset())

    @classmethod
    def from_root(cls, root: Node) -> "Imports":
        found: dict[str, set[str]] = {}
        for decl in root.named_children:
            if decl.type != "import_declaration":
                continue
            specs: list[Node] = []
            for child in decl.named_children:
                if child.type == "import_spec":
                    specs.append(child)
                elif child.type == "import_spec_list":
                    specs.extend(c for c in child.named_children if c.type == "import_spec")
            for spec in specs:
                path_node = spec.child_by_field_name("path")
                path = text(path_node).strip('"`')
                name_node = spec.child_by_field_name("name")
                name = text(name_node) if name_node is not None else default_name(path)
                if name in ("_", "."):
                    continue
                found.setdefault(path, set()).add(name)
        return cls({p: frozenset(n) for p, n in found.items()})
