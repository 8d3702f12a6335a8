"""KEK rotation: every data key not yet wrapped by the active KEK is re-wrapped by it. Only the
key topic is rewritten (compaction then drops the old wrappings); no envelope changes."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.sealing.case_keys import CaseKeyStore
from services.sealing.errors import Erased, KeyUnavailable
from services.sealing.kek import DataKeyWrapper

__all__ = ["Rotation", "kek_ids_in_use", "rewrap_all"]

log = logging.getLogger(__name__)


@dataclass
class Rotation:
    rewrapped: int = 0
    # KEKs the ring lacks that some key still needs: retired too early, or not mounted.
    missing_keks: set[str] = field(default_factory=set)


def _now() -> datetime:
    return datetime.now(UTC)


async def rewrap_all(
    store: CaseKeyStore, wrapper: DataKeyWrapper, clock: Callable[[], datetime] = _now
) -> Rotation:
    """Re-wrap the keys under older KEKs. Run it from one process at a time (the keys job),
    after the new KEK became active everywhere; a key whose KEK is missing stays as it is."""
    rotation = Rotation()
    for record in store.all_keys():
        if record.kek_id == wrapper.active_kek_id:
            continue
        try:
            key = await wrapper.unwrap(record)
        except KeyUnavailable:
            rotation.missing_keks.add(record.kek_id)
            continue
        wrapped = await wrapper.wrap(record.case_id, key)
        try:
            await store.put(wrapped.record(record.case_id, key.key_id, record.created_at, clock()))
        except Erased:
            continue  # erased meanwhile: nothing left to protect
        rotation.rewrapped += 1
    if rotation.missing_keks:
        log.warning(
            "keys left under KEKs not in the ring", extra={"keks": sorted(rotation.missing_keks)}
        )
    return rotation


def kek_ids_in_use(store: CaseKeyStore) -> set[str]:
    """The KEKs some live data key still needs; a retired KEK absent from it may be destroyed
    (once no backup of the key topic that still needs it is kept, docs/keys.md)."""
    return {record.kek_id for record in store.all_keys()}
