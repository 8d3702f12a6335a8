"""Every CloudEvent type, named once, and the one decoder from a Kafka record to a typed event.

The type strings come from ``contracts.registry``; services import the names below and never
spell a type themselves (a unit test checks it). `decode` reads a record in two halves that
callers may also use alone: `envelope` (the ``ce_*`` headers) and `parse` (the typed body).
A record it cannot read is refused with a `Refused` whose `reason` is a bounded code, fit for a
metric label or a dead letter.
"""

from dataclasses import dataclass
from enum import StrEnum

from pydantic import ValidationError

from contracts import cloudevents
from contracts.alert import AlertRequestedV1
from contracts.alert_command import AlertCommandV1
from contracts.alert_event import AlertEventV1
from contracts.case import CaseCommandV1, CaseFiledV1
from contracts.deadletter import DeadLetterV1
from contracts.dispatch import DispatchRequestV1
from contracts.incident import IncidentReportedV1
from contracts.registry import CONTRACTS, Contract
from contracts.sealing import CaseErasedV1, CaseKeyV1

__all__ = [
    "ALERT_COMMAND",
    "ALERT_EVENT",
    "ALERT_REQUESTED",
    "CASE_COMMAND",
    "CASE_ERASED",
    "CASE_FILED",
    "CASE_KEY",
    "DEAD_LETTER",
    "DISPATCH_REQUEST",
    "INCIDENT_REPORTED",
    "INTAKE_IDEMPOTENCY",
    "Event",
    "Received",
    "RefusalReason",
    "Refused",
    "decode",
    "envelope",
    "parse",
]

Event = (
    IncidentReportedV1
    | AlertRequestedV1
    | AlertCommandV1
    | DispatchRequestV1
    | DeadLetterV1
    | AlertEventV1
    | CaseFiledV1
    | CaseCommandV1
    | CaseKeyV1
    | CaseErasedV1
)
_EVENT_MODELS: tuple[type[Event], ...] = (
    IncidentReportedV1,
    AlertRequestedV1,
    AlertCommandV1,
    DispatchRequestV1,
    DeadLetterV1,
    AlertEventV1,
    CaseFiledV1,
    CaseCommandV1,
    CaseKeyV1,
    CaseErasedV1,
)


def _ce_type(model: type[Event]) -> str:
    [contract] = [c for c in CONTRACTS if c.model is model and c.ce_type is not None]
    assert contract.ce_type is not None
    return contract.ce_type


INCIDENT_REPORTED = _ce_type(IncidentReportedV1)
ALERT_REQUESTED = _ce_type(AlertRequestedV1)
ALERT_COMMAND = _ce_type(AlertCommandV1)
DISPATCH_REQUEST = _ce_type(DispatchRequestV1)
DEAD_LETTER = _ce_type(DeadLetterV1)
ALERT_EVENT = _ce_type(AlertEventV1)
CASE_FILED = _ce_type(CaseFiledV1)
CASE_COMMAND = _ce_type(CaseCommandV1)
CASE_KEY = _ce_type(CaseKeyV1)
CASE_ERASED = _ce_type(CaseErasedV1)
# Intake's own record on its compacted index topic: read only by intake, so no public contract.
INTAKE_IDEMPOTENCY = "org.safeguard.intake.idempotency.v1"


class RefusalReason(StrEnum):
    MALFORMED_ENVELOPE = "malformed_envelope"  # not a CloudEvent this codec reads
    UNEXPECTED_TYPE = "unexpected_type"  # a CloudEvent, but of a type no contract names
    INVALID_BODY = "invalid_body"  # the body does not match its type's contract


class Refused(ValueError):
    """A record that is not a readable Safeguard event. `details` lists the bad fields' paths
    (never their values)."""

    def __init__(self, reason: RefusalReason, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.reason = reason
        self.details = details or []


@dataclass(frozen=True)
class Received:
    """A decoded record: its envelope and its body as the contract's model."""

    envelope: cloudevents.CloudEvent
    data: Event

    @property
    def type(self) -> str:
        return self.envelope.type


def envelope(headers: cloudevents.Headers | None, value: bytes | None) -> cloudevents.CloudEvent:
    try:
        return cloudevents.decode(headers, value)
    except cloudevents.MalformedEvent as error:
        raise Refused(RefusalReason.MALFORMED_ENVELOPE, f"not a CloudEvent: {error}") from error


def parse(ce_type: str, body: bytes) -> Event:
    """The body of a CloudEvent of type `ce_type`, as its contract's model."""
    contract = _CONTRACTS_BY_TYPE.get(ce_type)
    if contract is None:
        raise Refused(RefusalReason.UNEXPECTED_TYPE, f"unexpected ce_type {ce_type!r}")
    try:
        data = contract.model.model_validate_json(body)
    except ValidationError as error:
        paths = [".".join(str(part) for part in issue["loc"]) for issue in error.errors()]
        message = f"body does not match {contract.name}"
        raise Refused(RefusalReason.INVALID_BODY, message, paths) from error
    assert isinstance(data, _EVENT_MODELS)
    return data


def decode(headers: cloudevents.Headers | None, value: bytes | None) -> Received:
    read = envelope(headers, value)
    return Received(read, parse(read.type, read.data))


_CONTRACTS_BY_TYPE: dict[str, Contract] = {
    c.ce_type: c for c in CONTRACTS if c.ce_type is not None and c.model in _EVENT_MODELS
}
