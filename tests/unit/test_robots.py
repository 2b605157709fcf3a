"""Robots without Telegram: signatures, the pacing schedule, Feishu's busy minutes, what each
platform is sent, chart shrinking, and the secrets kept out of logs."""

from __future__ import annotations

import io
import logging
import os
from datetime import UTC, datetime

import pytest
from PIL import Image as PILImage

from config import RobotConfig
from robots.content import File, Image, Text, parts, shrink_png, with_links
from robots.dingtalk import DingTalkClient
from robots.feishu import FeishuClient, post
from robots.pacing import LIMITS, Pacer, Window, feishu_later
from robots.secrets import SecretFilter
from robots.signing import dingtalk_sign, dingtalk_url, feishu_fields, feishu_sign
from robots.wecom import upload_url
from scheduler.render import Rendered

DASHBOARD = "https://jz.example.gov.cn"


def test_signatures_as_the_platforms_document_them() -> None:
    # Fixed vectors: the end-to-end tests check the same formulas against the fake webhooks,
    # which compute them independently; these pin the url-encoding of + / and =.
    secret = "SEC6e0a4d8f2b9c1e7a3d5f8b0c2e4a6d8f1b3c5e7a9d0f2b4c6e8a1d3f5b7c9e0a2"
    assert (
        dingtalk_sign(secret, 1764464400000) == "Zoylm1fXCeTTiZbjyqSZLZy0%2FpzWfAL98hrGt8XW42U%3D"
    )
    url = dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=t", secret, 1)
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1&sign=")
    assert dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=t", "", 1).endswith(
        "=t"
    )
    assert feishu_sign("qL2fX8mZ4pT9vR1sK7wN3e", 1764464400) == (
        "+Dp1xiRJlqa67MkIyTe0ffes5PXTn+Vrxd9Or99uE1o="
    )
    assert feishu_fields("", 1) == {}
    assert feishu_fields("s", 7)["timestamp"] == "7"  # seconds, as a string


