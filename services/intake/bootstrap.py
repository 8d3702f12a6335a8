"""The one place intake is wired: the Kafka adapters built from settings, handed as finished
ports to the service and the HTTP layer. Nothing connects until the app's lifespan starts."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from services.intake.app import IntakeParts, create_app
from services.intake.idempotency_store import KafkaIdempotencyIndex
from services.intake.metrics import IntakeMetrics
from services.intake.service import IntakeService
from services.intake.settings import IntakeSettings
from services.intake.sources import SourceRegistry, load_sources
from services.messaging.publisher import EventPublisher
from services.router.directory import load_directory

__all__ = ["build_app", "kafka_parts"]

log = logging.getLogger(__name__)


def build_app(
    settings: IntakeSettings,
    registry: CollectorRegistry | None = None,
    sources: SourceRegistry | None = None,
) -> FastAPI:
    """Raises ConfigError when the sources file or the province's directory is invalid."""
    return create_app(settings, kafka_parts(settings, registry, sources))


def kafka_parts(
    settings: IntakeSettings,
    registry: CollectorRegistry | None = None,
    sources: SourceRegistry | None = None,
) -> IntakeParts:
    registry = registry or CollectorRegistry()
    metrics = IntakeMetrics(registry)
    publisher = EventPublisher(
        settings.kafka_bootstrap,
        source="safeguard/intake",
        request_timeout=settings.kafka_request_timeout_seconds,
    )
    index = KafkaIdempotencyIndex(settings.kafka_bootstrap, publisher)
    return IntakeParts(
        service=IntakeService(publisher, index, metrics, settings.publish_timeout_seconds),
        sources=sources or load_sources(settings.sources_file),
        metrics=metrics,
        registry=registry,
        ready=publisher.reachable,
        connected=partial(_connected, publisher, index),
        directory=load_directory(settings.config_dir),
    )


@asynccontextmanager
async def _connected(
    publisher: EventPublisher, index: KafkaIdempotencyIndex
) -> AsyncIterator[None]:
    await publisher.start()
    await index.start()
    log.info("intake ready", extra={"idempotency_records": len(index)})
    try:
        yield
    finally:
        await index.stop()
        await publisher.stop()
