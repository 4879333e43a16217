-- The schema as release b2eb11d created it, table by table (before numbered migrations existed). Every
-- statement is "IF NOT EXISTS": on a database from that release it creates only what is missing.

-- bot.events: every webhook event LINE delivered, sealed, until answered (then its id, for dedupe)
CREATE TABLE IF NOT EXISTS bot_events (
   webhook_event_id TEXT PRIMARY KEY,
   chat_key TEXT NOT NULL,
   event_type TEXT NOT NULL,
   event_ts INTEGER,
   received_at TEXT,
   status TEXT NOT NULL,
   payload TEXT,
   attempts INTEGER,
   last_error TEXT,
   finished_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_bot_events_status ON bot_events (status);
CREATE INDEX IF NOT EXISTS idx_bot_events_received_at ON bot_events (received_at);

-- bot.delivery: each outgoing batch with the retry key it keeps for life
CREATE TABLE IF NOT EXISTS bot_outbox (
   retry_key TEXT PRIMARY KEY,
   webhook_event_id TEXT,
   kind TEXT NOT NULL,
   to_ref TEXT,
   messages TEXT,
   status TEXT NOT NULL,
   method TEXT,
   attempts INTEGER,
   last_error TEXT,
   created_at TEXT,
   updated_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_bot_outbox_webhook_event_id ON bot_outbox (webhook_event_id);
CREATE INDEX IF NOT EXISTS idx_bot_outbox_status ON bot_outbox (status);

-- handoff.store: escalated threads, their transcripts and counselor notes
CREATE TABLE IF NOT EXISTS handoff_threads (
   id INTEGER PRIMARY KEY,
   user_key TEXT NOT NULL,
   user_ref TEXT NOT NULL,
   status TEXT NOT NULL,
   urgent INTEGER NOT NULL,
   reason TEXT NOT NULL,
   categories TEXT NOT NULL,
   facts TEXT,
   programs TEXT,
   claimed_by TEXT,
   created_at TEXT NOT NULL,
   claimed_at TEXT,
   resolved_at TEXT,
   last_message_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_handoff_threads_user_key ON handoff_threads (user_key);
CREATE INDEX IF NOT EXISTS idx_handoff_threads_status_urgent_created_at
    ON handoff_threads (status, urgent, created_at);

CREATE TABLE IF NOT EXISTS handoff_messages (
   id INTEGER PRIMARY KEY,
   thread_id INTEGER NOT NULL,
   sender TEXT NOT NULL,
   text TEXT NOT NULL,
   at TEXT NOT NULL,
   author TEXT,
   delivery TEXT,
   retry_key TEXT
);
CREATE INDEX IF NOT EXISTS idx_handoff_messages_thread_id ON handoff_messages (thread_id);
CREATE UNIQUE INDEX IF NOT EXISTS idx_handoff_messages_retry_key ON handoff_messages (retry_key);

CREATE TABLE IF NOT EXISTS handoff_notes (
   id INTEGER PRIMARY KEY,
   thread_id INTEGER NOT NULL,
   author TEXT NOT NULL,
   text TEXT NOT NULL,
   at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_handoff_notes_thread_id ON handoff_notes (thread_id);

-- handoff.audit: who did what on the dashboard and the CLI (never message text)
CREATE TABLE IF NOT EXISTS handoff_audit (
   id INTEGER PRIMARY KEY,
   at TEXT NOT NULL,
   actor TEXT NOT NULL,
   action TEXT NOT NULL,
   thread_id INTEGER,
   detail TEXT NOT NULL
);

-- handoff.accounts: counselor accounts
CREATE TABLE IF NOT EXISTS handoff_accounts (
   name TEXT PRIMARY KEY,
   password_hash TEXT NOT NULL,
   role TEXT NOT NULL,
   active INTEGER NOT NULL DEFAULT 1,
   failed_logins INTEGER NOT NULL DEFAULT 0,
   locked_until TEXT,
   created_at TEXT NOT NULL,
   password_changed_at TEXT NOT NULL
);

-- intents.dialogue: the household-facts dialogue state per resident
CREATE TABLE IF NOT EXISTS intents_dialogues (
   user_key TEXT PRIMARY KEY,
   state TEXT,
   updated_at TEXT
);

-- bot.conversation: unanswered questions in a row per resident
CREATE TABLE IF NOT EXISTS bot_conversations (
   user_key TEXT PRIMARY KEY,
   unanswered INTEGER NOT NULL,
   updated_at TEXT NOT NULL
)
