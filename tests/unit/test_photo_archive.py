"""The photo archive's parts: what is refused, how a file is named and kept, the retry waits,
the migration that queues older photos, and how an export's zip is split."""

from __future__ import annotations

import hashlib
import stat
import zipfile
from datetime import timedelta
from pathlib import Path

import aiosqlite
import pytest

from archive import PhotoFolder
from archive.downloads import backoff
from domain import photos
from domain.photos import Sent
from ledger.photo_zip import entry_bytes, pack, sizes_of, write_part
from storage import Database
from storage.migrations import migrate, migration_files

PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)
JPEG = b"\xff\xd8\xff\xe0" + bytes(40)
MB = 1024 * 1024


@pytest.mark.parametrize(
    ("sent", "code"),
    [
        (Sent("f", "u", 3 * MB), None),  # a photo
        (Sent("f", "u", None), None),  # size not given: the download will tell
        (Sent("f", "u", 10 * MB), None),  # the limit itself
        (Sent("f", "u", 10 * MB + 1), "photo_too_big"),
        (Sent("f", "u", 2 * MB, "image/png", "a.png", is_photo=False), None),
        (Sent("f", "u", 2 * MB, "IMAGE/HEIC", "a.heic", is_photo=False), None),
        (Sent("f", "u", 11 * MB, "image/jpeg", "a.jpg", is_photo=False), "photo_too_big"),
        (Sent("f", "u", 1000, "application/pdf", "a.pdf", is_photo=False), "photo_not_image"),
        (Sent("f", "u", 1000, "image/svg+xml", "a.svg", is_photo=False), "photo_not_image"),
        (Sent("f", "u", 1000, None, "a.jpg", is_photo=False), "photo_not_image"),
    ],
)
def test_what_is_refused(sent: Sent, code: str | None) -> None:
    refusal = photos.refusal(sent)
    assert (refusal.code if refusal else None) == code


def test_a_refusal_says_the_size_rounded_up_and_names_the_file() -> None:
    too_big = photos.refusal(Sent("f", "u", 10 * MB + 1))
    assert too_big is not None and too_big.params == {"size": "10.1", "limit": "10"}
    pdf = photos.refusal(Sent("f", "u", 1, "application/pdf", "合同.pdf", is_photo=False))
    assert pdf is not None and pdf.params == {"name": "合同.pdf"}


@pytest.mark.parametrize(
    ("content", "ext"),
    [
        (JPEG, ".jpg"), (PNG, ".png"), (b"GIF89a" + bytes(10), ".gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", ".webp"), (b"\x00\x00\x00\x18ftypheic", ".heic"),
        (b"\x00\x00\x00\x18ftypmif1", ".heif"), (b"II*\x00" + bytes(8), ".tif"),
        (b"%PDF-1.4", ".bin"), (b"", ".bin"),
    ],
)  # fmt: skip
def test_the_extension_is_what_the_bytes_are(content: bytes, ext: str) -> None:
    assert photos.extension(content) == ext


def test_retries_wait_twice_as_long_each_time_up_to_an_hour() -> None:
    waits = [backoff(n).total_seconds() for n in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert backoff(10_000) == timedelta(hours=1)


def test_a_kept_photo_is_private_named_by_its_hash_and_written_once(
    tmp_path: Path, common_umask: None
) -> None:
    folder = PhotoFolder.beside(tmp_path / "data" / "jinzhan.sqlite3")
    folder.ensure()
    sha256, ext = folder.keep(JPEG)
    assert (sha256, ext) == (hashlib.sha256(JPEG).hexdigest(), ".jpg")
    kept = folder.path / f"{sha256}.jpg"
    assert kept.read_bytes() == JPEG
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.path.stat().st_mode) == 0o700
    written = kept.stat().st_mtime_ns
    assert folder.keep(JPEG) == (sha256, ext)  # the same bytes again: nothing rewritten
    assert kept.stat().st_mtime_ns == written and len(list(folder.path.iterdir())) == 1
    assert folder.file(kept.name) == kept
    assert folder.file("../jinzhan.sqlite3") is None and folder.file("") is None


def test_a_file_a_crash_left_half_written_is_removed_at_start(tmp_path: Path) -> None:
    folder = PhotoFolder(tmp_path / "photos")
    folder.ensure()
    (folder.path / ".part-0123").write_bytes(b"half")
    folder.ensure()
    assert list(folder.path.iterdir()) == []


async def test_photos_from_before_the_archive_are_queued_for_download(tmp_path: Path) -> None:
    number = next(n for n, p in migration_files() if p.name.endswith("_photo_archive.sql"))
    path = tmp_path / "old.sqlite3"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        await migrate(conn, target=number - 1)
        await conn.execute(
            "INSERT INTO photos (project_id, file_id, file_unique_id, taken_by, created_at)"
            " VALUES (1, 'AgAC-old', 'AQAD-old', 1, '2026-03-01T02:00:00Z')"
        )
    db = await Database.open(path)
    try:
        assert [tuple(r) for r in await db.fetchall("SELECT * FROM photo_downloads")] == [
            (1, 0, "2026-03-01T02:00:00Z", None)
        ]
        assert await db.fetchval("SELECT sha256 FROM photos") is None
    finally:
        await db.close()


def test_parts_stay_under_the_budget_each_with_the_ledger(tmp_path: Path) -> None:
    names = [f"{i:064x}.jpg" for i in range(7)]
    sizes: dict[str, int | None] = {name: 300 for name in names}
    sizes["f" * 64 + ".jpg"] = None  # recorded as archived, gone from the folder
    sizes["e" * 64 + ".jpg"] = 5000  # bigger than any part can hold
    ledger = 400
    budget = 400 + 2 * entry_bytes("photos/" + names[0], 300) + 400
    packing = pack(sizes, "ledger.xlsx", ledger, budget=budget, max_parts=3)
    assert packing.parts == [names[0:2], names[2:4], names[4:6]]
    assert packing.left_out == [names[6], "e" * 64 + ".jpg"]  # past the last part; too big
    assert packing.missing == ["f" * 64 + ".jpg"]


def test_a_part_holds_the_ledger_at_its_root_and_the_photos_where_it_links(
    tmp_path: Path,
) -> None:
    folder = PhotoFolder(tmp_path / "photos")
    folder.ensure()
    names = [photos.file_name(*folder.keep(content)) for content in (JPEG, PNG)]
    ledger = tmp_path / "ledger.xlsx"
    ledger.write_bytes(b"PK workbook")
    sizes = sizes_of(folder, [*names, "0" * 64 + ".jpg"])
    assert sizes == {names[0]: len(JPEG), names[1]: len(PNG), "0" * 64 + ".jpg": None}
    target = tmp_path / "part1.zip"
    write_part(target, ledger, "ledger_2026-11-01_2026-11-30.xlsx", folder, names)
    with zipfile.ZipFile(target) as zipped:
        assert zipped.namelist() == ["ledger_2026-11-01_2026-11-30.xlsx",
                                     *(f"photos/{n}" for n in names)]  # fmt: skip
        assert zipped.read(f"photos/{names[0]}") == JPEG
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zipped.infolist())
    entries = [("ledger_2026-11-01_2026-11-30.xlsx", 11), (f"photos/{names[0]}", len(JPEG)),
               (f"photos/{names[1]}", len(PNG))]  # fmt: skip
    measured = sum(entry_bytes(n, s) for n, s in entries)
    assert target.stat().st_size <= measured + 22 + 56 + 20  # the estimate is never short
