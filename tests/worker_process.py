"""A `yorisoi worker` process with the scripted conversation, for the multi-process tests:
`python tests/worker_process.py THREADS` with the worker's settings in the environment."""

from __future__ import annotations

import sys

from fake_line import ScriptedConversation

from bot.config import Settings
from bot.server import run_worker

if __name__ == "__main__":
    run_worker(
        Settings.from_env(worker_mode="process", testing=True), int(sys.argv[1]), None, ScriptedConversation
    )
