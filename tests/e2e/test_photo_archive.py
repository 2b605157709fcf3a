"""Site photos kept by the city: downloaded after the report is saved, named by their hash,
retried until they are on disk (a restart included), refused when they are no photo."""

from __future__ import annotations

import asyncio
import hashlib
import re
import stat
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.conftest import invite, join, person
from tests.e2e.test_problems import raise_problem
from tests.e2e.test_report_flow import PNG
from tests.fakebot import FakeBotApi
from tests.harness import (
    BotProcess,
    RunningBot,
    Talk,
    answer_report,
    joined,
    report,
    rows,
    seed_liaisons,
    with_buttons,
)
from timeutil import from_iso

CRASH_ID = 71_000


def site_photo(tag: str) -> bytes:
    """A distinct small PNG (bytes after IEND change its hash, not the picture)."""
    return PNG + tag.encode()


def archived_name(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest() + ".png"


def photos_dir(db_path: Path) -> Path:
    return db_path.parent / "photos"


def archive_files(db_path: Path) -> list[str]:
    folder = photos_dir(db_path)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
async def zhang(city: RunningBot, fake: FakeBotApi, admin: Talk) -> Talk:
    """Liaison of 城关区: XM-001 and XM-003."""
    talk = person(fake, 2001, "张三")
    await join(talk, await invite(admin, "联络员 城关区"))
    return talk


async def test_a_reported_photo_is_downloaded_in_full_and_named_by_its_hash(
    zhang: Talk, city: RunningBot, fake: FakeBotApi, db_path: Path
) -> None:
    photo = site_photo("crane")
    cursor, downloads = fake.cursor(), len(fake.downloads)  # after the city's import
    saved = await report(zhang, "XM-001", 进展="塔吊安装完成", 照片=photo)
    assert "已保存" in joined(saved)
    await city.archive()

    name = archived_name(photo)
    assert archive_files(db_path) == [name]
    kept = photos_dir(db_path) / name
    assert kept.read_bytes() == photo
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600  # like the database: the owner's only
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    (file_id, sha256, ext) = rows(db_path, "SELECT file_id, sha256, extension FROM photos")[0]
    assert (sha256, ext) == (hashlib.sha256(photo).hexdigest(), ".png")
    assert rows(db_path, "SELECT photo_id FROM report_revisions") == [(1,)]
    assert rows(db_path, "SELECT COUNT(*) FROM photo_downloads") == [(0,)]
    # The largest size, not the thumbnail Telegram sends along.
    fetched = [c.params["file_id"] for c in fake.calls[cursor:] if c.method == "getFile"]
    assert fetched == [file_id]
    (path,) = fake.downloads[downloads:]
    assert "thumb" not in path


async def test_the_same_photo_twice_is_one_file(
    zhang: Talk, city: RunningBot, db_path: Path
) -> None:
    photo = site_photo("same")
    await report(zhang, "XM-001", 进展="基础开挖", 照片=photo)
    await report(zhang, "XM-003", 进展="基础开挖", 照片=photo)
    await city.archive()
    assert rows(db_path, "SELECT COUNT(*), COUNT(DISTINCT sha256) FROM photos") == [(2, 1)]
    assert archive_files(db_path) == [archived_name(photo)]


async def test_a_download_cut_off_by_a_stop_completes_after_the_restart(
    zhang: Talk, city: RunningBot, fake: FakeBotApi, db_path: Path
) -> None:
    photo = site_photo("restart")
    fake.fail_next("download", hang=60)  # Telegram's file server stalls
    begun = len(fake.download_attempts)
    saved = await report(zhang, "XM-001", 进展="主体封顶", 照片=photo)
    assert "已保存" in joined(saved)  # the report does not wait for its photo
    await fake.wait_download(after=begun)  # the download is in flight, hanging

    await city.stop()
    assert rows(db_path, "SELECT tries FROM photo_downloads") == [(0,)]  # pending, untouched
    assert archive_files(db_path) == []
    fake.clear_faults()
    await city.start()
    await city.archive()
    assert archive_files(db_path) == [archived_name(photo)]
    assert rows(db_path, "SELECT COUNT(*) FROM photo_downloads") == [(0,)]
    assert rows(db_path, "SELECT text FROM report_revisions") == [("主体封顶",)]


async def test_a_failing_download_is_retried_with_backoff_and_the_report_stays(
    zhang: Talk, city: RunningBot, fake: FakeBotApi, db_path: Path
) -> None:
    photo = site_photo("flaky")
    fake.fail_next("download", status=502, count=3)
    saved = await report(zhang, "XM-001", 进展="二次结构砌筑", 投资="3000万", 照片=photo)
    assert "已保存" in joined(saved)

    def pending() -> tuple[int, timedelta, str]:
        ((tries, next_try, error),) = rows(
            db_path, "SELECT tries, next_try_at, last_error FROM photo_downloads"
        )
        return tries, from_iso(next_try) - city.clock(), error

    await city.archive()
    assert pending()[:2] == (1, timedelta(seconds=30))
    assert "502" in pending()[2] or "Bad Gateway" in pending()[2]
    tried = len(fake.download_attempts)
    await city.archive()  # not due yet: nothing is tried
    assert len(fake.download_attempts) == tried
    for tries, wait in ((2, 60), (3, 120)):  # each failure waits twice as long
        city.clock.advance(seconds=pending()[1].total_seconds())
        await city.archive()
        assert pending()[:2] == (tries, timedelta(seconds=wait))
    assert archive_files(db_path) == []
    # Meanwhile the report is whole and counted.
    assert rows(db_path, "SELECT text, done_yuan, photo_id FROM report_revisions") == [
        ("二次结构砌筑", 30_000_000, 1)
    ]
    city.clock.advance(seconds=120)
    await city.archive()
    assert archive_files(db_path) == [archived_name(photo)]
    assert rows(db_path, "SELECT COUNT(*) FROM photo_downloads") == [(0,)]


async def test_a_problems_photo_is_evidence_too(
    zhang: Talk, city: RunningBot, db_path: Path
) -> None:
    photo = site_photo("problem")
    await raise_problem(zhang, "XM-001", "用地", "临时用地手续未批", photo=photo)
    await city.archive()
    assert archive_files(db_path) == [archived_name(photo)]
    assert rows(
        db_path, "SELECT ph.sha256 FROM problems pr JOIN photos ph ON ph.id = pr.photo_id"
    ) == [(hashlib.sha256(photo).hexdigest(),)]


BIG = 12 * 1024 * 1024


async def test_a_report_refuses_a_file_that_is_no_photo_or_too_big(
    zhang: Talk, city: RunningBot, fake: FakeBotApi, db_path: Path
) -> None:
    attempts = list(fake.download_attempts)  # the city's import
    ask = await report(zhang, "XM-001", 进展="场地平整", at="照片")
    question = joined(ask).splitlines()[-1]
    answer = joined(await zhang.send_document("合同.pdf", b"%PDF-1.4 ...", "application/pdf"))
    assert "“合同.pdf”不是图片，未保存" in answer and "· 照片" in answer
    big = b"\xff\xd8\xff\xe0" + bytes(BIG - 4)  # 12 MB exactly
    answer = joined(await zhang.send_document("IMG_0001.JPG", big, "image/jpeg"))
    assert "照片过大（12 MB），超过 10 MB 的上限，未保存" in answer and question in answer
    answer = joined(await zhang.send_photo(big))
    assert "照片过大（12 MB）" in answer
    assert rows(db_path, "SELECT state FROM drafts") == [("photo",)]
    assert fake.download_attempts == attempts  # nothing fetched

    # An image sent as a file (uncompressed) is a photo like any other.
    photo = site_photo("as-file")
    answer = await zhang.send_document("现场.png", photo, "image/png")
    summary = await answer_report(zhang, answer, confirm=False)
    assert "已附 1 张" in joined(summary)
    await zhang.press(with_buttons(summary), "确认提交", until="已保存")
    await city.archive()
    assert archive_files(db_path) == [archived_name(photo)]


async def test_a_problem_refuses_a_file_that_is_no_photo_or_too_big(
    zhang: Talk, fake: FakeBotApi, db_path: Path
) -> None:
    attempts = list(fake.download_attempts)  # the city's import
    ask = await zhang.say("/problem XM-001", until="哪一类")
    ask = await zhang.press(with_buttons(ask), "用地", until="描述")
    ask = await zhang.say("征地补偿未到位", until="照片")
    answer = joined(await zhang.send_document("报告.docx", b"PK\x03\x04", "application/msword"))
    assert "“报告.docx”不是图片，问题尚未登记" in answer
    answer = joined(await zhang.send_photo(b"\xff\xd8\xff\xe0" + bytes(BIG - 4)))
    assert "照片过大（12 MB），超过 10 MB 的上限，问题尚未登记" in answer
    assert rows(db_path, "SELECT COUNT(*) FROM problems") == [(0,)]
    assert rows(db_path, "SELECT state FROM drafts") == [("photo",)]
    assert fake.download_attempts == attempts  # nothing fetched
    done = await zhang.press(with_buttons(ask), "不附照片", until="已登记")
    assert "已登记问题" in joined(done)
    assert rows(db_path, "SELECT photo_id FROM problems") == [(None,)]


async def test_the_dashboard_shows_the_archived_copy_and_fetches_the_rest_through_the_bot(
    zhang: Talk, city: RunningBot, fake: FakeBotApi, admin: Talk
) -> None:
    kept, late = site_photo("web-kept"), site_photo("web-late")
    await report(zhang, "XM-001", 进展="外墙保温", 照片=kept)
    await city.archive()
    fake.fail_next("download", status=500, count=1)
    await report(zhang, "XM-003", 进展="操场铺设", 照片=late)
    await city.archive()  # failed once: waits for its next try
    link = re.search(r"https?://\S+/login/\S+", await admin.text("/web", until="/login/"))
    assert link is not None
    base = link.group(0).split("/login/")[0]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(link.group(0)) as signed_in:
            assert signed_in.status == 200
        tried = len(fake.download_attempts)
        async with http.get(f"{base}/photos/1") as answer:
            assert (answer.status, answer.content_type) == (200, "image/png")
            assert await answer.read() == kept
        assert len(fake.download_attempts) == tried  # from the archive, not from Telegram
        async with http.get(f"{base}/photos/2") as answer:
            assert answer.status == 200 and await answer.read() == late
        assert len(fake.download_attempts) == tried + 1  # not archived yet: through the bot


async def test_a_download_cut_off_by_a_crash_completes_after_the_restart(tmp_path: Path) -> None:
    """kill -9 while the photo is downloading: its row is on disk, the next start fetches it."""
    db_path = tmp_path / "crash.sqlite3"
    await seed_liaisons(db_path, 1, CRASH_ID)
    photo = site_photo("crash")
    async with FakeBotApi() as fake:
        bot = BotProcess(fake, db_path, tmp_path)
        await bot.start()
        try:
            talk = Talk(fake, fake.user(CRASH_ID, "联络员0"))
            fake.fail_next("download", hang=60)
            saved = await report(talk, "P-00000", 进展="管网铺设1.2公里", 照片=photo)
            assert "已保存" in joined(saved)
            await fake.wait_download(after=0)
            await bot.kill()
            assert rows(db_path, "SELECT tries FROM photo_downloads") == [(0,)]
            fake.clear_faults()
            await bot.start()
            await fake.wait_download(after=1, timeout=30)
            for _ in range(200):  # the file, then its row: a few ms after the download
                if not rows(db_path, "SELECT 1 FROM photo_downloads"):
                    break
                await asyncio.sleep(0.05)
        finally:
            await bot.kill()
    assert archive_files(db_path) == [archived_name(photo)]
    assert rows(db_path, "SELECT COUNT(*) FROM photo_downloads") == [(0,)]
