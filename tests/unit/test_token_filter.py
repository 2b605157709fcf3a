"""No log line or traceback shows the bot token (issue 9, item 9)."""

from __future__ import annotations

import io
import logging

from telegram.error import InvalidToken

from bot import HIDDEN, TokenFilter

TOKEN = "987654:AAE-secret-part"


def logged(started: bool, emit) -> str:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(TokenFilter(TOKEN, lambda: started))
    log = logging.getLogger("test.token_filter")
    log.addHandler(handler)
    log.propagate = False
    try:
        emit(log)
    finally:
        log.removeHandler(handler)
    return out.getvalue()


def test_token_in_a_message_or_a_traceback_is_hidden() -> None:
    def emit(log: logging.Logger) -> None:
        log.warning("calling %s/getMe", f"https://api.telegram.org/bot{TOKEN}")
        try:
            raise RuntimeError(f"The token `{TOKEN}` was rejected")
        except RuntimeError:
            log.exception("failed")

    text = logged(True, emit)
    assert TOKEN not in text and "secret-part" not in text
    assert f"bot{HIDDEN}/getMe" in text and f"The token `{HIDDEN}`" in text
    assert "Traceback" in text  # the rest of the traceback is kept


def test_a_refused_token_before_start_is_left_to_the_one_line() -> None:
    def emit(log: logging.Logger) -> None:
        try:
            raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
        except InvalidToken:
            log.exception("Invalid token. Aborting retry loop.")

    assert logged(False, emit) == ""  # main() says it in one line
    running = logged(True, emit)  # refused later, while running: logged, the token hidden
    assert "Invalid token" in running and TOKEN not in running
