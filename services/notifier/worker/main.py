"""`safeguard notifier`: load and check the rosters, then run the faust worker."""

import ssl
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from prometheus_client import CollectorRegistry

from contracts.dispatch import DispatchRequestV1
from contracts.topics import ALERT_COMMANDS, ALERT_DISPATCH, ALERTS_REQUESTED
from services import config
from services.config import ConfigError
from services.messaging.faust_worker import Wiring, WorkerIdentity, run_worker
from services.notifier.core import two_way
from services.notifier.core.channels import Channel, ChannelKind
from services.notifier.core.delivery_config import DeliveryConfig
from services.notifier.core.duty import Rosters
from services.notifier.core.sender_pool import SenderPool
from services.notifier.roster import load_rosters
from services.notifier.settings import NotifierSettings
from services.notifier.texts.compose import ComposeConfig
from services.notifier.worker.agents import TABLES, register
from services.notifier.worker.coverage_watch import CoverageWatch, with_coverage
from services.notifier.worker.delivery import Delivery
from services.notifier.worker.dispatcher import Dispatcher, DrillGuard
from services.notifier.worker.mailer import SmtpChannel
from services.notifier.worker.metrics import NotifierMetrics
from services.notifier.worker.sms import TwilioChannel

__all__ = ["run"]


def run(settings: NotifierSettings) -> int:
    identity = WorkerIdentity(
        name="notifier",
        app_id=settings.notifier_app_id,
        kafka_bootstrap=settings.kafka_bootstrap,
        store=settings.notifier_store,
        data_dir=settings.notifier_data_dir,
        web_bind=settings.notifier_web_bind,
        web_port=settings.notifier_web_port,
        log_level=settings.log_level,
    )
    return run_worker(identity, partial(wire, settings))


def wire(settings: NotifierSettings, registry: CollectorRegistry) -> Wiring:
    path = settings.config_dir / "rosters.yaml"
    rosters = load_rosters(path)
    if problem := two_way.mismatch(settings.twilio_two_way, rosters, str(path)):
        raise ConfigError([problem])
    metrics = NotifierMetrics(registry)
    coverage = CoverageWatch(rosters, metrics.roster_gaps)
    coverage.refresh()  # at start: the gauge is there before the first scrape
    agents = partial(
        register,
        rosters=rosters,
        compose_config=compose_config(settings),
        make_delivery=partial(delivery, settings, delivery_config(settings), rosters, metrics),
        metrics=metrics,
    )
    return Wiring(
        register=with_coverage(agents, coverage),
        tables=TABLES,
        lag_topics=[ALERTS_REQUESTED.name, ALERT_COMMANDS.name, ALERT_DISPATCH.name],
        lag=metrics.lag,
    )


def compose_config(settings: NotifierSettings) -> ComposeConfig:
    return ComposeConfig(
        public_base_url=settings.public_base_url.rstrip("/"),
        link_secret=settings.link_secret.get_secret_value().encode(),
        link_valid=timedelta(hours=settings.link_valid_hours),
        unaccented_sms=settings.sms_unaccented,
        two_way_sms=settings.twilio_two_way,
    )


def delivery_config(settings: NotifierSettings) -> DeliveryConfig:
    path = settings.config_dir / "delivery.yaml"
    return config.load(path, DeliveryConfig) if path.exists() else DeliveryConfig()


def delivery(
    settings: NotifierSettings,
    plan: DeliveryConfig,
    rosters: Rosters,
    metrics: NotifierMetrics,
    already_sent: Callable[[DispatchRequestV1], bool],
) -> Delivery:
    """Built inside the running worker: the pool's clock starts with it."""
    default_sender = settings.twilio_messaging_service_sid or settings.twilio_from
    return Delivery(
        dispatcher(settings, rosters),
        SenderPool(plan.pool(default_sender, settings.sms_per_second), time.monotonic),
        plan.priority,
        plan.retry,
        plan.slots,
        metrics,
        already_sent,
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
    return Dispatcher(channels, DrillGuard(addresses))
