"""The photos folder beside the database: files named by the SHA-256 of their bytes.

Like the database, the folder (0700) and its files (0600) are readable by their owner only. A
file is written under a temporary name, synced, then renamed, so a crash leaves either the
whole photo or nothing under its name; a name already there is the same bytes (it is their
hash), so a photo sent twice is written once.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from domain.photos import PHOTOS_DIR, digest, extension, file_name

_TEMP = ".part-"  # a file being written; left over only by a crash, removed at the next start


class PhotoFolder:
    """The archive's folder. Its methods touch the disk: call them off the event loop."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def beside(cls, database: Path) -> PhotoFolder:
        """The folder `photos/` next to the database file."""
        return cls(database.parent / PHOTOS_DIR)

    def ensure(self) -> None:
        """At start: create the folder (0700) if it is missing; drop files a crash left
        half-written (nothing else writes here while the bot starts)."""
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        for left in self.path.glob(f"{_TEMP}*"):
            with contextlib.suppress(FileNotFoundError):
                left.unlink()

    def keep(self, content: bytes) -> tuple[str, str]:
        """Store the bytes (once); their (sha256, extension)."""
        sha256, ext = digest(content), extension(content)
        target = self.path / file_name(sha256, ext)
        if not target.exists():
            self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
            temp = self.path / f"{_TEMP}{secrets.token_hex(8)}"
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(content)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temp, target)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    temp.unlink()
                raise
            _sync_dir(self.path)  # the rename itself survives a power cut
        return sha256, ext

    def file(self, name: str) -> Path | None:
        """The archived file of that name, if it is there."""
        path = self.path / name
        return path if name and "/" not in name and path.is_file() else None


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
