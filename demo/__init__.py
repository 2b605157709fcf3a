"""`python bot.py demo`: the real bot, offline, against the test suite's fake Bot API server.

A small simulated city: an admin imports ~20 projects from a messy Excel list, invites a leader
and three liaisons, and adds a field of its own to the daily report (用工人数); the liaisons
report (one with a problem and a site photo, one mistyping an amount first), one corrects
today's report, and a stranger is turned away; then the 18:00 board reaches a unit's group,
next Monday's ranking charts the leaders' group, and on December 1 the month's bulletin (the
city's figures, a chart per unit, the .xlsx ledger). The conversation is printed and
everything the bot sent (charts included) is written to a folder; the leader's /web link to
the dashboard is printed and its pages photographed (demo/web.py). Three group robots
(企业微信, 钉钉, 飞书; demo/robots.py) get the weekly push too, and what the fake webhooks
received is printed after the conversation.
"""

from __future__ import annotations

import asyncio
import io
import shutil
import tempfile
from pathlib import Path

from matplotlib.figure import Figure

from demo.robots import demo_robots, record, weekly_to_robots
from demo.web import screenshots, web_link
from tests.fakebot import FakeBotApi
from tests.fakewebhooks import FakeWebhooks
from tests.harness import RunningBot, Talk, answer_report, make_config, with_buttons
from tests.unit.sample_sheets import city_list_xlsx, city_projects

ADMIN_ID = 1001
LEADERS, UNIT_GROUP = -1001, -1002
N_PROJECTS = 20


def site_photo() -> bytes:
    """A stand-in site photo (a crane over a building), drawn with matplotlib."""
    fig = Figure(figsize=(4, 3), dpi=80)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 4)
    ax.set_ylim(0, 3)
    ax.axis("off")
    ax.add_patch(_rect(0, 0, 4, 3, "#cfe3f5"))  # sky
    ax.add_patch(_rect(0, 0, 4, 0.4, "#8c7b5f"))  # ground
    ax.add_patch(_rect(1.0, 0.4, 1.4, 1.5, "#b0b0b0"))  # building frame
    ax.plot([3.2, 3.2, 1.2], [0.4, 2.7, 2.7], color="#e6a100", linewidth=4)  # crane
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _rect(x: float, y: float, w: float, h: float, color: str):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, color=color)


async def _report(liaison: Talk, code: str | None = None, **answers: str | bytes) -> None:
    """/report (picking the first project when asked), answering each step by its name."""
    answer = await liaison.say(f"/report {code}" if code else "/report")
    if "请选择" in "".join(c.text or "" for c in answer):
        answer = await liaison.press(with_buttons(answer), "")  # the first project
    await answer_report(liaison, answer, **answers)


