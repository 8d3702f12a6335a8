"""KEK rotation: every data key not yet wrapped by the active KEK is re-wrapped by it. Only the
key topic is rewritten (compaction then drops the old wrappings); no envelope changes."""

from collections.abc import Callable
from datetime import UTC, datetime

from services.sealing.case_keys import CaseKeyStore
from services.sealing.errors import Erased
from services.sealing.kek import DataKeyWrapper

__all__ = ["kek_ids_in_use", "rewrap_all"]


def _now() -> datetime:
    return datetime.now(UTC)


async def rewrap_all(
    store: CaseKeyStore, wrapper: DataKeyWrapper, clock: Callable[[], datetime] = _now
) -> int:
    """Re-wrap the keys under older KEKs; return how many were re-wrapped. Run it from one
    process at a time (the keys job), after the new KEK became active everywhere."""
    rewrapped = 0
    for record in store.all_keys():
        if record.kek_id == wrapper.active_kek_id:
            continue
        key = await wrapper.unwrap(record)
        wrapped = await wrapper.wrap(record.case_id, key)
        try:
            await store.put(wrapped.record(record.case_id, key.key_id, record.created_at, clock()))
        except Erased:
            continue  # erased meanwhile: nothing left to protect
        rewrapped += 1
    return rewrapped


def kek_ids_in_use(store: CaseKeyStore) -> set[str]:
    """The KEKs some live data key still needs; a retired KEK absent from it may be destroyed
    (once no backup of the key topic that still needs it is kept, docs/keys.md)."""
    return {record.kek_id for record in store.all_keys()}
