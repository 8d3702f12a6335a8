"""Intake: the HTTP entrypoint that puts incidents durably on Kafka."""
