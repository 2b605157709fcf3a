"""What every request handler of the dashboard needs, kept on the aiohttp application."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from jinja2 import Environment

from config import Config
from storage import Database
from web.access import Viewer
from web.photos import PhotoFetcher
from web.snapshot import SnapshotCache


@dataclass
class Site:
    db: Database
    config: Config
    now: Callable[[], datetime]
    snapshots: SnapshotCache
    templates: Environment
    photos: PhotoFetcher
    prefix: str  # the path public_url puts the dashboard under ("" at the root)


SITE = web.AppKey("site", Site)
VIEWER = web.RequestKey("viewer", Viewer)  # the signed-in person and their scope
