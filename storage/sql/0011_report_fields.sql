-- The daily report as a template admins edit with /fields: the built-in steps and the fields
-- they add, in order. A field is never deleted, only turned off, and its id never changes, so a
-- rename or a move never detaches the answers already stored.
CREATE TABLE report_fields (
    id          INTEGER PRIMARY KEY,
    builtin     TEXT UNIQUE,            -- the built-in step's key ('text', 'invest' ...); NULL: custom
    name        TEXT NOT NULL UNIQUE,
    -- 'builtin': one of the six original steps, answers in report_revisions' own columns;
    -- otherwise the answer's type, kept in report_values.
    kind        TEXT NOT NULL CHECK (kind IN ('builtin', 'number', 'percent', 'text', 'choice',
                                              'date')),
    unit        TEXT NOT NULL DEFAULT '',
    choices     TEXT NOT NULL DEFAULT '[]',     -- JSON list of a choice field's options
    required    INTEGER NOT NULL DEFAULT 0,
    enabled     INTEGER NOT NULL DEFAULT 1,
    position    INTEGER NOT NULL,
    created_by  INTEGER REFERENCES people(id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

INSERT INTO report_fields (builtin, name, kind, required, position, created_at, updated_at)
VALUES
    ('text', '进展', 'builtin', 1, 1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
     strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    ('invest', '投资', 'builtin', 0, 2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
     strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    ('stage', '阶段', 'builtin', 0, 3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
     strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    ('milestone', '节点', 'builtin', 0, 4, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
     strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    ('problem', '问题', 'builtin', 0, 5, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
     strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    ('photo', '照片', 'builtin', 0, 6, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
     strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));

-- The answers to fields of kind other than 'builtin', per report revision (canonical text:
-- "35", "62.5", "2026-11-23", the option, the words). A correction is a new revision with its
-- own values, so every version of the day keeps what it said.
CREATE TABLE report_values (
    revision_id INTEGER NOT NULL REFERENCES report_revisions(id),
    field_id    INTEGER NOT NULL REFERENCES report_fields(id),
    value       TEXT NOT NULL,
    PRIMARY KEY (revision_id, field_id)
);
CREATE INDEX report_values_field ON report_values(field_id);
