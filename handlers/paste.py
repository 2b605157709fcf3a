"""A long paste that Telegram split into several messages, joined back into one text.

A Telegram client sends a text over 4,096 characters as several messages a moment apart, each
but the last longer than half that limit (clients cut at a line break or a space in a part's
second half, or exactly at the limit). Taken one by one, the first parts would be refused as
too long and the short tail kept as if it were the whole answer. So a text longer than half
the limit is held: parts that follow it within a second (by Telegram's own dates, so a backlog
after a restart joins the same way) are added, and the whole goes on as one text — which every
typed step then refuses as too long — as soon as a shorter part ends it, something else
arrives, or a second passes with nothing more.

Held parts live in memory only; after a restart Telegram redelivers what was not confirmed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from telegram import Message, Update
from telegram.ext import Application

import sender
from handlers.context import Context

PART_MIN = sender.TEXT_LIMIT // 2  # every part but the last of a split paste is longer
WINDOW = timedelta(seconds=1)  # between two parts' dates (Telegram's have 1 s resolution)
WAIT = 1.0  # seconds to wait for a next part before handing on what is held


@dataclass
class _Held:
    parts: list[str]
    last: Update  # the latest part's update
    timer: asyncio.TimerHandle | None = field(default=None, repr=False)

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()


class Pastes:
    """The parts held per chat, for one application."""

    def __init__(self, app: Application) -> None:
        self._app = app
        self._held: dict[int, _Held] = {}
        self._requeued: set[int] = set()  # update ids the timer put back into the queue

    @property
    def holding(self) -> bool:
        """Whether some chat's paste waits for its next part (tests wait until it is handled)."""
        return bool(self._held)

    def forget(self, update: Update) -> None:
        """Let go of what the update's chat holds: its sender may not act (any more), and a
        paste held before they lost access must not reach a flow if they are invited again."""
        message = update.effective_message
        if message is None:
            return
        self._requeued.discard(update.update_id)
        held = self._held.pop(message.chat_id, None)
        if held is not None:
            held.stop()
            self._requeued.discard(held.last.update_id)

    def take(self, update: Update) -> list[Update]:
        """What to handle now, in order: nothing while a paste may go on; the joined paste once
        it ends; and `update` itself unless it was part of one."""
        message = update.effective_message
        assert message is not None
        chat = message.chat_id
        if update.update_id in self._requeued:  # the wait ran out for this paste
            self._requeued.discard(update.update_id)
            held = self._held.get(chat)
            if held is None or held.last is not update:
                return []  # ended meanwhile by another message: handled then
            del self._held[chat]
            return [_joined(held)]
        held = self._held.pop(chat, None)
        ready: list[Update] = []
        text = message.text
        if held is not None:
            held.stop()
            if text is not None and _follows(held.last, message):
                held.parts.append(text)
                held.last = update
                if sender.units(text) > PART_MIN:  # more may follow
                    self._hold(chat, held)
                    return []
                return [_joined(held)]
            ready.append(_joined(held))  # something else came: the paste goes first
        if text is not None and sender.units(text) > PART_MIN:
            self._hold(chat, _Held([text], update))
            return ready
        return [*ready, update]

    def _hold(self, chat: int, held: _Held) -> None:
        self._held[chat] = held
        held.timer = asyncio.get_running_loop().call_later(WAIT, self._wait_over, chat, held)

    def _wait_over(self, chat: int, held: _Held) -> None:
        """Nothing followed: put the last part back in line, so the paste is handled in its
        chat's order like any update (not while another update of the chat is running)."""
        if self._held.get(chat) is not held or not self._app.running:
            return  # a stopping application takes no more updates; a restart redelivers
        self._requeued.add(held.last.update_id)
        self._app.update_queue.put_nowait(held.last)


def _follows(previous: Update, message: Message) -> bool:
    before = previous.effective_message
    assert before is not None
    return timedelta(0) <= message.date - before.date <= WINDOW


def _joined(held: _Held) -> Update:
    """The last part's update carrying the whole text (a space or line break at a cut may be
    missing: clients drop it)."""
    if len(held.parts) == 1:
        return held.last
    message = held.last.effective_message
    assert message is not None
    data = message.to_dict()
    data["text"] = "".join(held.parts)
    data.pop("entities", None)
    joined = Update(held.last.update_id, message=Message.de_json(data, message.get_bot()))
    joined.set_bot(message.get_bot())
    return joined


def pastes(context: Context) -> Pastes:
    """The application's held pastes."""
    if context.bot_data.pastes is None:
        context.bot_data.pastes = Pastes(context.application)
    return context.bot_data.pastes
