"""The dashboard's parts without a browser: [web] config, sign-in storage, catalog keys, SVG."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config import ConfigError, parse_config
from messages import catalog
from storage import Database, people, web_sessions
from web import svg

BASE = Path("/srv/jinzhan")
TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


def _config(web: dict) -> object:
    return parse_config({"telegram": {"token": "1:abc"}, "web": web}, base_dir=BASE, env={})


def test_web_defaults_and_public_url() -> None:
    web = parse_config({"telegram": {"token": "1:abc"}}, base_dir=BASE, env={}).web
    assert (web.enabled, web.host, web.port, web.public_url) == (True, "127.0.0.1", 8080, "")
    assert web.base_url() == "http://127.0.0.1:8080" and not web.secure
    behind = _config({"public_url": "https://jz.example.gov.cn/"}).web
    assert behind.base_url(43210) == "https://jz.example.gov.cn" and behind.secure
    assert _config({"port": 0}).web.base_url(43210) == "http://127.0.0.1:43210"


@pytest.mark.parametrize(
    ("web", "key"),
    [
        ({"port": 70000}, "web.port"),
        ({"port": "8080"}, "web.port"),
        ({"enabled": "yes"}, "web.enabled"),
        ({"public_url": "jz.example.gov.cn"}, "web.public_url"),
        ({"public_url": "https://jz.example.gov.cn/?x=1"}, "web.public_url"),
        ({"host": " "}, "web.host"),
        ({"hots": "0.0.0.0"}, "web.hots"),
    ],
)
def test_bad_web_values_name_the_key(web: dict, key: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(key)):
        _config(web)


async def test_a_link_signs_in_once_until_it_expires_and_removal_ends_sessions(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    try:
        async with db.transaction() as tx:
            pid = await people.upsert(tx, 77, "王", None)
            await web_sessions.create_login(tx, pid, "link-token-0123456789", now,
                                            timedelta(minutes=10))  # fmt: skip
            await web_sessions.create_login(tx, pid, "late-token-0123456789", now,
                                            timedelta(minutes=10))  # fmt: skip
        async with db.transaction() as tx:
            assert await web_sessions.redeem_login(tx, "link-token-0123456789", now) == pid
            assert await web_sessions.redeem_login(tx, "link-token-0123456789", now) is None
            late = now + timedelta(minutes=10, seconds=1)
            assert await web_sessions.redeem_login(tx, "late-token-0123456789", late) is None
            await web_sessions.open_session(tx, pid, "session-a", now, timedelta(days=7))
            await web_sessions.open_session(tx, pid, "session-b", now, timedelta(days=7))
        assert await web_sessions.session_person(db, "session-a", now) == pid
        assert await web_sessions.session_person(db, "session-a", now + timedelta(days=8)) is None
        # Only hashes are kept: the database alone signs nobody in.
        stored = await db.fetchall("SELECT token_hash FROM web_sessions")
        assert all("session" not in r["token_hash"] for r in stored)
        async with db.transaction() as tx:
            assert await web_sessions.end_sessions(tx, pid, now) == 2
        assert await web_sessions.session_person(db, "session-b", now) is None
    finally:
        await db.close()


def test_every_word_the_templates_use_is_in_the_catalog() -> None:
    used = set()
    for path in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_0-9]+)["']\s*[,)]""",
                               path.read_text()))  # fmt: skip
    assert len(used) > 100
    missing = sorted(k for k in used if k not in catalog())
    assert not missing, missing
    # Keys built in templates from a prefix: every value they may take exists.
    for prefix, values in (
        ("web.color_", ("red", "yellow", "green", "unreported")),
        ("web.flag_", ("red", "yellow")),
        ("problems.state_", ("open", "assigned", "accepted", "resolved", "closed")),
    ):
        assert all(prefix + v in catalog() for v in values), prefix
    for reason in ("signed_out", "bad_link", "logged_out"):
        assert f"web.{reason}_title" in catalog() and f"web.{reason}_text" in catalog()


def test_templates_use_no_inline_style_or_script() -> None:
    """The pages' Content-Security-Policy allows neither: one would be a console error."""
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text()
        assert "style=" not in text and "<script" not in text, path.name


def test_charts_escape_labels_and_keep_within_their_scale() -> None:
    drawn = str(svg.bar(2.0, 0.5, "behind", "<b>城关区</b>"))
    assert "&lt;b&gt;" in drawn and "<b>" not in drawn
    assert 'width="100.00%"' in drawn and 'x1="41.67%"' in drawn  # capped at 1.2; 0.5 / 1.2
    parts = str(svg.stacked([("red", 1), ("yellow", 0), ("green", 3)], "状态"))
    assert 'class="st-red"' in parts and "st-yellow" not in parts and 'width="75.00%"' in parts


def test_every_role_and_only_a_role_gets_web_in_its_menu() -> None:
    from handlers.menu import commands_for

    for role in ("admin", "leader", "liaison", "department"):
        assert "web" in commands_for({role}), role
    assert "web" not in commands_for(set())
    assert "help.web" in catalog() and "menu.web" in catalog()


async def test_web_off_in_the_config_means_no_server_and_a_clear_reply(tmp_path: Path) -> None:
    from dataclasses import replace

    from tests.fakebot import FakeBotApi
    from tests.harness import RunningBot, Talk, make_config

    async with FakeBotApi() as fake:
        config = make_config(fake, tmp_path / "db.sqlite3", admins=(1001,))
        bot = RunningBot(replace(config, web=replace(config.web, enabled=False)))
        await bot.start()
        try:
            assert bot.app is not None and bot.app.bot_data.web is None
            answer = await Talk(fake, fake.user(1001, "李")).text("/web")
            assert "暂未开启" in answer and "/login/" not in answer
        finally:
            await bot.stop()
