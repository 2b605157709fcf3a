"""What holds the token and the ledger is readable by its owner only (issue 9, item 9)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot import EXAMPLE_CONFIG, create_config
from storage import Database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_database_files_and_folder_are_private(tmp_path: Path, common_umask: None) -> None:
    path = tmp_path / "data" / "jinzhan.sqlite3"
    db = await Database.open(path)
    try:
        async with db.transaction() as tx:  # a write, so the -wal and -shm files exist
            await tx.execute("INSERT INTO settings (key, value) VALUES ('x', 'y')")
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert mode(path.parent) == 0o700
    finally:
        await db.close()


def test_created_config_is_private(tmp_path: Path, common_umask: None) -> None:
    target = tmp_path / "config.toml"
    create_config(target)
    assert mode(target) == 0o600
    assert target.read_bytes() == EXAMPLE_CONFIG.read_bytes()
    with pytest.raises(FileExistsError):  # never overwrites an operator's config
        create_config(target)
