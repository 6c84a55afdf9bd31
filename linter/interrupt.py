"""Ctrl-C that is not lost.

Python raises KeyboardInterrupt wherever the main thread happens to be; when
that is a finalizer the garbage collector runs (a closed connection's
`__del__`), the exception is printed as "ignored" and dropped, and the scan
would go on to write its report. The handler also records the request, and the
scheduler checks it after every package, so the run stops either way.
"""

from __future__ import annotations

import signal

requested = False


def _handler(signum, frame) -> None:
    global requested
    requested = True
    raise KeyboardInterrupt


def install() -> None:
    """Take over Python's own SIGINT handler (not an ignored or a custom one)."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _handler)


def check() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed, even if its first raise was dropped."""
    if requested:
        raise KeyboardInterrupt
