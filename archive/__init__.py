"""Site photos kept by the city (晾晒照片): its own copy of every photo sent as evidence.

folder: the photos folder beside the database, files named by the SHA-256 of their bytes;
downloads: the worker that fetches each kept photo from Telegram, retrying until it succeeds.
"""

from archive.downloads import Archiver
from archive.folder import PhotoFolder

__all__ = ["Archiver", "PhotoFolder"]
