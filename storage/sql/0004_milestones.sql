-- Dates and milestones (节点, 倒排工期), and the history that status and rankings read.

ALTER TABLE projects ADD COLUMN planned_start TEXT;       -- 计划开工 (local date)
ALTER TABLE projects ADD COLUMN planned_completion TEXT;  -- 计划竣工
ALTER TABLE projects ADD COLUMN actual_start TEXT;        -- recorded when the stage reaches 在建
ALTER TABLE projects ADD COLUMN actual_completion TEXT;   -- ... 竣工
ALTER TABLE projects ADD COLUMN actual_operation TEXT;    -- ... 投产

CREATE TABLE milestones (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    due         TEXT NOT NULL,      -- local date
    done_on     TEXT,               -- local date the liaison marked it done
    done_by     INTEGER REFERENCES people(id),
    UNIQUE (project_id, name)
);
CREATE INDEX milestones_due ON milestones(due, done_on);

-- Whether a report counts as real progress (not a repeat, not "无"/"同上"), decided when it
-- is stored; and investment figures an admin should look at.
ALTER TABLE report_revisions ADD COLUMN real_progress INTEGER NOT NULL DEFAULT 1;
ALTER TABLE report_revisions ADD COLUMN flag TEXT;        -- e.g. 'investment_down', 'over_total'

-- Red/yellow/green per project, recomputed on every report; red clears only by catching up.
CREATE TABLE project_status (
    project_id  INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    color       TEXT NOT NULL CHECK (color IN ('green', 'yellow', 'red')),
    reasons     TEXT NOT NULL DEFAULT '[]',
    since_red   INTEGER NOT NULL DEFAULT 0,  -- red until caught up, through any yellow weeks
    updated_at  TEXT NOT NULL
);

-- Weekly scores, kept so rank changes and "change since last week" are facts, not guesses.
CREATE TABLE score_snapshots (
    period      TEXT NOT NULL,      -- ISO week, e.g. 2026-W48
    subject     TEXT NOT NULL,      -- 'unit' | 'project'
    subject_id  INTEGER NOT NULL,
    grp         TEXT NOT NULL,      -- ranking group: 'county' (区县/开发区) | 'department'
    score       REAL NOT NULL,
    rank        INTEGER NOT NULL,
    metrics     TEXT NOT NULL,      -- JSON {metric: value}
    PRIMARY KEY (period, subject, subject_id)
);

ALTER TABLE units ADD COLUMN kind TEXT NOT NULL DEFAULT 'county';  -- county | department
