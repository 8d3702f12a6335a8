"""AES-256-GCM envelopes: they open only for the case, the field set and the key they were
sealed for; any change to them is refused, never read as other fields."""

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.sealing import SealedEnvelopeV1
from services.sealing.envelope import DataKey, new_data_key, seal_fields, unseal_fields
from services.sealing.errors import SealBroken
from tests.unit.sealing.fields import OtherFields, PersonalFields

CASE = "inc_" + "1" * 32
OTHER_CASE = "inc_" + "2" * 32
FIELDS = PersonalFields(
    child_name="Lò Thị Hoa",
    description="Hàng xóm báo cháu bị đánh nhiều lần ở nhà.",
    reporter_phone="+84912000111",
    latitude=21.3856,
)
VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệ"
    "ìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐĂÂÊÔƠƯ"
)


def _flip(text: str, at: int = 0) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[at] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def test_a_sealed_field_set_opens_to_the_same_fields() -> None:
    key = new_data_key()
    envelope = seal_fields(CASE, key, FIELDS)
    assert unseal_fields(CASE, key, envelope, PersonalFields) == FIELDS


def test_the_envelope_shows_nothing_of_the_fields_and_validates_as_its_contract() -> None:
    envelope = seal_fields(CASE, new_data_key(), FIELDS)
    wire = envelope.model_dump_json()
    for value in ("Lò Thị Hoa", "Hoa", "đánh", "+84912000111", "21.3856"):
        assert value not in wire
    assert SealedEnvelopeV1.model_validate_json(wire) == envelope
    assert (envelope.case_id, envelope.field_set, envelope.algorithm) == (
        CASE,
        "test-personal.v1",
        "AES-256-GCM",
    )


def test_two_sealings_of_the_same_fields_differ() -> None:
    key = new_data_key()
    first, second = seal_fields(CASE, key, FIELDS), seal_fields(CASE, key, FIELDS)
    assert first.nonce != second.nonce
    assert first.ciphertext != second.ciphertext


@pytest.mark.parametrize("byte", [0, 5, -1])
def test_a_changed_ciphertext_byte_is_refused(byte: int) -> None:
    key = new_data_key()
    envelope = seal_fields(CASE, key, FIELDS)
    at = byte % len(base64.b64decode(envelope.ciphertext))
    tampered = envelope.model_copy(update={"ciphertext": _flip(envelope.ciphertext, at)})
    with pytest.raises(SealBroken, match="failed authentication"):
        unseal_fields(CASE, key, tampered, PersonalFields)


def test_a_changed_nonce_is_refused() -> None:
    key = new_data_key()
    envelope = seal_fields(CASE, key, FIELDS)
    tampered = envelope.model_copy(update={"nonce": _flip(envelope.nonce)})
    with pytest.raises(SealBroken):
        unseal_fields(CASE, key, tampered, PersonalFields)


def test_a_truncated_ciphertext_is_refused() -> None:
    key = new_data_key()
    envelope = seal_fields(CASE, key, FIELDS)
    raw = base64.b64decode(envelope.ciphertext)[:-1]
    tampered = envelope.model_copy(update={"ciphertext": base64.b64encode(raw).decode()})
    with pytest.raises(SealBroken):
        unseal_fields(CASE, key, tampered, PersonalFields)


def test_an_envelope_read_for_another_case_is_refused() -> None:
    key = new_data_key()
    envelope = seal_fields(CASE, key, FIELDS)
    with pytest.raises(SealBroken, match="another case"):
        unseal_fields(OTHER_CASE, key, envelope, PersonalFields)


def test_an_envelope_relabelled_to_another_case_fails_authentication() -> None:
    """Moving the ciphertext into another case's envelope, even with the key at hand."""
    key = new_data_key()
    moved = seal_fields(CASE, key, FIELDS).model_copy(update={"case_id": OTHER_CASE})
    with pytest.raises(SealBroken, match="failed authentication"):
        unseal_fields(OTHER_CASE, key, moved, PersonalFields)


def test_an_envelope_read_as_another_field_set_is_refused() -> None:
    key = new_data_key()
    envelope = seal_fields(CASE, key, FIELDS)
    with pytest.raises(SealBroken, match=r"holds test-personal\.v1"):
        unseal_fields(CASE, key, envelope, OtherFields)
    relabelled = envelope.model_copy(update={"field_set": "test-other.v1"})
    with pytest.raises(SealBroken, match="failed authentication"):
        unseal_fields(CASE, key, relabelled, OtherFields)


def test_another_key_is_refused_even_under_the_same_key_id() -> None:
    key = new_data_key()
    envelope = seal_fields(CASE, key, FIELDS)
    with pytest.raises(SealBroken, match="another key"):
        unseal_fields(CASE, new_data_key(), envelope, PersonalFields)
    impostor = DataKey(key.key_id, bytes(32))
    with pytest.raises(SealBroken, match="failed authentication"):
        unseal_fields(CASE, impostor, envelope, PersonalFields)


def test_a_data_key_never_shows_its_secret() -> None:
    key = new_data_key()
    assert key.secret.hex() not in repr(key)
    with pytest.raises(ValueError, match="256 bits"):
        DataKey(key.key_id, b"short")


def test_a_model_without_a_contract_title_cannot_be_sealed() -> None:
    from pydantic import BaseModel

    class Untitled(BaseModel):
        name: str

    with pytest.raises(ValueError, match="no contract title"):
        seal_fields(CASE, new_data_key(), Untitled(name="x"))


texts = st.none() | st.text(max_size=300) | st.text(alphabet=VIETNAMESE + " .,", max_size=300)


@given(name=texts, description=texts, phone=texts, latitude=st.none() | st.floats(-90, 90))
def test_any_field_contents_round_trip_and_stay_out_of_the_envelope(
    name: str | None, description: str | None, phone: str | None, latitude: float | None
) -> None:
    fields = PersonalFields(
        child_name=name, description=description, reporter_phone=phone, latitude=latitude
    )
    key = new_data_key()
    envelope = seal_fields(CASE, key, fields)
    assert unseal_fields(CASE, key, envelope, PersonalFields) == fields
    for text in (name, description):
        if text is not None and len(text) >= 12:
            assert text not in envelope.ciphertext
