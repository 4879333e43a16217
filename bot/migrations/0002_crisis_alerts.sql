-- handoff.alerts: one row per urgent thread whose on-call alert was sent (kinds only, never resident text)
CREATE TABLE IF NOT EXISTS handoff_alerts (
   thread_id INTEGER PRIMARY KEY,
   user_key TEXT NOT NULL,
   kinds TEXT NOT NULL,
   created_at TEXT NOT NULL,
   email TEXT NOT NULL DEFAULT 'none',
   webhook TEXT NOT NULL DEFAULT 'none'
);
CREATE INDEX IF NOT EXISTS idx_handoff_alerts_user_key ON handoff_alerts (user_key)
