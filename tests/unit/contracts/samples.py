"""One valid wire document per contract, written by hand (the models carry few examples)."""

from typing import Any

from contracts.registry import by_name
from tests.unit.contracts.schema_tools import committed_schema

__all__ = ["SAMPLES"]

_INCIDENT: dict[str, Any] = committed_schema(by_name("incident.v1"))["examples"][0]
_REPORTED: dict[str, Any] = committed_schema(by_name("incident-reported.v1"))["examples"][0]

_ALERT_ID = "alr_" + "a" * 32

SAMPLES: dict[str, dict[str, Any]] = {
    "incident.v1": _INCIDENT,
    "incident-reported.v1": _REPORTED,
    "alert-requested.v1": {
        "alert_id": _ALERT_ID,
        "incident_id": _REPORTED["incident_id"],
        "kind": "new",
        "agency_id": "police-dienbien",
        "agency_kind": "police",
        "rule_path": ["root", "severe-physical-abuse"],
        "rules_version": "2026-11-29",
        "fallback": False,
        "ack_deadline": "2026-11-29T08:30:00+07:00",
        "requested_at": "2026-11-29T08:15:00+07:00",
        "facts": {
            "reference": "SG-6F1C0A8E",
            "status": "Actual",
            "category": "physical_abuse",
            "severity": "Severe",
            "urgency": "Immediate",
            "certainty": "Likely",
            "geocode": "03127",
            "unit_name": "Xã Thanh Yên",
            "child_age": 9,
            "immediate_danger": True,
            "needs_shelter": True,
        },
    },
    "alert-event.v1": {
        "type": "alert.acknowledged",
        "alert_id": _ALERT_ID,
        "incident_id": "inc_6f1c0a8e4b9d4e0f9a3b2c1d0e9f8a7b",
        "agency_id": "dienbien-police",
        "at": "2026-11-29T08:21:00+07:00",
        "lifecycle": "acknowledged",
        "actor": "officer-017",
        "method": "link",
        "tier": 1,
        "detail": "after notified",
    },
    "alert-command.v1": {
        "alert_id": _ALERT_ID,
        "type": "acknowledge",
        "at": "2026-11-29T08:21:00+07:00",
        "by": "officer-017",
        "recipient_slot": 0,
        "method": "link",
        "nonce": "q8Zt3",
    },
    "dispatch-request.v1": {
        "alert_id": _ALERT_ID,
        "message_id": "msg-1",
        "recipient_id": "officer-017",
        "channel": "sms",
        "to": "+84912345678",
        "body": "SG-6F1C0A8E physical_abuse Severe, Thanh Yên. Xác nhận: https://ack.invalid/a",
        "drill": False,
    },
    "dead-letter.v1": {
        "service": "safeguard/router",
        "reason": "invalid_payload",
        "details": ["incident.category: not a category"],
        "original_topic": "incidents",
        "original_partition": 3,
        "original_offset": 1207,
        "original_key": _REPORTED["incident_id"],
        "original_headers": {"ce_specversion": "MS4w"},
        "original_value": "e30=",
        "failed_at": "2026-11-29T01:15:03Z",
    },
    "sealed-envelope.v1": {
        "version": 1,
        "algorithm": "AES-256-GCM",
        "case_id": _REPORTED["incident_id"],
        "key_id": "dk_" + "b" * 32,
        "field_set": "incident-personal.v1",
        "nonce": "AAECAwQFBgcICQoL",
        "ciphertext": "q0xJ7mJ1kZ8Yw3c2N0dlRk9xUmp2c1pSbW9vT0E=",
    },
    "incident-personal.v1": {
        "child_name": "Lò Thị Hoa",
        "area_desc": "Bản Noong Bua",
        "latitude": 21.3856,
        "longitude": 103.0169,
        "description": "Neighbour reports repeated beating.",
        "reporter": {"relationship": "neighbour", "phone": "+84912000111"},
    },
    "case-key.v1": {
        "case_id": _REPORTED["incident_id"],
        "key_id": "dk_" + "b" * 32,
        "kek_id": "kek-2026-12",
        "algorithm": "AES-256-GCM",
        "wrapped_key": "A" * 80,
        "created_at": "2026-11-29T01:15:02Z",
        "wrapped_at": "2026-12-01T03:00:00Z",
    },
    "case-erased.v1": {
        "case_id": _REPORTED["incident_id"],
        "erased_at": "2031-11-29T03:00:00Z",
        "reason": "retention_ended",
        "erased_by": "safeguard/retention",
    },
    "case-filed.v1": {
        "case_id": "case_" + "c" * 24,
        "incident_id": _REPORTED["incident_id"],
        "sender": "school-sis",
        "how": "linked",
        "reasons": ["same unit", "compatible category", "same age band", "same sex"],
        "reports": 2,
        "filed_at": "2026-11-29T08:16:00+07:00",
    },
    "case-command.v1": {
        "command": "unlink",
        "incident_id": _REPORTED["incident_id"],
        "by": "ops-lan",
        "reason": "the school confirms a different child",
        "at": "2026-11-29T09:00:00+07:00",
    },
}
