"""The keys job: what an operator (or a CronJob) runs against the key topics.

    python -m services.sealing.keys_job status
    python -m services.sealing.keys_job new-kek          # make run's KEK file only
    python -m services.sealing.keys_job rotate           # re-wrap every key by the active KEK
    python -m services.sealing.keys_job erase CASE_ID --by ops-017
    python -m services.sealing.keys_job finish-erasures  # after restoring a key-topic backup

KEKs come from SAFEGUARD_SEALING_* (settings.py). Run one job at a time: a rotation racing an
erasure elsewhere could write back a key the erasure just destroyed (finish-erasures then
destroys it again; no reader ever uses it, since the erasure record wins)."""

import argparse
import asyncio
import sys
from collections.abc import Sequence

from contracts.sealing import ErasureReason
from services.messaging.publisher import EventPublisher
from services.sealing.case_keys_kafka import KafkaCaseKeyStore
from services.sealing.kek import KekRing
from services.sealing.kek_sources import add_local_kek
from services.sealing.rotation import kek_ids_in_use, rewrap_all
from services.sealing.sealer import CaseSealer
from services.sealing.settings import KekSource, SealingSettings, kek_ring

__all__ = ["main"]

SOURCE = "safeguard/keys-job"


def main(argv: Sequence[str] | None = None, settings: SealingSettings | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = settings or SealingSettings()
    if args.command == "new-kek":
        if settings.kek_source is not KekSource.FILE:
            print("new-kek writes the local KEK file; add a Secret key instead", file=sys.stderr)
            return 2
        print(add_local_kek(settings.kek_file))
        return 0
    return asyncio.run(_with_store(args, settings, kek_ring(settings)))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services.sealing.keys_job")
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("status")
    commands.add_parser("new-kek")
    commands.add_parser("rotate")
    commands.add_parser("finish-erasures")
    erase = commands.add_parser("erase")
    erase.add_argument("case_id")
    erase.add_argument("--by", required=True, help="the ops account that decided it")
    erase.add_argument(
        "--reason", choices=[r.value for r in ErasureReason], default=ErasureReason.ORDERED
    )
    return parser


async def _with_store(args: argparse.Namespace, settings: SealingSettings, ring: KekRing) -> int:
    publisher = EventPublisher(args.bootstrap, SOURCE)
    await publisher.start()
    store = KafkaCaseKeyStore(args.bootstrap, publisher)
    try:
        if not await store.start(settings.replay_timeout_seconds):
            print("the key topics were not replayed in time; nothing done", file=sys.stderr)
            return 1
        return await _run(args, store, ring)
    finally:
        await store.stop()
        await publisher.stop()


async def _run(args: argparse.Namespace, store: KafkaCaseKeyStore, ring: KekRing) -> int:
    if args.command == "rotate":
        rotation = await rewrap_all(store, ring)
        print(f"re-wrapped {rotation.rewrapped} keys with {ring.active_kek_id}")
        if rotation.missing_keks:
            print(f"keys under KEKs not mounted: {sorted(rotation.missing_keks)}", file=sys.stderr)
            return 1
    elif args.command == "erase":
        erasure = await CaseSealer(store, ring).erase(
            args.case_id, ErasureReason(args.reason), args.by
        )
        print(f"{erasure.case_id} erased on {erasure.erased_at.isoformat()}")
    elif args.command == "finish-erasures":
        unfinished = store.unfinished_erasures()
        for erasure in unfinished:
            await store.erase(erasure)
        print(f"finished {len(unfinished)} erasures")
    print(f"KEKs mounted: {ring.kek_ids}; active: {ring.active_kek_id}")
    print(f"KEKs in use: {sorted(kek_ids_in_use(store))}; keys: {len(store.all_keys())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
