-- bot.content (CityContent): the city's own content, laid over the shipped documents and amounts by name.
-- City data, not resident data: 「データを削除」 (forget) and the retention purge never touch these tables.
-- content_documents: one row per document name and status (a draft under review, the published copy);
-- markdown is the whole document with its front matter, source_text the plain text of the imported file.
CREATE TABLE IF NOT EXISTS content_documents (
   name TEXT NOT NULL,
   status TEXT NOT NULL,
   title TEXT NOT NULL,
   kind TEXT NOT NULL DEFAULT 'program',
   jurisdiction TEXT NOT NULL DEFAULT '',
   source_date TEXT NOT NULL DEFAULT '',
   markdown TEXT NOT NULL,
   source_text TEXT NOT NULL DEFAULT '',
   source_file TEXT NOT NULL DEFAULT '',
   updated_at TEXT NOT NULL,
   updated_by TEXT NOT NULL DEFAULT '',
   PRIMARY KEY (name, status)
);
-- content_amount_periods: an amounts period a city adds to a program of knowledge/amounts.yaml; body is the
-- period as JSON in the shape of amounts.yaml (first/second/third bands or rows, notes)
CREATE TABLE IF NOT EXISTS content_amount_periods (
   program TEXT NOT NULL,
   starts TEXT NOT NULL,
   source TEXT NOT NULL,
   body TEXT NOT NULL,
   added_at TEXT NOT NULL,
   added_by TEXT NOT NULL DEFAULT '',
   PRIMARY KEY (program, starts)
);
-- content_version: one row; every published change increments it, so each serving process sees a change
-- with one cheap query and reloads its index
CREATE TABLE IF NOT EXISTS content_version (
   id INTEGER PRIMARY KEY,
   version INTEGER NOT NULL,
   changed_at TEXT NOT NULL
);
INSERT INTO content_version (id, version, changed_at) VALUES (1, 0, '') ON CONFLICT (id) DO NOTHING
