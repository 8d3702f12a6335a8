"""Structured logging and Prometheus metrics shared by the services."""
