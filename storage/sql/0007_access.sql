-- Access that can be taken away: where an admin role came from, when a person was last seen,
-- and which leader name a leader's project links follow.

-- 'config': granted because the id is in [bot] admins, and revoked at the first start whose
-- config no longer lists it; 'invite': granted by redeeming an invite, kept until /remove.
-- An admin never needed an invite before this migration only if the config made them one.
ALTER TABLE roles ADD COLUMN source TEXT NOT NULL DEFAULT 'invite'
    CHECK (source IN ('config', 'invite'));
UPDATE roles SET source = 'config'
 WHERE role = 'admin'
   AND person_id NOT IN (SELECT iu.person_id FROM invite_uses iu
                           JOIN invites i ON i.id = iu.invite_id WHERE i.role = 'admin');

-- Last activity for /people, written at most once an hour per person.
ALTER TABLE people ADD COLUMN last_seen_at TEXT;

-- The leader names (包抓领导 as written in the project list) a leader was invited for. A
-- project whose leader name changes moves its name links: the old name's leaders lose it,
-- the new name's leaders gain it. Links made by project code or unit stay as they are.
CREATE TABLE leader_names (
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    PRIMARY KEY (person_id, name)
);
CREATE INDEX leader_names_name ON leader_names(name);
-- The leader name that made a leader's link (NULL: linked by code or unit).
ALTER TABLE project_people ADD COLUMN via_leader_name TEXT;

-- Leaders invited before this migration: a scope word of their invite (the label, words
-- joined by 、) that is the leader name of a project they are linked to was a name link.
INSERT OR IGNORE INTO leader_names (person_id, name)
SELECT DISTINCT pp.person_id, p.leader_name
  FROM project_people pp
  JOIN projects p ON p.id = pp.project_id
  JOIN invite_uses iu ON iu.person_id = pp.person_id
  JOIN invites i ON i.id = iu.invite_id AND i.role = 'leader'
 WHERE pp.role = 'leader' AND p.leader_name IS NOT NULL AND p.leader_name != ''
   AND instr('、' || COALESCE(json_extract(i.scope_json, '$.label'), '') || '、',
             '、' || p.leader_name || '、') > 0;
UPDATE project_people SET via_leader_name = (
        SELECT p.leader_name FROM projects p WHERE p.id = project_people.project_id)
 WHERE role = 'leader'
   AND EXISTS (SELECT 1 FROM leader_names ln JOIN projects p ON p.id = project_people.project_id
                WHERE ln.person_id = project_people.person_id AND ln.name = p.leader_name);
