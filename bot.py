"""Jinzhan (进展): run the bot, or `python bot.py demo` to watch it work offline."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from telegram.error import InvalidToken

from config import ConfigError, load_config

HERE = Path(__file__).resolve().parent
DEFAULT_CONFIG = HERE / "config.toml"
EXAMPLE_CONFIG = HERE / "config.example.toml"
HIDDEN = "<token>"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Jinzhan key-project progress bot")
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="TOML config file (default: config.toml beside bot.py)",
    )
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="run the real bot offline against a fake Telegram")
    demo.add_argument(
        "--out",
        type=Path,
        default=HERE / "demo-output",
        help="folder for what the bot sent (default: demo-output/)",
    )
    demo.add_argument(
        "--serve",
        action="store_true",
        help="keep the bot and its web dashboard running after the demo, until Ctrl-C",
    )
    return parser.parse_args(argv)


def create_config(path: Path, example: Path = EXAMPLE_CONFIG) -> None:
    """Create `path` from the example, readable by its owner only: it will hold the token."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(example.read_bytes())


def setup_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # One line per HTTP request, and two per scheduler tick (every 10 s), tell an operator
    # nothing; their warnings and errors still show.
    for name in ("httpx", "apscheduler"):
        logging.getLogger(name).setLevel(logging.WARNING)


class TokenFilter(logging.Filter):
    """Keeps the bot token out of every log line and traceback. A token refused at start-up
    is said once, in main()'s one line, so the library's own traceback of it is dropped."""

    def __init__(self, token: str, started: Callable[[], bool]) -> None:
        super().__init__()
        self.token = token
        self.started = started

    def filter(self, record: logging.LogRecord) -> bool:
        refused = record.exc_info and isinstance(record.exc_info[1], InvalidToken)
        if refused and not self.started():
            return False
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, HIDDEN), ()
        if record.exc_info and record.exc_info[1] is not None:
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_text = text.replace(self.token, HIDDEN)
        return True


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_logging()
    if args.command == "demo":
        import asyncio

        from demo import run_demo

        try:
            return asyncio.run(run_demo(args.out, serve=args.serve))
        except KeyboardInterrupt:
            return 0
    path = args.config or DEFAULT_CONFIG
    if args.config is None and not path.exists():
        create_config(path)
        print(f"created {path.name} from {EXAMPLE_CONFIG.name}; edit it to configure the bot")
    try:
        config = load_config(path)
    except ConfigError as exc:
        print(f"Jinzhan cannot start: {exc}", file=sys.stderr)
        return 2
    from application import ALLOWED_UPDATES, POLL_INTERVAL, build_application

    app = build_application(config)
    hide = TokenFilter(config.telegram.token, lambda: app.running)
    for handler in logging.getLogger().handlers:
        handler.addFilter(hide)
    try:
        app.run_polling(poll_interval=POLL_INTERVAL, allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        print(
            "Jinzhan cannot start: the token was rejected by Telegram; check telegram.token in "
            f"{path.name} or the BOT_TOKEN environment variable",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
