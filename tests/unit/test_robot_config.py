"""[[robots]] in the config: what is accepted, and one line naming the key (never a secret)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from config import ConfigError, parse_config

BASE = Path("/srv/jinzhan")
WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2"
DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=5e1c0b9d2a7f4e3b8c6d"
FEISHU = "https://open.feishu.cn/open-apis/bot/v2/hook/8f2e4c1a-77d0-4f5b-9a3e"


def config(*robots: dict):
    raw = {"telegram": {"token": "1:abc"}, "robots": list(robots)}
    return parse_config(raw, base_dir=BASE, env={})


def test_robots_as_the_issue_writes_them() -> None:
    text = f'''
[telegram]
token = "1:abc"

[[robots]]
name = "市领导企业微信群"
kind = "wecom"
url = "{WECOM}"
secret = ""
pushes = ["weekly", "monthly", "digest"]
unit = ""

[[robots]]
name = "城关区钉钉群"
kind = "dingtalk"
url = "{DINGTALK}"
secret = "SEC0123456789abcdef"
pushes = ["board", "digest", "weekly"]
unit = "城关区"

[[robots]]
name = "市领导飞书群"
kind = "feishu"
url = "{FEISHU}"
secret = "fs-secret"
pushes = ["weekly", "monthly", "quarterly", "problems"]
app_id = "cli_a1b2c3"
app_secret = "app-secret-value"
'''
    cfg = parse_config(tomllib.loads(text), base_dir=BASE, env={})
    wecom, dingtalk, feishu = cfg.robots
    assert (wecom.name, wecom.kind, wecom.pushes, wecom.unit) == (
        "市领导企业微信群", "wecom", ("weekly", "monthly", "digest"), ""
    )  # fmt: skip
    assert dingtalk.unit == "城关区" and dingtalk.secret == "SEC0123456789abcdef"
    assert feishu.app_id == "cli_a1b2c3" and feishu.app_secret == "app-secret-value"
    assert config().robots == ()


def robot(**changes: object) -> dict:
    return {"name": "群", "kind": "wecom", "url": WECOM, "pushes": ["weekly"], **changes}


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        (robot(kind="wechat"), "robots[1].kind"),
        (robot(url=""), "robots[1].url"),
        ({k: v for k, v in robot().items() if k != "url"}, "robots[1].url"),
        (robot(pushes=["weekly", "daily"]), "robots[1].pushes"),
        (robot(pushes=[]), "robots[1].pushes"),
        (robot(pushes=["board"]), "robots[1].unit"),  # a board is a unit's
        (robot(name=""), "robots[1].name"),
        (robot(colour="red"), "robots[1].colour"),
        (robot(app_id="cli_1", app_secret="s"), "robots[1].app_id"),  # Feishu only
        (robot(kind="feishu", url=FEISHU, app_id="cli_1"), "robots[1].app_secret"),
        (robot(kind="dingtalk"), "robots[1].url"),  # a WeCom url under kind dingtalk
        (robot(url="ftp://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"), "robots[1].url"),
        (robot(secret=123), "robots[1].secret"),
    ],
)
def test_a_bad_robot_stops_start_up_naming_the_key(entry: dict, key: str) -> None:
    with pytest.raises(ConfigError) as exc:
        config(entry)
    message = str(exc.value)
    assert key in message and "\n" not in message
    assert "693a91f6" not in message and "123" not in message  # neither url nor secret shown


def test_two_robots_of_one_name_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"robots\[2\]\.name"):
        config(robot(), robot())


def test_robots_written_as_one_table_are_refused() -> None:
    raw = {"telegram": {"token": "1:abc"}, "robots": robot()}
    with pytest.raises(ConfigError, match=r"\[\[robots\]\]"):
        parse_config(raw, base_dir=BASE, env={})
