-- The problem ledger (问题清单): every problem gets an owner, a deadline and a reply; unsolved
-- ones escalate. Departments (市直部门) are units of kind 'department', so the rankings can
-- join a department's problems to the same unit row; their contacts are people with the role
-- 'department' linked here.

-- Roles and invites gain 'department'. SQLite cannot ALTER a CHECK constraint: the tables are
-- recreated with their rows. invite_uses references invites, so it is set aside and rebuilt.
CREATE TABLE roles_new (
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'leader', 'liaison', 'department')),
    granted_at  TEXT NOT NULL,
    PRIMARY KEY (person_id, role)
);
INSERT INTO roles_new (person_id, role, granted_at) SELECT person_id, role, granted_at FROM roles;
DROP TABLE roles;
ALTER TABLE roles_new RENAME TO roles;

CREATE TABLE invites_new (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'leader', 'liaison', 'department')),
    scope_json  TEXT NOT NULL DEFAULT '{}',
    created_by  INTEGER NOT NULL REFERENCES people(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    max_uses    INTEGER NOT NULL DEFAULT 1 CHECK (max_uses >= 1),
    uses        INTEGER NOT NULL DEFAULT 0,
    revoked_at  TEXT
);
INSERT INTO invites_new (id, code, role, scope_json, created_by, created_at, expires_at,
                         max_uses, uses, revoked_at)
    SELECT id, code, role, scope_json, created_by, created_at, expires_at, max_uses, uses,
           revoked_at FROM invites;
CREATE TABLE invite_uses_kept AS SELECT invite_id, person_id, used_at FROM invite_uses;
DROP TABLE invite_uses;
DROP TABLE invites;
ALTER TABLE invites_new RENAME TO invites;
CREATE TABLE invite_uses (
    invite_id   INTEGER NOT NULL REFERENCES invites(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    used_at     TEXT NOT NULL,
    PRIMARY KEY (invite_id, person_id)
);
INSERT INTO invite_uses (invite_id, person_id, used_at)
    SELECT invite_id, person_id, used_at FROM invite_uses_kept;
DROP TABLE invite_uses_kept;

-- A department's contacts (bound by /invite 部门 <名称>).
CREATE TABLE department_people (
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    PRIMARY KEY (unit_id, person_id)
);
CREATE INDEX department_people_person ON department_people(person_id);

-- The problem's life: state (status stays 'open' until 'closed', for older readers), owner
-- (department_id once assigned; before that the project's unit), deadline (local day),
-- version (bumped by every state change: a stale or double-tapped button cannot act twice).
ALTER TABLE problems ADD COLUMN category TEXT NOT NULL DEFAULT 'other';
ALTER TABLE problems ADD COLUMN state TEXT NOT NULL DEFAULT 'open'
    CHECK (state IN ('open', 'assigned', 'accepted', 'resolved', 'closed'));
ALTER TABLE problems ADD COLUMN department_id INTEGER REFERENCES units(id);
ALTER TABLE problems ADD COLUMN deadline TEXT;
ALTER TABLE problems ADD COLUMN assigned_at TEXT;
ALTER TABLE problems ADD COLUMN replied_at TEXT;
ALTER TABLE problems ADD COLUMN resolved_at TEXT;
ALTER TABLE problems ADD COLUMN closed_on TEXT;          -- local day of 销号
ALTER TABLE problems ADD COLUMN photo_id INTEGER REFERENCES photos(id);
ALTER TABLE problems ADD COLUMN round INTEGER NOT NULL DEFAULT 0;    -- assignments so far
ALTER TABLE problems ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
-- 0 until the scheduler has logged and announced it (problems raised inside /report).
ALTER TABLE problems ADD COLUMN logged INTEGER NOT NULL DEFAULT 0;
UPDATE problems SET state = 'closed' WHERE status = 'closed';
CREATE INDEX problems_state ON problems(state, department_id);
CREATE INDEX problems_unlogged ON problems(id) WHERE logged = 0;

-- Everything that happened to a problem, oldest first: raised, assigned, replies, notes,
-- escalations, resolution, confirmation or rejection. An escalation step is logged once:
-- step = '<round>:leader' | '<round>:office' is unique per problem.
CREATE TABLE problem_events (
    id              INTEGER PRIMARY KEY,
    problem_id      INTEGER NOT NULL REFERENCES problems(id),
    at              TEXT NOT NULL,
    actor           INTEGER REFERENCES people(id),
    action          TEXT NOT NULL,
    from_state      TEXT,
    to_state        TEXT,
    department_id   INTEGER REFERENCES units(id),
    deadline        TEXT,
    note            TEXT NOT NULL DEFAULT '',
    step            TEXT,
    UNIQUE (problem_id, step)
);
CREATE INDEX problem_events_problem ON problem_events(problem_id, id);

-- Problems already on file were announced by the old code (the digest): log, don't re-announce.
INSERT INTO problem_events (problem_id, at, actor, action, to_state)
    SELECT id, created_at, raised_by, 'raise', state FROM problems;
UPDATE problems SET logged = 1;

-- Defaults (changed with /problems 设置): reply within 2 workdays; the admins' office after a
-- further 2 workdays. Deadlines per category default in domain/problem_flow.py.
INSERT OR IGNORE INTO settings (key, value) VALUES
    ('problem_reply_workdays', '2'), ('problem_office_workdays', '2');
