"""Drive the real bot with random updates from every seat, and watch what it does.

A seat is one person in one chat (a private chat, a bound group, an unbound group). The run is
cut into rounds: each round sends a few updates to some chats (never more than a chat's update
slots hold), waits until the bot is idle, and compares the ledger with the round before. A
round in which the bot said that something was stored (a report saved, a problem registered,
an import, an edit, a removal, an invite redeemed — the catalog's own words) may change it;
any other round must leave every row exactly as it was. The bot's log is watched throughout.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from messages import catalog, t
from tests.e2e import fuzz_files
from tests.e2e import fuzz_inputs as gen
from tests.fakebot import ApiCall, FakeBotApi, FakeUser
from tests.harness import RunningBot

PER_CHAT = 7  # updates sent to one chat per round: under its 8 update slots
QUIET = 0.1  # no call from the bot for this long (and nothing in hand): a round is over
STALL = 60  # seconds a round may take before the bot counts as stalled
# The tables that hold entries and who may enter them; columns that change on mere contact
# (last seen, blocked) are left out.
LEDGER = {
    "units": "*", "projects": "*", "monthly_plans": "*", "milestones": "*",
    "project_people": "*", "people": "id, tg_user_id, name, username, created_at",
    "roles": "*", "leader_names": "*", "department_people": "*", "reports": "*",
    "report_revisions": "*", "report_values": "*", "report_fields": "*", "problems": "*",
    "problem_events": "*", "photos": "*",
}  # fmt: skip
# What the bot says when it stored something the person asked for: a round that says one of
# these may change the ledger (a department's first invite creates the department).
STORED = (
    "report.saved", "report.saved_correction", "problems.raised", "problems.done_assign",
    "problems.done_accept", "problems.done_note", "problems.done_resolve",
    "problems.done_confirm", "problems.done_reject", "import.done", "projects.added",
    "projects.milestone_added", "projects.edited", "people.removed", "invite.welcome_liaison",
    "invite.welcome_leader", "invite.welcome_admin", "invite.welcome_department", "invite.created",
    "fields.added", "fields.on", "fields.off", "fields.moved",
)  # fmt: skip
# Left in stored text, these would reach spreadsheets and screens (domain.text cleans them).
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u200b\u2060\ufeff\u202a-\u202e"
                    "\u2066-\u2069\ufffe\uffff]")  # fmt: skip


def signature(key: str) -> str:
    """The longest fixed piece of a catalog message, to recognise it once filled in."""
    return max(re.split(r"\{[^}]*\}", catalog()[key]), key=len)


@dataclass(frozen=True)
class Seat:
    """One person in one chat: their private chat (`title` None) or a group."""

    label: str
    user: FakeUser
    chat_id: int
    title: str | None = None


class LogWatch(logging.Handler):
    """Every warning and error the bot logs during the run, formatted with its traceback."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[tuple[int, str]] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.levelno, self.format(record)))

    def errors(self) -> list[str]:
        return [text for level, text in self.lines if level >= logging.ERROR or
                "Traceback" in text]  # fmt: skip

    def __enter__(self) -> LogWatch:
        root = logging.getLogger()
        self._level = root.level
        root.addHandler(self)
        root.setLevel(min(root.level or logging.WARNING, logging.WARNING))
        return self

    def __exit__(self, *exc: object) -> None:
        root = logging.getLogger()
        root.removeHandler(self)
        root.setLevel(self._level)


