"""The sealer on the in-memory key store: per-case keys, rotation, erasure."""

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from contracts.sealing import CaseKeyV1, ErasureReason
from services.sealing.case_keys import InMemoryCaseKeyStore
from services.sealing.errors import Erased, KeyUnavailable, SealBroken
from services.sealing.kek import Kek, KekRing
from services.sealing.rotation import kek_ids_in_use, rewrap_all
from services.sealing.sealer import CaseSealer
from tests.unit.sealing.fields import PersonalFields

CASE = "inc_" + "1" * 32
OTHER_CASE = "inc_" + "2" * 32
FIELDS = PersonalFields(child_name="Quàng Văn Nam", description="Bị bỏ rơi ở chợ Mường Thanh.")
ERASED_AT = datetime(2031, 12, 2, 3, 0, tzinfo=UTC)


def kek(kek_id: str) -> Kek:
    return Kek(kek_id, AESGCM.generate_key(bit_length=256))


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store() -> InMemoryCaseKeyStore:
    return InMemoryCaseKeyStore()


@pytest.fixture
def old_kek() -> Kek:
    return kek("kek-2026-06")


@pytest.fixture
def sealer(store: InMemoryCaseKeyStore, old_kek: Kek) -> CaseSealer:
    return CaseSealer(store, KekRing([old_kek], old_kek.kek_id), Clock(ERASED_AT))


async def test_a_case_gets_one_data_key_that_seals_all_its_field_sets(
    sealer: CaseSealer, store: InMemoryCaseKeyStore
) -> None:
    first = await sealer.seal(CASE, FIELDS)
    second = await sealer.seal(CASE, PersonalFields(description="cập nhật"))
    other = await sealer.seal(OTHER_CASE, FIELDS)
    assert first.key_id == second.key_id != other.key_id
    assert [key.key_id for key in store.keys_of(CASE)] == [first.key_id]
    assert await sealer.unseal(CASE, first, PersonalFields) == FIELDS
    assert (await sealer.unseal(CASE, second, PersonalFields)).description == "cập nhật"


async def test_another_case_s_envelope_does_not_open_as_this_case(sealer: CaseSealer) -> None:
    envelope = await sealer.seal(CASE, FIELDS)
    await sealer.seal(OTHER_CASE, FIELDS)
    with pytest.raises(SealBroken, match="another case"):
        await sealer.unseal(OTHER_CASE, envelope, PersonalFields)
    moved = envelope.model_copy(update={"case_id": OTHER_CASE})
    with pytest.raises((SealBroken, KeyUnavailable)):
        await sealer.unseal(OTHER_CASE, moved, PersonalFields)


async def test_an_envelope_whose_key_is_not_known_is_unavailable_not_garbage(
    store: InMemoryCaseKeyStore, old_kek: Kek
) -> None:
    envelope = await CaseSealer(store, KekRing([old_kek], old_kek.kek_id)).seal(CASE, FIELDS)
    stranger = CaseSealer(InMemoryCaseKeyStore(), KekRing([old_kek], old_kek.kek_id))
    with pytest.raises(KeyUnavailable, match=envelope.key_id):
        await stranger.unseal(CASE, envelope, PersonalFields)


async def test_rotation_rewraps_every_key_and_old_cases_stay_readable(
    store: InMemoryCaseKeyStore, old_kek: Kek, sealer: CaseSealer
) -> None:
    envelopes = {case: await sealer.seal(case, FIELDS) for case in (CASE, OTHER_CASE)}
    wire_before = {case: e.model_dump_json() for case, e in envelopes.items()}
    new_kek = kek("kek-2026-12")
    both = KekRing([old_kek, new_kek], new_kek.kek_id)
    rotated = CaseSealer(store, both)
    assert await rotated.unseal(CASE, envelopes[CASE], PersonalFields) == FIELDS

    assert (await rewrap_all(store, both)).rewrapped == 2
    assert kek_ids_in_use(store) == {new_kek.kek_id}
    assert (await rewrap_all(store, both)).rewrapped == 0  # nothing left under the old KEK
    retired = CaseSealer(store, KekRing([new_kek], new_kek.kek_id))
    for case, envelope in envelopes.items():
        assert envelope.model_dump_json() == wire_before[case]  # no envelope rewritten
        assert await retired.unseal(case, envelope, PersonalFields) == FIELDS
    new_case = "inc_" + "3" * 32
    assert (await retired.seal(new_case, FIELDS)).key_id == store.keys_of(new_case)[0].key_id
    assert store.keys_of(new_case)[0].kek_id == new_kek.kek_id


