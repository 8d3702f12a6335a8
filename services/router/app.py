"""Creates the router's faust App, and nothing else."""

import faust

from services.messaging.faust_app import worker_app
from services.router.settings import RouterSettings

__all__ = ["create_app"]


def create_app(settings: RouterSettings) -> faust.App:
    return worker_app(
        settings.router_app_id,
        settings.kafka_bootstrap,
        settings.router_store,
        settings.router_data_dir,
        settings.router_web_bind,
        settings.router_web_port,
    )
