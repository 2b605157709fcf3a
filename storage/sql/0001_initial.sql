-- Money is integer 元 (yuan); times are UTC ISO-8601 text ("2026-11-22T08:00:00Z");
-- report_date is the local calendar day the report belongs to ("2026-11-22").

CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

CREATE TABLE people (
    id          INTEGER PRIMARY KEY,
    tg_user_id  INTEGER NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    username    TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE roles (
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'leader', 'liaison')),
    granted_at  TEXT NOT NULL,
    PRIMARY KEY (person_id, role)
);

CREATE TABLE projects (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    category        TEXT,
    stage           TEXT,
    build_type      TEXT,
    leader_name     TEXT,
    liaison_name    TEXT,
    total_yuan      INTEGER NOT NULL CHECK (total_yuan >= 0),
    plan_year       INTEGER NOT NULL,
    year_plan_yuan  INTEGER NOT NULL CHECK (year_plan_yuan >= 0),
    -- Investment completed in done_year (cumulative within that year; a new year starts at 0).
    done_yuan       INTEGER NOT NULL DEFAULT 0 CHECK (done_yuan >= 0),
    done_year       INTEGER,
    extra_json      TEXT NOT NULL DEFAULT '{}',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX projects_unit ON projects(unit_id);
CREATE INDEX projects_name ON projects(name);

CREATE TABLE monthly_plans (
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    year        INTEGER NOT NULL,
    month       INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    plan_yuan   INTEGER NOT NULL CHECK (plan_yuan >= 0),
    PRIMARY KEY (project_id, year, month)
);

-- Who reports on / is linked to which project.
CREATE TABLE project_people (
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('leader', 'liaison')),
    PRIMARY KEY (project_id, person_id, role)
);
CREATE INDEX project_people_person ON project_people(person_id, role);

CREATE TABLE photos (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects(id),
    file_id         TEXT NOT NULL,
    file_unique_id  TEXT NOT NULL,
    taken_by        INTEGER NOT NULL REFERENCES people(id),
    created_at      TEXT NOT NULL
);

CREATE TABLE problems (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id),
    raised_by   INTEGER NOT NULL REFERENCES people(id),
    description TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at  TEXT NOT NULL,
    closed_at   TEXT
);
CREATE INDEX problems_project ON problems(project_id, status);

-- One entry per project and local day; each submission (the first and every correction) is a
-- revision, so history is kept rather than overwritten.
CREATE TABLE reports (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id),
    report_date  TEXT NOT NULL,
    -- The project's cumulative investment before the day's first revision: "+200" in any
    -- revision of the day adds to this, so a correction replaces rather than stacks.
    baseline_yuan INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (project_id, report_date)
);
CREATE INDEX reports_date ON reports(report_date);

CREATE TABLE report_revisions (
    id              INTEGER PRIMARY KEY,
    report_id       INTEGER NOT NULL REFERENCES reports(id),
    revision        INTEGER NOT NULL,
    person_id       INTEGER NOT NULL REFERENCES people(id),
    text            TEXT NOT NULL,
    done_yuan       INTEGER NOT NULL CHECK (done_yuan >= 0),
    stage_before    TEXT,
    stage_after     TEXT,
    problem_id      INTEGER REFERENCES problems(id),
    photo_id        INTEGER REFERENCES photos(id),
    created_at      TEXT NOT NULL,
    UNIQUE (report_id, revision)
);

CREATE TABLE push_targets (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('leaders', 'unit', 'departments')),
    unit_id     INTEGER REFERENCES units(id),
    title       TEXT NOT NULL DEFAULT '',
    active      INTEGER NOT NULL DEFAULT 1,
    bound_by    INTEGER NOT NULL REFERENCES people(id),
    bound_at    TEXT NOT NULL,
    CHECK ((kind = 'unit') = (unit_id IS NOT NULL))
);
CREATE UNIQUE INDEX push_targets_chat_kind ON push_targets(chat_id, kind);

CREATE TABLE invites (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'leader', 'liaison')),
    scope_json  TEXT NOT NULL DEFAULT '{}',
    created_by  INTEGER NOT NULL REFERENCES people(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    max_uses    INTEGER NOT NULL DEFAULT 1 CHECK (max_uses >= 1),
    uses        INTEGER NOT NULL DEFAULT 0,
    revoked_at  TEXT
);

CREATE TABLE invite_uses (
    invite_id   INTEGER NOT NULL REFERENCES invites(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    used_at     TEXT NOT NULL,
    PRIMARY KEY (invite_id, person_id)
);

-- A liaison's report in progress, one per Telegram user, written at every step so a restart
-- resumes where they were. last_update_id makes a redelivered update a no-op.
CREATE TABLE drafts (
    tg_user_id      INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    state           TEXT NOT NULL,
    data_json       TEXT NOT NULL,
    nonce           TEXT NOT NULL,
    last_update_id  INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       INTEGER,
    action      TEXT NOT NULL,
    detail_json TEXT NOT NULL DEFAULT '{}'
);
