"""An incident's personal fields taken apart and put back: what intake seals before the incident
reaches Kafka, and what the case page unseals. Everything else stays in clear for the router."""

from contracts.incident import IncidentV1
from contracts.incident_personal import IncidentPersonalV1
from contracts.sealing import SealedEnvelopeV1
from services.sealing.sealer import CaseSealer

__all__ = [
    "personal_fields_of",
    "seal_incident",
    "unseal_incident",
    "with_personal_fields",
    "without_personal_fields",
]


def personal_fields_of(incident: IncidentV1) -> IncidentPersonalV1:
    return IncidentPersonalV1(
        child_name=incident.child.name,
        area_desc=incident.area.area_desc,
        latitude=incident.area.latitude,
        longitude=incident.area.longitude,
        description=incident.description,
        reporter=incident.reporter,
    )


def without_personal_fields(incident: IncidentV1) -> IncidentV1:
    return with_personal_fields(incident, IncidentPersonalV1())


def with_personal_fields(incident: IncidentV1, personal: IncidentPersonalV1) -> IncidentV1:
    place = {"latitude": personal.latitude, "longitude": personal.longitude}
    area = incident.area.model_copy(update={"area_desc": personal.area_desc, **place})
    return incident.model_copy(
        update={
            "child": incident.child.model_copy(update={"name": personal.child_name}),
            "area": area,
            "description": personal.description,
            "reporter": personal.reporter,
        }
    )


async def seal_incident(
    sealer: CaseSealer, case_id: str, incident: IncidentV1
) -> tuple[IncidentV1, SealedEnvelopeV1]:
    """The incident without its personal fields, and those fields sealed for `case_id`."""
    envelope = await sealer.seal(case_id, personal_fields_of(incident))
    return without_personal_fields(incident), envelope


async def unseal_incident(
    sealer: CaseSealer, case_id: str, incident: IncidentV1, envelope: SealedEnvelopeV1
) -> IncidentV1:
    """The whole incident again; Erased, SealBroken or KeyUnavailable otherwise."""
    personal = await sealer.unseal(case_id, envelope, IncidentPersonalV1)
    return with_personal_fields(incident, personal)
