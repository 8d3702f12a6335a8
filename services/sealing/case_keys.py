"""The case-key store: the port, the in-memory model both adapters keep, and the fake.

Reads are from memory (the Kafka adapter keeps it current by following its topics); writes are
durable when they return. An erasure wins over any key: once a case is known erased, its keys
are forgotten and no key is accepted for it again."""

from typing import Protocol

from contracts.sealing import CaseErasedV1, CaseKeyV1
from services.sealing.errors import Erased

__all__ = ["CaseKeyIndex", "CaseKeyStore", "InMemoryCaseKeyStore", "record_key"]


def record_key(case_id: str, key_id: str) -> str:
    """The Kafka record key of one data key on sealing.case-keys."""
    return f"{case_id}/{key_id}"


class CaseKeyStore(Protocol):
    def keys_of(self, case_id: str) -> list[CaseKeyV1]:
        """The case's data keys, oldest first; Erased if the case was erased."""
        ...

    def all_keys(self) -> list[CaseKeyV1]: ...

    async def put(self, key: CaseKeyV1) -> None:
        """Keep (or replace) a data key durably; Erased if its case was erased."""
        ...

    def unfinished_erasures(self) -> list[CaseErasedV1]: ...

    async def erase(self, erasure: CaseErasedV1) -> None:
        """Record the erasure, then destroy every data key of the case. Idempotent: erasing
        again keeps the first record and destroys any key left."""
        ...


class CaseKeyIndex:
    """Live keys by case, erasures, and the keys of erased cases not yet seen destroyed (so an
    interrupted erasure can be finished, and a key that turns up late for an erased case is
    destroyed too)."""

    def __init__(self) -> None:
        self._keys: dict[str, dict[str, CaseKeyV1]] = {}
        self._doomed: dict[str, dict[str, CaseKeyV1]] = {}
        self._erasures: dict[str, CaseErasedV1] = {}

    def keys_of(self, case_id: str) -> list[CaseKeyV1]:
        self.refuse_if_erased(case_id)
        return sorted(self._keys.get(case_id, {}).values(), key=lambda key: key.created_at)

    def all_keys(self) -> list[CaseKeyV1]:
        return [key for keys in self._keys.values() for key in keys.values()]

    def keys_to_destroy(self, case_id: str) -> list[CaseKeyV1]:
        """Every key of the case still on the topic as far as this index knows."""
        both = {**self._keys.get(case_id, {}), **self._doomed.get(case_id, {})}
        return list(both.values())

    def erasure_of(self, case_id: str) -> CaseErasedV1 | None:
        return self._erasures.get(case_id)

    def unfinished_erasures(self) -> list[CaseErasedV1]:
        """Erased cases with keys not yet seen tombstoned: an interrupted erasure, or keys
        brought back by restoring a backup of the key topic."""
        return [self._erasures[case_id] for case_id in sorted(self._doomed)]

    def refuse_if_erased(self, case_id: str) -> None:
        erasure = self._erasures.get(case_id)
        if erasure is not None:
            raise Erased(case_id, erasure.erased_at)

    def remember(self, key: CaseKeyV1) -> None:
        where = self._doomed if key.case_id in self._erasures else self._keys
        where.setdefault(key.case_id, {})[key.key_id] = key

    def forget(self, case_id: str, key_id: str) -> None:
        for where in (self._keys, self._doomed):
            keys = where.get(case_id, {})
            keys.pop(key_id, None)
            if not keys:
                where.pop(case_id, None)

    def record_erasure(self, erasure: CaseErasedV1) -> None:
        self._erasures.setdefault(erasure.case_id, erasure)  # the first erasure's date stands
        doomed = self._keys.pop(erasure.case_id, {})
        self._doomed.setdefault(erasure.case_id, {}).update(doomed)
        if not self._doomed[erasure.case_id]:
            del self._doomed[erasure.case_id]


class IndexedCaseKeys:
    """The reading half every store shares: both keep what they know in a CaseKeyIndex."""

    def __init__(self) -> None:
        self._index = CaseKeyIndex()

    def keys_of(self, case_id: str) -> list[CaseKeyV1]:
        return self._index.keys_of(case_id)

    def all_keys(self) -> list[CaseKeyV1]:
        return self._index.all_keys()

    def unfinished_erasures(self) -> list[CaseErasedV1]:
        return self._index.unfinished_erasures()


class InMemoryCaseKeyStore(IndexedCaseKeys):
    """The fake beside KafkaCaseKeyStore, for unit tests of what uses the store."""

    async def put(self, key: CaseKeyV1) -> None:
        self._index.refuse_if_erased(key.case_id)
        self._index.remember(key)

    async def erase(self, erasure: CaseErasedV1) -> None:
        keys = self._index.keys_to_destroy(erasure.case_id)
        self._index.record_erasure(erasure)
        for key in keys:
            self._index.forget(key.case_id, key.key_id)
