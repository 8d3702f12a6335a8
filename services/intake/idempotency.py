"""Recognising a retried report. The incident id is derived from the source and its own
reference, so every intake replica gives a retry the same id; the index of what was already
published lives on a compacted Kafka topic, so it survives restarts."""

import hashlib
import uuid
from dataclasses import dataclass

from contracts.incident import IncidentV1

__all__ = ["Record", "fingerprint", "idempotency_key", "incident_id_for"]

_NAMESPACE = uuid.UUID("5b0f6f0e-2a47-4f3e-9a51-7d2c8e1f0a11")


def incident_id_for(source_id: str, identifier: str) -> str:
    return "inc_" + uuid.uuid5(_NAMESPACE, f"{source_id}\n{identifier}").hex


def idempotency_key(source_id: str, identifier: str, header_key: str | None) -> str:
    """A client's Idempotency-Key wins over the report's identifier when both are given."""
    if header_key:
        return f"{source_id}\nkey\n{header_key}"
    return f"{source_id}\nref\n{identifier}"


def fingerprint(incident: IncidentV1) -> str:
    return hashlib.sha256(incident.model_dump_json().encode()).hexdigest()


@dataclass(frozen=True)
class Record:
    incident_id: str
    fingerprint: str
