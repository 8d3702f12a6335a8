"""The KEK ring wraps data keys bound to their case; several KEK versions coexist."""

import base64
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.sealing.envelope import new_data_key
from services.sealing.errors import KeyUnavailable, SealBroken
from services.sealing.kek import Kek, KekRing

CASE = "inc_" + "1" * 32
OTHER_CASE = "inc_" + "2" * 32
NOW = datetime(2026, 12, 2, tzinfo=UTC)


def kek(kek_id: str) -> Kek:
    return Kek(kek_id, AESGCM.generate_key(bit_length=256))


async def test_a_wrapped_key_unwraps_to_the_same_key_and_hides_it() -> None:
    ring = KekRing([kek("kek-1")], "kek-1")
    key = new_data_key()
    record = (await ring.wrap(CASE, key)).record(CASE, key.key_id, NOW, NOW)
    assert record.kek_id == "kek-1"
    assert key.secret not in base64.b64decode(record.wrapped_key)
    assert len(record.wrapped_key) == 80
    assert await ring.unwrap(record) == key


async def test_a_wrapped_key_moved_to_another_case_or_kek_id_is_refused() -> None:
    first, second = kek("kek-1"), kek("kek-2")
    ring = KekRing([first, second], "kek-1")
    key = new_data_key()
    record = (await ring.wrap(CASE, key)).record(CASE, key.key_id, NOW, NOW)
    with pytest.raises(SealBroken):
        await ring.unwrap(record.model_copy(update={"case_id": OTHER_CASE}))
    with pytest.raises(SealBroken):
        await ring.unwrap(record.model_copy(update={"kek_id": "kek-2"}))
    with pytest.raises(SealBroken):
        await ring.unwrap(record.model_copy(update={"key_id": "dk_" + "0" * 32}))


async def test_a_ring_wraps_with_its_active_kek_and_unwraps_with_any_of_its_keks() -> None:
    old, new = kek("kek-old"), kek("kek-new")
    key = new_data_key()
    before = (await KekRing([old], "kek-old").wrap(CASE, key)).record(CASE, key.key_id, NOW, NOW)
    rotated = KekRing([old, new], "kek-new")
    assert rotated.active_kek_id == "kek-new"
    assert rotated.kek_ids == ["kek-new", "kek-old"]
    assert await rotated.unwrap(before) == key
    assert (await rotated.wrap(CASE, key)).kek_id == "kek-new"


async def test_a_key_under_a_kek_the_ring_lacks_is_unavailable() -> None:
    key = new_data_key()
    record = (await KekRing([kek("kek-1")], "kek-1").wrap(CASE, key)).record(
        CASE, key.key_id, NOW, NOW
    )
    with pytest.raises(KeyUnavailable, match="kek-1 is not in the ring"):
        await KekRing([kek("kek-2")], "kek-2").unwrap(record)


def test_a_ring_needs_its_active_kek_and_keks_are_256_bit_with_plain_ids() -> None:
    with pytest.raises(ValueError, match="active KEK"):
        KekRing([kek("kek-1")], "kek-2")
    with pytest.raises(ValueError, match="256 bits"):
        Kek("kek-1", b"0" * 16)
    for bad in ("", "active", "../etc", "a b"):
        with pytest.raises(ValueError, match="not a KEK id"):
            Kek(bad, bytes(32))
    secret = AESGCM.generate_key(bit_length=256)
    assert secret.hex() not in repr(Kek("kek-1", secret))
    assert repr(secret) not in repr(Kek("kek-1", secret))
