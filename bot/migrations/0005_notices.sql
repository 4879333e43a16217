-- handoff.subscriptions: opt-in notices. A resident's subscriptions (kept until they stop, block the bot or
-- delete their data; the thread retention job leaves them alone), the notice runs admins write, and one row
-- per recipient of a run (claimed in the same transaction as its outbox batch, so nobody gets a run twice)
CREATE TABLE IF NOT EXISTS handoff_subscriptions (
   user_key TEXT NOT NULL,
   topic TEXT NOT NULL,
   user_ref TEXT NOT NULL,
   created_at TEXT NOT NULL,
   PRIMARY KEY (user_key, topic)
);
CREATE INDEX IF NOT EXISTS idx_handoff_subscriptions_topic ON handoff_subscriptions (topic);
CREATE TABLE IF NOT EXISTS handoff_notice_runs (
   id INTEGER PRIMARY KEY,
   topic TEXT NOT NULL,
   body TEXT NOT NULL,
   send_at TEXT NOT NULL,
   status TEXT NOT NULL,
   created_by TEXT NOT NULL,
   created_at TEXT NOT NULL,
   claimed_by TEXT,
   lease_until TEXT,
   started_at TEXT,
   finished_at TEXT,
   targeted INTEGER NOT NULL DEFAULT 0,
   sent INTEGER NOT NULL DEFAULT 0,
   failed INTEGER NOT NULL DEFAULT 0,
   skipped INTEGER NOT NULL DEFAULT 0,
   stop_reason TEXT
);
CREATE INDEX IF NOT EXISTS idx_handoff_notice_runs_status ON handoff_notice_runs (status, send_at);
CREATE TABLE IF NOT EXISTS handoff_notice_recipients (
   run_id INTEGER NOT NULL,
   user_key TEXT NOT NULL,
   user_ref TEXT NOT NULL,
   retry_key TEXT NOT NULL,
   status TEXT NOT NULL,
   updated_at TEXT NOT NULL,
   PRIMARY KEY (run_id, user_key)
);
CREATE INDEX IF NOT EXISTS idx_handoff_notice_recipients_user_key ON handoff_notice_recipients (user_key)
