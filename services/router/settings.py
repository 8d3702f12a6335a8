"""Router settings, read from SAFEGUARD_* environment variables."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["RouterSettings"]


class RouterSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_", extra="ignore")

    kafka_bootstrap: str = "127.0.0.1:9092"
    config_dir: Path = Path("config/dienbien")
    router_app_id: str = "safeguard-router"
    # memory:// replays the changelog at start; rocksdb:// keeps a local copy (production).
    router_store: str = "memory://"
    router_data_dir: Path = Path(".var/router")
    router_web_bind: str = "127.0.0.1"
    router_web_port: int = 9101
    log_level: str = "INFO"
