"""`yorisoi serve` (gunicorn run from Python, the app built by `bot.app.create_app`) and `yorisoi worker`.

The web process only verifies, stores and acknowledges; answers (the embedding, the conversation, LINE calls)
are computed by `yorisoi worker` processes that claim events from the store under a lease (bot/worker.py), so
the webhook never waits on an embedding and shares no GIL with it. `serve` starts one such worker itself and
restarts it if it dies (`WorkerSupervisor`); `serve --no-worker` serves only, for a web node beside workers
on other machines. Several web nodes and workers share one PostgreSQL (README, "More than one machine"); on
SQLite they share the file on one machine. `--in-process` keeps the older one-process form (an in-memory
queue).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.config import Settings

log = logging.getLogger(__name__)


class WorkerSupervisor:
    """Runs `yorisoi worker` as a child process and starts it again whenever it exits, until `stop`.

    The worker watches its parent (--parent) and exits if `serve` is gone, even after a kill -9.
    gunicorn's master reaps any child that exits, so `Popen.poll` may report it as exit 0: either way it is
    started again.
    """

    def __init__(
        self,
        threads: int,
        niceness: int = 0,
        env: dict[str, str] | None = None,
        restart_delay: float = 1.0,
    ) -> None:
        self._command = [
            sys.executable,
            "-m",
            "bot.cli",
            "worker",
            "--parent",
            str(os.getpid()),
            "--threads",
            str(threads),
            "--nice",
            str(min(19, max(0, niceness))),
        ]
        self._env = {**os.environ, **(env or {})}
        self._restart_delay = restart_delay
        self._stopping = threading.Event()
        self._process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        threading.Thread(target=self._run, name="yorisoi-worker-supervisor", daemon=True).start()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._process = subprocess.Popen(self._command, env=self._env)
            self.starts += 1
            while self._process.poll() is None and not self._stopping.wait(0.5):
                pass
            if not self._stopping.is_set():
                log.warning("the answer worker exited (%s); starting it again", self._process.returncode)
                self._stopping.wait(self._restart_delay)

    def stop(self, timeout: float = 25.0) -> None:
        self._stopping.set()
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()


def _worker_exit(server: Any, worker: Any) -> None:
    """Let in-flight answers finish on a graceful stop; anything left is recovered on the next start."""
    app = getattr(worker, "wsgi", None)
    core = getattr(app, "extensions", {}).get("yorisoi") if app is not None else None
    if core is not None:
        core.close()


class YorisoiServer(BaseApplication):
    """A gunicorn application whose WSGI app is built in the worker (after fork, so its threads survive)."""

    def __init__(
        self,
        settings: Settings,
        host: str,
        port: int,
        workers: int = 1,
        threads: int = 8,
        supervisor: WorkerSupervisor | None = None,
    ) -> None:
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
            "on_exit": lambda server: supervisor.stop() if supervisor is not None else None,
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


def worker_env(settings: Settings) -> dict[str, str]:
    """What the worker `serve` starts must read like `serve` did: `--local` is a flag of `serve`, so in local
    mode the worker is told so (it reads the same generated secrets from the data directory) and where the
    emulator answers."""
    if not settings.local_mode:
        return {}
    return {"YORISOI_LOCAL": "1", "PORT": str(settings.port), "LINE_API_BASE_URL": settings.line_api_base_url}


def serve(
    settings: Settings, host: str, port: int, workers: int = 1, threads: int = 8, answer_worker: bool = True
) -> None:
    """Serve; in "process" worker mode with `answer_worker`, also run a supervised `yorisoi worker` (which
    refreshes the index itself: a web-only process needs none)."""
    supervisor = None
    if settings.worker_mode == "thread":
        refresh_index(settings)
    elif answer_worker:
        supervisor = WorkerSupervisor(settings.worker_threads, settings.worker_nice, worker_env(settings))
        supervisor.start()
    YorisoiServer(settings, host, port, workers, threads, supervisor).run()


def run_worker(
    settings: Settings, threads: int, parent: int | None = None, conversation_factory: Any = None
) -> None:
    """`yorisoi worker`: answer events from the shared store until SIGTERM/SIGINT (or the parent is gone).

    Claims start at once; the index refresh and the conversation load run meanwhile (`LoadingResponder`).
    `conversation_factory` (default: the real router, after refreshing the index) lets the multi-process
    tests run scripted workers. Exits with status 1 if the conversation cannot be loaded.
    """
    import signal

    from bot.services import build_conversation, build_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    done = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: done.set())
    if conversation_factory is None:
        worker = build_worker(settings, build_conversation, threads, prepare=lambda: refresh_index(settings))
    else:
        worker = build_worker(settings, conversation_factory, threads)
    worker.leased.start()
    log.info(
        "answer worker %s claiming (%d threads, %s, lease %.0fs); loading the conversation",
        worker.leased.owner,
        threads or settings.worker_threads,
        worker.stores.db.backend,
        settings.worker_lease,
    )
    announced = False
    try:
        while not done.wait(1.0):
            if worker.conversation.failed is not None:
                raise SystemExit(1)
            if not announced and worker.conversation.ready:
                worker.leased.announce()
                log.info("answer worker %s ready", worker.leased.owner)
                announced = True
            if parent is not None and os.getppid() != parent:
                log.warning("the serving process is gone; the worker stops")
                break
    finally:
        worker.close()
