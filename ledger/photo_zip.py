"""/export 照片: the ledger and the photos it links to, as .zip files a bot may send.

Each .zip holds the ledger at its root and photos under photos/, the relative path the
ledger's 照片 links point to, so a zip extracted anywhere opens its photos from the workbook.
Telegram takes a bot's upload up to 50 MB: past that the photos are split over several
parts, each with its own copy of the ledger (any part works alone; extracted into one folder
they make the whole set), at most MAX_PARTS of them. Names inside are ASCII (the photos' are
hashes), so an older unzip that ignores the UTF-8 flag cannot garble them. Photos are stored,
not deflated: JPEGs do not shrink, and a stored zip's size is known before it is written.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from archive import PhotoFolder
from domain.photos import PHOTOS_DIR

PART_BYTES = 49 * 1000 * 1000  # under Telegram's 50 MB, with room for the request around it
MAX_PARTS = 20  # about 1 GB: beyond that a shorter period is the better export
_END = 22 + 56 + 20  # end of central directory, with its zip64 records


def entry_bytes(name: str, size: int) -> int:
    """What one stored file adds to a zip: its data, local header, central directory entry
    and the zip64 extras either may carry."""
    return size + 30 + 46 + 2 * len(name.encode()) + 2 * 32


@dataclass
class Packing:
    """Which photos go in which part, and which do not go at all."""

    parts: list[list[str]] = field(default_factory=list)  # photo file names per part
    left_out: list[str] = field(default_factory=list)  # past MAX_PARTS
    missing: list[str] = field(default_factory=list)  # archived, yet not in the folder


def pack(
    sizes: dict[str, int | None], ledger_name: str, ledger_size: int,
    budget: int = PART_BYTES, max_parts: int = MAX_PARTS,
) -> Packing:  # fmt: skip
    """Fill parts in name order, the ledger in each; a size of None is a file not on disk."""
    packing = Packing()
    room = budget - _END - entry_bytes(ledger_name, ledger_size)
    used = room  # no part open yet
    for name in sorted(sizes):
        size = sizes[name]
        if size is None:
            packing.missing.append(name)
            continue
        need = entry_bytes(f"{PHOTOS_DIR}/{name}", size)
        if used + need > room:
            if need > room or len(packing.parts) == max_parts:
                packing.left_out.append(name)
                continue
            packing.parts.append([])
            used = 0
        packing.parts[-1].append(name)
        used += need
    return packing


def sizes_of(folder: PhotoFolder, names: Iterable[str]) -> dict[str, int | None]:
    """Each archived photo's size on disk; None for one that is not there (off the loop)."""
    found: dict[str, int | None] = {}
    for name in names:
        path = folder.file(name)
        found[name] = path.stat().st_size if path is not None else None
    return found


def write_part(
    target: Path, ledger: Path, ledger_name: str, folder: PhotoFolder, names: list[str]
) -> None:
    """One .zip: the ledger, then its photos (off the loop: it reads and writes files)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as out:
        out.write(ledger, ledger_name)
        for name in names:
            path = folder.file(name)
            if path is not None:  # removed since it was measured: the part is one smaller
                out.write(path, f"{PHOTOS_DIR}/{name}")
