"""Sealed personal fields leave nothing readable in the broker's data directory, while the
case's key still opens them; the same grep finds a value published in clear, so it looks in
the right place."""

import uuid
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from contracts.sealing import SealedEnvelopeV1
from contracts.topics import Topic
from devstack.kafka import LocalKafka
from services.messaging.publisher import EventPublisher
from services.messaging.topics_admin import ensure_topics
from services.sealing.kek import KekRing
from services.sealing.sealer import CaseSealer
from tests.integration.kafka_reader import TopicReader
from tests.integration.sealing.conftest import StoreFactory
from tests.unit.sealing.fields import PersonalFields

SCRATCH = Topic("sealing.test-envelopes", partitions=1)
EVENT_TYPE = "org.safeguard.test.sealed-report.v1"


class SealedReport(BaseModel):
    """An event the way intake will publish one: operational facts and the sealed fields."""

    model_config = ConfigDict(extra="forbid")

    case_id: str
    category: str
    sealed: SealedEnvelopeV1


class ClearReport(BaseModel):
    case_id: str
    description: str


def grep_broker_data(kafka: LocalKafka, needles: dict[str, str]) -> set[str]:
    """The names of the needles found in any file under the broker's data directory."""
    found: set[str] = set()
    for path in (kafka.home / "data").rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            found |= {name for name, value in needles.items() if value.encode() in content}
    return found


async def test_sealed_canaries_never_reach_the_broker_s_files(
    kafka: LocalKafka, key_store: StoreFactory, ring: KekRing, case_id: str, tmp_path: Path
) -> None:
    tokens = {name: uuid.uuid4().hex[:16] for name in ("name", "description", "control")}
    canaries = PersonalFields(  # each with an ASCII token, should JSON escape the Vietnamese
        child_name=f"Lò Thị Canary {tokens['name']}",
        description=f"Cháu bị đánh ở Bản Him Lam CANARY-{tokens['description']}",
        reporter_phone=f"+8498{int(tokens['name'][:7], 16) % 10**7:07d}",
    )
    control = f"CANARY-IN-CLEAR-{tokens['control']}"
    ensure_topics(kafka.bootstrap, (SCRATCH,))
    reader = TopicReader(kafka.bootstrap, SCRATCH.name)
    publisher = EventPublisher(kafka.bootstrap, "safeguard/test-sealing")
    await publisher.start()
    try:
        async with key_store() as store:
            sealer = CaseSealer(store, ring)
            sealed = SealedReport(
                case_id=case_id,
                category="physical_abuse",
                sealed=await sealer.seal(case_id, canaries),
            )
            await publisher.publish(SCRATCH.name, case_id, EVENT_TYPE, sealed, timeout=10.0)
            clear = ClearReport(case_id=case_id, description=control)
            await publisher.publish(SCRATCH.name, case_id, EVENT_TYPE, clear, timeout=10.0)

            [sealed_record, _] = reader.read_until(lambda records: len(records) >= 2)
            envelope = SealedReport.model_validate_json(sealed_record.value).sealed
            assert await sealer.unseal(case_id, envelope, PersonalFields) == canaries
    finally:
        await publisher.stop()
        reader.close()

    needles = {
        "control": control,
        "child_name": canaries.child_name or "",
        "child_name's token": tokens["name"],
        "description": canaries.description or "",
        "description's token": tokens["description"],
        "reporter_phone": canaries.reporter_phone or "",
    }
    found = grep_broker_data(kafka, needles)
    assert "control" in found, "the grep does not see what the broker just wrote"
    assert found == {"control"}, f"found in clear at rest: {found - {'control'}}"
