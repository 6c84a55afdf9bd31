"""The yardstick: parse every file with tree-sitter in one process, and nothing else.

Usage: parse_all.py ROOT [--considered]
    ROOT          a directory; every *.go file below it is read and parsed
    --considered  only the files `lockjaw check ROOT` considers (no testdata, vendor, ...)

Prints one JSON object: files, bytes, seconds (read + parse, wall) and cpu_seconds.
"""

from __future__ import annotations

import json
import os
import sys
import time


def every_go_file(root: str) -> list[str]:
    found = []
    for dirpath, _, filenames in os.walk(root):
        found.extend(os.path.join(dirpath, n) for n in filenames if n.endswith(".go"))
    return sorted(found)


def considered(root: str) -> list[str]:
    from pathlib import Path

    from linter.discovery import discover

    files, _ = discover(["."], Path(root))
    return [str(f.path) for f in files]


def main() -> None:
    root = sys.argv[1]
    paths = considered(root) if "--considered" in sys.argv[2:] else every_go_file(root)
    import tree_sitter_go
    from tree_sitter import Language, Parser

    parser = Parser(Language(tree_sitter_go.language()))
    wall, cpu = time.perf_counter(), time.process_time()
    files = size = 0
    for path in paths:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:  # the corpus has a directory named like a Go file
            continue
        parser.parse(data)
        files += 1
        size += len(data)
    print(json.dumps({"files": files, "bytes": size, "seconds": time.perf_counter() - wall,
                      "cpu_seconds": time.process_time() - cpu}))


if __name__ == "__main__":
    main()
