-- When a delivery was last tried, so /schedule can list failed ones, most recent first.
ALTER TABLE outbox ADD COLUMN tried_at TEXT;
