-- Lookups that the ledger and reminders make per person and per day.
CREATE INDEX report_revisions_person ON report_revisions(person_id, created_at);
CREATE INDEX problems_open ON problems(status, created_at);
CREATE INDEX audit_log_at ON audit_log(at);
