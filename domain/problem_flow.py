"""The problem ledger's rules (pure): states, who may do what, deadlines and escalation days.

A problem is raised (open, owned by the project's unit), assigned to a department with a
deadline, accepted by the department with a plan (its reply, due within N workdays), resolved
by the department, and closed (销号) only when the liaison or an admin confirms; a rejected
resolution goes back to the department. Unreplied or overdue problems climb: first to the
project's linked leader (督办), then, after a further delay, to the admins' office.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.text import number_in, squash
from domain.workdays import WorkCalendar

# ---- states and actions ---------------------------------------------------------------------

OPEN, ASSIGNED, ACCEPTED, RESOLVED, CLOSED = "open", "assigned", "accepted", "resolved", "closed"
STATES = (OPEN, ASSIGNED, ACCEPTED, RESOLVED, CLOSED)
ACTIVE = (ASSIGNED, ACCEPTED)  # the department owes work: these escalate

ASSIGN, ACCEPT, NOTE, RESOLVE, CONFIRM, REJECT = (
    "assign", "accept", "note", "resolve", "confirm", "reject",
)  # fmt: skip
ACTIONS = (ASSIGN, ACCEPT, NOTE, RESOLVE, CONFIRM, REJECT)

# action → (states it may start from, state it leads to; None: the state does not change)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    ASSIGN: (frozenset({OPEN, ASSIGNED, ACCEPTED}), ASSIGNED),  # (re)assignment
    ACCEPT: (frozenset({ASSIGNED}), ACCEPTED),  # 受理, with a plan: the department's reply
    NOTE: (frozenset({OPEN, ASSIGNED, ACCEPTED, RESOLVED}), None),  # a progress note
    RESOLVE: (frozenset({ACCEPTED}), RESOLVED),  # 申请销号
    CONFIRM: (frozenset({RESOLVED}), CLOSED),  # 确认销号
    REJECT: (frozenset({RESOLVED}), ACCEPTED),  # 退回: reopened, back to the department
}

# How a person stands to a problem, computed per problem and person.
ADMIN, LEADER, DEPARTMENT, LIAISON = "admin", "leader", "department", "liaison"
ACTORS: dict[str, frozenset[str]] = {
    ASSIGN: frozenset({ADMIN, LEADER}),
    ACCEPT: frozenset({ADMIN, DEPARTMENT}),
    NOTE: frozenset({ADMIN, LEADER, DEPARTMENT, LIAISON}),
    RESOLVE: frozenset({ADMIN, DEPARTMENT}),
    CONFIRM: frozenset({ADMIN, LIAISON}),
    REJECT: frozenset({ADMIN, LIAISON}),
}
# Actions that change the state: they must come with the problem's current version.
STATEFUL = frozenset({ASSIGN, ACCEPT, RESOLVE, CONFIRM, REJECT})


class IllegalTransition(ValueError):
    """`action` is not allowed while the problem is in `state`."""

    def __init__(self, state: str, action: str) -> None:
        super().__init__(f"{action} is not allowed in state {state}")
        self.state = state
        self.action = action


def next_state(state: str, action: str) -> str:
    """The state after `action`, or IllegalTransition."""
    sources, target = TRANSITIONS[action]
    if state not in sources:
        raise IllegalTransition(state, action)
    return target or state


def may(action: str, relations: set[str] | frozenset[str]) -> bool:
    """Whether someone standing in these relations to a problem may do `action`."""
    return bool(ACTORS[action] & set(relations))


def actions_for(state: str, relations: set[str] | frozenset[str]) -> list[str]:
    """The actions this viewer can take now, in button order."""
    return [a for a in ACTIONS if state in TRANSITIONS[a][0] and may(a, relations)]


# ---- categories and deadlines ---------------------------------------------------------------

LAND, EIA, ENERGY, FUNDING, APPROVAL, DEMOLITION, OTHER = (
    "land", "eia", "energy", "funding", "approval", "demolition", "other",
)  # fmt: skip
CATEGORIES = (LAND, EIA, ENERGY, FUNDING, APPROVAL, DEMOLITION, OTHER)
# Default deadline per category, in workdays from assignment (settings problem_deadline_<cat>).
DEFAULT_DEADLINE_WORKDAYS = {
    LAND: 30, EIA: 20, ENERGY: 20, FUNDING: 15, APPROVAL: 10, DEMOLITION: 30, OTHER: 10,
}  # fmt: skip
# Words that name a category, checked in this order (a problem typed inside /report has only
# its description). The Chinese label of each category is its first word.
KEYWORDS: dict[str, tuple[str, ...]] = {
    DEMOLITION: ("征迁", "拆迁", "征收", "拆除", "搬迁", "安置"),
    EIA: ("环评", "环保", "环境", "排污", "水保", "稳评", "安评"),
    ENERGY: ("能耗", "能评", "用能", "用电", "电力", "增容", "供电", "用气"),
    LAND: ("用地", "土地", "征地", "林地", "农用地", "地块", "红线", "供地"),
    FUNDING: ("资金", "融资", "贷款", "拨付", "专项债", "缺口", "欠款", "付款"),
    APPROVAL: ("审批", "手续", "许可", "立项", "批复", "核准", "备案", "验收"),
}
LABELS = {
    LAND: "用地", EIA: "环评", ENERGY: "能耗", FUNDING: "资金", APPROVAL: "审批",
    DEMOLITION: "征迁", OTHER: "其他",
}  # fmt: skip


def infer_category(description: str) -> str:
    """The category a description most likely belongs to; OTHER when no word matches."""
    text = squash(description)
    for category, words in KEYWORDS.items():
        if any(w in text for w in words):
            return category
    return OTHER


def parse_category(text: str) -> str | None:
    """A typed category: its label (用地), its code (land) or its number in the list (1-7)."""
    value = squash(text).lower()
    number = number_in(value, 1, len(CATEGORIES))
    if number is not None:
        return CATEGORIES[number - 1]
    for code, label in LABELS.items():
        if value in (code, label):
            return code
    return None


def settings_key(category: str) -> str:
    return f"problem_deadline_{category}"


# ---- workdays -------------------------------------------------------------------------------


def next_workday(calendar: WorkCalendar, day: date) -> date:
    """The first workday after `day`."""
    current = day + timedelta(days=1)
    for _ in range(60):  # bounded: the longest holiday is about ten days
        if calendar.is_workday(current):
            return current
        current += timedelta(days=1)
    return current


def add_workdays(calendar: WorkCalendar, day: date, count: int) -> date:
    """The `count`-th workday after `day` (`day` itself not counted); `day` when count is 0."""
    current = day
    for _ in range(count):
        current = next_workday(calendar, current)
    return current


def default_deadline(calendar: WorkCalendar, assigned: date, workdays: int) -> date:
    return add_workdays(calendar, assigned, workdays)


MAX_DEADLINE_DAYS = 730  # a deadline further out than two years is a typo or a forgery


def deadline_allowed(day: date, today: date) -> bool:
    """A deadline may be set from today up to two years ahead."""
    return today <= day <= today + timedelta(days=MAX_DEADLINE_DAYS)


def reply_due(calendar: WorkCalendar, assigned: date, workdays: int) -> date:
    """The last day on which the department's reply is on time."""
    return add_workdays(calendar, assigned, workdays)


