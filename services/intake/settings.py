"""Intake settings, read from SAFEGUARD_* environment variables."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["IntakeSettings"]


class IntakeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_", extra="ignore")

    kafka_bootstrap: str = "127.0.0.1:9092"
    sources_file: Path = Path("config/sources.yaml")
    publish_timeout_seconds: float = 5.0
    kafka_request_timeout_seconds: float = 10.0
    max_body_bytes: int = 64 * 1024
    max_batch_items: int = 100
    retry_after_seconds: int = 5
    log_level: str = "INFO"
