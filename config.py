"""Configuration: one TOML file, validated into typed objects before any network call."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.status import Thresholds
from domain.weights import ReportingWeightError, ScoringConfig

TOKEN_ENV = "BOT_TOKEN"


class ConfigError(Exception):
    """A configuration problem, described in one line that names the key."""


@dataclass(frozen=True)
class TelegramConfig:
    token: str
    base_url: str
    base_file_url: str
    timeout: float
    rate_limit: int
    group_rate_limit: int


@dataclass(frozen=True)
class BotConfig:
    timezone: ZoneInfo
    admins: tuple[int, ...]


@dataclass(frozen=True)
class InviteConfig:
    days: int
    admin_hours: int


ROBOT_KINDS = ("wecom", "dingtalk", "feishu")
ROBOT_PUSHES = ("weekly", "monthly", "quarterly", "digest", "board", "problems")
# What each platform's robot webhook looks like (path and the query key holding its token), so
# a url pasted under the wrong kind is caught at start-up rather than at Monday's push.
_ROBOT_URLS = {
    "wecom": (re.compile(r"/cgi-bin/webhook/send$"), "key",
              "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"),
    "dingtalk": (re.compile(r"/robot/send$"), "access_token",
                 "https://oapi.dingtalk.com/robot/send?access_token=…"),
    "feishu": (re.compile(r"/open-apis/bot/v2/hook/[^/]+$"), None,
               "https://open.feishu.cn/open-apis/bot/v2/hook/…"),
}  # fmt: skip


@dataclass(frozen=True)
class RobotConfig:
    """One [[robots]] entry: a group robot (webhook) of 企业微信, 钉钉 or 飞书.

    url, secret and app_secret are secrets: never logged, never shown in chat (repr hides them).
    """

    name: str
    kind: str
    url: str = field(repr=False)
    secret: str = field(default="", repr=False)
    pushes: tuple[str, ...] = ()
    unit: str = ""
    app_id: str = ""
    app_secret: str = field(default="", repr=False)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every value that must never appear in a log line, a reply or a stored error."""
        return webhook_secrets(self.url, self.secret, self.app_secret)


def webhook_secrets(url: str, *values: str) -> tuple[str, ...]:
    """The url, its query values and last path part (the webhook's token), and `values`."""
    parts = urlsplit(url)
    found = [url, *values, *(v for _, v in parse_qsl(parts.query))]
    tail = parts.path.rstrip("/").rsplit("/", 1)[-1]
    if parts.path.startswith("/open-apis/bot/"):  # Feishu: the token is the path's last part
        found.append(tail)
    return tuple(sorted({v for v in found if len(v) >= 6}, key=len, reverse=True))


