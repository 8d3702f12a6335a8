"""Sealing and unsealing one field set with a data key: AES-256-GCM from `cryptography`.

The associated data is built from what the caller knows (the case, the field set it expects)
plus the envelope's key id, version and algorithm; an envelope copied to another case, or read
as another field set, fails authentication instead of yielding someone else's fields."""

import base64
import binascii
import json
import os
import secrets
from dataclasses import dataclass, field
from typing import TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, ValidationError

from contracts.sealing import SealAlgorithm, SealedEnvelopeV1
from services.sealing.errors import SealBroken

__all__ = [
    "DataKey",
    "check_destination",
    "field_set_of",
    "new_data_key",
    "seal_fields",
    "unseal_fields",
]

ENVELOPE_VERSION = 1
NONCE_BYTES = 12
KEY_BYTES = 32

Fields = TypeVar("Fields", bound=BaseModel)


@dataclass(frozen=True)
class DataKey:
    key_id: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) != KEY_BYTES:
            raise ValueError("a data key is 256 bits")


def new_data_key() -> DataKey:
    return DataKey(f"dk_{secrets.token_hex(16)}", AESGCM.generate_key(bit_length=256))


def field_set_of(model: type[BaseModel]) -> str:
    """The field set's name is its contract's title, e.g. incident-personal.v1."""
    title = model.model_config.get("title")
    if not title:
        raise ValueError(f"{model.__name__} has no contract title to seal under")
    return title


def seal_fields(case_id: str, key: DataKey, fields: BaseModel) -> SealedEnvelopeV1:
    nonce = os.urandom(NONCE_BYTES)
    field_set = field_set_of(type(fields))
    associated = _associated_data(case_id, key.key_id, field_set)
    plaintext = fields.model_dump_json(exclude_none=True).encode()
    ciphertext = AESGCM(key.secret).encrypt(nonce, plaintext, associated)
    return SealedEnvelopeV1(
        version=ENVELOPE_VERSION,
        algorithm=SealAlgorithm.AES_256_GCM,
        case_id=case_id,
        key_id=key.key_id,
        field_set=field_set,
        nonce=_b64(nonce),
        ciphertext=_b64(ciphertext),
    )


def unseal_fields(
    case_id: str, key: DataKey, envelope: SealedEnvelopeV1, model: type[Fields]
) -> Fields:
    """The fields, or SealBroken; `case_id` and `model` are what the caller expects to read."""
    field_set = check_destination(case_id, envelope, model)
    if envelope.key_id != key.key_id:
        raise SealBroken(f"the envelope was sealed with another key than {key.key_id}")
    associated = _associated_data(case_id, key.key_id, field_set)
    try:
        plaintext = AESGCM(key.secret).decrypt(
            _unb64(envelope.nonce), _unb64(envelope.ciphertext), associated
        )
    except (InvalidTag, ValueError) as error:
        raise SealBroken(f"the envelope of case {case_id} failed authentication") from error
    try:
        return model.model_validate_json(plaintext)
    except ValidationError as error:
        raise SealBroken(f"the sealed fields do not read as {field_set}") from error


def check_destination(case_id: str, envelope: SealedEnvelopeV1, model: type[BaseModel]) -> str:
    """SealBroken unless the envelope says it holds `model`'s field set for `case_id` (the
    authentication then proves it); the field set's name."""
    field_set = field_set_of(model)
    if envelope.case_id != case_id:
        raise SealBroken(f"the envelope belongs to another case than {case_id}")
    if envelope.field_set != field_set:
        raise SealBroken(f"the envelope holds {envelope.field_set}, not {field_set}")
    return field_set


def _associated_data(case_id: str, key_id: str, field_set: str) -> bytes:
    bound = {
        "algorithm": SealAlgorithm.AES_256_GCM.value,
        "case_id": case_id,
        "envelope": ENVELOPE_VERSION,
        "field_set": field_set,
        "key_id": key_id,
    }
    return json.dumps(bound, sort_keys=True, separators=(",", ":")).encode()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise ValueError("not base64") from error