async def run_demo(out: Path, serve: bool = False) -> int:
    """Play the scripted city; print the transcript; write the bot's output to `out`; with
    `serve`, keep the bot and its dashboard running until Ctrl-C."""
    projects = city_projects(N_PROJECTS)
    units = list(dict.fromkeys(p.unit for p in projects))
    leader = projects[0].leader
    work = Path(tempfile.mkdtemp(prefix="jinzhan-demo-"))
    names = {ADMIN_ID: "项目办李主任", 2001: "联络员张伟", 2002: "联络员王芳", 2003: "联络员刘强",
             3001: leader, 9999: "陌生人"}  # fmt: skip
    async with FakeBotApi() as fake, FakeWebhooks() as webhooks:
        robots, tables = demo_robots(webhooks)
        config = make_config(fake, work / "jinzhan.sqlite3", admins=(ADMIN_ID,), robots=tables)
        bot = RunningBot(config)
        await bot.start()
        try:
            talk = {uid: Talk(fake, fake.user(uid, name)) for uid, name in names.items()}
            admin = talk[ADMIN_ID]
            await admin.say("/start")
            await admin.say("/import")
            preview = await admin.send_document(
                "2026年市级重点项目计划表.xlsx", city_list_xlsx(N_PROJECTS),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )  # fmt: skip
            await admin.press(with_buttons(preview), "确认导入", until="导入完成")
            # The city also wants the number of workers on site in every daily report.
            await admin.say("/fields add 用工人数 数字 人 必填")

            async def invite(args: str) -> str:
                text = "\n".join(c.text or "" for c in await admin.say(f"/invite {args}"))
                return text.split("/start ")[-1].split()[0]

            await talk[3001].say(f"/start {await invite(f'领导 {leader}')}")
            for uid, unit in zip((2001, 2002, 2003), units, strict=False):
                await talk[uid].say(f"/start {await invite(f'联络员 {unit}')}")

            await _report(
                talk[2001],
                进展="完成桩基施工12根，钢筋进场80吨",
                投资="+350",
                问题="施工临时用电增容手续未办结，需供电公司协调",
                照片=site_photo(),
                用工人数="86",
            )
            await _report(talk[2002], 进展="主体结构施工至三层", 投资="3千万", 用工人数="120人")
            third = talk[2003]
            answer = await third.say("/report")
            if "请选择" in "".join(c.text or "" for c in answer):
                answer = await third.press(with_buttons(answer), "")
            answer = await answer_report(third, answer, at="投资", 进展="设备基础验收完成")
            await third.say("-5")  # mistyped: the bot explains and asks again
            answer = await third.say("1.2亿")
            await answer_report(third, answer, 用工人数="45")
            # A correction starts from today's figures; the earlier version stays as history.
            await _report(talk[2002], 进展="主体结构施工至四层（更正）", 投资="3200万")
            await talk[2002].say("/mine")
            await talk[9999].say("你好，我想看看项目进度")
            await admin.say(f"/projects {units[0]}")
            # Groups get the 18:00 board, next Monday the ranking charts, then the bulletin.
            for chat, title, args in (
                (LEADERS, "市重点项目领导群", "leaders"),
                (UNIT_GROUP, f"{units[0]}调度群", f"unit {units[0]}"),
            ):
                fake.add_to_group(admin.user, chat, title)
                cursor = fake.cursor()
                fake.send_text(admin.user, f"/bindgroup {args}", chat_id=chat, chat_title=title)
                await fake.wait_reply(chat, after=cursor, contains="✅")
            await bot.tick("2026-11-23 18:00")
            await bot.tick("2026-11-30 09:00")
            await weekly_to_robots(bot, "2026-11-30 09:00")
            await bot.tick("2026-12-01 09:00")
            await fake.wait_idle()
            # The site photo is the city's own by now; the office takes the month with it.
            await bot.archive()
            await admin.say("/export 照片 2026-11", until="包：照片")
            # The Monday meeting: the leader opens the dashboard from /web.
            web = await screenshots(bot, admin, talk[3001], work, out)
            link = await web_link(talk[3001])
            if serve:
                print(f"\n驾驶舱 (dashboard), signed in as {leader}: {link}\n"
                      "open it within 10 minutes; Ctrl-C stops the demo", flush=True)  # fmt: skip
                await _forever()
        finally:
            await bot.stop()
        lines = [*fake.transcript(names), "", *record(webhooks, robots)]
        shutil.rmtree(out, ignore_errors=True)
        fake.dump_outbox(out, names)
    shutil.copyfile(work / "jinzhan.sqlite3", out / "jinzhan.sqlite3")
    shutil.copytree(work / "photos", out / "photos")  # the archive, named by SHA-256
    if (work / "web").exists():
        shutil.copytree(work / "web", out / "web")
    shutil.rmtree(work, ignore_errors=True)
    print("\n".join(lines))
    print(f"\n— what the bot sent, and the database, are in {out}/")
    kept = sorted(p.name for p in (out / "photos").iterdir())
    print(f"— the site photos the city keeps (photos/ beside the database): {', '.join(kept)}")
    print(f"— the dashboard's link, as {leader} got it from /web: {link}")
    print("  (it works while the bot runs: `scripts/run demo --serve` keeps it running)")
    print("\n".join(web))
    return 0


async def _forever() -> None:
    """Until Ctrl-C (asyncio.run cancels this task, and the bot stops in `finally`)."""
    await asyncio.Event().wait()
