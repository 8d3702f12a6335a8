"""Intake settings, read from SAFEGUARD_* environment variables."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["IntakeSettings"]


class IntakeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_", extra="ignore")

    kafka_bootstrap: str = "127.0.0.1:9092"
    sources_file: Path = Path("config/sources.yaml")
    # The province's directory (units, schools), to warn a source of a code nobody knows.
    config_dir: Path = Path("config/dienbien")
    publish_timeout_seconds: float = 5.0
    kafka_request_timeout_seconds: float = 10.0
    max_body_bytes: int = 64 * 1024
    max_batch_items: int = 100
    retry_after_seconds: int = 5
    # Refused API keys allowed per client address: a burst, then one every 6 seconds.
    auth_failures_burst: int = 10
    auth_failures_per_second: float = 1 / 6
    log_level: str = "INFO"
