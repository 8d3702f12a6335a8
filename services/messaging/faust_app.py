"""The faust App every Safeguard worker runs: the same guarantees, only names and ports differ."""

from pathlib import Path

import faust

__all__ = ["worker_app"]


def worker_app(
    app_id: str, bootstrap: str, store: str, data_dir: Path, web_bind: str, web_port: int
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
    )
