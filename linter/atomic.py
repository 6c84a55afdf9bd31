"""Writing a file so that an interrupted run never leaves half of it behind."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, keep_mode: bool = False) -> None:
    """Write via a temporary file beside `path` and rename it over `path`.

    A symbolic link is followed (the link stays a link); a target that is not a
    regular file, such as /dev/stdout or a pipe, is written in place: renaming
    over it would replace the device with a file. `keep_mode` keeps the
    permissions of the file being replaced (a source file being fixed).
    """
    try:
        special = not stat.S_ISREG(path.stat().st_mode)
    except FileNotFoundError:
        special = False
    if special:
        with path.open("wb") as out:
            out.write(data)
        return
    path = Path(os.path.realpath(path))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        if keep_mode:
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
