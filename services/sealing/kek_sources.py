"""Where the KEK ring comes from: a file made on first start for `make run`, or a directory
mounted from a Kubernetes Secret in production (one file per KEK version, plus `active`)."""

import base64
import binascii
import os
import secrets
import stat
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, ValidationError

from services.sealing.kek import Kek, KekRing

__all__ = [
    "KekSourceError",
    "add_local_kek",
    "default_kek_file",
    "local_kek_ring",
    "secret_directory_kek_ring",
]

ACTIVE = "active"


class KekSourceError(RuntimeError):
    """The KEKs cannot be read; the message says what to fix."""


class _KekFile(BaseModel):
    active: str
    keks: dict[str, str]  # KEK id -> base64 256-bit key


def default_kek_file(environ: Mapping[str, str]) -> Path:
    """Outside any checkout: $XDG_DATA_HOME/safeguard/kek.json, else ~/.local/share/..."""
    data_home = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "safeguard" / "kek.json"


def local_kek_ring(path: Path) -> KekRing:
    """The ring in `path`, created with one fresh KEK (mode 0600) if the file is missing."""
    if not path.exists():
        _create(path, _KekFile(active="", keks={}))
        add_local_kek(path)
    document = _read(path)
    try:
        keks = [Kek(kek_id, _decode(kek_id, text)) for kek_id, text in document.keks.items()]
        return KekRing(keks, document.active)
    except ValueError as error:
        raise KekSourceError(f"{path}: {error}") from error


def add_local_kek(path: Path) -> str:
    """Add a new KEK version to the file and make it the active one; return its id. The old
    versions stay until every data key is re-wrapped (services.sealing.rotation)."""
    document = _read(path)
    kek_id = f"local-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"
    secret = AESGCM.generate_key(bit_length=256)
    document.keks[kek_id] = base64.b64encode(secret).decode()
    document.active = kek_id
    replacement = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    _create(replacement, document)
    os.replace(replacement, path)
    return kek_id


def secret_directory_kek_ring(directory: Path) -> KekRing:
    """A Secret's keys as files: each KEK id holds a base64 256-bit key; `active` the id of
    the KEK that wraps new data keys. Kubernetes' own `..data` entries are skipped."""
    if not directory.is_dir():
        raise KekSourceError(f"{directory}: no KEK directory (is the Secret mounted?)")
    active_file = directory / ACTIVE
    if not active_file.is_file():
        raise KekSourceError(f"{directory}: no `{ACTIVE}` file naming the active KEK")
    keks = [
        Kek(entry.name, _decode(entry.name, entry.read_text(encoding="ascii")))
        for entry in sorted(directory.iterdir())
        if entry.name != ACTIVE and not entry.name.startswith(".") and entry.is_file()
    ]
    try:
        return KekRing(keks, active_file.read_text(encoding="ascii").strip())
    except ValueError as error:
        raise KekSourceError(f"{directory}: {error}") from error


def _create(path: Path, document: _KekFile) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(document.model_dump_json(indent=2) + "\n")


def _require_private(path: Path) -> None:
    mode = path.stat().st_mode
    if stat.S_IMODE(mode) & 0o077:
        raise KekSourceError(f"{path}: readable by others (mode {stat.S_IMODE(mode):o}); chmod 600")


def _read(path: Path) -> _KekFile:
    _require_private(path)
    try:
        return _KekFile.model_validate_json(path.read_bytes())
    except (OSError, ValidationError) as error:
        raise KekSourceError(f"{path}: not a KEK file ({type(error).__name__})") from error


def _decode(kek_id: str, text: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except binascii.Error as error:
        raise KekSourceError(f"KEK {kek_id}: not base64") from error