async def test_rotation_leaves_a_key_whose_kek_is_missing_and_says_which(
    store: InMemoryCaseKeyStore, sealer: CaseSealer, old_kek: Kek
) -> None:
    await sealer.seal(CASE, FIELDS)
    new_kek = kek("kek-2026-12")
    rotation = await rewrap_all(store, KekRing([new_kek], new_kek.kek_id))
    assert (rotation.rewrapped, rotation.missing_keks) == (0, {old_kek.kek_id})
    assert kek_ids_in_use(store) == {old_kek.kek_id}


async def test_without_rotation_the_old_kek_cannot_be_retired(
    store: InMemoryCaseKeyStore, sealer: CaseSealer, old_kek: Kek
) -> None:
    envelope = await sealer.seal(CASE, FIELDS)
    new_kek = kek("kek-2026-12")
    assert kek_ids_in_use(store) == {old_kek.kek_id}
    with pytest.raises(KeyUnavailable, match=old_kek.kek_id):
        await CaseSealer(store, KekRing([new_kek], new_kek.kek_id)).unseal(
            CASE, envelope, PersonalFields
        )


async def test_after_erasure_unsealing_and_sealing_raise_erased_with_the_date(
    sealer: CaseSealer, store: InMemoryCaseKeyStore
) -> None:
    envelope = await sealer.seal(CASE, FIELDS)
    kept = await sealer.seal(OTHER_CASE, FIELDS)
    erasure = await sealer.erase(CASE, ErasureReason.RETENTION_ENDED, "safeguard/retention")
    assert erasure.erased_at == ERASED_AT
    with pytest.raises(Erased) as erased:
        await sealer.unseal(CASE, envelope, PersonalFields)
    assert erased.value.erased_at == ERASED_AT
    assert "erased on 2031-12-02" in str(erased.value)
    with pytest.raises(Erased):
        await sealer.seal(CASE, FIELDS)
    assert [key.case_id for key in store.all_keys()] == [OTHER_CASE]
    assert await sealer.unseal(OTHER_CASE, kept, PersonalFields) == FIELDS


async def test_erasing_twice_keeps_the_first_date(
    store: InMemoryCaseKeyStore, old_kek: Kek
) -> None:
    clock = Clock(ERASED_AT)
    sealer = CaseSealer(store, KekRing([old_kek], old_kek.kek_id), clock)
    envelope = await sealer.seal(CASE, FIELDS)
    await sealer.erase(CASE, ErasureReason.RETENTION_ENDED, "safeguard/retention")
    clock.now = ERASED_AT + timedelta(days=3)
    await sealer.erase(CASE, ErasureReason.ORDERED, "ops-017")
    with pytest.raises(Erased) as erased:
        await sealer.unseal(CASE, envelope, PersonalFields)
    assert erased.value.erased_at == ERASED_AT


class StaleListing(InMemoryCaseKeyStore):
    """A store whose listing was taken before an erasure landed, as a rotation may see it."""

    def __init__(self, listed: list[CaseKeyV1]) -> None:
        super().__init__()
        self.listed = listed

    def all_keys(self) -> list[CaseKeyV1]:
        return self.listed


async def test_rotation_skips_a_case_erased_while_it_runs(old_kek: Kek) -> None:
    ring = KekRing([old_kek], old_kek.kek_id)
    store = StaleListing([])
    sealer = CaseSealer(store, ring, Clock(ERASED_AT))
    await sealer.seal(CASE, FIELDS)
    await sealer.seal(OTHER_CASE, FIELDS)
    store.listed = InMemoryCaseKeyStore.all_keys(store)
    await sealer.erase(CASE, ErasureReason.ORDERED, "ops-017")
    new_kek = kek("kek-2026-12")
    assert (await rewrap_all(store, KekRing([old_kek, new_kek], new_kek.kek_id))).rewrapped == 1
    with pytest.raises(Erased):
        store.keys_of(CASE)
    assert [key.kek_id for key in store.keys_of(OTHER_CASE)] == [new_kek.kek_id]
