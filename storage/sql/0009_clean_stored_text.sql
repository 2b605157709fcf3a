-- Text stored before input was cleaned at the boundary may hold control characters (a CSV's
-- U+0007, a pasted U+001B) that no .xlsx can hold, so one of them failed every ledger export,
-- and invisible or bidi characters that make a name display as another. Clean it once, by the
-- rules new text gets: clean_text(value, multiline) is domain.text.clean (1) or clean_line (0),
-- registered by storage/migrations.py; it keeps a value that would become empty.
-- OR IGNORE: a unique name that would collide with another once cleaned is left as it was.
UPDATE OR IGNORE units SET name = clean_text(name, 0) WHERE name != clean_text(name, 0);
UPDATE OR IGNORE people SET name = clean_text(name, 0) WHERE name != clean_text(name, 0);
UPDATE OR IGNORE people SET username = clean_text(username, 0)
    WHERE username != clean_text(username, 0);
UPDATE OR IGNORE projects SET code = clean_text(code, 0) WHERE code != clean_text(code, 0);
UPDATE projects SET name = clean_text(name, 0) WHERE name != clean_text(name, 0);
UPDATE projects SET category = clean_text(category, 0) WHERE category != clean_text(category, 0);
UPDATE projects SET stage = clean_text(stage, 0) WHERE stage != clean_text(stage, 0);
UPDATE projects SET build_type = clean_text(build_type, 0)
    WHERE build_type != clean_text(build_type, 0);
UPDATE projects SET leader_name = clean_text(leader_name, 0)
    WHERE leader_name != clean_text(leader_name, 0);
UPDATE projects SET liaison_name = clean_text(liaison_name, 0)
    WHERE liaison_name != clean_text(liaison_name, 0);
UPDATE OR IGNORE milestones SET name = clean_text(name, 0) WHERE name != clean_text(name, 0);
UPDATE push_targets SET title = clean_text(title, 0) WHERE title != clean_text(title, 0);
UPDATE report_revisions SET text = clean_text(text, 1) WHERE text != clean_text(text, 1);
UPDATE problems SET description = clean_text(description, 1)
    WHERE description != clean_text(description, 1);
UPDATE problem_events SET note = clean_text(note, 1) WHERE note != clean_text(note, 1);
UPDATE calendar_exceptions SET note = clean_text(note, 1) WHERE note != clean_text(note, 1);
