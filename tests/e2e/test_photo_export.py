"""The archive in the ledger: /export's 照片 column links each entry's photo; `/export 照片`
sends the ledger and its photos as .zip files that open as they are linked."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from tests.e2e.conftest import invite, join, person
from tests.e2e.test_photo_archive import archived_name, site_photo
from tests.e2e.test_problems import raise_problem
from tests.fakebot import ApiCall, FakeBotApi
from tests.harness import RunningBot, Talk, joined, report

LEDGER = "ledger_2026-11-01_2026-11-23.xlsx"  # inside the zip: the month up to today
LEADERS = -1001


@pytest.fixture
async def zhang(city: RunningBot, fake: FakeBotApi, admin: Talk) -> Talk:
    """Liaison of 城关区: XM-001 and XM-003."""
    talk = person(fake, 2001, "张三")
    await join(talk, await invite(admin, "联络员 城关区"))
    return talk


def documents(calls: list[ApiCall]) -> list[ApiCall]:
    return [c for c in calls if c.method == "sendDocument"]


def photo_cells(ws) -> dict[str, object]:
    """Each row's 照片 cell, by the row's project code."""
    head = [c.value for c in ws[1]]
    code, photo = head.index("项目编号"), head.index("照片")
    return {row[code].value: row[photo] for row in ws.iter_rows(min_row=2)}


async def test_the_ledger_links_each_photo_and_the_zip_holds_them(
    zhang: Talk, city: RunningBot, fake: FakeBotApi, admin: Talk
) -> None:
    kept, late, evidence = site_photo("kept"), site_photo("late"), site_photo("evidence")
    await report(zhang, "XM-001", 进展="桩基完成", 照片=kept)
    await raise_problem(zhang, "XM-001", "用地", "临时用地未批", photo=evidence)
    await city.archive()
    fake.fail_next("download", status=500, count=1)  # XM-003's photo is not in yet
    await report(zhang, "XM-003", 进展="教学楼封顶", 照片=late)
    await city.archive()

    sent = await admin.say("/export", until="重点项目台账（")
    (doc,) = documents(sent)
    book = load_workbook(io.BytesIO(doc.files["document"]))
    entries = photo_cells(book["进展"])
    linked = entries["XM-001"]
    assert linked.value == archived_name(kept) and linked.data_type == "s"  # text, data
    assert linked.hyperlink.target == f"photos/{archived_name(kept)}"
    assert entries["XM-003"].value == "待归档" and entries["XM-003"].hyperlink is None
    problem = photo_cells(book["问题"])["XM-001"]
    assert problem.hyperlink.target == f"photos/{archived_name(evidence)}"
    with zipfile.ZipFile(io.BytesIO(doc.files["document"])) as xlsx:
        sheets = [xlsx.read(n).decode() for n in xlsx.namelist() if "worksheets/sheet" in n]
    assert all("<f>" not in sheet for sheet in sheets)  # no HYPERLINK() or other formula

    # A leader may export the ledger, not the photos.
    wang = person(fake, 3001, "王副市长")
    await join(wang, await invite(admin, "领导 王副市长"))
    assert "仅限项目办管理员" in await wang.text("/export 照片")
    assert documents(fake.sent_to(wang.chat_id)) == []

    sent = await admin.say("/export 照片", until="尚在从 Telegram 下载")
    (part,) = documents(sent)
    assert part.filenames["document"] == "重点项目台账与照片_2026-11-01_2026-11-23.zip"
    assert "第 1/1 包：照片 2 张" in part.text
    with zipfile.ZipFile(io.BytesIO(part.files["document"])) as zipped:
        names = zipped.namelist()
        assert names == [LEDGER, *sorted(f"photos/{archived_name(p)}" for p in (kept, evidence))]
        assert zipped.read(f"photos/{archived_name(kept)}") == kept
        inside = load_workbook(io.BytesIO(zipped.read(LEDGER)))
    links = [c.hyperlink.target for ws in (inside["进展"], inside["问题"])
             for c in photo_cells(ws).values() if c.hyperlink]  # fmt: skip
    assert sorted(links) == names[1:]  # every link opens a photo of the zip
    assert "另有 1 张照片尚在从 Telegram 下载归档" in joined(sent)


async def test_photos_over_50_mb_go_in_parts_each_with_the_ledger(
    zhang: Talk, city: RunningBot, fake: FakeBotApi, admin: Talk, db_path: Path
) -> None:
    """Six 9 MB photos (a report's and five problems') are 54 MB: two parts under 50 MB."""
    big = [b"\xff\xd8\xff\xe0" + bytes([i]) * (9 * 1024 * 1024) for i in range(6)]
    await report(zhang, "XM-001", 进展="全景航拍", 照片=big[0])
    for i, photo in enumerate(big[1:], start=1):
        await raise_problem(zhang, "XM-003", "其他", f"现场问题{i}", photo=photo)
    await city.archive()
    assert len(list((db_path.parent / "photos").iterdir())) == 6

    sent = await admin.say("/export 照片", until="第 2/2 包")
    parts = documents(sent)
    assert [p.filenames["document"] for p in parts] == [
        f"重点项目台账与照片_2026-11-01_2026-11-23_第{n}包共2包.zip" for n in (1, 2)
    ]
    inside: list[str] = []
    for part in parts:
        content = part.files["document"]
        assert len(content) < 50 * 1000 * 1000  # Telegram's limit for a bot's upload
        with zipfile.ZipFile(io.BytesIO(content)) as zipped:
            assert zipped.namelist()[0] == LEDGER  # each part opens on its own
            inside += zipped.namelist()[1:]
    assert sorted(inside) == sorted(f"photos/{hashlib.sha256(p).hexdigest()}.jpg" for p in big)


def picture(color: str) -> bytes:
    """A real photo-like image (Pillow must decode it for the strip)."""
    out = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(out, "JPEG")
    return out.getvalue()


async def test_the_monthly_push_shows_the_months_newest_photo_of_each_project(
    zhang: Talk, city: RunningBot, fake: FakeBotApi, admin: Talk
) -> None:
    fake.add_to_group(admin.user, LEADERS, "市领导群")
    cursor = fake.cursor()
    fake.send_text(admin.user, "/bindgroup leaders", chat_id=LEADERS, chat_title="市领导群")
    await fake.wait_reply(LEADERS, after=cursor, contains="✅")
    city.clock.set("2026-11-20 10:00")
    await report(zhang, "XM-001", 进展="基础施工", 照片=picture("#0000ff"))
    await report(zhang, "XM-003", 进展="教学楼封顶", 照片=picture("#00ff00"))
    city.clock.set("2026-11-27 10:00")
    await report(zhang, "XM-001", 进展="主体施工", 照片=picture("#ff0000"))  # its newest
    await raise_problem(zhang, "XM-001", "用地", "临时用地未批", photo=picture("#000000"))
    await city.archive()

    await city.tick("2026-12-01 09:00")
    await fake.wait_idle()
    (strip,) = [c for c in fake.sent_to(LEADERS) if "现场晾晒" in (c.text or "")]
    assert strip.method == "sendPhoto"
    assert strip.text.splitlines() == [
        "📸 11月现场晾晒：2 个项目本月最新的现场照片",
        "1. XM-001 城东污水处理厂（11-27）",
        "2. XM-003 第一中学扩建（11-20）",
    ]
    (content,) = strip.files.values()
    image = Image.open(io.BytesIO(content))
    assert image.size == (2 * 480 + 3 * 8, 360 + 2 * 8)  # two photos side by side
    red, green, _ = image.convert("RGB").getpixel((8 + 240, 8 + 200))  # photo 1's middle
    assert red > 200 and green < 60  # XM-001's newest (red), not its first (blue)
    _, green, _ = image.convert("RGB").getpixel((16 + 480 + 240, 8 + 200))
    assert green > 200


async def test_a_month_without_archived_photos_has_no_strip(
    zhang: Talk, city: RunningBot, fake: FakeBotApi, admin: Talk
) -> None:
    fake.add_to_group(admin.user, LEADERS, "市领导群")
    cursor = fake.cursor()
    fake.send_text(admin.user, "/bindgroup leaders", chat_id=LEADERS, chat_title="市领导群")
    await fake.wait_reply(LEADERS, after=cursor, contains="✅")
    fake.fail_next("download", status=500, count=1)
    await report(zhang, "XM-001", 进展="基础施工", 照片=site_photo("not-yet"))
    await city.archive()  # not archived: the strip shows only the city's own copies
    await city.tick("2026-12-01 09:00")
    await fake.wait_idle()
    assert "月度通报" in "".join(c.text or "" for c in fake.sent_to(LEADERS))
    assert not [c for c in fake.sent_to(LEADERS) if "晾晒" in (c.text or "")]
