"""The faust App every Safeguard worker runs: the same guarantees, only names and ports differ."""

from pathlib import Path
from typing import Any

import faust
import mode

from contracts.topics import Topic
from services.messaging.faust_recovery import SeekSafeTableManager
from services.messaging.topics_admin import ensure_topics

__all__ = ["changelog_topics", "prepare_changelogs", "worker_app"]


def worker_app(
    app_id: str,
    bootstrap: str,
    store: str,
    data_dir: Path,
    web_bind: str,
    web_port: int,
    **settings: Any,  # a service's own faust settings, e.g. the router's producer batches
) -> faust.App:
    return faust.App(
        app_id,
        broker=f"kafka://{bootstrap}",
        store=store,
        datadir=str(data_dir),
        web_enabled=True,  # /healthz, /readyz and /metrics for probes and scrapes
        web_bind=web_bind,
        web_port=web_port,
        web_in_thread=False,
        consumer_auto_offset_reset="earliest",  # records written before the worker first ran
        producer_acks=-1,
        processing_guarantee="at_least_once",
        topic_allow_declare=True,  # faust's own changelog topics; contract topics pre-exist
        topic_disable_leader=True,
        # A crashed agent stops the worker, so a supervisor (Kubernetes, `stack up`) restarts it
        # or says so; a worker that answers probes while processing nothing protects no child.
        agent_supervisor=mode.CrashingSupervisor,
        # A worker that died without leaving its group holds its partitions until the broker
        # gives up on it: 10 s instead of faust's 60 s before a replacement takes over.
        broker_session_timeout=10.0,
        broker_heartbeat_interval=3.0,
        TableManager=SeekSafeTableManager,  # faust can drop records at recovery's end
        **settings,
    )


def changelog_topics(app_id: str, tables: dict[str, int]) -> tuple[Topic, ...]:
    """faust's names for the changelogs of `tables` (name -> partitions)."""
    return tuple(
        Topic(f"{app_id}-{name}-changelog", partitions, compacted=True)
        for name, partitions in tables.items()
    )


def prepare_changelogs(bootstrap: str, app_id: str, tables: dict[str, int]) -> None:
    """Create the changelogs before faust starts: faust creates them itself, but on a new
    broker it can check their partitions before the broker's metadata has them, and fails."""
    ensure_topics(bootstrap, changelog_topics(app_id, tables))