@dataclass(frozen=True)
class WebConfig:
    """[web]: the read-only dashboard (驾驶舱) served by the bot's own process."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 8080  # 0: any free port (tests, the demo)
    public_url: str = ""  # what people open, e.g. behind a reverse proxy; "" = http://host:port

    def base_url(self, bound_port: int | None = None) -> str:
        """The address links start with: public_url, else the host and the port bound."""
        if self.public_url:
            return self.public_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{bound_port or self.port}"

    @property
    def secure(self) -> bool:
        """Cookies are marked Secure when people reach the dashboard over https."""
        return self.public_url.startswith("https://")


@dataclass(frozen=True)
class Config:
    telegram: TelegramConfig
    bot: BotConfig
    storage_path: Path
    invites: InviteConfig
    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    thresholds: Thresholds = field(default_factory=Thresholds)
    web: WebConfig = field(default_factory=WebConfig)
    robots: tuple[RobotConfig, ...] = ()

    @property
    def robot_charts_dir(self) -> Path:
        """Charts sent to group robots by link, beside the database, named by their SHA-256;
        the dashboard serves them at <public_url>/charts/<sha256>.png."""
        return self.storage_path.parent / "charts"


_KNOWN: dict[str, set[str]] = {
    "telegram": {
        "token",
        "base_url",
        "base_file_url",
        "timeout",
        "rate_limit",
        "group_rate_limit",
    },
    "bot": {"timezone", "admins"},
    "storage": {"path"},
    "invites": {"days", "admin_hours"},
    "ranking": {
        "weights",
        "caps",
        "flags",
        "unit_groups",
        "yellow_points",
        "red_points",
        "start_yellow_days",
        "start_red_days",
        "no_progress_workdays",
    },
    "web": {"enabled", "host", "port", "public_url"},
}


def _get(section: dict[str, Any], name: str, key: str, kind: type, default: Any) -> Any:
    value = section.get(key, default)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ConfigError(f"{name}.{key}: expected {kind.__name__}, got {value!r}")
    return value


def parse_config(raw: dict[str, Any], *, base_dir: Path, env: dict[str, str]) -> Config:
    """Validate a parsed TOML document; raise ConfigError naming the first bad key."""
    robots = _robots(raw.get("robots", []))
    raw = {name: section for name, section in raw.items() if name != "robots"}
    for name, section in raw.items():
        if name not in _KNOWN:
            raise ConfigError(f"unknown section [{name}]")
        if not isinstance(section, dict):
            raise ConfigError(f"[{name}] must be a table")
        for key in section:
            if key not in _KNOWN[name]:
                raise ConfigError(f"unknown key {name}.{key}")
    tg = raw.get("telegram", {})
    token = env.get(TOKEN_ENV) or _get(tg, "telegram", "token", str, "")
    if not token.strip():
        raise ConfigError(
            "telegram.token is empty: create a bot with @BotFather (https://t.me/BotFather), "
            f"then put its token in the config file or the {TOKEN_ENV} environment variable"
        )
    if ":" not in token:
        raise ConfigError(
            "telegram.token: does not look like a bot token (expected 123456:ABC...)"
        )
    base_url = _get(tg, "telegram", "base_url", str, "https://api.telegram.org/bot")
    base_file_url = _get(tg, "telegram", "base_file_url", str, "https://api.telegram.org/file/bot")
    for key, url in (("base_url", base_url), ("base_file_url", base_file_url)):
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"telegram.{key}: must start with http:// or https://, got {url!r}")
    timeout = tg.get("timeout", 15)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 300:
        raise ConfigError(f"telegram.timeout: expected seconds between 0 and 300, got {timeout!r}")
    rate_limit = _get(tg, "telegram", "rate_limit", int, 30)
    if not 1 <= rate_limit <= 10_000:
        raise ConfigError(f"telegram.rate_limit: expected 1..10000 messages/s, got {rate_limit}")
    group_rate = _get(tg, "telegram", "group_rate_limit", int, 20)
    if not 1 <= group_rate <= 100_000:
        raise ConfigError(
            f"telegram.group_rate_limit: expected 1..100000 messages/min, got {group_rate}"
        )

    bot = raw.get("bot", {})
    tz_name = _get(bot, "bot", "timezone", str, "Asia/Shanghai")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"bot.timezone: unknown time zone {tz_name!r}") from None
    admins = _get(bot, "bot", "admins", list, [])
    if not all(isinstance(a, int) and not isinstance(a, bool) and a > 0 for a in admins):
        raise ConfigError(f"bot.admins: expected a list of Telegram user ids, got {admins!r}")

    storage = raw.get("storage", {})
    path = Path(_get(storage, "storage", "path", str, "data/jinzhan.sqlite3"))
    if not str(path).strip():
        raise ConfigError("storage.path is empty")

    inv = raw.get("invites", {})
    days = _get(inv, "invites", "days", int, 7)
    admin_hours = _get(inv, "invites", "admin_hours", int, 24)
    if not 1 <= days <= 365:
        raise ConfigError(f"invites.days: expected 1..365, got {days}")
    if not 1 <= admin_hours <= 24 * 30:
        raise ConfigError(f"invites.admin_hours: expected 1..720, got {admin_hours}")

    scoring, thresholds = _ranking(raw.get("ranking", {}))
    return Config(
        scoring=scoring,
        thresholds=thresholds,
        web=_web(raw.get("web", {})),
        telegram=TelegramConfig(
            token.strip(), base_url, base_file_url, float(timeout), rate_limit, group_rate
        ),
        bot=BotConfig(tz, tuple(admins)),
        storage_path=path if path.is_absolute() else base_dir / path,
        invites=InviteConfig(days, admin_hours),
        robots=robots,
    )


def _ranking(section: dict[str, Any]) -> tuple[ScoringConfig, Thresholds]:
    """[ranking]: weights (the metric set), caps, N flags, unit groups, status thresholds."""
    defaults = ScoringConfig()
    try:
        scoring = ScoringConfig(
            weights=_get(section, "ranking", "weights", dict, dict(defaults.weights)),
            caps=_get(section, "ranking", "caps", dict, dict(defaults.caps)),
            flag_count=_get(section, "ranking", "flags", int, defaults.flag_count),
            unit_groups=_get(section, "ranking", "unit_groups", dict, dict(defaults.unit_groups)),
        )
    except ReportingWeightError as exc:
        raise ConfigError(f"ranking.weights.reporting: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"ranking: {exc}") from None
    base = Thresholds()
    values: dict[str, Any] = {}
    for key in ("yellow_points", "red_points", "start_yellow_days", "start_red_days",
                "no_progress_workdays"):  # fmt: skip
        value = section.get(key, getattr(base, key))
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"ranking.{key}: expected a number >= 0, got {value!r}")
        values[key] = value
    if values["red_points"] < values["yellow_points"]:
        raise ConfigError("ranking.red_points: must not be below ranking.yellow_points")
    return scoring, Thresholds(**values)


def _web(section: dict[str, Any]) -> WebConfig:
    """[web]: on by default, on localhost; public_url is what links in /web point to."""
    enabled = _get(section, "web", "enabled", bool, True)
    host = _get(section, "web", "host", str, "127.0.0.1").strip()
    if not host:
        raise ConfigError("web.host is empty: use 127.0.0.1 behind a reverse proxy")
    port = _get(section, "web", "port", int, 8080)
    if not 0 <= port <= 65535:
        raise ConfigError(f"web.port: expected 0..65535, got {port}")
    url = _get(section, "web", "public_url", str, "").strip().rstrip("/")
    if url and not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", url):
        raise ConfigError(
            f"web.public_url: expected an address like https://jz.example.gov.cn, got {url!r}"
        )
    return WebConfig(enabled, host, port, url)


_ROBOT_KEYS = {"name", "kind", "url", "secret", "pushes", "unit", "app_id", "app_secret"}


def _robots(entries: Any) -> tuple[RobotConfig, ...]:
    """[[robots]]: group robots that get pushes too. Errors name the entry (robots[1] is the
    first) and the key, never a url or a secret."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError("robots: write each robot as a [[robots]] table")
    found: list[RobotConfig] = []
    for i, entry in enumerate(entries, start=1):
        where = f"robots[{i}]"
        for key in entry:
            if key not in _ROBOT_KEYS:
                raise ConfigError(f"unknown key {where}.{key}")
        name = _get(entry, where, "name", str, "").strip()
        if not name or len(name) > 64:
            raise ConfigError(f"{where}.name: expected a name of 1 to 64 characters")
        if name in {r.name for r in found}:
            raise ConfigError(f"{where}.name: {name!r} is used by another robot")
        kind = _get(entry, where, "kind", str, "")
        if kind not in ROBOT_KINDS:
            raise ConfigError(f"{where}.kind: expected wecom, dingtalk or feishu, got {kind!r}")
        url = _hidden(entry, where, "url")
        _robot_url(where, kind, url)
        pushes = _get(entry, where, "pushes", list, [])
        unknown = [p for p in pushes if p not in ROBOT_PUSHES]
        if not pushes or unknown:
            raise ConfigError(
                f"{where}.pushes: expected some of {', '.join(ROBOT_PUSHES)}; got {pushes!r}"
            )
        unit = _get(entry, where, "unit", str, "").strip()
        if "board" in pushes and not unit:
            raise ConfigError(f"{where}.unit: the board push is a unit's; name the unit")
        app_id = _get(entry, where, "app_id", str, "").strip()
        app_secret = _hidden(entry, where, "app_secret")
        if (app_id or app_secret) and kind != "feishu":
            raise ConfigError(f"{where}.app_id: only a feishu robot uploads images with an app")
        if bool(app_id) != bool(app_secret):
            raise ConfigError(f"{where}.app_secret: app_id and app_secret go together")
        secret = _hidden(entry, where, "secret")
        found.append(RobotConfig(name, kind, url, secret, tuple(dict.fromkeys(pushes)), unit,
                                 app_id, app_secret))  # fmt: skip
    return tuple(found)


def _hidden(entry: dict[str, Any], where: str, key: str) -> str:
    """A secret string value; a wrong type is named without showing the value."""
    value = entry.get(key, "")
    if not isinstance(value, str):
        raise ConfigError(f"{where}.{key}: expected a string in quotes")
    return value.strip()


def _robot_url(where: str, kind: str, url: str) -> None:
    """A url of the kind's shape; the message shows the shape expected, never the url given."""
    if not url:
        raise ConfigError(f"{where}.url is missing: copy the robot's webhook address")
    path, token, example = _ROBOT_URLS[kind]
    parts = urlsplit(url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or not path.search(parts.path)
        or (token is not None and not parse_qs(parts.query).get(token))
    ):
        raise ConfigError(f"{where}.url: a {kind} robot's webhook looks like {example}")


def load_config(path: Path, env: dict[str, str] | None = None) -> Config:
    """Read and validate the TOML file at `path`."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return parse_config(
        raw, base_dir=path.resolve().parent, env=dict(os.environ if env is None else env)
    )
