"""Creates the notifier worker's faust App, and nothing else."""

import faust

from services.messaging.faust_app import worker_app
from services.notifier.settings import NotifierSettings

__all__ = ["create_app"]


def create_app(settings: NotifierSettings) -> faust.App:
    return worker_app(
        settings.notifier_app_id,
        settings.kafka_bootstrap,
        settings.notifier_store,
        settings.notifier_data_dir,
        settings.notifier_web_bind,
        settings.notifier_web_port,
    )
