"""`yorisoi serve` (granian run from Python, the app built by `bot.app.create_app`) and `yorisoi worker`.

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
from functools import wraps
from pathlib import Path
from typing import Any

from bot.config import Settings

log = logging.getLogger(__name__)


class WorkerSupervisor:
    """Runs `yorisoi worker` as a child process and starts it again whenever it exits, until `stop`.

    The worker watches its parent (--parent) and exits if `serve` is gone, even after a kill -9.
    A worker that exits for any reason, with any status, is started again.
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


class _ServingApp:
    """The WSGI app of one web process, built there (after fork, so its threads survive) and closed when the
    process stops, so in-flight answers of the in-process form finish; anything left is recovered on the next
    start."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app: Any = None

    def load(self) -> Any:
        from bot.app import create_app

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.app = create_app(self.settings)
        return self.app

    def close(self) -> None:
        core = self.app.extensions.get("yorisoi") if self.app is not None else None
        if core is not None:
            core.close()


class YorisoiServer:
    """granian (a Rust HTTP server) running the Flask app in `workers` processes of `threads` request threads.

    The HTTP parsing, keep-alive and connection handling run outside the GIL: during a webhook burst the web
    process's Python time goes to the webhook itself (gunicorn's threaded workers spent about 40 % of it on
    their own machinery). The master restarts a web process that dies and, on SIGTERM/SIGINT, stops them
    (20 s to finish their requests) and then the supervised answer worker.
    """

    def __init__(
        self,
        settings: Settings,
        host: str,
        port: int,
        workers: int = 1,
        threads: int = 4,
        supervisor: WorkerSupervisor | None = None,
    ) -> None:
        from granian.constants import HTTPModes, Interfaces
        from granian.server import Server

        self._serving = _ServingApp(settings)
        self._server = Server(
            "yorisoi",
            address=host,
            port=port,
            interface=Interfaces.WSGI,
            workers=workers,
            blocking_threads=threads,
            http=HTTPModes.http1,
            backlog=2048,
            log_access=False,
            respawn_failed_workers=True,
            workers_kill_timeout=20,
        )
        if supervisor is not None:
            self._server.on_shutdown(supervisor.stop)

    def run(self) -> None:
        """Serve until SIGTERM/SIGINT. granian has no hook for a web process's end, so its own WSGI process
        body (`_spawn_wsgi_worker` unwrapped; granian is pinned below 3 in pyproject.toml) runs inside one
        that closes the app after it."""
        from granian.server.mp import WorkerProcess

        if multiprocessing.get_start_method(allow_none=True) is None:
            # granian forks or spawns as multiprocessing does; the app loader is a closure, which only a
            # forked process receives (Python 3.14 defaults to forkserver).
            multiprocessing.set_start_method("fork")
        serving = self._serving
        serve_until_stopped = type(self._server)._spawn_wsgi_worker.__wrapped__

        @wraps(serve_until_stopped)
        def serve_then_close(*args: Any, **kwargs: Any) -> None:
            try:
                serve_until_stopped(*args, **kwargs)
            finally:
                serving.close()

        self._server.serve(
            spawn_target=WorkerProcess.wrap_target(serve_then_close),
            target_loader=serving.load,
            wrap_loader=False,
        )


def _refresh_index(data_dir: str, embedder: str) -> None:
    from knowledge import build_index, load_embedder

    stats = build_index(Path(data_dir), load_embedder(embedder))
    print(f"knowledge index: {stats['reason']} ({stats['chunks']} chunks)", flush=True)


def refresh_index(settings: Settings) -> None:
    """Build or refresh the index before the server starts, in a separate (spawned) process.

    A rebuild after the documents changed takes minutes, far longer than a web process should take to boot, so
    it must not happen inside one; and FAISS's OpenMP threads must not be inherited by forked web processes.
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
    settings: Settings, host: str, port: int, workers: int = 1, threads: int = 4, answer_worker: bool = True
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