class FakeTime:
    """A clock that the pacer's sleep moves forward."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_pacer_lets_20_a_minute_go_and_holds_the_21st() -> None:
    clock = FakeTime()
    pacer = Pacer((Window(20, 60),), clock, clock.sleep)
    times = [await pacer.wait() for _ in range(45)]
    assert times == [0.0] * 20 + [60.0] * 20 + [120.0] * 5
    # Spread sends: each goes when the one 20 sends earlier leaves the minute.
    clock.now = 1000.0
    pacer = Pacer((Window(20, 60),), clock, clock.sleep)
    for _ in range(20):
        await pacer.wait()
        clock.now += 2  # one every 2 s: the 21st comes at 1040 and must wait for 1060
    assert await pacer.wait() == 1060.0


async def test_feishu_pacer_keeps_5_a_second_and_100_a_minute() -> None:
    clock = FakeTime()
    pacer = Pacer((Window(5, 1), Window(100, 60)), clock, clock.sleep)
    times = [await pacer.wait() for _ in range(105)]
    assert times[:6] == [0.0] * 5 + [1.0]
    assert times[99] == 19.0 and times[100] == 60.0  # the 101st waits for the minute
    assert all(sum(1 for t in times if s <= t < s + 1) <= 5 for s in times)
    # The real limits are a little wider than the platforms' own.
    assert all(w.seconds >= 60 for w in LIMITS["wecom"] + LIMITS["dingtalk"])
    assert {(w.count, w.seconds >= 1) for w in LIMITS["feishu"]} == {(5, True), (100, True)}


def test_feishu_keeps_off_the_hour_and_the_half_hour() -> None:
    at = datetime(2026, 11, 30, 1, 0, 17, tzinfo=UTC)  # 09:00:17 in Shanghai
    assert feishu_later(at) == datetime(2026, 11, 30, 1, 1, tzinfo=UTC)
    assert feishu_later(at.replace(minute=30, second=59)) == at.replace(minute=31, second=0)
    assert feishu_later(at.replace(minute=1)) is None
    assert feishu_later(at.replace(minute=29, second=59)) is None


def test_commands_become_dashboard_links_only_with_a_dashboard() -> None:
    text = "详情：/rank 2026-W48 ｜ 单位得分明细：/why 单位名 2026-W48"
    assert with_links(text, "") == text
    assert with_links(text, DASHBOARD) == f"详情：{DASHBOARD} ｜ 单位得分明细：{DASHBOARD}/units"
    assert with_links("项目得分明细：/why 项目编号 2026-W48", DASHBOARD) == (
        f"项目得分明细：{DASHBOARD}/projects"
    )
    assert with_links("台账（/export）一致；问题 /p12 已交办", DASHBOARD) == (
        f"台账（{DASHBOARD}/download）一致；问题 {DASHBOARD}/problems/12 已交办"
    )


def robot(kind: str, **extra: str) -> RobotConfig:
    urls = {
        "wecom": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-123456",
        "dingtalk": "https://oapi.dingtalk.com/robot/send?access_token=t-123456",
        "feishu": "https://open.feishu.cn/open-apis/bot/v2/hook/h-123456",
    }
    return RobotConfig(f"{kind}群", kind, urls[kind], pushes=("weekly",), **extra)


CHART = Rendered("📊 区县及开发区：2026-W48 排名。\n落后（黄旗）：城关区", [], photo=b"\x89PNG...")
LEDGER = Rendered("📎 2026年11月 台账", [], document=("台账_2026-11.xlsx", b"PK\x03\x04 ..."))


def test_what_each_platform_is_sent_for_a_chart_and_a_file() -> None:
    chart = parts(CHART, text_limit=1365, public_url=DASHBOARD, chart_link=f"{DASHBOARD}/c.png")
    assert chart == [Text("📊 区县及开发区：2026-W48 排名。", CHART.text),
                     Image(b"\x89PNG...", f"{DASHBOARD}/c.png")]  # fmt: skip
    # DingTalk cannot upload: the chart is an image line in its caption's markdown.
    (text,) = DingTalkClient(robot("dingtalk")).arrange(chart)
    assert text.body == f"{CHART.text}\n![图表]({DASHBOARD}/c.png)"
    # Without a dashboard to link to, the caption alone.
    bare = parts(CHART, text_limit=1365, public_url="", chart_link=None)
    assert DingTalkClient(robot("dingtalk")).arrange(bare) == [bare[0]]
    # Feishu: uploaded through an app when it has one, else a link line, as DingTalk.
    app = FeishuClient(robot("feishu", app_id="cli_1", app_secret="s-123456"))
    assert app.arrange(chart) == chart
    (text,) = FeishuClient(robot("feishu")).arrange(chart)
    assert text.body.endswith(f"\n图表：{DASHBOARD}/c.png")
    # The ledger: WeCom uploads it; the others link to the dashboard's download page.
    ledger = parts(LEDGER, text_limit=1365, public_url=DASHBOARD, chart_link=None)
    assert isinstance(ledger[-1], File)
    (text,) = app.arrange(ledger)
    assert text.body == f"{LEDGER.text}\n台账_2026-11.xlsx：{DASHBOARD}/download"


def test_long_text_is_cut_at_lines_within_wecoms_4096_bytes() -> None:
    lines = [f"· 第{i}个单位：已报 {i}/30，新增投资 {i * 7}万元" for i in range(400)]
    rendered = Rendered("\n".join(lines), [])
    cut = parts(rendered, text_limit=4096 // 3, public_url="", chart_link=None)
    assert len(cut) > 1
    assert all(len(p.body.encode()) <= 4096 for p in cut)
    assert "\n".join(p.body for p in cut) == rendered.text  # nothing lost, cut between lines


def test_feishu_post_lines_keep_links_as_links() -> None:
    body = post(Text("标题", f"标题\n详情：{DASHBOARD}/units ｜ 其余"))
    (line,) = body["post"]["zh_cn"]["content"]
    assert body["post"]["zh_cn"]["title"] == "标题"
    assert line == [{"tag": "text", "text": "详情："},
                    {"tag": "a", "text": f"{DASHBOARD}/units", "href": f"{DASHBOARD}/units"},
                    {"tag": "text", "text": " ｜ 其余"}]  # fmt: skip


def test_wecom_upload_address_follows_the_send_address() -> None:
    assert upload_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc") == (
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/upload_media?key=abc&type=file"
    )


def test_a_chart_over_2_mb_is_shrunk_to_fit() -> None:
    noise = PILImage.frombytes("RGB", (1200, 1200), os.urandom(1200 * 1200 * 3))
    out = io.BytesIO()
    noise.save(out, format="PNG")
    big = out.getvalue()
    assert len(big) > 2 * 1024 * 1024
    small = shrink_png(big)
    assert len(small) <= 2 * 1024 * 1024 and small.startswith(b"\x89PNG")
    assert PILImage.open(io.BytesIO(small)).width < 1200
    assert shrink_png(small) is small  # one that fits is sent as it is


def test_secrets_are_blanked_in_every_log_record() -> None:
    config = robot("wecom", secret="SECabcdef123456")
    assert "k-123456" not in repr(config) and "SECabcdef" not in repr(config)
    hide = SecretFilter(config.secrets)
    record = logging.LogRecord("httpx", logging.INFO, "", 0, 'HTTP Request: POST %s "%s"',
                               (config.url, "HTTP/1.1 200 OK"), None)  # fmt: skip
    try:
        raise RuntimeError(f"refused with key k-123456 and {config.secret}")
    except RuntimeError as exc:
        record.exc_info = (RuntimeError, exc, exc.__traceback__)
    assert hide.filter(record)
    assert "k-123456" not in record.getMessage() and "<secret>" in record.getMessage()
    assert "k-123456" not in record.exc_text and "SECabcdef" not in record.exc_text


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu"])
def test_each_kind_hides_its_token(kind: str) -> None:
    secrets = robot(kind).secrets
    assert any(s.endswith("123456") and "/" not in s for s in secrets)  # the bare token too
