-- Reminders and pushes. The database is the source of truth: the scheduler reads these rows
-- on every tick, so an admin's change takes effect at once and survives restarts.

-- The kinds and their default times are declared in domain/schedule_kinds.py; a row holds
-- an admin's change to one (a kind without a row runs at its default, on).
CREATE TABLE schedule (
    kind        TEXT PRIMARY KEY,   -- a name from domain.schedule_kinds.SCHEDULE
    at_time     TEXT NOT NULL,      -- HH:MM in the configured time zone
    enabled     INTEGER NOT NULL DEFAULT 1,
    updated_by  INTEGER REFERENCES people(id),
    updated_at  TEXT
);

CREATE TABLE settings (
    key     TEXT PRIMARY KEY,
    value   TEXT NOT NULL
);
INSERT INTO settings (key, value) VALUES ('streak_days', '3');

-- This deployment's own calendar: a local day off, or an extra workday.
CREATE TABLE calendar_exceptions (
    day         TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('off', 'work')),
    note        TEXT NOT NULL DEFAULT '',
    created_by  INTEGER REFERENCES people(id),
    created_at  TEXT NOT NULL
);

CREATE TABLE leaves (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    start_day   TEXT NOT NULL,
    end_day     TEXT NOT NULL CHECK (end_day >= start_day),
    created_by  INTEGER NOT NULL REFERENCES people(id),
    created_at  TEXT NOT NULL
);
CREATE INDEX leaves_person ON leaves(person_id, end_day);

-- One row per scheduled run that was planned, so a run happens once per period however many
-- times the scheduler wakes up, restarts or is asked by /pushnow.
CREATE TABLE slot_runs (
    kind        TEXT NOT NULL,
    period      TEXT NOT NULL,
    planned_at  TEXT NOT NULL,
    trigger     TEXT NOT NULL,      -- schedule | manual
    actor       INTEGER REFERENCES people(id),
    PRIMARY KEY (kind, period)
);

-- Every scheduled delivery, keyed by (kind, period, chat): the key is what makes a restart,
-- a crash or a /pushnow after the scheduled run unable to send the same thing twice.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    period      TEXT NOT NULL,
    chat_id     INTEGER NOT NULL,
    spec_json   TEXT NOT NULL,      -- what to render at send time (so it is never stale)
    not_before  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,      -- past this it is no longer useful and is not sent
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sent', 'skipped', 'expired', 'blocked', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    message_id  INTEGER,
    last_text   TEXT,               -- for boards: what the message shows now, to edit on change
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    UNIQUE (kind, period, chat_id)
);
CREATE INDEX outbox_due ON outbox(status, not_before);

-- Chats that blocked the bot (403): skipped until the person writes to the bot again.
ALTER TABLE people ADD COLUMN blocked_at TEXT;
-- Whether a group wants the evening digest.
ALTER TABLE push_targets ADD COLUMN digest INTEGER NOT NULL DEFAULT 1;
