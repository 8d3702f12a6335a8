"""Creates the router's faust App, and nothing else."""

import faust

from services.router.settings import RouterSettings

__all__ = ["create_app"]


def create_app(settings: RouterSettings) -> faust.App:
    return faust.App(
        settings.router_app_id,
        broker=f"kafka://{settings.kafka_bootstrap}",
        store=settings.router_store,
        datadir=str(settings.router_data_dir),
        web_enabled=True,
        web_bind=settings.router_web_bind,
        web_port=settings.router_web_port,
        web_in_thread=False,
        consumer_auto_offset_reset="earliest",  # incidents accepted before the router ran
        producer_acks=-1,
        processing_guarantee="at_least_once",
        topic_allow_declare=True,  # faust's own changelog topics; contract topics pre-exist
        topic_disable_leader=True,
    )
