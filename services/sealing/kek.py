"""Key-encryption keys: the port that wraps and unwraps data keys, and the KEK ring that fills
it from KEK versions held in memory (read from a file or a mounted Secret, see kek_sources).

A KMS would fill the same port without ever handing out a KEK: `wrap` its Encrypt call and
`unwrap` its Decrypt call, each with the case id and key id as encryption context, and
`active_kek_id` the KMS key version that new wraps use."""

import base64
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from contracts.sealing import CaseKeyV1, SealAlgorithm
from services.sealing.envelope import KEY_BYTES, NONCE_BYTES, DataKey
from services.sealing.errors import KeyUnavailable, SealBroken

__all__ = ["KEK_ID_PATTERN", "DataKeyWrapper", "Kek", "KekRing", "WrappedKey"]

KEK_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class WrappedKey:
    kek_id: str
    algorithm: SealAlgorithm
    wrapped: bytes

    def record(
        self, case_id: str, key_id: str, created_at: datetime, wrapped_at: datetime
    ) -> CaseKeyV1:
        return CaseKeyV1(
            case_id=case_id,
            key_id=key_id,
            kek_id=self.kek_id,
            algorithm=self.algorithm,
            wrapped_key=base64.b64encode(self.wrapped).decode(),
            created_at=created_at,
            wrapped_at=wrapped_at,
        )


class DataKeyWrapper(Protocol):
    @property
    def active_kek_id(self) -> str: ...

    async def wrap(self, case_id: str, key: DataKey) -> WrappedKey:
        """The data key wrapped by the active KEK, bound to its case."""
        ...

    async def unwrap(self, record: CaseKeyV1) -> DataKey:
        """The data key of `record`; KeyUnavailable if its KEK is unknown, SealBroken if the
        record was altered or moved to another case."""
        ...


@dataclass(frozen=True)
class Kek:
    kek_id: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not KEK_ID_PATTERN.fullmatch(self.kek_id) or self.kek_id == "active":
            raise ValueError(f"{self.kek_id!r} is not a KEK id (letters, digits, . _ -)")
        if len(self.secret) != KEY_BYTES:
            raise ValueError(f"KEK {self.kek_id} is not 256 bits")


class KekRing:
    """Several KEK versions, one active: new keys are wrapped by the active one, old records
    still unwrap with theirs until rotation re-wraps them and the old KEK is retired."""

    def __init__(self, keks: Iterable[Kek], active_id: str) -> None:
        self._keks = {kek.kek_id: kek for kek in keks}
        if active_id not in self._keks:
            raise ValueError(f"the active KEK {active_id!r} is not among {sorted(self._keks)}")
        self._active = self._keks[active_id]

    @property
    def active_kek_id(self) -> str:
        return self._active.kek_id

    @property
    def kek_ids(self) -> list[str]:
        return sorted(self._keks)

    async def wrap(self, case_id: str, key: DataKey) -> WrappedKey:
        nonce = os.urandom(NONCE_BYTES)
        associated = _associated_data(case_id, key.key_id, self._active.kek_id)
        sealed = AESGCM(self._active.secret).encrypt(nonce, key.secret, associated)
        return WrappedKey(self._active.kek_id, SealAlgorithm.AES_256_GCM, nonce + sealed)

    async def unwrap(self, record: CaseKeyV1) -> DataKey:
        kek = self._keks.get(record.kek_id)
        if kek is None:
            raise KeyUnavailable(
                f"KEK {record.kek_id} is not in the ring (retired, or not mounted)"
            )
        raw = base64.b64decode(record.wrapped_key)
        nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        associated = _associated_data(record.case_id, record.key_id, kek.kek_id)
        try:
            secret = AESGCM(kek.secret).decrypt(nonce, sealed, associated)
        except InvalidTag as error:
            raise SealBroken(f"data key {record.key_id} failed authentication") from error
        return DataKey(record.key_id, secret)


def _associated_data(case_id: str, key_id: str, kek_id: str) -> bytes:
    bound = {"case_id": case_id, "kek_id": kek_id, "key_id": key_id, "record": "case-key.v1"}
    return json.dumps(bound, sort_keys=True, separators=(",", ":")).encode()
