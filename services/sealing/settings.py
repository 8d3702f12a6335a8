"""Sealing settings, read from SAFEGUARD_SEALING_* environment variables."""

import os
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.sealing.kek import KekRing
from services.sealing.kek_sources import (
    default_kek_file,
    local_kek_ring,
    secret_directory_kek_ring,
)
from services.sealing.retention import RetentionPolicy

__all__ = ["KekSource", "SealingSettings", "kek_ring"]


class KekSource(StrEnum):
    FILE = "file"  # make run: generated on first start, outside the repository
    DIRECTORY = "directory"  # production: a Kubernetes Secret mounted as a directory


class SealingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_SEALING_", extra="ignore")

    kek_source: KekSource = KekSource.FILE
    kek_file: Path = Field(default_factory=lambda: default_kek_file(os.environ))
    kek_directory: Path = Path("/var/run/secrets/safeguard/kek")
    # Placeholders until the province decides them (Decree 13/2023 asks for "no longer than
    # the purpose needs"); counted from the case's last activity.
    retention_days: int = Field(default=5 * 365, ge=1)
    court_retention_days: int = Field(default=20 * 365, ge=1)
    replay_timeout_seconds: float = 120.0

    @model_validator(mode="after")
    def _court_keeps_at_least_as_long(self) -> Self:
        self.retention_policy()  # raises ValueError with the reason
        return self

    def retention_policy(self) -> RetentionPolicy:
        return RetentionPolicy(
            default=timedelta(days=self.retention_days),
            court=timedelta(days=self.court_retention_days),
        )


def kek_ring(settings: SealingSettings) -> KekRing:
    """The KEK ring from the configured source (reads or creates files: call it at start)."""
    if settings.kek_source is KekSource.DIRECTORY:
        return secret_directory_kek_ring(settings.kek_directory)
    return local_kek_ring(settings.kek_file)
