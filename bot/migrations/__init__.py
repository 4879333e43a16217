"""Numbered schema migrations, applied in order by `bot.database.migrate` (see README, "Migrations").

Each file is `NNNN_what_it_does.sql`: portable SQL (no SQLite-only syntax), statements separated by `;`,
no `;` inside a statement, `--` comments on their own lines. A file, once released, is never edited: a
change to the schema is a new file with the next number.
"""
