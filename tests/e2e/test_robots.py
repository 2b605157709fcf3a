"""Group robots get the leaders' pushes: each platform's body and signature, the chart whose md5
matches, never twice, retried with back-off, and never in Telegram's way."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
import yarl

from robots.pacing import Pacer, Window
from tests.e2e.conftest import invite, join, person
from tests.e2e.robots_helpers import (
    MONDAY,
    city_with_leaders,
    robot_rows,
    robot_table,
    running,
    telegram_pushes,
    texts,
)
from tests.fakebot import FakeBotApi
from tests.fakewebhooks import FakeWebhooks
from tests.harness import Talk, rows
from timeutil import from_iso


async def test_weekly_push_reaches_one_robot_of_each_kind(
    fake: FakeBotApi, webhooks: FakeWebhooks, admin: Talk, db_path: Path
) -> None:
    wecom = webhooks.robot("wecom")
    dingtalk = webhooks.robot("dingtalk", secret="SEC0d3b6a1f9c2e4b7a8d5f6e0c1b2a3948")
    feishu = webhooks.robot("feishu", secret="fs-secret-9a8b7c", app=True)
    tables = [
        robot_table("市领导企业微信群", wecom, ["weekly"]),
        robot_table("市领导钉钉群", dingtalk, ["weekly"]),
        robot_table("市领导飞书群", feishu, ["weekly"]),
    ]
    async with running(fake, db_path, tables) as bot:
        await city_with_leaders(fake, admin)
        await bot.tick(MONDAY)
        await fake.wait_idle()
        telegram = telegram_pushes(fake, "2026-W48")  # sent side by side: in any order
        captions = sorted(c.text for c in telegram)
        charts = sorted(c.files["photo"] for c in telegram if c.method == "sendPhoto")
        assert len(charts) == 2 == len(captions)  # the units' ranking and the 龙虎榜
        await bot.robots.drain()
        # Feishu asks robots to keep off the hour: its push waits for 09:01.
        assert webhooks.sent_to(feishu) == []
        assert {s for _, _, name, s, _ in robot_rows(db_path) if name == "市领导飞书群"} == {
            "pending"
        }
        await bot.tick("2026-11-30 09:01")
        await bot.robots.drain()

    # WeCom: the same captions as markdown, the same charts as images with their md5.
    sent = webhooks.sent_to(wecom)
    assert sorted(texts(sent)) == captions
    images = [c.body["image"] for c in sent if c.body["msgtype"] == "image"]
    raw = [base64.b64decode(i["base64"]) for i in images]
    assert sorted(raw) == charts
    assert all(hashlib.md5(r).hexdigest() == i["md5"] for r, i in zip(raw, images, strict=True))
    # DingTalk: signed markdown; no image upload and no dashboard here, so the captions alone.
    sent = webhooks.sent_to(dingtalk)
    assert all(c.signed for c in sent) and sorted(texts(sent)) == captions
    titles = [c.body["markdown"]["title"] for c in sent]
    assert titles == [t.split("\n")[0][:64] for t in texts(sent)]
    # Feishu: signed posts and, through the app, the charts uploaded and sent as images.
    sent = webhooks.sent_to(feishu)
    assert all(c.signed for c in sent)
    assert sorted(texts(sent)) == captions
    keys = [c.body["content"]["image_key"] for c in sent if c.body["msg_type"] == "image"]
    # Drawn when sent, at 09:01: the same charts but for the "as of" time in their corner.
    uploaded = [webhooks.media[k] for k in keys]
    assert len(uploaded) == 2 and all(u.startswith(b"\x89PNG") for u in uploaded)
    assert {status for *_, status, _ in robot_rows(db_path)} == {"sent"}


async def test_restart_between_two_deliveries_sends_nothing_twice(
    fake: FakeBotApi, webhooks: FakeWebhooks, admin: Talk, db_path: Path
) -> None:
    wecom = webhooks.robot("wecom")
    tables = [robot_table("城关区企业微信群", wecom, ["weekly", "problems"])]
    # Three deliveries: the units' chart (text, image), the 龙虎榜 (text, image), the problem
    # list (text). The 4th message is refused: the 龙虎榜's chart, after its caption went out.
    webhooks.fail_next(wecom, 40058, after=3)
    async with running(fake, db_path, tables) as bot:
        await city_with_leaders(fake, admin)
        await bot.tick(MONDAY)
        await bot.robots.drain()
        assert [s for *_, s, _ in robot_rows(db_path)] == ["sent", "pending", "pending"]
    async with running(fake, db_path, tables) as bot:  # the bot restarts
        await bot.tick("2026-11-30 09:02")  # a catch-up tick: planned already, nothing new
        await admin.say("/pushnow weekly", until="推送")  # nor from an admin's re-send
        await bot.robots.drain()
        await bot.tick("2026-11-30 09:05")
        await bot.robots.drain()
    sent = webhooks.sent_to(wecom)
    kinds = [c.body["msgtype"] for c in sent]
    # Each message once; the 龙虎榜's chart, retried a minute later, came after the list.
    assert kinds == ["markdown", "image", "markdown", "markdown", "image"]
    assert "龙虎榜" in sent[2].body["markdown"]["content"]
    assert "各部门问题办理情况" in sent[3].body["markdown"]["content"]
    assert [s for *_, s, _ in robot_rows(db_path)] == ["sent", "sent", "sent"]
    assert [a for *_, a in robot_rows(db_path)] == [1, 2, 1]  # the 龙虎榜 took two tries


# (kind, its "too fast" code, the pause in seconds, messages of the weekly push: WeCom sends
# the charts too; DingTalk and Feishu without an app or a dashboard the captions alone)
@pytest.mark.parametrize(
    ("kind", "code", "pause", "messages"), [("wecom", 45009, 60, 4),
                                            ("dingtalk", 130101, 600, 2),
                                            ("feishu", 11232, 60, 2)],
)  # fmt: skip
async def test_too_fast_backs_off_the_robot(
    fake: FakeBotApi, webhooks: FakeWebhooks, admin: Talk, db_path: Path,
    kind: str, code: int, pause: int, messages: int,
) -> None:  # fmt: skip
    robot = webhooks.robot(kind)
    webhooks.fail_next(robot, code)
    async with running(fake, db_path, [robot_table("领导群机器人", robot, ["weekly"])]) as bot:
        await city_with_leaders(fake, admin)
        await bot.tick("2026-11-30 09:10")
        await bot.robots.drain()
        assert webhooks.sent_to(robot) == []
        (tried,) = [c for c in webhooks.calls if c.message]
        assert not tried.ok  # refused: too fast
        ((not_before, error),) = rows(db_path, "SELECT not_before, last_error FROM outbox"
                                      " WHERE kind LIKE 'robot:%' AND attempts = 1")  # fmt: skip
        assert f"error {code}" in error
        assert from_iso(not_before) - bot.clock() == timedelta(seconds=pause)
        # The whole robot waits: nothing goes to it before the platform's pause is over.
        bot.clock.advance(seconds=pause - 1)
        await bot.robots.drain()
        assert webhooks.sent_to(robot) == []
        bot.clock.advance(seconds=1)
        await bot.robots.drain()
        assert len(webhooks.sent_to(robot)) == messages


async def test_pacing_keeps_within_the_platforms_limit(
    fake: FakeBotApi, webhooks: FakeWebhooks, admin: Talk, db_path: Path
) -> None:
    """WeCom's 20 a minute, shrunk to 2 in half a second so the test is quick: the fake
    refuses anything faster, and the five messages of the push are spread accordingly."""
    wecom = webhooks.robot("wecom")
    webhooks.enforce(wecom, 2, 0.45)  # a little under the pacer's window: arrival jitter
    async with running(
        fake, db_path, [robot_table("领导群", wecom, ["weekly", "problems"])]
    ) as bot:
        bot.robots.workers["领导群"].pacer = Pacer((Window(2, 0.5),))
        await city_with_leaders(fake, admin)
        await bot.tick("2026-11-30 09:10")
        await bot.robots.drain()
    calls = [c for c in webhooks.calls if c.message]
    assert len(calls) == 5 and all(c.ok for c in calls)  # none refused as too fast
    at = [c.at for c in calls]
    assert all(at[i + 2] - at[i] >= 0.45 for i in range(len(at) - 2))
    assert at[-1] - at[0] >= 0.95  # messages 1-2 at once, 3-4 after 0.5 s, 5 after 1 s


async def test_a_robot_down_for_an_hour_is_retried_then_failed(
    fake: FakeBotApi, webhooks: FakeWebhooks, admin: Talk, db_path: Path
) -> None:
    wecom, dingtalk = webhooks.robot("wecom"), webhooks.robot("dingtalk")
    webhooks.down(wecom)  # 502 to everything
    tables = [robot_table("领导企业微信群", wecom, ["weekly"]),
              robot_table("领导钉钉群", dingtalk, ["weekly"])]  # fmt: skip
    async with running(fake, db_path, tables) as bot:
        await city_with_leaders(fake, admin)
        await bot.tick(MONDAY)
        # Telegram's pushes went out in the tick, which robots have no part in.
        assert len(telegram_pushes(fake, "2026-W48")) == 2
        first = bot.clock()
        await bot.robots.drain()
        assert len(webhooks.sent_to(dingtalk)) == 2  # the other robot is not held up
        for _ in range(30):  # every retry, as the clock reaches it
            due = rows(db_path, "SELECT MIN(not_before) FROM outbox WHERE status = 'pending'"
                       " AND kind LIKE 'robot:%'")[0][0]  # fmt: skip
            if due is None:
                break
            bot.clock.now = from_iso(due)
            await bot.robots.drain()
        failed = [(k, a) for k, _, name, s, a in robot_rows(db_path) if s == "failed"]
        assert failed == [("robot:week_units:county", 7), ("robot:week_board", 7)]
        assert bot.clock() - first >= timedelta(hours=1)  # the last try about an hour on
        schedule = await admin.text("/schedule")
        assert "群机器人推送（2026-W49）→ 领导企业微信群：试了 7 次" in schedule
        listing = await admin.text("/robots")
    assert "⚠️ 失败 2 条" in listing and "HTTP 502" in listing
    assert len([c for c in webhooks.calls if c.robot is wecom]) == 14
    assert len(webhooks.sent_to(dingtalk)) == 2


async def test_a_slow_robot_holds_up_only_itself(
    fake: FakeBotApi, webhooks: FakeWebhooks, admin: Talk, db_path: Path
) -> None:
    slow, quick = webhooks.robot("wecom"), webhooks.robot("dingtalk")
    webhooks.hang(slow, 1.0)  # each answer takes a second
    tables = [robot_table("慢群", slow, ["weekly"]), robot_table("快群", quick, ["weekly"])]
    async with running(fake, db_path, tables) as bot:
        await city_with_leaders(fake, admin)
        await bot.tick(MONDAY)
        draining = asyncio.create_task(bot.robots.drain())
        await webhooks.wait_for(lambda: len(webhooks.sent_to(quick)) == 2)
        # Meanwhile the bot answers on Telegram as ever.
        assert "排名" in await admin.text("/rank")
        assert not draining.done()
        await draining
    slow_calls = [c for c in webhooks.calls if c.robot is slow]
    assert len(slow_calls) == 4
    # The quick robot was done while the slow one still had answers to wait for (its last
    # message went a second after the one before it, whatever the charts took to draw).
    assert webhooks.sent_to(quick)[-1].at < slow_calls[-1].at - 0.5


async def test_webhook_keys_and_secrets_are_never_shown(
    fake: FakeBotApi, webhooks: FakeWebhooks, admin: Talk, db_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    wecom = webhooks.robot("wecom")
    dingtalk = webhooks.robot("dingtalk", secret="SECd41d8cd98f00b204e9800998ecf8427e")
    webhooks.down(wecom)
    webhooks.fail_next(dingtalk, 310000)
    tables = [robot_table("企业微信群", wecom, ["weekly"]),
              robot_table("钉钉群", dingtalk, ["weekly"])]  # fmt: skip
    async with running(fake, db_path, tables) as bot:
        await city_with_leaders(fake, admin)
        await bot.tick(MONDAY)
        await bot.robots.drain()
        shown = await admin.text("/robots") + await admin.text("/robots 测试 企业微信群")
    assert "HTTP Request: POST" in caplog.text  # httpx logged each webhook call, filtered
    stored = "".join(str(r) for r in rows(db_path, "SELECT * FROM outbox"))
    stored += "".join(str(r) for r in rows(db_path, "SELECT * FROM robots"))
    for secret in (wecom.token, dingtalk.token, dingtalk.secret):
        assert secret not in caplog.text
        assert secret not in shown
        assert secret not in stored
    assert "<secret>" in caplog.text


async def test_robots_command_for_admins(
    fake: FakeBotApi, webhooks: FakeWebhooks, admin: Talk, db_path: Path
) -> None:
    wecom, feishu = webhooks.robot("wecom"), webhooks.robot("feishu")
    tables = [robot_table("市领导企业微信群", wecom, ["weekly", "monthly"]),
              robot_table("城关区飞书群", feishu, ["digest", "board"], unit="城关区")]  # fmt: skip
    async with running(fake, db_path, tables) as bot:
        await city_with_leaders(fake, admin)
        await bot.tick(MONDAY)
        await bot.robots.drain()
        listing = await admin.text("/robots")
        tested = await admin.text("/robots 测试 城关区飞书群")
        unknown = await admin.text("/robots 测试 不存在的群")
        liaison = person(fake, 2001, "张三")
        await join(liaison, await invite(admin, "联络员 城关区"))
        refused = await liaison.text("/robots")
    assert "市领导企业微信群（企业微信）：每周排名、月度通报" in listing
    assert "最近送达：11-30 09:00 项目龙虎榜（2026-W49）" in listing
    assert "城关区飞书群（飞书，城关区）：每日汇总、截止看板\n　最近送达：尚无" in listing
    assert "✅" in tested
    (test,) = webhooks.sent_to(feishu)
    assert "进展机器人测试消息：城关区飞书群 已连通" in test.body["content"]["post"]["zh_cn"][
        "content"][0][0]["text"]  # fmt: skip
    assert "没有名为“不存在的群”的群机器人" in unknown
    assert "管理员" in refused and "市领导企业微信群" not in refused


async def test_unit_robot_gets_its_board_and_digest_city_robot_the_month_and_quarter(
    fake: FakeBotApi, webhooks: FakeWebhooks, admin: Talk, db_path: Path
) -> None:
    city, unit = webhooks.robot("wecom"), webhooks.robot("dingtalk", secret="SEC77e1a9c0b3d5f")
    tables = [
        robot_table("市领导企业微信群", city, ["monthly", "quarterly"]),
        robot_table("城关区钉钉群", unit, ["board", "digest", "weekly"], unit="城关区"),
    ]
    async with running(fake, db_path, tables) as bot:
        await city_with_leaders(fake, admin)
        zhang = person(fake, 2001, "张三")
        await join(zhang, await invite(admin, "联络员 城关区"))
        await bot.tick("2026-11-23 18:00")
        await bot.robots.drain()
        await bot.tick("2026-11-23 20:00")
        await bot.robots.drain()
        await bot.tick("2026-11-30 09:10")  # the unit's weekly chart
        await bot.robots.drain()
        cursor = len(webhooks.calls)
        await bot.tick("2027-01-01 09:10")  # December's bulletin, and the 4th quarter's flags
        await bot.robots.drain()
    board, digest, weekly = texts(webhooks.sent_to(unit))[:3]
    assert board.startswith("📋【城关区】11月23日 进展上报看板") and "XM-003" in board
    assert "高新区" not in board and digest.startswith("🗒 11月23日 进展日报")
    assert weekly.startswith("📊 城关区：2026-W48（2026-11-23 至 2026-11-29）各项目得分")
    month = [c for c in webhooks.calls[cursor:] if c.robot is city or c.endpoint == "upload_media"]
    assert [c.endpoint for c in month if c.ok].count("upload_media") == 1
    sent = [c.body for c in month if c.message and c.ok]
    kinds = [b["msgtype"] for b in sent]
    assert kinds == ["markdown", "image", "markdown", "markdown", "file", "markdown"]
    words = [b["markdown"]["content"] for b in sent if b["msgtype"] == "markdown"]
    assert words[0].startswith("📰 2026年12月 月度通报\n全市重点项目4项")
    assert words[1].startswith("📰 2026年12月 月度通报\n· 城关区")  # the figures per unit
    assert words[2] == "📎 2026年12月 台账（项目、进展、问题及处理记录）"
    assert words[3].startswith("🚩 2026年第4 季度红黄旗（收官：全年完成率）")
    (upload,) = [c for c in month if c.endpoint == "upload_media"]
    name, content = upload.files["media"]
    assert name == "台账_2026-12.xlsx" and content.startswith(b"PK")
    assert sent[4]["file"]["media_id"] in webhooks.media


async def test_with_a_dashboard_charts_and_commands_become_its_links(
    fake: FakeBotApi, webhooks: FakeWebhooks, admin: Talk, db_path: Path
) -> None:
    dashboard = "https://jz.example.gov.cn"
    dingtalk, feishu = webhooks.robot("dingtalk"), webhooks.robot("feishu")
    tables = [
        robot_table("钉钉群", dingtalk, ["weekly"]),
        robot_table("飞书群", feishu, ["weekly"]),
    ]
    async with running(fake, db_path, tables, public_url=dashboard) as bot:
        await city_with_leaders(fake, admin)
        await bot.tick("2026-11-30 09:10")
        await fake.wait_idle()
        photos = [c.files["photo"] for c in telegram_pushes(fake, "2026-W48") if c.files]
        charts = {hashlib.sha256(png).hexdigest(): png for png in photos}
        await bot.robots.drain()
        # The dashboard serves them under that name, without a session (a group robot has
        # none); nothing else is served there.
        local = f"http://127.0.0.1:{bot.app.bot_data.web.port}"
        async with aiohttp.ClientSession() as http:
            for sha, png in charts.items():
                async with http.get(f"{local}/charts/{sha}.png") as answer:
                    assert answer.status == 200 and await answer.read() == png
                    assert answer.content_type == "image/png"
            wrong = ("0" * 64 + ".png", "..%2Fjinzhan.sqlite3", f"{sha}.PNG", f"{sha[:-1]}.png")
            for name in wrong:
                url = yarl.URL(f"{local}/charts/{name}", encoded=True)
                async with http.get(url) as answer:
                    assert answer.status == 404
    # DingTalk: each chart an image under its caption, in one markdown message; the PNG kept
    # beside the database under its SHA-256, for the dashboard to serve at that address.
    sent = texts(webhooks.sent_to(dingtalk))
    assert len(sent) == 2
    image = f"![图表]({dashboard}/charts/"
    lines = [line for text in sent for line in text.split("\n") if line.startswith(image)]
    linked = {line.removeprefix(image).removesuffix(".png)") for line in lines}
    assert linked == set(charts)
    for sha, png in charts.items():
        assert (db_path.parent / "charts" / f"{sha}.png").read_bytes() == png
    # Commands are the dashboard's pages, in both robots' texts.
    units = next(t for t in sent if t.startswith("📊"))
    assert f"详情：[{dashboard}]({dashboard}) ｜ 单位得分明细：[{dashboard}/units]" in units
    assert "/why" not in units and "/rank" not in units
    posts = webhooks.sent_to(feishu)
    links = [seg["href"] for c in posts for line in c.body["content"]["post"]["zh_cn"]["content"]
             for seg in line if seg["tag"] == "a"]  # fmt: skip
    assert {f"{dashboard}/charts/{sha}.png" for sha in charts} <= set(links)
    assert f"{dashboard}/projects" in links and all("/why" not in t for t in texts(posts))
