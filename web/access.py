"""Who may see what on the dashboard: the bot's scope, read afresh for every request.

Admins see everything; leaders the city overview and rankings plus their own projects;
a department the problems assigned to it; a liaison their projects. Anything else is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage import Database, people, projects
from storage.departments import departments_of
from storage.people import Person
from storage.problems import Problem


@dataclass(frozen=True)
class Viewer:
    person: Person
    leads: frozenset[int]  # project ids the person is linked leader of
    liaises: frozenset[int]  # project ids the person reports on
    departments: frozenset[int]  # department (unit) ids the person answers for

    @property
    def is_admin(self) -> bool:
        return self.person.is_admin

    @property
    def sees_city(self) -> bool:
        """The overview, the units and the rankings."""
        return self.is_admin or self.person.is_leader

    @property
    def own_projects(self) -> frozenset[int]:
        return self.leads | self.liaises

    def sees_project(self, project_id: int) -> bool:
        return self.is_admin or project_id in self.own_projects

    def sees_problem(self, problem: Problem) -> bool:
        return (
            self.is_admin
            or problem.project_id in self.own_projects
            or problem.department_id in self.departments
        )

    @property
    def downloads(self) -> bool:
        """The .xlsx ledger, as /export allows it: admins, and leaders for their projects."""
        return self.is_admin or bool(self.leads)

    @property
    def export_projects(self) -> list[int] | None:
        return None if self.is_admin else sorted(self.leads)

    @property
    def home(self) -> str:
        if self.sees_city:
            return "/"
        return "/projects" if self.liaises else "/problems"

    @property
    def sees_problems(self) -> bool:
        return self.is_admin or bool(self.own_projects or self.departments)


async def load_viewer(db: Database, person_id: int) -> Viewer | None:
    """The person's current roles and scope; None when they hold no role any more."""
    person = await people.by_id(db, person_id)
    if person is None or not person.roles:
        return None
    leads = liaises = frozenset[int]()
    if person.is_leader:
        leads = frozenset(p.id for p in await projects.of_person(db, person.id, "leader"))
    if person.is_liaison:
        liaises = frozenset(p.id for p in await projects.of_person(db, person.id, "liaison"))
    answers_for = frozenset[int]()
    if "department" in person.roles:
        answers_for = frozenset(await departments_of(db, person.id))
    return Viewer(person, leads, liaises, answers_for)
