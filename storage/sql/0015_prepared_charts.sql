-- Charts of the weekly and monthly pushes rendered ahead of their send slot (scheduler.ahead),
-- so the fan-out sends them at Telegram's pace instead of drawing them one by one. Kept on
-- disk rather than in memory: 150 unit charts are ~40 MB. Dropped a day after they were made.
CREATE TABLE prepared (
    key         TEXT PRIMARY KEY,   -- what was rendered: the render spec, as JSON
    made_at     TEXT NOT NULL,      -- UTC
    text        TEXT NOT NULL,      -- the caption
    photo       BLOB,
    doc_name    TEXT,
    document    BLOB
);
