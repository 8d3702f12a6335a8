"""The in-memory model of the key topics, as records arrive in any order from two topics."""

from datetime import UTC, datetime

import pytest

from contracts.sealing import CaseErasedV1, CaseKeyV1, ErasureReason, SealAlgorithm
from services.sealing.case_keys import CaseKeyIndex, record_key
from services.sealing.errors import Erased

CASE = "inc_" + "1" * 32
WHEN = datetime(2026, 12, 2, tzinfo=UTC)


def key(number: int, case_id: str = CASE) -> CaseKeyV1:
    return CaseKeyV1(
        case_id=case_id,
        key_id=f"dk_{number:032x}",
        kek_id="kek-1",
        algorithm=SealAlgorithm.AES_256_GCM,
        wrapped_key="A" * 80,
        created_at=WHEN.replace(hour=number),
        wrapped_at=WHEN,
    )


ERASURE = CaseErasedV1(
    case_id=CASE, erased_at=WHEN, reason=ErasureReason.RETENTION_ENDED, erased_by="job"
)


def test_keys_come_oldest_first_and_a_tombstone_forgets_one() -> None:
    index = CaseKeyIndex()
    index.remember(key(2))
    index.remember(key(1))
    assert [k.key_id for k in index.keys_of(CASE)] == [key(1).key_id, key(2).key_id]
    index.forget(CASE, key(1).key_id)
    assert index.keys_of(CASE) == [key(2)]
    index.forget(CASE, key(2).key_id)
    assert index.keys_of(CASE) == []
    assert index.all_keys() == []


def test_an_erasure_hides_the_keys_but_keeps_them_to_destroy_until_their_tombstones() -> None:
    index = CaseKeyIndex()
    index.remember(key(1))
    index.record_erasure(ERASURE)
    with pytest.raises(Erased):
        index.keys_of(CASE)
    assert index.all_keys() == []
    assert index.keys_to_destroy(CASE) == [key(1)]
    assert index.unfinished_erasures() == [ERASURE]
    index.forget(CASE, key(1).key_id)
    assert index.keys_to_destroy(CASE) == []
    assert index.unfinished_erasures() == []


def test_a_key_arriving_after_the_erasure_is_never_used_and_is_marked_to_destroy() -> None:
    index = CaseKeyIndex()
    index.record_erasure(ERASURE)
    index.remember(key(3))
    assert index.all_keys() == []
    assert index.keys_to_destroy(CASE) == [key(3)]
    assert index.unfinished_erasures() == [ERASURE]


def test_the_first_erasure_date_stands() -> None:
    index = CaseKeyIndex()
    index.record_erasure(ERASURE)
    index.record_erasure(ERASURE.model_copy(update={"erased_at": WHEN.replace(year=2030)}))
    assert index.erasure_of(CASE) == ERASURE


def test_the_record_key_names_case_and_key() -> None:
    assert record_key(CASE, key(1).key_id) == f"{CASE}/{key(1).key_id}"
