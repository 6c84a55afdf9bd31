"""A progress bar on stderr for scans long enough to wonder about.

Only on a terminal (the CLI checks), and only once a large scan has run for a
moment or any scan has taken a while, so quick runs, cached re-runs and
pre-commit hooks print nothing extra. The bar is redrawn when work finishes,
never from a thread of its own: worker processes are forked while it shows.
"""

from __future__ import annotations

import time

MIN_FILES = 500  # a scan this large gets a bar after GRACE seconds
GRACE = 0.25
MIN_SECONDS = 1.0  # any scan gets one after this long


class ProgressBar:
    """Call with (files done, files in total); rich is imported only if a bar is shown."""

    def __init__(self) -> None:
        self._started = time.monotonic()
        self._bar = None
        self._task = None

    def _due(self, done: int, total: int) -> bool:
        elapsed = time.monotonic() - self._started
        return done < total and (elapsed >= MIN_SECONDS or (total >= MIN_FILES and elapsed >= GRACE))

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if not self._due(done, total):
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn("lockjaw"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
                                 TimeElapsedColumn(), console=Console(stderr=True), transient=True,
                                 auto_refresh=False)
            self._bar.start()
            self._task = self._bar.add_task("check", total=total)
        self._bar.update(self._task, completed=done, total=total)
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
