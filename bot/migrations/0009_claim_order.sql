-- bot.events: the index a worker's claim walks when no crisis is waiting (pending events in arrival order),
-- so taking the next event reads a few index entries instead of every pending event and its chat.
CREATE INDEX IF NOT EXISTS idx_bot_events_status_seq_id ON bot_events (status, seq, webhook_event_id)
