-- 未上报: a project with nothing to judge it by has its own status, never green. SQLite cannot
-- ALTER a CHECK constraint: the table is recreated with its rows. Every project gets a row at
-- once (未上报 until the first recompute, which the daily status run does at the first tick).

CREATE TABLE project_status_new (
    project_id  INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    color       TEXT NOT NULL CHECK (color IN ('green', 'yellow', 'red', 'unreported')),
    reasons     TEXT NOT NULL DEFAULT '[]',
    since_red   INTEGER NOT NULL DEFAULT 0,  -- red until caught up, through any yellow weeks
    updated_at  TEXT NOT NULL
);
INSERT INTO project_status_new (project_id, color, reasons, since_red, updated_at)
    SELECT project_id, color, reasons, since_red, updated_at FROM project_status;
INSERT INTO project_status_new (project_id, color, updated_at)
    SELECT id, 'unreported', strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM projects
     WHERE id NOT IN (SELECT project_id FROM project_status);
DROP TABLE project_status;
ALTER TABLE project_status_new RENAME TO project_status;
