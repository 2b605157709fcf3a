"""Config: defaults, the token from the environment, and one clear line per bad key."""

from pathlib import Path

import pytest

from config import ConfigError, load_config, parse_config

BASE = Path("/srv/jinzhan")


def test_defaults_with_token_only() -> None:
    cfg = parse_config({"telegram": {"token": "1:abc"}}, base_dir=BASE, env={})
    assert cfg.telegram.base_url == "https://api.telegram.org/bot"
    assert str(cfg.bot.timezone) == "Asia/Shanghai"
    assert cfg.storage_path == BASE / "data/jinzhan.sqlite3"
    assert cfg.invites.days == 7 and cfg.invites.admin_hours == 24


def test_token_from_environment_wins() -> None:
    cfg = parse_config({"telegram": {"token": ""}}, base_dir=BASE, env={"BOT_TOKEN": "9:xyz"})
    assert cfg.telegram.token == "9:xyz"


def test_missing_token_says_how_to_get_one() -> None:
    with pytest.raises(ConfigError, match=r"telegram\.token.*BotFather.*BOT_TOKEN"):
        parse_config({}, base_dir=BASE, env={})


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"bot": {"timezone": "Mars/Olympus"}}, "bot.timezone"),
        ({"bot": {"admins": ["alice"]}}, "bot.admins"),
        ({"bot": {"admins": 5}}, "bot.admins"),
        ({"telegram": {"base_url": "ftp://x"}}, "telegram.base_url"),
        ({"storage": {"path": 3}}, "storage.path"),
        ({"invites": {"days": 0}}, "invites.days"),
        ({"bot": {"timezon": "UTC"}}, "bot.timezon"),
        ({"ranking": {"weights": {"investment": 0.5}}}, "ranking"),
        ({"ranking": {"weights": {"speed": 1.0}}}, "ranking"),
        ({"ranking": {"red_points": "many"}}, "ranking.red_points"),
        ({"ranking": {"yellow_points": 40}}, "ranking.red_points"),
        # The reporting metric gates the others: it may not be dropped nor weigh 0.
        (
            {"ranking": {"weights": {"investment": 0.85, "start": 0.15}}},
            "ranking.weights.reporting",
        ),
        (
            {"ranking": {"weights": {"investment": 0.85, "start": 0.15, "reporting": 0}}},
            "ranking.weights.reporting",
        ),
        ({"sheduler": {}}, "sheduler"),
    ],
)
def test_bad_key_is_named(raw: dict, key: str) -> None:
    raw.setdefault("telegram", {}).setdefault("token", "1:abc")
    with pytest.raises(ConfigError) as exc:
        parse_config(raw, base_dir=BASE, env={})
    assert key in str(exc.value)
    assert "\n" not in str(exc.value)


def test_example_config_is_valid_apart_from_the_token(tmp_path: Path) -> None:
    example = Path(__file__).parents[2] / "config.example.toml"
    cfg = load_config(example, env={"BOT_TOKEN": "1:abc"})
    assert cfg.storage_path.name == "jinzhan.sqlite3"


def test_ranking_section_sets_weights_groups_and_thresholds() -> None:
    raw = {
        "telegram": {"token": "1:abc"},
        "ranking": {
            "weights": {"investment": 0.6, "reporting": 0.4},
            "flags": 2,
            "unit_groups": {"county": "county", "zone": "zone"},
            "yellow_points": 5,
            "red_points": 20.5,
        },
    }
    cfg = parse_config(raw, base_dir=BASE, env={})
    assert dict(cfg.scoring.weights) == {"investment": 0.6, "reporting": 0.4}
    assert cfg.scoring.flag_count == 2 and cfg.scoring.group_of("zone") == "zone"
    assert cfg.thresholds.yellow_points == 5 and cfg.thresholds.red_points == 20.5


def test_broken_toml_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[telegram\ntoken=", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path, env={})
