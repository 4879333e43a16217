-- bot.events: events flagged at acceptance (a crisis in a 1:1 text) are taken first, live and after a restart
ALTER TABLE bot_events ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS idx_bot_events_status_priority ON bot_events (status, priority)
