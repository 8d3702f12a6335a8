"""Source systems and their API keys. Only SHA-256 hashes of keys are configured, so the
configuration file reveals no usable key; a key or a whole source can be revoked."""

import hashlib
import hmac
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from services import config
from services.config import ConfigError

__all__ = ["ApiKey", "Source", "SourceRegistry", "hash_key", "load_sources"]


class ApiKey(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    revoked: bool = False


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    name: str
    keys: tuple[ApiKey, ...] = Field(min_length=1)
    revoked: bool = False
    rate_per_second: float = Field(default=20.0, gt=0)
    burst: int = Field(default=100, ge=1)


class _SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[Source]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class SourceRegistry:
    def __init__(self, sources: list[Source]) -> None:
        self._sources = sources

    def authenticate(self, presented_key: str | None) -> Source | None:
        """The live source owning this key, or None for a missing, unknown or revoked key."""
        if not presented_key:
            return None
        digest = hash_key(presented_key)
        match: Source | None = None
        # Compare against every key so the time taken does not reveal which one matched.
        for source in self._sources:
            for key in source.keys:
                if hmac.compare_digest(digest, key.sha256) and not (key.revoked or source.revoked):
                    match = source
        return match


def load_sources(path: Path) -> SourceRegistry:
    parsed = config.load(path, _SourcesFile)
    ids = [source.id for source in parsed.sources]
    if duplicates := sorted({source_id for source_id in ids if ids.count(source_id) > 1}):
        raise ConfigError([f"{path}: sources: duplicate source ids: {', '.join(duplicates)}"])
    return SourceRegistry(parsed.sources)
