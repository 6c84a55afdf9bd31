"""Worker processes forked from lockjaw itself, for analysing package groups in parallel.

Why not concurrent.futures: freeing the parse trees of a large package takes
a noticeable share of the time it took to build them, and the allocator keeps
the pages afterwards, so a long-lived worker stays as large as the largest
package it ever saw, and one that analyses many small ones grows too. A worker
here exits once it has analysed a quarter megabyte of source (the kernel
reclaims a whole process at once), and a fresh one is forked when needed. Forking needs no pickling of rules or start-up imports: a worker
starts with everything this process has loaded.

A worker that dies (killed, out of memory, a crash in the parser) costs only
its group, which is reported as an internal error; the run goes on.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from multiprocessing.connection import Connection, Pipe, wait
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from linter.config import Settings
    from linter.engine import Loaded, PackageResult
    from linter.rule import Rule

EXIT_AFTER_BYTES = 256_000  # a worker that has analysed this much source exits instead of freeing it


@dataclass(slots=True)
class _Worker:
    pid: int
    conn: Connection
    task: Any = None  # what it is working on, None when idle
    exits: bool = False  # will exit after the current task
    analysed: int = 0  # source bytes sent to it so far


def _serve(conn: Connection, rules: Sequence["Rule"], settings: "Settings") -> None:
    """The worker's loop: analyse what it is sent until told to stop or after a large group."""
    from linter.engine import analyse_loaded

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles ^C and stops the workers
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        loaded, rule_indexes, exit_after = message
        try:
            result = analyse_loaded(loaded, rules, [rules[i] for i in rule_indexes], settings, release=not exit_after)
            reply: tuple[str, Any] = ("ok", result)
        except BaseException as err:  # handed back, raised in the parent as the serial path would
            reply = ("error", err)
        try:
            conn.send(reply)
        except Exception as err:  # an unpicklable exception
            conn.send(("error", RuntimeError(f"{type(err).__name__}: {err}")))
        if exit_after:
            return


class ForkPool:
    """Up to `jobs` workers; submit to an idle one, collect whatever finishes first."""

    def __init__(self, rules: Sequence["Rule"], settings: "Settings", jobs: int):
        self.rules = tuple(rules)
        self.settings = settings
        self.index_of = {id(r): i for i, r in enumerate(self.rules)}
        self.jobs = jobs
        self.workers: list[_Worker] = []

    def idle(self) -> bool:
        return len(self.workers) < self.jobs or any(w.task is None for w in self.workers)

    def busy(self) -> int:
        return sum(1 for w in self.workers if w.task is not None)

    def _fork(self) -> _Worker:
        parent, child = Pipe()
        pid = os.fork()
        if pid == 0:  # the worker: serve, then leave without running this process's cleanup
            code = 0
            try:
                parent.close()
                for sibling in self.workers:
                    sibling.conn.close()
                _serve(child, self.rules, self.settings)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        child.close()
        worker = _Worker(pid, parent)
        self.workers.append(worker)
        return worker

    def submit(self, task: Any, loaded: Sequence["Loaded"], rules: Sequence["Rule"], size: int) -> None:
        worker = next((w for w in self.workers if w.task is None), None) or self._fork()
        worker.task = task
        worker.analysed += size
        worker.exits = worker.analysed >= EXIT_AFTER_BYTES  # what it analysed before stays allocated too
        worker.conn.send((list(loaded), [self.index_of[id(r)] for r in rules], worker.exits))

    def collect(self) -> list[tuple[Any, "PackageResult | BaseException | int"]]:
        """Wait for at least one busy worker: (task, result, or the exception it raised, or the
        exit status of a worker that died without answering)."""
        busy = {w.conn: w for w in self.workers if w.task is not None}
        finished: list[tuple[Any, Any]] = []
        for conn in wait(list(busy)):
            worker = busy[conn]  # type: ignore[index]
            try:
                status, value = worker.conn.recv()
            except (EOFError, OSError):
                finished.append((worker.task, self._reap(worker)))
                continue
            finished.append((worker.task, value))
            worker.task = None
            if worker.exits:
                self._reap(worker)
        return finished

    def _reap(self, worker: _Worker) -> int:
        """Wait for a worker's exit (which also adds its CPU time to ours); its exit status."""
        self.workers.remove(worker)
        worker.conn.close()
        try:
            _, status = os.waitpid(worker.pid, 0)
        except ChildProcessError:
            return 0
        return os.waitstatus_to_exitcode(status)

    def close(self, *, kill: bool = False) -> None:
        for worker in list(self.workers):
            if kill:
                try:
                    os.kill(worker.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            else:
                try:
                    worker.conn.send(None)
                except OSError:
                    pass
            self._reap(worker)
