"""The keys job on the real broker: a new local KEK, a rotation, an erasure, each read back by
a store that starts afresh, as the next process would."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from contracts.sealing import SealedEnvelopeV1
from devstack.kafka import LocalKafka
from services.messaging.publisher import EventPublisher
from services.sealing.case_keys_kafka import KafkaCaseKeyStore
from services.sealing.errors import Erased
from services.sealing.keys_job import main
from services.sealing.sealer import CaseSealer
from services.sealing.settings import SealingSettings, kek_ring
from tests.unit.sealing.fields import PersonalFields

T = TypeVar("T")
FIELDS = PersonalFields(description="Trẻ bỏ học, làm thuê ở Mường Lay.")


async def _in_fresh_store(
    bootstrap: str,
    settings: SealingSettings,
    work: Callable[[KafkaCaseKeyStore, CaseSealer], Awaitable[T]],
) -> T:
    publisher = EventPublisher(bootstrap, "safeguard/test-sealing")
    await publisher.start()
    store = KafkaCaseKeyStore(bootstrap, publisher)
    try:
        assert await store.start(replay_timeout=30.0)
        return await work(store, CaseSealer(store, kek_ring(settings)))
    finally:
        await store.stop()
        await publisher.stop()


def test_the_keys_job_rotates_then_erases_a_case(
    kafka: LocalKafka, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = SealingSettings(kek_file=tmp_path / "kek.json", replay_timeout_seconds=30.0)
    case_id = f"inc_{uuid.uuid4().hex}"
    job = ["--bootstrap", kafka.bootstrap]

    async def seal(store: KafkaCaseKeyStore, sealer: CaseSealer) -> SealedEnvelopeV1:
        return await sealer.seal(case_id, FIELDS)

    envelope = asyncio.run(_in_fresh_store(kafka.bootstrap, settings, seal))
    first_kek = kek_ring(settings).active_kek_id

    assert main([*job, "new-kek"], settings) == 0
    new_kek = capsys.readouterr().out.strip()
    assert new_kek != first_kek
    main([*job, "rotate"], settings)  # other tests' keys, under their own KEK files, stay
    assert "re-wrapped" in capsys.readouterr().out

    async def read(store: KafkaCaseKeyStore, sealer: CaseSealer) -> tuple[str, PersonalFields]:
        [key] = store.keys_of(case_id)
        return key.kek_id, await sealer.unseal(case_id, envelope, PersonalFields)

    assert asyncio.run(_in_fresh_store(kafka.bootstrap, settings, read)) == (new_kek, FIELDS)

    assert main([*job, "erase", case_id, "--by", "ops-017"], settings) == 0
    assert f"{case_id} erased on" in capsys.readouterr().out
    with pytest.raises(Erased):
        asyncio.run(_in_fresh_store(kafka.bootstrap, settings, read))
    assert main([*job, "finish-erasures"], settings) == 0
    assert "finished" in capsys.readouterr().out
