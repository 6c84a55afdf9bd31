"""Check that one-file runs report exactly the whole package's findings in that file.

    python3 bench/one_file_equivalence.py DIR [DIR...] [--files N] [--only NAME...]

For each package directory, the package's non-test files are analysed together (every file a
target), then each file (or the N largest) on its own, its siblings read as context as a
pre-commit hook runs it; the file's findings must be those of the package run that lie in it,
compared whole (message, related locations, flow, fixes). Prints the CPU time of each one-file
run's analysis and exits 1 on any difference. Also checks that every recursive component of the
package's call graph, found from its callers as a one-file run finds it, lists its members in the
order of the whole package's Tarjan pass.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from linter.engine import run  # noqa: E402
from rules import ALL_RULES  # noqa: E402


def orders_agree(directory: Path, files: list[Path]) -> tuple[int, int]:
    """(recursive components, how many of them come out in another order)."""
    from linter.analysis.package import Package
    from linter.source import SourceFile

    sources = [SourceFile(p, p.name, p.read_bytes(), is_target=i == 0) for i, p in enumerate(files)]
    by_name: dict[str, list[SourceFile]] = {}
    for source in sources:
        by_name.setdefault(source.package_name, []).append(source)
    total = wrong = 0
    for group in by_name.values():
        for source in group:
            source.is_target = source is group[0]
        table = Package(group).effects_table
        for members in table._order().members:
            if len(members) > 1:
                total += 1
                wrong += table._package_order(members[::-1]) != members
    return total, wrong


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("dirs", nargs="+")
    parser.add_argument("--files", type=int, default=0, help="only the N largest files of each directory")
    parser.add_argument("--only", nargs="*", default=(), help="and these files by name")
    args = parser.parse_args()
    bad = 0
    for d in args.dirs:
        directory = Path(d).resolve()
        files = sorted(p for p in directory.glob("*.go") if not p.name.endswith("_test.go"))
        total, wrong = orders_agree(directory, files)
        bad += wrong
        print(f"{'ok  ' if not wrong else 'DIFF'} {directory.name}: {total} recursive components, "
              f"{wrong} in another order", flush=True)
        whole = run([str(p) for p in files], ALL_RULES, cwd=directory).findings
        chosen = sorted(files, key=lambda p: -p.stat().st_size)[: args.files] if args.files else files
        if args.only:
            chosen = [p for p in files if p.name in args.only or p in chosen[: args.files]]
        for path in sorted(chosen):
            start = time.process_time()
            alone = run([str(path)], ALL_RULES, cwd=directory).findings
            spent = time.process_time() - start
            expected = [f for f in whole if f.span.path == path.name]
            same = alone == expected
            bad += not same
            print(f"{'ok  ' if same else 'DIFF'} {directory.name}/{path.name}: {len(alone)} findings "
                  f"({len(expected)} expected), {spent:.2f} s CPU", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
