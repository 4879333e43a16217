-- handoff.insights: every answered question (texts sealed, the masked copy sealed too), and feedback counts
-- per week, program and source (counts only, nothing of a resident)
CREATE TABLE IF NOT EXISTS handoff_questions (
   id INTEGER PRIMARY KEY,
   user_key TEXT NOT NULL,
   asked_at TEXT NOT NULL,
   week TEXT NOT NULL,
   program TEXT NOT NULL DEFAULT '',
   source TEXT NOT NULL DEFAULT '',
   confident INTEGER NOT NULL,
   escalated INTEGER NOT NULL DEFAULT 0,
   feedback TEXT,
   text TEXT NOT NULL,
   masked TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_handoff_questions_user_key ON handoff_questions (user_key);
CREATE INDEX IF NOT EXISTS idx_handoff_questions_asked_at ON handoff_questions (asked_at);
CREATE TABLE IF NOT EXISTS handoff_feedback_counts (
   week TEXT NOT NULL,
   program TEXT NOT NULL,
   source TEXT NOT NULL,
   helpful INTEGER NOT NULL DEFAULT 0,
   unhelpful INTEGER NOT NULL DEFAULT 0,
   PRIMARY KEY (week, program, source)
)
