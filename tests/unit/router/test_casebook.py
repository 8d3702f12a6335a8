"""Filing reports into cases: named, linked, possible, new; ops move reports by hand."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contracts.case import FiledHow
from contracts.incident import IncidentReportedV1
from services.router.casebook import (
    CaseBook,
    case_id_for,
    expire,
    file_report,
    move_report,
)
from services.router.linking import LinkingConfig

CONFIG = LinkingConfig()
T0 = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)


def nearby(a: str, b: str) -> bool:
    return {a, b} == {"03127", "03334"}


def report(
    n: int, sender: str = "helpline-111", hours: float = 0, **incident: Any
) -> IncidentReportedV1:
    body: dict[str, Any] = {
        "identifier": f"R-{n}",
        "sent": "2026-11-29T08:15:00+07:00",
        "category": "physical_abuse",
        "severity": "Severe",
        "urgency": "Immediate",
        "certainty": "Likely",
        "area": {"geocode": "03127"},
        "child": {"age": 9, "sex": "female"},
    }
    return IncidentReportedV1.model_validate(
        {
            "incident_id": f"inc_{n:032x}",
            "sender": sender,
            "received_at": T0 + timedelta(hours=hours),
            "incident": body | incident,
        }
    )


def filed(*reports: IncidentReportedV1) -> CaseBook:
    book = CaseBook()
    for event in reports:
        book = file_report(book, event, nearby, CONFIG).book
    return book


def test_a_first_report_opens_a_case_whose_id_follows_from_it() -> None:
    filing = file_report(CaseBook(), report(1), nearby, CONFIG)
    assert (filing.how, filing.case_id) == (FiledHow.NEW, case_id_for(report(1).incident_id))
    assert filing.book.filed == {report(1).incident_id: filing.case_id}


def test_the_school_reporting_the_same_child_joins_the_helplines_case() -> None:
    book = filed(report(1))
    school = report(
        2, sender="school-sis", hours=3, category="violence", child={"age": 10, "sex": "female"}
    )
    filing = file_report(book, school, nearby, CONFIG)
    assert filing.how is FiledHow.LINKED
    assert filing.case_id == case_id_for(report(1).incident_id)
    assert "same sex" in filing.reasons
    assert len(filing.book.cases[filing.case_id].reports) == 2


def test_a_report_naming_its_case_or_an_earlier_report_joins_it() -> None:
    book = filed(report(1))
    case = case_id_for(report(1).incident_id)
    by_case = report(2, child={"sex": "male"}, refers_to={"case_id": case})
    by_own = report(3, refers_to={"identifier": "R-1"})
    by_other = report(
        4, sender="school-sis", refers_to={"identifier": "R-1", "sender": "helpline-111"}
    )
    for event in (by_case, by_own, by_other):
        filing = file_report(book, event, nearby, CONFIG)
        assert (filing.how, filing.case_id) == (FiledHow.NAMED, case), event.incident.identifier


def test_the_same_report_again_changes_nothing() -> None:
    book = filed(report(1))
    again = file_report(book, report(1), nearby, CONFIG)
    assert again.how is FiledHow.REPEATED
    assert again.book == book


def test_an_uncertain_match_opens_its_own_case_and_names_the_possible_one() -> None:
    book = filed(report(1))
    vague = report(2, child={})
    filing = file_report(book, vague, nearby, CONFIG)
    assert filing.how is FiledHow.POSSIBLE
    assert filing.case_id == case_id_for(vague.incident_id)
    assert filing.possible_case == case_id_for(report(1).incident_id)


def test_ops_unlink_a_report_into_a_case_of_its_own_and_link_it_back() -> None:
    book = filed(report(1), report(2, hours=1))
    case = case_id_for(report(1).incident_id)
    unlinked = move_report(book, report(2).incident_id, None, "different child, says the school")
    assert unlinked.how is FiledHow.BY_HAND
    assert unlinked.left_case == case
    assert unlinked.case_id != case
    assert [r.incident_id for r in unlinked.book.cases[case].reports] == [report(1).incident_id]
    back = move_report(unlinked.book, report(2).incident_id, case, "same child after all")
    assert unlinked.case_id not in back.book.cases
    assert back.book.filed[report(2).incident_id] == case


def test_moving_into_an_unknown_case_is_refused() -> None:
    with pytest.raises(KeyError):
        move_report(filed(report(1)), report(1).incident_id, "case_" + "0" * 24, "typo")


def test_a_case_leaves_the_book_when_the_window_has_passed() -> None:
    book = filed(report(1))
    assert expire(book, T0 + timedelta(hours=71), CONFIG) == book
    assert expire(book, T0 + timedelta(hours=73), CONFIG) == CaseBook()
