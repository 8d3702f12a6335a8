"""Creates the notifier worker's faust App, and nothing else."""

import faust

from services.notifier.settings import NotifierSettings

__all__ = ["create_app"]


def create_app(settings: NotifierSettings) -> faust.App:
    return faust.App(
        settings.notifier_app_id,
        broker=f"kafka://{settings.kafka_bootstrap}",
        store=settings.notifier_store,
        datadir=str(settings.notifier_data_dir),
        web_enabled=True,
        web_bind=settings.notifier_web_bind,
        web_port=settings.notifier_web_port,
        web_in_thread=False,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        processing_guarantee="at_least_once",
        topic_allow_declare=True,
        topic_disable_leader=True,
    )
