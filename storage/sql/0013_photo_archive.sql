-- Site photos kept by the city: each photo's bytes are downloaded into photos/ beside the
-- database, named by their SHA-256 (the same photo twice is one file). Until then Telegram
-- holds the only copy, so a photo row knows whether and as what it is archived.
ALTER TABLE photos ADD COLUMN sha256 TEXT;  -- NULL: not archived yet
ALTER TABLE photos ADD COLUMN extension TEXT;  -- ".jpg": the file is photos/<sha256><extension>
CREATE INDEX photos_sha256 ON photos(sha256);

-- A download still to do, written in the transaction that keeps the photo, so neither a
-- failure nor a restart loses it; the row goes when the file is on disk.
CREATE TABLE photo_downloads (
    photo_id     INTEGER PRIMARY KEY REFERENCES photos(id),
    tries        INTEGER NOT NULL DEFAULT 0,
    next_try_at  TEXT NOT NULL,
    last_error   TEXT
);
CREATE INDEX photo_downloads_due ON photo_downloads(next_try_at);

-- Photos sent before this version: Telegram still has them, so the city gets them too.
INSERT INTO photo_downloads (photo_id, next_try_at) SELECT id, created_at FROM photos;
