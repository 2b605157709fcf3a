"""Site photos (晾晒照片) as evidence: what is accepted, how an archived photo is named.

Pure rules. A photo is refused before anything is downloaded, on what Telegram says of it
(its size and, for a file, its declared type); an accepted one is kept in the archive under
the SHA-256 of its bytes, so the same photo sent twice is one file.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from domain.report_fields import Refusal

MAX_BYTES = 10 * 1024 * 1024  # 10 MB: a phone's photo is 2-6 MB; more is a raw or a video
# Raster types a phone or a camera makes, as a file is declared (mime) and named (extension).
# Not SVG: a vector image is a document that can carry script.
IMAGE_TYPES = {
    "image/jpeg": ".jpg", "image/pjpeg": ".jpg", "image/png": ".png", "image/webp": ".webp",
    "image/gif": ".gif", "image/heic": ".heic", "image/heif": ".heif", "image/bmp": ".bmp",
    "image/tiff": ".tif",
}  # fmt: skip
MIME_OF = {ext: mime for mime, ext in reversed(IMAGE_TYPES.items())}
UNKNOWN = ".bin"  # bytes that are no image we know: kept all the same, it is evidence
PHOTOS_DIR = "photos"  # the archive's folder beside the database, and in an export's zip


@dataclass(frozen=True)
class Sent:
    """A photo, or a file, a person sent, as Telegram describes it (nothing downloaded)."""

    file_id: str
    unique_id: str
    size: int | None  # bytes; Telegram may leave it out
    mime: str | None = None  # a file's declared type; None for a photo (always JPEG)
    name: str | None = None  # a file's name
    is_photo: bool = True  # sent as a photo (compressed by Telegram), not as a file


def refusal(sent: Sent) -> Refusal | None:
    """Why a photo is not accepted (photo_not_image, photo_too_big), or None."""
    if not sent.is_photo and (sent.mime or "").lower() not in IMAGE_TYPES:
        return Refusal("photo_not_image", {"name": sent.name or sent.mime or "?"})
    if sent.size is not None and sent.size > MAX_BYTES:
        return Refusal("photo_too_big", {"size": megabytes(sent.size),
                                         "limit": megabytes(MAX_BYTES)})  # fmt: skip
    return None


def megabytes(size: int) -> str:
    """Bytes as people read a file's size, rounded up ("10.1" for a byte over 10 MB, so a
    size over the limit never reads as the limit)."""
    return f"{math.ceil(size * 10 / 1024 / 1024) / 10:.1f}".removesuffix(".0")


def extension(content: bytes) -> str:
    """The file extension of an image, from its first bytes (what it is, not what it says)."""
    head = content[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return ".gif"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"heim", b"heis", b"hevc"):
        return ".heic"
    if head[4:8] == b"ftyp" and head[8:12] in (b"mif1", b"msf1"):
        return ".heif"
    if head.startswith(b"BM"):
        return ".bmp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return ".tif"
    return UNKNOWN


def digest(content: bytes) -> str:
    """The SHA-256 of the bytes, lower-case hex: the archived file's name."""
    return hashlib.sha256(content).hexdigest()


def file_name(sha256: str, ext: str) -> str:
    """The archived file's name: "<sha256>.jpg"."""
    return f"{sha256}{ext}"


def mime_of(name: str) -> str:
    """The content type to serve an archived file with."""
    ext = name[name.rfind(".") :] if "." in name else ""
    return MIME_OF.get(ext, "application/octet-stream")
