"""Notifier settings (worker and HTTP front), read from SAFEGUARD_* environment variables."""

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["NotifierSettings"]


class NotifierSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_", extra="ignore")

    kafka_bootstrap: str = "127.0.0.1:9092"
    config_dir: Path = Path("config/dienbien")
    notifier_app_id: str = "safeguard-notifier"
    notifier_store: str = "memory://"
    notifier_data_dir: Path = Path(".var/notifier")
    notifier_web_bind: str = "127.0.0.1"
    notifier_web_port: int = 9102
    # The HTTP front as officers and Twilio reach it: links and callbacks are built from it.
    public_base_url: str = "http://127.0.0.1:8001"
    link_secret: SecretStr = SecretStr("dev-only-link-secret-change-me-0123456789")
    link_valid_hours: int = 24
    # Ops and integrations calling GET /v1/alerts and POST /v1/alerts/{id}/ack.
    ops_api_keys_sha256: list[str] = []
    twilio_account_sid: str = "AC" + "0" * 32
    twilio_auth_token: SecretStr = SecretStr("standin-auth-token")
    twilio_from: str = "SAFEGUARD"  # an alphanumeric sender ID, as Vietnam requires
    twilio_messaging_service_sid: str | None = None
    twilio_base_url: str | None = None  # the local stand-in; None means api.twilio.com
    # The sender receives replies; officers also need two_way_sms: true (README, two-way SMS).
    twilio_two_way: bool = False  # Twilio has no two-way SMS in Vietnam
    # Segments per second of the one sender when delivery.yaml lists none: a long code sends
    # about one segment a second, and a Vietnamese SMS is often three or four segments.
    sms_per_second: float = 1.0
    sms_unaccented: bool = False
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_ca_file: Path | None = None  # trust a private CA (the local mailbox's certificate)
    smtp_from: str = "safeguard@example.invalid"
    log_level: str = "INFO"
