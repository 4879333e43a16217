-- bot.content (CityContent): the windows a city keeps for the places of knowledge/places.yaml, laid over the
-- shipped ones by place (a place with none in places.yaml gets one). City data, not resident data, like
-- content_documents (0006): 「データを削除」 (forget) and the retention purge never touch this table.
-- place: a prefecture or municipality of the register, in its spelling (金沢市); window: the office's name;
-- phone: its number(s) as printed; hours, address: as the source states them (may be empty); source: the
-- page the facts were read from (required)
CREATE TABLE IF NOT EXISTS content_contacts (
   place TEXT NOT NULL PRIMARY KEY,
   window_name TEXT NOT NULL,
   phone TEXT NOT NULL,
   hours TEXT NOT NULL DEFAULT '',
   address TEXT NOT NULL DEFAULT '',
   source TEXT NOT NULL,
   updated_at TEXT NOT NULL,
   updated_by TEXT NOT NULL DEFAULT ''
)
