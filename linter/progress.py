"""A progress bar on stderr for scans long enough to wonder about.

Only on a terminal (the CLI checks), and only once the scan has many files or
has taken a while, so quick runs and pre-commit hooks print nothing extra.
"""

from __future__ import annotations

import time

MIN_FILES = 500
MIN_SECONDS = 1.0


class ProgressBar:
    """Call with (files done, files in total); rich is imported only if a bar is shown."""

    def __init__(self) -> None:
        self._started = time.monotonic()
        self._bar = None
        self._task = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if done >= total or (total < MIN_FILES and time.monotonic() - self._started < MIN_SECONDS):
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn("lockjaw"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
                                 TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("check", total=total)
        self._bar.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
