"""Sealing contracts: the sealed envelope that stands in for a case's personal fields, the
case's data keys (wrapped by a key-encryption key) and the record of a case's erasure.

An envelope names its data key by case id and key id only, never by KEK: rotating the KEK
re-wraps the data keys on ``sealing.case-keys`` and leaves every envelope, on every topic, as
it is. Destroying a case's data keys makes each copy of its envelopes unreadable.
"""

from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.sensitivity import operational, personal

__all__ = [
    "CaseErasedV1",
    "CaseId",
    "CaseKeyV1",
    "ErasureReason",
    "SealAlgorithm",
    "SealedEnvelopeV1",
]


def _base64(min_quads: int, max_quads: int) -> str:
    """Padded base64 of 3*min_quads-2 .. 3*max_quads bytes; the pattern carries the length."""
    last = "(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)"
    return f"^(?:[A-Za-z0-9+/]{{4}}){{{min_quads - 1},{max_quads - 1}}}{last}$"


class SealAlgorithm(StrEnum):
    AES_256_GCM = "AES-256-GCM"


class ErasureReason(StrEnum):
    RETENTION_ENDED = "retention_ended"
    COURT_RETENTION_ENDED = "court_retention_ended"
    ORDERED = "ordered"  # a person with the right decided it (a data subject's request)


CaseId = Annotated[
    str,
    Field(
        pattern=r"^[a-z]+_[0-9a-f]{32}$",
        description="The case whose data key seals the fields (an incident id until cases exist).",
        json_schema_extra=operational,
    ),
]
DataKeyId = Annotated[
    str,
    Field(
        pattern=r"^dk_[0-9a-f]{32}$",
        description="One data key of the case; a case may have several.",
        json_schema_extra=operational,
    ),
]


class SealedEnvelopeV1(BaseModel):
    """Personal fields encrypted with the case's data key (AES-256-GCM). The associated data
    is the case id, the key id, the field set's contract and the envelope's version, so an
    envelope opens only for the case and the field set it was sealed for."""

    model_config = ConfigDict(extra="forbid", title="sealed-envelope.v1")

    version: int = Field(ge=1, le=1, json_schema_extra=operational)
    algorithm: SealAlgorithm = Field(json_schema_extra=operational)
    case_id: CaseId
    key_id: DataKeyId
    field_set: str = Field(
        pattern=r"^[a-z][a-z0-9-]*\.v[0-9]+$",
        description="The contract of the sealed fields, e.g. incident-personal.v1.",
        json_schema_extra=operational,
    )
    nonce: str = Field(
        pattern=r"^[A-Za-z0-9+/]{16}$",
        description="The 96-bit GCM nonce, base64; unique per envelope.",
        json_schema_extra=operational,
    )
    ciphertext: str = Field(
        pattern=_base64(6, 16 * 1024),  # at least the 16-byte tag
        description=(
            "The encrypted fields with their 128-bit tag, base64. Unreadable without the case's "
            "key, still kept out of SMS, logs and metrics: it is the child's data, under a lock."
        ),
        json_schema_extra=personal,
    )


class CaseKeyV1(BaseModel):
    """One data key of a case, wrapped by a key-encryption key; the value on the compacted
    ``sealing.case-keys`` topic under the key ``<case id>/<key id>``."""

    model_config = ConfigDict(extra="forbid", title="case-key.v1")

    case_id: CaseId
    key_id: DataKeyId
    kek_id: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,255}$",
        description=(
            "The key-encryption key (version) that wraps it: a KEK of the ring, or a KMS key "
            "version. Several coexist during a rotation."
        ),
        json_schema_extra=operational,
    )
    algorithm: SealAlgorithm = Field(
        description="How the KEK wraps the data key.", json_schema_extra=operational
    )
    wrapped_key: str = Field(
        pattern=_base64(20, 2048),
        description=(
            "The wrapped 256-bit data key, base64: nonce, key and tag from the KEK ring (80 "
            "characters), or a KMS's ciphertext. Classed personal although no person is in it: "
            "a copy in a log would outlive the key's erasure."
        ),
        json_schema_extra=personal,
    )
    created_at: AwareDatetime = Field(json_schema_extra=operational)
    wrapped_at: AwareDatetime = Field(
        description="When it was last wrapped (creation or KEK rotation).",
        json_schema_extra=operational,
    )


class CaseErasedV1(BaseModel):
    """A case's data keys were destroyed: its sealed fields are unreadable everywhere. The
    value on the compacted ``sealing.erasures`` topic under the case id, kept for good."""

    model_config = ConfigDict(extra="forbid", title="case-erased.v1")

    case_id: CaseId
    erased_at: AwareDatetime = Field(json_schema_extra=operational)
    reason: ErasureReason = Field(json_schema_extra=operational)
    erased_by: str = Field(
        min_length=1,
        max_length=64,
        description="The job or the ops account that erased it.",
        json_schema_extra=operational,
    )
