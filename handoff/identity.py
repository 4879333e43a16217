"""Pseudonymous resident identity: a keyed hash to look residents up, AES-GCM to keep what must be reversible.

A leaked database file must not name anyone. So no table holds a LINE user id: stores key residents by
`user_key` (HMAC-SHA256 under a key derived from YORISOI_SECRET_KEY), and the one thing that has to be turned
back into a LINE id later (the push target) is sealed with AES-GCM under another derived key.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_FILE = "secret.key"
MIN_PRODUCTION_KEY_LENGTH = 32
TOKEN_PREFIX = "v1."
_NONCE_BYTES = 12


class SecretKeyError(RuntimeError):
    """The secret key is missing or too weak for production; the message says how to make one."""


class SealError(ValueError):
    """A sealed token could not be opened: wrong key, tampered, or not a token at all."""


def generate_secret_key() -> str:
    """A fresh random key (256 bits, URL-safe text) suitable for YORISOI_SECRET_KEY."""
    return secrets.token_urlsafe(32)


def _derive(secret_key: str, purpose: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"yorisoi", info=purpose)
    return hkdf.derive(secret_key.encode("utf-8"))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ResidentIdentity:
    """Keyed hashing and sealing under one secret; separate sub-keys so one use never weakens the other."""

    def __init__(self, secret_key: str) -> None:
        if not secret_key or not secret_key.strip():
            raise SecretKeyError("The secret key is empty.")
        self._hash_key = _derive(secret_key, b"yorisoi user_key v1")
        self._aead = AESGCM(_derive(secret_key, b"yorisoi seal v1"))

    @classmethod
    def for_local_mode(cls, data_dir: Path) -> ResidentIdentity:
        """Read the data directory's key file, creating it (mode 0600) on first use; local mode only."""
        return cls(read_or_create_key_file(Path(data_dir) / KEY_FILE))

    def user_key(self, line_user_id: str) -> str:
        """The stable pseudonym of a LINE user: HMAC-SHA256, hex."""
        return hmac.new(self._hash_key, line_user_id.encode("utf-8"), hashlib.sha256).hexdigest()

    def seal(self, value: str, *, purpose: str = "user_ref") -> str:
        """Encrypt `value` into an ASCII token; `purpose` is bound in: a token opens only for its purpose."""
        nonce = os.urandom(_NONCE_BYTES)
        ciphertext = self._aead.encrypt(nonce, value.encode("utf-8"), purpose.encode("utf-8"))
        return TOKEN_PREFIX + _b64encode(nonce + ciphertext)

    def unseal(self, token: str, *, purpose: str = "user_ref") -> str:
        """Decrypt a token made by `seal` with the same key and purpose; `SealError` otherwise."""
        if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX):
            raise SealError("not a sealed token")
        try:
            raw = _b64decode(token[len(TOKEN_PREFIX) :])
            plaintext = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], purpose.encode("utf-8"))
        except (InvalidTag, ValueError, binascii.Error) as error:
            raise SealError("the token does not open with this key") from error
        return plaintext.decode("utf-8")


def read_or_create_key_file(path: Path) -> str:
    """Return the key stored at `path`, creating it atomically with mode 0600 if absent.

    Several workers may start at once: the key is written to a private temporary file and hard-linked into
    place, so exactly one key wins and nobody reads a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(generate_secret_key() + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o600)
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise SecretKeyError(f"The key file {path} is empty; delete it to have a new key made.")
    return key


def require_secret_key(secret_key: str, *, local_mode: bool, data_dir: Path) -> ResidentIdentity:
    """The identity the service runs with; refuses to run in production without a strong YORISOI_SECRET_KEY.

    Local mode (the emulator on a developer's machine) falls back to a key file in the data directory.
    """
    if secret_key:
        if not local_mode and len(secret_key) < MIN_PRODUCTION_KEY_LENGTH:
            raise SecretKeyError(
                f"YORISOI_SECRET_KEY is shorter than {MIN_PRODUCTION_KEY_LENGTH} characters. "
                "Generate one with `yorisoi secret-key` and keep it in the environment."
            )
        return ResidentIdentity(secret_key)
    if local_mode:
        return ResidentIdentity.for_local_mode(data_dir)
    raise SecretKeyError(
        "YORISOI_SECRET_KEY is not set. Production refuses to start without it, because LINE user ids are "
        "stored only encrypted under this key. Generate one with `yorisoi secret-key`, put it in the "
        "environment, and keep a copy safe: without it, stored threads cannot be answered."
    )
