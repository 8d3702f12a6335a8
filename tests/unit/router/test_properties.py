"""Properties of routing on the sample configuration, over generated incidents."""

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.alert import RequestKind
from contracts.incident import (
    AgeBand,
    Category,
    Certainty,
    IncidentReportedV1,
    IncidentV1,
    Severity,
    Status,
    Urgency,
)
from services.router.routing import route, to_alert_request
from tests.unit.router.builders import sample

_DIRECTORY, _RULES = sample()
_LONGEST = timedelta(hours=24)


def _band(age: int) -> AgeBand:
    return next(
        b for b in AgeBand if int(b.value.split("-")[0]) <= age <= int(b.value.split("-")[1])
    )


@st.composite
def _child(draw: st.DrawFn) -> dict[str, Any]:
    age = draw(st.none() | st.integers(0, 17))
    band = (
        draw(st.none() | st.sampled_from(AgeBand))
        if age is None
        else draw(st.sampled_from([None, _band(age)]))
    )
    school = draw(st.none() | st.sampled_from([*_DIRECTORY.schools, "NOT-LISTED"]))
    return {"age": age, "age_band": band, "school_id": school}


@st.composite
def events(draw: st.DrawFn) -> IncidentReportedV1:
    geocode = draw(
        st.sampled_from(list(_DIRECTORY.units)) | st.from_regex(r"[0-9]{2,5}", fullmatch=True)
    )
    flags = {
        name: draw(st.booleans())
        for name in ("immediate_danger", "needs_shelter", "perpetrator_in_household")
    }
    body = IncidentV1(
        identifier="PROP-1",
        sent=datetime(2026, 11, 29, tzinfo=UTC),
        status=draw(st.sampled_from(Status)),
        category=draw(st.sampled_from(Category)),
        severity=draw(st.sampled_from(Severity)),
        urgency=draw(st.sampled_from(Urgency)),
        certainty=draw(st.sampled_from(Certainty)),
        area={"geocode": geocode},
        child=draw(_child()),
        flags=flags,
    )
    return IncidentReportedV1(
        incident_id="inc_" + draw(st.uuids()).hex,
        sender="property",
        received_at=datetime(2026, 11, 29, tzinfo=UTC),
        incident=body,
    )


_NOW = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)


@settings(max_examples=300)
@given(events(), _NOW)
def test_every_incident_reaches_at_least_one_agency_once(
    event: IncidentReportedV1, now: datetime
) -> None:
    decisions = route(event, _DIRECTORY, _RULES, now)

    assert decisions
    assert len({d.agency_id for d in decisions}) == len(decisions)
    assert all(now < d.ack_deadline <= now + _LONGEST for d in decisions)
    assert all(d.rule_path[0] == _RULES.route.name for d in decisions)


@settings(max_examples=300)
@given(events(), _NOW)
def test_an_agency_is_picked_only_where_its_jurisdiction_covers_the_place(
    event: IncidentReportedV1, now: datetime
) -> None:
    incident = event.incident
    school = _DIRECTORY.schools.get(incident.child.school_id or "")
    for decision in route(event, _DIRECTORY, _RULES, now):
        agency = _DIRECTORY.agencies[decision.agency_id]
        own_school = school is not None and agency.id == school.agency
        assert own_school or _DIRECTORY.covers(agency, incident.area.geocode), decision


@settings(max_examples=200)
@given(events(), _NOW)
def test_the_same_input_gives_the_same_output(event: IncidentReportedV1, now: datetime) -> None:
    copy = IncidentReportedV1.model_validate_json(event.model_dump_json())

    first = route(event, _DIRECTORY, _RULES, now)
    again = route(copy, _DIRECTORY, _RULES, now)

    assert first == again
    requests = [to_alert_request(d, event, _DIRECTORY, now, RequestKind.NEW) for d in first]
    repeated = [to_alert_request(d, copy, _DIRECTORY, now, RequestKind.NEW) for d in again]
    assert requests == repeated
