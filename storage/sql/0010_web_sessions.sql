-- The web dashboard's sign-in: one-time links sent by /web and the browser sessions they open.
-- Only SHA-256 hashes of the tokens are kept, so a copy of the database signs nobody in.
CREATE TABLE web_logins (
    token_hash  TEXT PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX web_logins_expires ON web_logins(expires_at);

CREATE TABLE web_sessions (
    token_hash  TEXT PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    ended_at    TEXT
);
CREATE INDEX web_sessions_person ON web_sessions(person_id);

-- The dashboard's project page lists a project's photos, its unit page a week-by-week score.
CREATE INDEX photos_project ON photos(project_id, id);
CREATE INDEX score_snapshots_subject ON score_snapshots(subject, subject_id, period);
