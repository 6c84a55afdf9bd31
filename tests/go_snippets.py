"""Build facts from small Go sources, for the engine's unit tests."""

from __future__ import annotations

from pathlib import Path

from linter.analysis.functions import Function
from linter.analysis.package import Package
from linter.source import SourceFile


def package(src: str, name: str = "x.go") -> Package:
    return Package([SourceFile(Path(name), name, src.encode())])


def function(pkg: Package, name: str) -> Function:
    return next(f for f in pkg.functions if f.name == name)


def wrap(body: str, params: str = "mu *sync.Mutex, xs []int, i int, c bool, ch chan int") -> str:
    return f'package p\n\nimport "sync"\n\nfunc f({params}) {{\n{body}\n}}\n'
