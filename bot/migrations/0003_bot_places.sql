-- bot.conversation: the place a resident last named in a question, so later answers keep to its windows
CREATE TABLE IF NOT EXISTS bot_places (
   user_key TEXT PRIMARY KEY,
   place TEXT NOT NULL,
   updated_at TEXT NOT NULL
)
