"""The problem ledger's rules: transitions, who may act, categories, workdays, escalation days;
and the migration that widens roles and invites for departments."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import aiosqlite
import pytest

from domain import problem_flow as flow
from domain.problem_flow import Standing
from domain.workdays import WorkCalendar
from storage import Database
from storage.migrations import migrate

CAL = WorkCalendar()
MON, TUE, WED, THU, FRI = (date(2026, 11, d) for d in (23, 24, 25, 26, 27))
NEXT_MON = date(2026, 11, 30)


# ---- states and actions ---------------------------------------------------------------------


def test_the_whole_life_of_a_problem() -> None:
    state = flow.OPEN
    for action, expected in (
        (flow.ASSIGN, flow.ASSIGNED), (flow.NOTE, flow.ASSIGNED), (flow.ACCEPT, flow.ACCEPTED),
        (flow.RESOLVE, flow.RESOLVED), (flow.REJECT, flow.ACCEPTED),
        (flow.RESOLVE, flow.RESOLVED), (flow.CONFIRM, flow.CLOSED),
    ):  # fmt: skip
        state = flow.next_state(state, action)
        assert state == expected


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (flow.OPEN, flow.ACCEPT),  # nobody to accept it yet
        (flow.OPEN, flow.CONFIRM),
        (flow.ASSIGNED, flow.RESOLVE),  # must reply (受理) first
        (flow.ASSIGNED, flow.CONFIRM),
        (flow.ACCEPTED, flow.ACCEPT),  # a double 受理
        (flow.ACCEPTED, flow.REJECT),
        (flow.RESOLVED, flow.ASSIGN),
        (flow.RESOLVED, flow.RESOLVE),
        *[(flow.CLOSED, a) for a in flow.ACTIONS],  # closed is final
    ],
)
def test_illegal_transitions_are_refused(state: str, action: str) -> None:
    with pytest.raises(flow.IllegalTransition) as exc:
        flow.next_state(state, action)
    assert (exc.value.state, exc.value.action) == (state, action)


def test_every_transition_starts_and_ends_in_a_known_state() -> None:
    for sources, target in flow.TRANSITIONS.values():
        assert sources <= set(flow.STATES) and (target is None or target in flow.STATES)
    assert set(flow.TRANSITIONS) == set(flow.ACTORS) == set(flow.ACTIONS)
    assert {a for a, (_, target) in flow.TRANSITIONS.items() if target} == flow.STATEFUL


def test_who_may_do_what() -> None:
    assert flow.actions_for(flow.OPEN, {flow.ADMIN}) == [flow.ASSIGN, flow.NOTE]
    assert flow.actions_for(flow.OPEN, {flow.LEADER}) == [flow.ASSIGN, flow.NOTE]
    assert flow.actions_for(flow.OPEN, {flow.LIAISON}) == [flow.NOTE]
    assert flow.actions_for(flow.ASSIGNED, {flow.DEPARTMENT}) == [flow.ACCEPT, flow.NOTE]
    assert flow.actions_for(flow.ACCEPTED, {flow.DEPARTMENT}) == [flow.NOTE, flow.RESOLVE]
    assert flow.actions_for(flow.RESOLVED, {flow.LIAISON}) == [
        flow.NOTE, flow.CONFIRM, flow.REJECT,
    ]  # fmt: skip
    assert flow.actions_for(flow.RESOLVED, {flow.DEPARTMENT}) == [flow.NOTE]
    assert flow.actions_for(flow.CLOSED, {flow.ADMIN}) == []
    assert not flow.may(flow.ACCEPT, {flow.LEADER, flow.LIAISON})
    assert not flow.may(flow.CONFIRM, {flow.DEPARTMENT})  # no closing one's own problem
    assert not flow.may(flow.NOTE, set())


# ---- categories -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("二期用地指标未落实", flow.LAND),
        ("环评批复未下达", flow.EIA),
        ("临时用电增容审批未批复", flow.ENERGY),  # electricity before the approval word
        ("能耗指标不足", flow.ENERGY),
        ("配套资金未拨付", flow.FUNDING),
        ("施工许可审批材料退回", flow.APPROVAL),
        ("拆迁户3户未签协议", flow.DEMOLITION),
        ("征地拆迁补偿未到位", flow.DEMOLITION),
        ("天气持续降雨", flow.OTHER),
    ],
)
def test_category_is_guessed_from_the_words(text: str, category: str) -> None:
    assert flow.infer_category(text) == category


def test_typed_categories() -> None:
    assert flow.parse_category("用地") == flow.LAND
    assert flow.parse_category(" 征迁 ") == flow.DEMOLITION
    assert flow.parse_category("funding") == flow.FUNDING
    assert flow.parse_category("7") == flow.OTHER
    assert flow.parse_category("8") is None and flow.parse_category("天气") is None


# ---- workdays -------------------------------------------------------------------------------


def test_workday_arithmetic_follows_the_official_calendar() -> None:
    assert flow.add_workdays(CAL, MON, 2) == WED
    assert flow.add_workdays(CAL, FRI, 1) == NEXT_MON  # the weekend is skipped
    assert flow.add_workdays(CAL, date(2026, 11, 28), 2) == date(2026, 12, 1)  # from a Saturday
    assert flow.add_workdays(CAL, MON, 0) == MON
    # 国庆 2026: October 1-7 off, Saturday October 10 is a 调休 workday.
    assert flow.next_workday(CAL, date(2026, 9, 30)) == date(2026, 10, 8)
    assert flow.add_workdays(CAL, date(2026, 10, 8), 2) == date(2026, 10, 10)
    # A deployment's own day off wins.
    local = WorkCalendar({TUE: "off"})
    assert flow.add_workdays(local, MON, 2) == THU


def test_default_deadline_and_reply_due() -> None:
    assert flow.default_deadline(CAL, MON, flow.DEFAULT_DEADLINE_WORKDAYS[flow.APPROVAL]) == (
        date(2026, 12, 7)
    )
    assert flow.reply_due(CAL, MON, 2) == WED


# ---- escalation -----------------------------------------------------------------------------


def due(s: Standing, day: date, reply: int = 2, office: int = 2) -> str | None:
    return flow.escalation_due(s, day, CAL, reply, office)


def test_no_reply_climbs_to_the_leader_then_the_office() -> None:
    s = Standing(flow.ASSIGNED, MON, date(2026, 12, 31))
    assert due(s, WED) is None  # the reply is due by Wednesday
    assert due(s, THU) == flow.LEADER_STEP
    after_leader = Standing(flow.ASSIGNED, MON, date(2026, 12, 31), leader_day=THU)
    assert due(after_leader, FRI) is None
    assert due(after_leader, date(2026, 11, 29)) is None  # Sunday
    assert due(after_leader, NEXT_MON) == flow.OFFICE_STEP  # two workdays after Thursday
    done = Standing(flow.ASSIGNED, MON, date(2026, 12, 31), leader_day=THU, office_done=True)
    assert due(done, date(2026, 12, 20)) is None  # each step once per round
    assert due(s, THU, reply=3) is None and due(s, FRI, reply=3) == flow.LEADER_STEP


def test_a_reply_stops_the_reply_ladder_but_not_the_deadline() -> None:
    replied = Standing(flow.ACCEPTED, MON, FRI)
    assert due(replied, THU) is None
    assert due(replied, date(2026, 11, 28)) is None  # the deadline's next workday is Monday
    assert due(replied, NEXT_MON) == flow.LEADER_STEP
    # Replied late, after the leader was told: the office follows only once the deadline passed.
    late = Standing(flow.ACCEPTED, MON, date(2026, 12, 4), leader_day=THU)
    assert due(late, date(2026, 12, 4)) is None
    assert due(late, date(2026, 12, 7)) is None  # the ladder starts on 12-07 ...
    assert due(late, date(2026, 12, 9)) == flow.OFFICE_STEP  # ... two workdays on


def test_resolved_open_and_closed_do_not_escalate() -> None:
    for state in (flow.OPEN, flow.RESOLVED, flow.CLOSED):
        assert due(Standing(state, MON, MON), date(2027, 1, 4)) is None


def test_overdue_marks() -> None:
    s = Standing(flow.ASSIGNED, MON, FRI)
    assert flow.overdue(s, WED, CAL, 2) == (False, False)
    assert flow.overdue(s, THU, CAL, 2) == (True, False)
    assert flow.overdue(s, NEXT_MON, CAL, 2) == (True, True)
    assert flow.overdue(Standing(flow.ACCEPTED, MON, FRI), NEXT_MON, CAL, 2) == (False, True)
    assert flow.overdue(Standing(flow.RESOLVED, MON, FRI), NEXT_MON, CAL, 2) == (False, False)


def test_on_time() -> None:
    assert flow.on_time(FRI, FRI) and flow.on_time(FRI, MON) and flow.on_time(None, MON)
    assert not flow.on_time(FRI, NEXT_MON) and not flow.on_time(FRI, None)


# ---- the migration --------------------------------------------------------------------------


async def test_migration_widens_roles_and_invites_and_keeps_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    now = "2026-11-01T00:00:00Z"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        await conn.execute("PRAGMA foreign_keys = ON")
        assert await migrate(conn, target=4) == 4
        await conn.executescript(
            f"""
            INSERT INTO units (id, name, created_at) VALUES (1, '城关区', '{now}');
            INSERT INTO people (id, tg_user_id, name, created_at) VALUES (1, 10, '甲', '{now}');
            INSERT INTO roles (person_id, role, granted_at) VALUES (1, 'liaison', '{now}');
            INSERT INTO projects (id, code, name, unit_id, total_yuan, plan_year,
                                  year_plan_yuan, created_at, updated_at)
                VALUES (1, 'A1', '项目', 1, 100, 2026, 10, '{now}', '{now}');
            INSERT INTO invites (id, code, role, created_by, created_at, expires_at)
                VALUES (1, 'abc', 'liaison', 1, '{now}', '{now}');
            INSERT INTO invite_uses (invite_id, person_id, used_at) VALUES (1, 1, '{now}');
            INSERT INTO problems (project_id, raised_by, description, status, created_at)
                VALUES (1, 1, '旧问题', 'closed', '{now}'), (1, 1, '未结', 'open', '{now}');
            """
        )
    db = await Database.open(path)
    try:
        assert await db.fetchval("SELECT role FROM roles") == "liaison"
        assert await db.fetchval("SELECT COUNT(*) FROM invite_uses") == 1
        states = await db.fetchall("SELECT state, logged FROM problems ORDER BY id")
        assert [tuple(r) for r in states] == [("closed", 1), ("open", 1)]
        assert await db.fetchval("SELECT COUNT(*) FROM problem_events") == 2
        assert await db.fetchall("PRAGMA foreign_key_check") == []
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO roles (person_id, role, granted_at) VALUES (1, 'department', ?)",
                (now,),
            )
            await tx.execute(
                "INSERT INTO invites (code, role, created_by, created_at, expires_at)"
                " VALUES ('d', 'department', 1, ?, ?)",
                (now, now),
            )
        with pytest.raises(sqlite3.IntegrityError):
            async with db.transaction() as tx:
                await tx.execute(
                    "INSERT INTO roles (person_id, role, granted_at) VALUES (1, 'mayor', ?)",
                    (now,),
                )
        with pytest.raises(sqlite3.IntegrityError):  # invite_uses still checks its invite
            async with db.transaction() as tx:
                await tx.execute(
                    "INSERT INTO invite_uses (invite_id, person_id, used_at) VALUES (99, 1, ?)",
                    (now,),
                )
    finally:
        await db.close()
