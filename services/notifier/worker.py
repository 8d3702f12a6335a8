"""`safeguard notifier`: load and check the rosters, then run the faust worker."""

import logging
import ssl
import sys
from datetime import timedelta

import faust
from prometheus_client import CollectorRegistry

from contracts.topics import ALERT_COMMANDS, ALERT_DISPATCH, ALERTS_REQUESTED
from services.config import ConfigError
from services.messaging.faust_app import prepare_changelogs
from services.messaging.lag import watch_lag
from services.notifier.agents import TABLES, register
from services.notifier.app import create_app
from services.notifier.channels import Channel, ChannelKind
from services.notifier.compose import ComposeConfig
from services.notifier.dispatcher import Dispatcher, DrillGuard
from services.notifier.mailer import SmtpChannel
from services.notifier.metrics import NotifierMetrics
from services.notifier.roster import Rosters, load_rosters
from services.notifier.settings import NotifierSettings
from services.notifier.sms import TwilioChannel
from services.observability.faust_pages import add_service_pages
from services.observability.logging import configure_logging

__all__ = ["run"]

log = logging.getLogger(__name__)


def run(settings: NotifierSettings) -> int:
    configure_logging(settings.log_level)
    try:
        rosters = load_rosters(settings.config_dir / "rosters.yaml")
    except ConfigError as error:
        print(f"safeguard notifier: {error}", file=sys.stderr)
        return 2
    registry = CollectorRegistry()
    metrics = NotifierMetrics(registry)
    prepare_changelogs(settings.kafka_bootstrap, settings.notifier_app_id, TABLES)
    app = create_app(settings)
    register(app, rosters, compose_config(settings), dispatcher(settings, rosters), metrics)
    add_service_pages(app, registry)
    topics = [ALERTS_REQUESTED.name, ALERT_COMMANDS.name, ALERT_DISPATCH.name]
    watch_lag(app, settings.kafka_bootstrap, settings.notifier_app_id, topics, metrics.lag)
    faust.Worker(
        app, loglevel=settings.log_level, override_logging=False, redirect_stdouts=False
    ).execute_from_commandline()
    return 0


def compose_config(settings: NotifierSettings) -> ComposeConfig:
    return ComposeConfig(
        public_base_url=settings.public_base_url.rstrip("/"),
        link_secret=settings.link_secret.get_secret_value().encode(),
        link_valid=timedelta(hours=settings.link_valid_hours),
        unaccented_sms=settings.sms_unaccented,
        two_way_sms=settings.twilio_two_way,
    )


def dispatcher(settings: NotifierSettings, rosters: Rosters) -> Dispatcher:
    twilio = TwilioChannel(
        settings.twilio_account_sid,
        settings.twilio_auth_token.get_secret_value(),
        sender=settings.twilio_from,
        messaging_service_sid=settings.twilio_messaging_service_sid,
        base_url=settings.twilio_base_url,
    )
    tls = ssl.create_default_context(
        cafile=str(settings.smtp_ca_file) if settings.smtp_ca_file else None
    )
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    mail = SmtpChannel(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_from,
        username=settings.smtp_username,
        password=password,
        starttls=settings.smtp_starttls,
        tls_context=tls,
    )
    channels: dict[ChannelKind, Channel] = {
        ChannelKind.SMS: twilio,
        ChannelKind.VOICE: twilio,
        ChannelKind.EMAIL: mail,
    }
    drill = rosters.drill_recipient
    addresses = {drill.phone, str(drill.email)} | (
        {drill.backup_phone} if drill.backup_phone else set()
    )
    return Dispatcher(channels, settings.sms_per_second, DrillGuard(addresses))
