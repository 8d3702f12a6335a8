"""What the services call: seal a case's personal fields, unseal them, erase the case."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from pydantic import BaseModel

from contracts.sealing import CaseErasedV1, ErasureReason, SealedEnvelopeV1
from services.sealing.case_keys import CaseKeyStore
from services.sealing.envelope import (
    DataKey,
    check_destination,
    new_data_key,
    seal_fields,
    unseal_fields,
)
from services.sealing.errors import KeyUnavailable
from services.sealing.kek import DataKeyWrapper

__all__ = ["CaseSealer"]

Fields = TypeVar("Fields", bound=BaseModel)


def _now() -> datetime:
    return datetime.now(UTC)


class CaseSealer:
    def __init__(
        self, store: CaseKeyStore, wrapper: DataKeyWrapper, clock: Callable[[], datetime] = _now
    ) -> None:
        self._store = store
        self._wrapper = wrapper
        self._clock = clock

    async def seal(self, case_id: str, fields: BaseModel) -> SealedEnvelopeV1:
        """`fields` sealed with the case's newest data key, made (and durably stored) if the
        case has none; Erased if the case was erased."""
        return seal_fields(case_id, await self._current_key(case_id), fields)

    async def unseal(self, case_id: str, envelope: SealedEnvelopeV1, model: type[Fields]) -> Fields:
        """The fields of `case_id` as `model`; Erased (with its date), SealBroken, or
        KeyUnavailable, never anything but the fields that were sealed."""
        check_destination(case_id, envelope, model)
        record = next(
            (key for key in self._store.keys_of(case_id) if key.key_id == envelope.key_id), None
        )
        if record is None:
            raise KeyUnavailable(f"no data key {envelope.key_id} for case {case_id} (yet)")
        return unseal_fields(case_id, await self._wrapper.unwrap(record), envelope, model)

    async def erase(self, case_id: str, reason: ErasureReason, erased_by: str) -> CaseErasedV1:
        erasure = CaseErasedV1(
            case_id=case_id, erased_at=self._clock(), reason=reason, erased_by=erased_by
        )
        await self._store.erase(erasure)
        return erasure

    async def _current_key(self, case_id: str) -> DataKey:
        keys = self._store.keys_of(case_id)
        if keys:
            return await self._wrapper.unwrap(keys[-1])
        key = new_data_key()
        wrapped = await self._wrapper.wrap(case_id, key)
        now = self._clock()
        await self._store.put(wrapped.record(case_id, key.key_id, now, now))
        return key