# ---- escalation -----------------------------------------------------------------------------

LEADER_STEP, OFFICE_STEP = "leader", "office"


@dataclass(frozen=True)
class Standing:
    """What escalation needs to know about one problem in its current assignment round."""

    state: str
    assigned: date | None  # local day of the (latest) assignment
    deadline: date | None
    leader_day: date | None = None  # local day the leader step was taken this round
    office_done: bool = False


def overdue(
    s: Standing, today: date, calendar: WorkCalendar, reply_workdays: int
) -> tuple[bool, bool]:
    """(reply overdue, deadline passed) on `today`."""
    late_reply = (
        s.state == ASSIGNED
        and s.assigned is not None
        and today > reply_due(calendar, s.assigned, reply_workdays)
    )
    late = s.state in ACTIVE and s.deadline is not None and today > s.deadline
    return late_reply, late


def escalation_due(
    s: Standing, day: date, calendar: WorkCalendar, reply_workdays: int, office_workdays: int
) -> str | None:
    """The escalation step due on `day` (the local day, counted from 09:00), if any.

    The ladder starts on the first workday after the reply was due (no reply) or after the
    deadline, whichever comes first: the linked leader then; the admins' office
    `office_workdays` workdays after the leader (or after the ladder's start, if later).
    """
    starts = []
    if s.state == ASSIGNED and s.assigned is not None:
        starts.append(next_workday(calendar, reply_due(calendar, s.assigned, reply_workdays)))
    if s.state in ACTIVE and s.deadline is not None:
        starts.append(next_workday(calendar, s.deadline))
    if not starts:
        return None
    start = min(starts)
    if s.leader_day is None:
        return LEADER_STEP if day >= start else None
    if s.office_done:
        return None
    office_day = add_workdays(calendar, max(s.leader_day, start), office_workdays)
    return OFFICE_STEP if day >= office_day else None


def on_time(deadline: date | None, closed_on: date | None) -> bool:
    """Closed on or before its deadline (a problem without a deadline counts when closed)."""
    return closed_on is not None and (deadline is None or closed_on <= deadline)
