"""`safeguard router`: load and check the configuration, then run the faust worker.

Rules change by restart: the new version applies to incidents not yet committed, and
at-least-once processing with deterministic alert ids means a restart loses nothing."""

import logging
import sys

import faust
from prometheus_client import CollectorRegistry

from contracts.topics import INCIDENTS
from services.config import ConfigError
from services.messaging.faust_app import prepare_changelogs
from services.messaging.lag import watch_lag
from services.observability.faust_pages import add_service_pages
from services.observability.logging import configure_logging
from services.router.agents import TABLES, register
from services.router.app import create_app
from services.router.directory import load_directory
from services.router.metrics import RouterMetrics
from services.router.rules import load_rules
from services.router.settings import RouterSettings

__all__ = ["run"]

log = logging.getLogger(__name__)


def run(settings: RouterSettings) -> int:
    configure_logging(settings.log_level)
    try:
        directory = load_directory(settings.config_dir)
        rules = load_rules(settings.config_dir / "rules.yaml", directory)
    except ConfigError as error:
        print(f"safeguard router: {error}", file=sys.stderr)
        return 2
    registry = CollectorRegistry()
    metrics = RouterMetrics(registry)
    prepare_changelogs(settings.kafka_bootstrap, settings.router_app_id, TABLES)
    app = create_app(settings)
    register(app, directory, rules, metrics)
    watch_lag(app, settings.kafka_bootstrap, settings.router_app_id, [INCIDENTS.name], metrics.lag)
    add_service_pages(app, registry)
    log.info("router starting", extra={"rules_version": rules.version})
    worker = faust.Worker(
        app, loglevel=settings.log_level, override_logging=False, redirect_stdouts=False
    )
    worker.execute_from_commandline()
    return 0