def ledger(db_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the ledger's tables, read as an auditor would."""
    with sqlite3.connect(db_path) as conn:
        return {
            table: conn.execute(f"SELECT {columns} FROM {table} ORDER BY rowid").fetchall()
            for table, columns in LEDGER.items()
        }


def changed_tables(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    return [table for table in LEDGER if before[table] != after[table]]


def unclean_text(snapshot: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    """Stored text still holding control, invisible or bidi characters."""
    return [f"{table}: {value!r}"[:200] for table, rows in snapshot.items() for row in rows
            for value in row if isinstance(value, str) and UNSAFE.search(value)]  # fmt: skip


@dataclass
class Tally:
    """What a run did, for the report and the assertions."""

    updates: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    rounds: int = 0
    compared: int = 0  # rounds without a confirmation: the ledger compared exactly
    confirmed: dict[str, int] = field(default_factory=dict)
    bad_requests: list[str] = field(default_factory=list)  # the bot's calls the API refused

    def count(self, kind: str, n: int = 1) -> None:
        self.kinds[kind] = self.kinds.get(kind, 0) + n
        self.updates += n


class Fuzz:
    """Random updates from `seats`, seeded by `seed`; `protected` callback data is never sent
    (the removal of the person who answers /mine at the end); `codes` are invites to redeem."""

    def __init__(
        self, bot: RunningBot, fake: FakeBotApi, db_path: Path, seats: list[Seat], seed: int,
        *, protected: set[str] = frozenset(), codes: Iterable[str] = (), deep: bool = False,
    ) -> None:  # fmt: skip
        self.bot, self.fake, self.db_path, self.seats = bot, fake, db_path, seats
        # Most of what people do happens in private chats; groups get a third of the updates.
        self.private = [seat for seat in seats if seat.title is None]
        self.grouped = [seat for seat in seats if seat.title is not None] or self.private
        self.rng = random.Random(seed)
        self.protected = protected
        self.deep = deep
        self.tally = Tally()
        self.codes = list(codes)  # invite codes the bot gave out, to redeem
        self.problems: set[int] = set()  # problem ids the bot named
        self.stored = [signature(key) for key in STORED]
        self.internal_error = t("common.internal_error")
        self._seen = 0  # calls already scanned for codes and refusals
        self._long = False  # whether this round may send texts the bot holds (see _send_round)

    async def run(self, updates: int) -> Tally:
        before = ledger(self.db_path)
        while self.tally.updates < updates:
            start = self.fake.cursor()
            self._send_round(min(self.rng.randint(10, 60), updates - self.tally.updates))
            await self.idle()
            after = ledger(self.db_path)
            said = self._confirmations(start)
            self.tally.rounds += 1
            if said:
                for key in said:
                    self.tally.confirmed[key] = self.tally.confirmed.get(key, 0) + 1
            else:
                self.tally.compared += 1
                changed = changed_tables(before, after)
                assert not changed, (
                    f"the ledger changed ({', '.join(changed)}) in round {self.tally.rounds} "
                    f"although nothing was confirmed:\n" + self._dump()
                )
            before = after
            self._scan()
        return self.tally

    async def idle(self) -> None:
        """Until every update was handled, no long text is held waiting for its next part
        (handlers.paste: up to a second) and the bot made no call for a moment."""
        app = self.bot.app
        assert app is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STALL
        while True:
            await self.fake.wait_idle(quiet=QUIET, timeout=STALL)
            pastes = app.bot_data.pastes
            running, queued = (
                app.update_processor.current_concurrent_updates,
                app.update_queue.qsize(),
            )
            held = pastes is not None and pastes.holding
            if not (running or queued or held):
                return
            assert loop.time() < deadline, (
                f"the bot stalled: after {STALL} s, {running} updates running, {queued} queued, "
                f"a paste held: {held}\n" + self._dump()
            )
            await asyncio.sleep(0.02)  # an update is still working (a file being read, say)

    def _send_round(self, n: int) -> None:
        """Send `n` updates spread over the seats. Texts the bot holds for a second as a
        paste's first part come in a third of the rounds only: such a round waits for it."""
        self._long = self.rng.random() < 0.33
        budget: dict[int, int] = {}
        for _ in range(n):
            seat = self.rng.choice(self.private if self.rng.random() < 0.67 else self.grouped)
            if budget.get(seat.chat_id, 0) > PER_CHAT - 4:  # a paste and a text take 4 slots
                continue
            budget[seat.chat_id] = budget.get(seat.chat_id, 0) + self._send_one(seat)

    def _send_one(self, seat: Seat) -> int:
        """One random update (a paste is several); how many updates were sent."""
        rng, fake = self.rng, self.fake
        roll = rng.random()
        where = {"chat_id": seat.chat_id, "chat_title": seat.title} if seat.title else {}
        if roll < 0.3:
            fake.send_text(seat.user, gen.text(rng, long=self._long), **where)
            self.tally.count("text")
        elif roll < 0.55:
            fake.send_text(seat.user, self._command(seat), **where)
            self.tally.count("command")
        elif roll < 0.85:
            return self._press(seat)
        elif roll < 0.92:
            self._upload(seat, where)
        elif roll < 0.95 and seat.title is None and self._long:
            parts = fake.send_paste(seat.user, gen.long_text(rng))
            self.tally.count("paste_part", len(parts))
            if rng.random() < 0.3:
                return len(parts)  # the paste goes on when its second of waiting is over
            # or as soon as something else arrives
            fake.send_text(seat.user, gen.text(rng, long=self._long))
            self.tally.count("text")
            return len(parts) + 1
        else:  # under a hostile name and group title: a command (an invite) may store them
            if seat.title:
                where["chat_title"] = self._hostile_name()
            said = self._command(seat) if rng.random() < 0.4 else gen.text(rng, long=self._long)
            if self.codes and seat.label[0] != "s" and rng.random() < 0.3:
                # Redeeming an invite stores the name (a stranger's redemptions are _command's).
                said = f"/start {rng.choice(self.codes)}"
            fake.send_text(self._renamed(seat.user), said, **where)
            self.tally.count("text_renamed")
        return 1

    def _command(self, seat: Seat) -> str:
        rng = self.rng
        if self.codes and seat.label.startswith("stranger") and rng.random() < 0.2:
            return f"/start {rng.choice(self.codes)}"
        bot = str(self.fake.bot_user["username"])
        return gen.command(rng, bot, problems=sorted(self.problems))

    def _press(self, seat: Seat) -> int:
        """Press a button in the seat's chat: a real one (maybe stale, maybe twice), another
        chat's, or forged data; how many presses (none while the chat has no message yet)."""
        rng, fake = self.rng, self.fake
        shown = [m for m in fake.messages_in(seat.chat_id) if m["from"]["id"] == fake.bot_id]
        if not shown:
            return 0
        message = rng.choice(shown[-8:]) if rng.random() < 0.8 else rng.choice(shown)
        roll = rng.random()
        real = [data for data in self._buttons(seat.chat_id) if data not in self.protected]
        current = [d for _, d in _keyboard(shown[-1]) if d not in self.protected]
        if roll < 0.3 and current:  # the keyboard in front of them: the flow goes on
            data, message = rng.choice(current), shown[-1]
            kind = "press_real"
        elif roll < 0.5 and real:  # an older one: stale, used, or still good
            data = rng.choice(real[-12:])
            kind = "press_real"
        elif 0.5 <= roll < 0.6:
            everywhere = [d for s in self.seats for d in self._buttons(s.chat_id)]
            data = rng.choice(everywhere) if everywhere else "x"
            kind = "press_foreign"
        else:
            data = gen.callback_data(rng, self._nonces())
            kind = "press_forged"
        if data in self.protected:
            data = "x"
        times = 2 if rng.random() < 0.15 else 1
        for _ in range(times):
            fake.press(seat.user, message, data)
            self.tally.count(kind)
        return times

    def _buttons(self, chat_id: int) -> list[str]:
        """Callback data of every button the bot ever showed in the chat, oldest first."""
        return [data for call in self.fake.sent_to(chat_id) for _, data in call.buttons]

    def _nonces(self) -> list[str]:
        found = []
        for seat in self.seats[:6]:
            for data in self._buttons(seat.chat_id)[-20:]:
                parts = data.split(":")
                if parts[0] in ("r", "pr", "pa", "imp") and len(parts) > 1:
                    found.append(parts[1])
        return found

    def _upload(self, seat: Seat, where: dict[str, Any]) -> None:
        upload = fuzz_files.upload(self.rng, deep=self.deep)
        caption = gen.caption(self.rng) if self.rng.random() < 0.2 else None
        size = {"declared_size": upload.declared}
        if upload.photo:
            self.fake.send_photo(seat.user, upload.content, caption=caption, **where, **size)
            self.tally.count("photo")
        else:
            self.fake.send_document(seat.user, upload.filename, upload.content, upload.mime,
                                    caption=caption, **where, **size)  # fmt: skip
            self.tally.count("file")

    def _hostile_name(self) -> str:
        rng = self.rng
        name = rng.choice((gen.noise(rng, rng.randint(1, 80)), *gen.FORMULAS, "\u202e市长",
                           "\x1b[31m王", "x" * 300))  # fmt: skip
        return name or "x"

    def _renamed(self, user: FakeUser) -> FakeUser:
        """The person as they appear after changing their Telegram name to something hostile."""
        last = self.rng.choice((None, "", gen.noise(self.rng, 5), "\x07"))
        return replace(user, first_name=self._hostile_name(), last_name=last)

    def _confirmations(self, start: int) -> list[str]:
        """Catalog keys of the 'stored' answers the bot gave since `start`."""
        found = []
        for call in self.fake.calls[start:]:
            said = call.text or ""
            assert self.internal_error not in said, "the bot sent the generic error:\n" + (
                self._dump()
            )
            if call.ok and call.method.startswith(("send", "edit")):
                found += [key for key, sig in zip(STORED, self.stored, strict=True) if sig in said]
        return found

    def _scan(self) -> None:
        """Remember invite codes given out, and calls the Bot API refused."""
        for call in self.fake.calls[self._seen :]:
            self.codes += re.findall(r"/start (\w{6,})", call.text or "")
            self.problems |= {int(n) for n in re.findall(r"#(\d{1,6})\b", call.text or "")}
            if call.error_code is not None and call.method != "getUpdates":
                self.tally.bad_requests.append(_describe(call))
        self._seen = len(self.fake.calls)

    def _dump(self) -> str:
        """The end of the transcript (updates and the bot's messages), for a failure."""
        return "\n".join(line[:300] for line in self.fake.transcript()[-80:])


def _keyboard(message: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, callback_data) of the buttons a message shows now."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row if "callback_data" in b]


def _describe(call: ApiCall) -> str:
    status = "ok" if call.ok else f"{call.error_code} {call.description}"
    return f"{call.method} chat={call.chat_id} [{status}] {(call.text or '')[:160]!r}"
