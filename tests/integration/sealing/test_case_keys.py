"""The case keys live on Kafka: a restarted store reads them back from the topic, a tombstone
destroys them, and another replica following the topics learns of an erasure."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from kafka import KafkaConsumer, TopicPartition

from contracts.sealing import CaseErasedV1, CaseKeyV1, ErasureReason
from contracts.topics import CASE_ERASURES, CASE_KEYS
from devstack.kafka import LocalKafka
from services.sealing.case_keys_kafka import KafkaCaseKeyStore
from services.sealing.errors import Erased
from services.sealing.kek import KekRing
from services.sealing.kek_sources import add_local_kek, local_kek_ring
from services.sealing.rotation import rewrap_all
from services.sealing.sealer import CaseSealer
from tests.integration.sealing.conftest import StoreFactory
from tests.unit.sealing.fields import PersonalFields

T = TypeVar("T")
FIELDS = PersonalFields(child_name="Lò Thị Mai", description="Cháu bị đánh, cần nơi ở an toàn.")


def records_under(bootstrap: str, topic: str, key: str) -> list[bytes | None]:
    """Every value the topic holds under `key`, from its beginning, in order."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    partitions = [TopicPartition(topic, n) for n in sorted(consumer.partitions_for_topic(topic))]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    ends = consumer.end_offsets(partitions)
    values: list[bytes | None] = []
    while any(consumer.position(p) < ends[p] for p in partitions):
        for batch in consumer.poll(timeout_ms=500).values():
            values.extend(r.value for r in batch if r.key == key.encode())
    consumer.close()
    return values


async def test_keys_survive_a_restart_of_the_store_read_back_from_the_topic(
    kafka: LocalKafka, key_store: StoreFactory, ring: KekRing, kek_file: Path, case_id: str
) -> None:
    async with key_store() as store:
        envelope = await CaseSealer(store, ring).seal(case_id, FIELDS)
        [written] = store.keys_of(case_id)
    async with key_store() as restarted:
        assert restarted.keys_of(case_id) == [written]
        reread = CaseSealer(restarted, local_kek_ring(kek_file))
        assert await reread.unseal(case_id, envelope, PersonalFields) == FIELDS
    [value] = records_under(kafka.bootstrap, CASE_KEYS.name, f"{case_id}/{written.key_id}")
    assert value is not None
    assert CaseKeyV1.model_validate_json(value) == written


async def test_rotation_rewrites_only_the_key_topic_and_a_restarted_store_reads_both(
    kafka: LocalKafka, key_store: StoreFactory, ring: KekRing, kek_file: Path, case_id: str
) -> None:
    async with key_store() as store:
        envelope = await CaseSealer(store, ring).seal(case_id, FIELDS)
        add_local_kek(kek_file)
        rotated = local_kek_ring(kek_file)
        assert (await rewrap_all(store, rotated)).rewrapped >= 1  # other tests' keys: no KEK
    async with key_store() as restarted:
        [key] = restarted.keys_of(case_id)
        assert key.kek_id == rotated.active_kek_id != ring.active_kek_id
        assert await CaseSealer(restarted, rotated).unseal(case_id, envelope, PersonalFields)
    where = f"{case_id}/{key.key_id}"
    assert len(records_under(kafka.bootstrap, CASE_KEYS.name, where)) == 2  # made, re-wrapped


async def test_a_tombstone_erases_and_every_reader_then_raises_erased_with_the_date(
    kafka: LocalKafka, key_store: StoreFactory, ring: KekRing, case_id: str
) -> None:
    async with key_store() as replica, key_store() as job:
        envelope = await CaseSealer(replica, ring).seal(case_id, FIELDS)
        [key] = await _eventually(lambda: job.keys_of(case_id))
        erasure = await CaseSealer(job, ring).erase(
            case_id, ErasureReason.RETENTION_ENDED, "safeguard/retention"
        )
        await _eventually(lambda: _raises_erased(replica, case_id))  # the follower learns it
        with pytest.raises(Erased) as erased:
            await CaseSealer(replica, ring).unseal(case_id, envelope, PersonalFields)
        assert erased.value.erased_at == erasure.erased_at
    async with key_store() as restarted:
        with pytest.raises(Erased) as erased:
            await CaseSealer(restarted, ring).unseal(case_id, envelope, PersonalFields)
        assert erased.value.erased_at == erasure.erased_at
        assert case_id not in {k.case_id for k in restarted.all_keys()}

    values = records_under(kafka.bootstrap, CASE_KEYS.name, f"{case_id}/{key.key_id}")
    assert values[0] is not None
    assert values[-1] is None
    [recorded] = records_under(kafka.bootstrap, CASE_ERASURES.name, case_id)
    assert recorded is not None
    assert CaseErasedV1.model_validate_json(recorded) == erasure
    assert erasure.erased_at <= datetime.now(UTC)


def _raises_erased(store: KafkaCaseKeyStore, case_id: str) -> bool:
    try:
        store.keys_of(case_id)
    except Erased:
        return True
    return False


async def _eventually(probe: Callable[[], T], timeout: float = 15.0) -> T:
    deadline = asyncio.get_running_loop().time() + timeout
    while not (result := probe()):
        assert asyncio.get_running_loop().time() < deadline, "never happened"
        await asyncio.sleep(0.1)
    return result
