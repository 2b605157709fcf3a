-- Group robots of 企业微信, 钉钉 and 飞书 ([[robots]] in the config). The config is the source of
-- truth; this mirror of its non-secret part (never the url or a secret) gives each robot an id
-- for the outbox key (kind 'robot:…', period, chat_id = the robot's id) and lets planning read
-- who wants which push. A robot taken out of the config is kept, inactive, with its history.
CREATE TABLE robots (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('wecom', 'dingtalk', 'feishu')),
    pushes      TEXT NOT NULL DEFAULT '',   -- comma-separated: weekly,monthly,digest ...
    unit        TEXT NOT NULL DEFAULT '',   -- the unit of unit-level pushes, '' for the city
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
);

-- A robot delivery may take several messages (a text split at the platform's limit, a chart,
-- a file): how many went out, so a retry or a restart goes on from the next one.
CREATE TABLE robot_parts (
    outbox_id   INTEGER PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,
    sent        INTEGER NOT NULL DEFAULT 0
);

