"""Jinzhan (进展): run the bot, or `python bot.py demo` to watch it work offline."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from config import ConfigError, load_config

HERE = Path(__file__).resolve().parent
DEFAULT_CONFIG = HERE / "config.toml"
EXAMPLE_CONFIG = HERE / "config.example.toml"


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
    return parser.parse_args(argv)


def create_config(path: Path, example: Path = EXAMPLE_CONFIG) -> None:
    """Create `path` from the example, readable by its owner only: it will hold the token."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(example.read_bytes())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise
    if args.command == "demo":
        import asyncio

        from demo import run_demo

        return asyncio.run(run_demo(args.out))
    path = args.config or DEFAULT_CONFIG
    if args.config is None and not path.exists():
        create_config(path)
        print(f"created {path.name} from {EXAMPLE_CONFIG.name}; edit it to configure the bot")
    try:
        config = load_config(path)
    except ConfigError as exc:
        print(f"Jinzhan cannot start: {exc}", file=sys.stderr)
        return 2
    from application import ALLOWED_UPDATES, build_application

    build_application(config).run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
