-- bot.events: answer workers in their own processes (any number, on any machine) claim events under a lease.
-- seq: the order events arrived in (the webhook numbers them), what a chat is answered in on every backend;
-- lease_owner / lease_until: which worker holds the event and until when (ISO UTC); an expired lease means
-- the worker died and another takes the event over. Nothing here names a resident.
ALTER TABLE bot_events ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bot_events ADD COLUMN lease_owner TEXT;
ALTER TABLE bot_events ADD COLUMN lease_until TEXT;
CREATE INDEX IF NOT EXISTS idx_bot_events_status_chat_key_seq ON bot_events (status, chat_key, seq)
;
-- Events a release before this one left pending keep their chat's order: LINE's timestamp, in seq's unit.
UPDATE bot_events SET seq = event_ts * 1000000 WHERE event_ts IS NOT NULL AND seq = 0
;
-- bot.worker: the answer worker processes alive now (their heartbeat) and whether their conversation has
-- loaded, for /healthz; no resident data, so forget has nothing here; a worker's row goes when it stops, a
-- killed one's at the next purge.
CREATE TABLE IF NOT EXISTS bot_workers (
   owner TEXT PRIMARY KEY,
   threads INTEGER NOT NULL,
   ready INTEGER NOT NULL DEFAULT 0,
   started_at TEXT NOT NULL,
   seen_at TEXT NOT NULL
)
