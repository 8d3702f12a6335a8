"""Kafka wiring shared by the services: topic administration and the event publisher."""
