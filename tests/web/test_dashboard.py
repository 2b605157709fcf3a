"""The dashboard in a real browser: sign in with /web, see the right figures, and nothing else.

The real bot runs against the fake Bot API with its web server; headless Chromium opens the
link the bot sent, as a leader would on a phone or on the meeting room's screen.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import invite, join
from tests.harness import Talk, rows, with_buttons
from tests.web.browser import LOCAL_HOSTS, Chromium
from tests.web.conftest import OUTPUT, City

pytestmark = pytest.mark.asyncio(loop_scope="module")


def base(link: str) -> str:
    return link.split("/login/")[0]


async def test_overview_counts_match_the_database(city: City, browser: Chromium) -> None:
    admin = await browser.visitor()
    assert await admin.login(await city.link(city.admin)) == 200
    assert admin.page.url.endswith("/")
    stored = dict(rows(city.db_path, "SELECT color, COUNT(*) FROM project_status GROUP BY color"))
    projects = rows(city.db_path, "SELECT COUNT(*) FROM projects")[0][0]
    reported = rows(city.db_path, "SELECT COUNT(DISTINCT project_id) FROM reports"
                    " WHERE report_date = '2026-11-23'")[0][0]  # fmt: skip
    shown = {
        color: int(await admin.page.inner_text(f"#count-{color}"))
        for color in ("red", "yellow", "green", "unreported")
    }
    # Every project is counted once; one without a stored status would be 未上报, never green.
    missing = projects - sum(stored.values())
    assert shown == {
        "red": stored.get("red", 0),
        "yellow": stored.get("yellow", 0),
        "green": stored.get("green", 0),
        "unreported": stored.get("unreported", 0) + missing,
    }
    assert sum(shown.values()) == projects and shown["red"] > 0
    assert int(await admin.page.inner_text("#projects-total")) == projects == 4
    assert int(await admin.page.inner_text("#reported-today")) == reported == 1
    assert int(await admin.page.inner_text("#due-today")) == projects
    text = await admin.text()
    assert "城关区" in text and "高新区" in text and "综合排名" in text
    await admin.context.close()


async def test_a_leader_sees_own_projects_and_never_another_leaders(
    city: City, browser: Chromium
) -> None:
    wang = await browser.visitor()
    link = await city.link(city.wang)
    assert await wang.login(link) == 200
    own, other = city.project_id("XM-001"), city.project_id("XM-003")  # XM-003: 李副市长's
    assert await wang.open(f"{base(link)}/projects/{own}") == 200
    assert "城东污水处理厂" in await wang.text()
    assert await wang.open(f"{base(link)}/projects/{other}") == 404
    text = await wang.text()
    assert "第一中学扩建" not in text and "页面不存在" in text
    # The same answer as for a project that does not exist: the URL tells nothing.
    assert await wang.open(f"{base(link)}/projects/999999") == 404
    # The unit page lists only their own projects, and says others are counted, not shown.
    unit = rows(city.db_path, "SELECT unit_id FROM projects WHERE code = 'XM-001'")[0][0]
    assert await wang.open(f"{base(link)}/units/{unit}") == 200
    text = await wang.text()
    assert "城东污水处理厂" in text and "第一中学扩建" not in text and "不在您的查看范围" in text
    await wang.context.close()


async def test_a_department_sees_its_problems_only(city: City, browser: Chromium) -> None:
    zhao = await browser.visitor()
    link = await city.link(city.zhao)
    assert await zhao.login(link) == 200
    assert zhao.page.url.endswith("/problems")
    assert "临时用地手续未批" in await zhao.text()
    assert await zhao.open(f"{base(link)}/problems/{city.problem_id}") == 200
    for path in ("/", f"/projects/{city.project_id('XM-001')}", "/units", "/download"):
        status = await zhao.open(base(link) + path)
        assert status == 404 or zhao.page.url.endswith("/problems"), path
        assert "城东污水处理厂" not in await zhao.text() or path == "/", path
    await zhao.context.close()


async def test_links_are_single_use_and_expire(city: City, browser: Chromium) -> None:
    first = await browser.visitor()
    link = await city.link(city.li)
    assert await first.login(link) == 200
    (cookie,) = await first.context.cookies()
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["secure"]) == (True, "Strict", False)
    # Max-Age: the browser counts the 7 days from its own clock.
    assert 7 * 86400 - 60 < cookie["expires"] - time.time() <= 7 * 86400
    # The same link a second time, in another browser: refused.
    second = await browser.visitor()
    assert await second.open(link) == 403
    assert "已使用" in await second.text() and "/web" in await second.text()
    # Without a session, every page is a 401 that says what to do.
    assert await second.open(base(link) + "/") == 401
    assert "/web" in await second.text()
    # A link opened after its 10 minutes: refused.
    late = await city.link(city.li)
    city.bot.clock.advance(minutes=11)
    try:
        assert await second.open(late) == 403
    finally:
        city.bot.clock.advance(minutes=-11)
    # A guessed token is refused the same way.
    assert await second.open(base(link) + "/login/" + "A" * 22) == 403
    await first.context.close()
    await second.context.close()


async def test_a_removed_person_loses_the_dashboard_at_once(city: City, browser: Chromium) -> None:
    talk = Talk(city.fake, city.fake.user(2002, "李四"))
    await join(talk, await invite(city.admin, "联络员 XM-002"))
    liaison = await browser.visitor()
    link = await city.link(talk)
    assert await liaison.login(link) == 200
    assert liaison.page.url.endswith("/projects")
    assert "智能制造产业园" in await liaison.text()
    person = rows(city.db_path, "SELECT id FROM people WHERE tg_user_id = 2002")[0][0]
    asked = with_buttons(await city.admin.say("/remove 2002"))
    await city.admin.press(asked, "确认移除", until="已移除")
    assert await liaison.open(base(link) + "/projects") == 401
    assert "智能制造产业园" not in await liaison.text()
    # The removal ended the session itself: invited again, the old cookie stays dead.
    assert rows(city.db_path, "SELECT COUNT(*) FROM web_sessions WHERE person_id = ?"
                " AND ended_at IS NULL", (person,)) == [(0,)]  # fmt: skip
    await join(talk, await invite(city.admin, "联络员 XM-002"))
    assert await liaison.open(base(link) + "/projects") == 401
    await liaison.context.close()


PAGES = (
    ("overview", "/"),
    ("units", "/units"),
    ("unit", "/units/{unit}"),
    ("project", "/projects/{project}"),
    ("problems", "/problems"),
    ("problem", "/problems/{problem}"),
    ("download", "/download"),
)


async def test_every_page_renders_locally_without_errors(city: City, browser: Chromium) -> None:
    """Each page at phone and big-screen sizes: no console error, no request off this machine,
    no sideways scrolling on the phone; screenshots saved for people to look at."""
    admin = await browser.visitor()
    link = await city.link(city.admin)
    assert await admin.login(link) == 200
    unit = rows(city.db_path, "SELECT unit_id FROM projects WHERE code = 'XM-001'")[0][0]
    ids = {"unit": unit, "project": city.project_id("XM-001"), "problem": city.problem_id}
    for name, path in PAGES:
        assert await admin.open(base(link) + path.format(**ids)) == 200, path
        assert not await admin.overflows(), f"{path} scrolls sideways on a phone"
        await admin.shoot(OUTPUT, name)
        if name == "project":  # the problem's site photo, fetched through the bot
            width = await admin.page.eval_on_selector(".photos img", "i => i.naturalWidth")
            assert width > 0
    assert admin.errors == []
    assert admin.hosts <= LOCAL_HOSTS, admin.hosts
    await admin.context.close()


async def test_the_download_is_the_ledger_export_sends(city: City, browser: Chromium) -> None:
    """The month's .xlsx from the page holds what /export sends for the month; a leader's
    holds their projects only."""
    import io

    from openpyxl import load_workbook

    def cells(content: bytes) -> dict[str, list[tuple]]:
        book = load_workbook(io.BytesIO(content), read_only=True)
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book}

    admin = await browser.visitor()
    link = await city.link(city.admin)
    await admin.login(link)
    assert await admin.open(base(link) + "/download") == 200
    async with admin.page.expect_download() as waiting:
        await admin.page.click("text=2026年11月")
    from_page = cells(await _read(await waiting.value))
    cursor = city.fake.cursor()
    await city.admin.say("/export 2026-11", until="台账")
    sent = await city.fake.wait_for(lambda c: c.method == "sendDocument", after=cursor)
    assert from_page == cells(next(iter(sent.files.values())))
    sheet = next(iter(from_page))
    assert len(from_page[sheet]) - 1 == 4  # a header and every project
    wang = await browser.visitor()
    await wang.login(await city.link(city.wang))
    assert await wang.open(base(link) + "/download") == 200
    async with wang.page.expect_download() as waiting:
        await wang.page.click("text=2026年11月")
    codes = {row[1] for row in cells(await _read(await waiting.value))[sheet][1:]}
    assert codes == {"XM-001", "XM-002"}
    await admin.context.close()
    await wang.context.close()


async def _read(download) -> bytes:
    return await asyncio.to_thread(Path(await download.path()).read_bytes)
