"""ResidentIdentity: stable pseudonyms, sealing that only opens with the right key and purpose."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from handoff import ResidentIdentity, SealError, SecretKeyError, generate_secret_key, require_secret_key

LINE_ID = "U0123456789abcdef0123456789abcdef"


def test_user_key_is_a_stable_keyed_hash() -> None:
    key = generate_secret_key()
    first, again = ResidentIdentity(key).user_key(LINE_ID), ResidentIdentity(key).user_key(LINE_ID)
    assert first == again
    assert len(first) == 64 and all(c in "0123456789abcdef" for c in first)
    assert LINE_ID not in first
    assert ResidentIdentity(key).user_key(LINE_ID + "x") != first
    assert ResidentIdentity(generate_secret_key()).user_key(LINE_ID) != first


def test_seal_round_trips_and_is_randomised() -> None:
    identity = ResidentIdentity(generate_secret_key())
    token, other = identity.seal(LINE_ID), identity.seal(LINE_ID)
    assert token != other
    assert token.isascii() and LINE_ID not in token
    assert identity.unseal(token) == LINE_ID == identity.unseal(other)
    assert identity.unseal(identity.seal("日本語も😀OK")) == "日本語も😀OK"


def test_wrong_key_tampering_and_wrong_purpose_fail() -> None:
    identity = ResidentIdentity(generate_secret_key())
    token = identity.seal(LINE_ID)
    with pytest.raises(SealError):
        ResidentIdentity(generate_secret_key()).unseal(token)
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(SealError):
        identity.unseal(tampered)
    with pytest.raises(SealError):
        identity.unseal(token, purpose="handoff-text")
    for garbage in ("", "v1.", "v1.!!!!", LINE_ID, "v2." + token[3:]):
        with pytest.raises(SealError):
            identity.unseal(garbage)


def test_generated_keys_are_long_and_distinct() -> None:
    keys = {generate_secret_key() for _ in range(20)}
    assert len(keys) == 20
    assert all(len(key) >= 40 for key in keys)


def test_empty_key_is_refused() -> None:
    with pytest.raises(SecretKeyError):
        ResidentIdentity("")
    with pytest.raises(SecretKeyError):
        ResidentIdentity("   ")


def test_local_mode_key_file_is_private_and_reused(tmp_path: Path) -> None:
    first = ResidentIdentity.for_local_mode(tmp_path)
    key_file = tmp_path / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = ResidentIdentity.for_local_mode(tmp_path)
    assert again.user_key(LINE_ID) == first.user_key(LINE_ID)
    assert again.unseal(first.seal(LINE_ID)) == LINE_ID


def test_local_mode_tightens_a_loose_key_file(tmp_path: Path) -> None:
    key_file = tmp_path / "secret.key"
    key_file.write_text(generate_secret_key())
    os.chmod(key_file, 0o644)
    ResidentIdentity.for_local_mode(tmp_path)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_concurrent_first_start_agrees_on_one_key(tmp_path: Path) -> None:
    results: list[str] = []

    def start() -> None:
        results.append(ResidentIdentity.for_local_mode(tmp_path).user_key(LINE_ID))

    workers = [threading.Thread(target=start) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(set(results)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["secret.key"]


def test_production_refuses_to_start_without_a_strong_key(tmp_path: Path) -> None:
    with pytest.raises(SecretKeyError, match="YORISOI_SECRET_KEY is not set"):
        require_secret_key("", local_mode=False, data_dir=tmp_path)
    with pytest.raises(SecretKeyError, match="shorter"):
        require_secret_key("short", local_mode=False, data_dir=tmp_path)
    assert not (tmp_path / "secret.key").exists()
    strong = generate_secret_key()
    identity = require_secret_key(strong, local_mode=False, data_dir=tmp_path)
    assert identity.user_key(LINE_ID) == ResidentIdentity(strong).user_key(LINE_ID)


def test_local_mode_falls_back_to_the_key_file(tmp_path: Path) -> None:
    identity = require_secret_key("", local_mode=True, data_dir=tmp_path)
    assert (tmp_path / "secret.key").exists()
    assert identity.user_key(LINE_ID) == ResidentIdentity.for_local_mode(tmp_path).user_key(LINE_ID)
