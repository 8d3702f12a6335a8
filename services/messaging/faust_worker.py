"""The skeleton every Safeguard faust worker runs: logging, the service's configuration (or
exit 2), a metrics registry, changelogs, the App, the service's agents, consumer lag, the
probe and metrics pages, then faust's Worker. A service only says what differs."""

import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faust
from prometheus_client import CollectorRegistry, Gauge

from services.config import ConfigError
from services.messaging.faust_app import prepare_changelogs, worker_app
from services.messaging.lag import watch_lag
from services.observability.faust_pages import add_service_pages
from services.observability.logging import configure_logging

__all__ = ["Wiring", "WorkerIdentity", "run_worker"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerIdentity:
    """Names, places and ports: what tells one worker from another."""

    name: str  # "router", in messages
    app_id: str
    kafka_bootstrap: str
    store: str
    data_dir: Path
    web_bind: str
    web_port: int
    log_level: str


@dataclass(frozen=True)
class Wiring:
    """What a service's bootstrap hands over once its configuration and adapters are built."""

    register: Callable[[faust.App], None]  # its topics, tables, agents and timers
    tables: Mapping[str, int]  # faust table name -> partitions
    lag_topics: Sequence[str]
    lag: Gauge
    started: Mapping[str, str] = field(default_factory=dict)  # logged once at start
    settings: Mapping[str, Any] = field(default_factory=dict)  # faust settings of its own


def run_worker(identity: WorkerIdentity, bootstrap: Callable[[CollectorRegistry], Wiring]) -> int:
    """Run until faust stops; 2 if the configuration cannot be used."""
    configure_logging(identity.log_level)
    registry = CollectorRegistry()
    try:
        wiring = bootstrap(registry)
    except ConfigError as error:
        print(f"safeguard {identity.name}: {error}", file=sys.stderr)
        return 2
    prepare_changelogs(identity.kafka_bootstrap, identity.app_id, dict(wiring.tables))
    app = worker_app(
        identity.app_id,
        identity.kafka_bootstrap,
        identity.store,
        identity.data_dir,
        identity.web_bind,
        identity.web_port,
        **wiring.settings,
    )
    wiring.register(app)
    topics = list(wiring.lag_topics)
    watch_lag(app, identity.kafka_bootstrap, identity.app_id, topics, wiring.lag)
    add_service_pages(app, registry)
    log.info(f"{identity.name} starting", extra=dict(wiring.started))
    faust.Worker(
        app, loglevel=identity.log_level, override_logging=False, redirect_stdouts=False
    ).execute_from_commandline()
    return 0
