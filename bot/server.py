"""`yorisoi serve`: gunicorn run from Python, with the app built by `bot.app.create_app`.

One process by default, on purpose. The worker pool that answers events lives inside the serving process:
it keeps each chat's events in order in memory, and on start it re-queues every event that was acknowledged
but not answered. Two processes would each re-queue the same events at startup and could work on one
resident's messages at the same time, out of order. The outbox keeps LINE from showing a batch twice, but the
conversation would still see the event twice. One process with threads (gthread) is plenty: the webhook only
verifies, stores and queues, and measured throughput on 2 cores is in the README. Running more than one
instance needs the queue moved out of process (see README, "More than one instance").
"""

from __future__ import annotations

import logging
import multiprocessing
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.config import Settings

log = logging.getLogger(__name__)


def _worker_exit(server: Any, worker: Any) -> None:
    """Let in-flight answers finish on a graceful stop; anything left is recovered on the next start."""
    app = getattr(worker, "wsgi", None)
    core = getattr(app, "extensions", {}).get("yorisoi") if app is not None else None
    if core is not None:
        core.close()


class YorisoiServer(BaseApplication):
    """A gunicorn application whose WSGI app is built in the worker (after fork, so its threads survive)."""

    def __init__(self, settings: Settings, host: str, port: int, workers: int = 1, threads: int = 8) -> None:
        self.settings = settings
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "timeout": 60,
            "graceful_timeout": 20,
            "keepalive": 5,
            "backlog": 2048,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "info",
            "preload_app": False,
            "worker_exit": _worker_exit,
            # gunicorn's runtime control socket is shared per user ($HOME/.gunicorn): several servers on one
            # machine (tests, bench) would fight over it, and nothing here uses it.
            "control_socket_disable": True,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from bot.app import create_app

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        return create_app(self.settings)


def _refresh_index(data_dir: str, embedder: str) -> None:
    from knowledge import build_index, load_embedder

    stats = build_index(Path(data_dir), load_embedder(embedder))
    print(f"knowledge index: {stats['reason']} ({stats['chunks']} chunks)", flush=True)


def refresh_index(settings: Settings) -> None:
    """Build or refresh the index before gunicorn starts, in a separate (spawned) process.

    A rebuild after the documents changed takes minutes, longer than gunicorn lets a worker boot, so it must
    not happen inside the worker; and FAISS's OpenMP threads must not be inherited by forked workers.
    """
    process = multiprocessing.get_context("spawn").Process(
        target=_refresh_index, args=(str(settings.data_dir), settings.embedder), name="yorisoi-index"
    )
    process.start()
    process.join()
    if process.exitcode != 0:
        raise RuntimeError(f"building the knowledge index failed (exit code {process.exitcode})")


def serve(settings: Settings, host: str, port: int, workers: int = 1, threads: int = 8) -> None:
    refresh_index(settings)
    YorisoiServer(settings, host, port, workers, threads).run()
