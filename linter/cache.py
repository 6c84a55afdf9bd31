"""Results of earlier runs, so that an unchanged package is never analysed twice.

A package group's result is stored under a key that covers everything that
decides it: lockjaw's version and its own source code, the parser's version,
the enabled rules, and every file's path, role and content. Any change gives
a new key, so entries are never invalidated, only left behind.

Hashing the whole tree on every run would cost more than the re-run target
allows, so a file's content digest is remembered together with its stat
(size, mtime, ctime, inode, device) and reused while the stat is unchanged,
as git's index does. A file modified within the same clock tick as it was
recorded could keep a stale digest, so files changed in the last seconds
are never remembered (git's "racily clean" rule).

The cache is a plain directory: `results/xx/<key>` holds one pickled
PackageResult. Pickles execute code when loaded, so a directory that other
users could write to is refused. Anything unreadable is a miss. An entry's
mtime records its last use (refreshed at most daily); once a day, entries
unused for KEEP_DAYS are deleted, so the cache holds what recent runs need.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat as statmod
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    from linter.discovery import FileRef
    from linter.engine import PackageResult

FORMAT = b"lockjaw-cache-4"
RACY_SECONDS = 3  # files modified this recently are hashed again next time
KEEP_DAYS = 30
_DAY = 86400
_MEMO = "files.pickle"
_TAG = "CACHEDIR.TAG"
_PRUNED = "pruned"  # its mtime: when unused entries were last deleted
_TAG_TEXT = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by lockjaw.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)

Stat = tuple[int, int, int, int, int]


def default_dir() -> Path:
    """`$LOCKJAW_CACHE_DIR`, else `$XDG_CACHE_HOME/lockjaw`, else `~/.cache/lockjaw`."""
    explicit = os.environ.get("LOCKJAW_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "lockjaw"


def _stat_key(st: os.stat_result) -> Stat:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def code_fingerprint() -> bytes:
    """lockjaw's own code and the parser's: a development checkout changes without a version bump."""
    import importlib.util

    import linter
    import rules

    digest = hashlib.sha256(FORMAT)
    digest.update(linter.__version__.encode())
    digest.update(sys.version.encode())
    for package in (linter, rules):
        root = Path(package.__file__).parent
        for path in sorted(root.rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode("utf-8", "surrogateescape") + b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"?")
    for module in ("tree_sitter", "tree_sitter_go"):
        spec = importlib.util.find_spec(module)
        origin = Path(spec.origin).parent if spec is not None and spec.origin else None
        digest.update(module.encode())
        if origin is not None:  # the compiled grammar and bindings, by name, size and time
            for entry in sorted(os.scandir(origin), key=lambda e: e.name):
                if entry.is_file():
                    st = entry.stat()
                    digest.update(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return digest.digest()


def _private(directory: Path) -> bool:
    """Ours alone: pickles from a directory someone else can write would run their code."""
    try:
        st = directory.stat()
    except OSError:
        return False
    if not statmod.S_ISDIR(st.st_mode):
        return False
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    return not st.st_mode & (statmod.S_IWGRP | statmod.S_IWOTH)


class Cache:
    """One run's view of the cache directory."""

    def __init__(self, directory: Path, salt: bytes):
        self.directory = directory
        self.salt = salt
        self._memo: dict[str, tuple[Stat, bytes]] = {}
        self._memo_dirty = False
        self._started = time.time()
        self.hits = 0
        self.misses = 0

    @classmethod
    def open(cls, directory: Path, *, rule_ids: Iterable[str], options: bytes = b"") -> "Cache | None":
        """The cache in `directory` (created if missing), or None when it cannot be used safely."""
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            return None
        if not _private(directory):
            return None
        tag = directory / _TAG
        if not tag.exists():
            try:
                tag.write_text(_TAG_TEXT)
            except OSError:
                pass
        salt = hashlib.sha256(code_fingerprint() + b"\0" + ",".join(rule_ids).encode() + b"\0" + options).digest()
        cache = cls(directory, salt)
        cache._load_memo()
        return cache

    # file digests -------------------------------------------------------------------------

    def _load_memo(self) -> None:
        try:
            with open(self.directory / _MEMO, "rb") as fh:
                if fh.read(len(FORMAT)) != FORMAT:
                    return
                memo = pickle.load(fh)
            if isinstance(memo, dict):
                self._memo = memo
        except Exception:  # missing, truncated or foreign: start afresh
            self._memo = {}

    def known_digest(self, path: Path) -> bytes | None:
        """The remembered digest of `path` if its stat is unchanged; no read."""
        entry = self._memo.get(str(path))
        if entry is None:
            return None
        try:
            st = os.stat(path)
        except OSError:
            return None
        return entry[1] if entry[0] == _stat_key(st) else None

    def remember(self, path: Path, data: bytes) -> bytes:
        """The digest of `data`, read from `path`; remembered unless the file is racily new."""
        digest = hashlib.sha256(data).digest()
        try:
            st = os.stat(path)
        except OSError:
            return digest
        if st.st_size == len(data) and st.st_mtime < self._started - RACY_SECONDS:
            self._memo[str(path)] = (_stat_key(st), digest)
            self._memo_dirty = True
        return digest

    # results ------------------------------------------------------------------------------

    def key(self, refs: Sequence["FileRef"], digests: Sequence[bytes]) -> str:
        h = hashlib.sha256(self.salt)
        for ref, digest in zip(refs, digests):
            h.update(f"\0{ref.display}\0{ref.explicit:d}{ref.target:d}\0".encode("utf-8", "surrogateescape"))
            h.update(digest)
        return h.hexdigest()

    def _entry(self, key: str) -> Path:
        return self.directory / "results" / key[:2] / key[2:]

    def get(self, key: str) -> "PackageResult | None":
        from linter.engine import PackageResult

        path = self._entry(key)
        try:
            with open(path, "rb") as fh:
                if fh.read(len(FORMAT)) != FORMAT:
                    raise ValueError("foreign entry")
                result = pickle.load(fh)
                used = os.fstat(fh.fileno()).st_mtime
            if not isinstance(result, PackageResult):
                raise ValueError("not a result")
        except Exception:  # absent, stale, truncated or corrupt: analyse again
            self.misses += 1
            return None
        if used < self._started - _DAY:
            _touch(path)
        self.hits += 1
        result.parsed = 0  # nothing was parsed in this run
        return result

    def put(self, key: str, result: "PackageResult") -> None:
        _write(self._entry(key), FORMAT + pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))

    def close(self) -> None:
        """Save the remembered digests (last writer wins; a lost entry only costs a re-hash)."""
        if self._memo_dirty:
            _write(self.directory / _MEMO, FORMAT + pickle.dumps(self._memo, protocol=pickle.HIGHEST_PROTOCOL))
            self._memo_dirty = False
        self._prune()

    def _prune(self) -> None:
        """Once a day: delete entries unused for KEEP_DAYS, and forget files that are gone."""
        marker = self.directory / _PRUNED
        try:
            if marker.stat().st_mtime > self._started - _DAY:
                return
        except OSError:
            pass
        _touch(marker)
        oldest = self._started - KEEP_DAYS * _DAY
        for entry in (self.directory / "results").glob("*/*"):
            try:
                if entry.stat().st_mtime < oldest:
                    entry.unlink()
            except OSError:
                continue
        gone = [path for path in self._memo if not os.path.exists(path)]
        if gone:
            for path in gone:
                del self._memo[path]
            _write(self.directory / _MEMO, FORMAT + pickle.dumps(self._memo, protocol=pickle.HIGHEST_PROTOCOL))


def _touch(path: Path) -> None:
    try:
        path.touch()
    except OSError:
        pass


def _write(path: Path, data: bytes) -> None:
    """Atomically, so a concurrent reader sees the old entry or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # one writer per process at a time
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            if tmp.exists():
                tmp.unlink()
            raise
    except OSError:
        pass  # a full disk or a read-only cache only costs speed
