"""Case-key stores on the real test broker, each like a separate process: its own publisher
and follower; a KEK ring from a real file."""

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from devstack.kafka import LocalKafka
from services.messaging.publisher import EventPublisher
from services.sealing.case_keys_kafka import KafkaCaseKeyStore
from services.sealing.kek import KekRing
from services.sealing.kek_sources import local_kek_ring

StoreFactory = Callable[[], AbstractAsyncContextManager[KafkaCaseKeyStore]]


@pytest.fixture
def kek_file(tmp_path: Path) -> Path:
    return tmp_path / "xdg" / "safeguard" / "kek.json"


@pytest.fixture
def ring(kek_file: Path) -> KekRing:
    return local_kek_ring(kek_file)


@pytest.fixture
def case_id() -> str:
    return f"inc_{uuid.uuid4().hex}"


@pytest.fixture
def key_store(kafka: LocalKafka) -> StoreFactory:
    @asynccontextmanager
    async def started() -> AsyncIterator[KafkaCaseKeyStore]:
        publisher = EventPublisher(kafka.bootstrap, "safeguard/test-sealing")
        await publisher.start()
        store = KafkaCaseKeyStore(kafka.bootstrap, publisher, publish_timeout=10.0)
        try:
            assert await store.start(replay_timeout=30.0), "the key topics were not replayed"
            yield store
        finally:
            await store.stop()
            await publisher.stop()

    return started
