"""`safeguard router`: load and check the directory and rules, then run the faust worker.

Rules change by restart: the new version applies to incidents not yet committed, and
at-least-once processing with deterministic alert ids means a restart loses nothing."""

from functools import partial

from prometheus_client import CollectorRegistry

from contracts.topics import INCIDENTS
from services.messaging.faust_worker import Wiring, WorkerIdentity, run_worker
from services.router.agents import FAUST_SETTINGS, TABLES, register
from services.router.directory import load_directory
from services.router.metrics import RouterMetrics
from services.router.rules import load_rules
from services.router.settings import RouterSettings

__all__ = ["run"]


def run(settings: RouterSettings) -> int:
    identity = WorkerIdentity(
        name="router",
        app_id=settings.router_app_id,
        kafka_bootstrap=settings.kafka_bootstrap,
        store=settings.router_store,
        data_dir=settings.router_data_dir,
        web_bind=settings.router_web_bind,
        web_port=settings.router_web_port,
        log_level=settings.log_level,
    )
    return run_worker(identity, partial(wire, settings))


def wire(settings: RouterSettings, registry: CollectorRegistry) -> Wiring:
    directory = load_directory(settings.config_dir)
    rules = load_rules(settings.config_dir / "rules.yaml", directory)
    metrics = RouterMetrics(registry)
    return Wiring(
        register=partial(register, directory=directory, rules=rules, metrics=metrics),
        tables=TABLES,
        lag_topics=[INCIDENTS.name],
        lag=metrics.lag,
        started={"rules_version": rules.version},
        settings=FAUST_SETTINGS,
    )
