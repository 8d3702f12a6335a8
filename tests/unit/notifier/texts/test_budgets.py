"""Every SMS template within its segment budget (messages.SMS_BUDGETS), in Vietnamese and
English, accented and unaccented, for the worst case the sample province can produce: the
longest agency name of config/dienbien/agencies.yaml, the longest unit name, a drill, both
flags, a reply code and every category and severity."""

import functools
import itertools
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from contracts.incident import Category, Severity, Status
from services.config import read_yaml
from services.notifier.core.policy import AgencyName, Language, Officer
from services.notifier.roster import parse_agency_names
from services.notifier.texts import messages
from services.notifier.texts.messages import SMS_BUDGETS, About, AckOptions, Escalation, SmsKind
from services.notifier.texts.segments import Budget, count
from tests.unit.notifier.builders import MONDAY_0800, request

SAMPLE = Path(__file__).parents[4] / "config" / "dienbien"
# As long as a real one: the public address, /a/ and the 40-character token.
ACK = AckOptions(url="https://safeguard.dienbien.gov.vn/a/" + "A" * 40, reply_code="4711")


@functools.cache
def _agency_names() -> dict[str, AgencyName]:
    path = SAMPLE / "agencies.yaml"
    return parse_agency_names(read_yaml(path), str(path))


def _longest_agency(language: Language) -> str:
    return max((n.in_language(language) for n in _agency_names().values()), key=len)


@functools.cache
def _longest_unit() -> str:
    units = read_yaml(SAMPLE / "units.yaml")["units"]
    return max((str(unit["name_vi"]) for unit in units), key=len)


def _officer(language: Language) -> Officer:
    return Officer(
        id="desk",
        name="Desk",
        phone="+842000000001",
        email="desk@example.invalid",
        language=language,
        two_way_sms=True,
    )


def _render(kind: SmsKind, language: Language, unaccented: bool, **facts: Any) -> str:
    alert = request(unit_name=_longest_unit(), **facts)
    escalation = Escalation(tier=3, deadline=MONDAY_0800 + timedelta(days=1, hours=1))
    about = About(
        agency=_longest_agency(language),
        since=MONDAY_0800 - timedelta(days=1),  # another day: the date is printed too
        escalation=escalation if kind is SmsKind.ESCALATION else None,
    )
    render = messages.expiry_sms if kind is SmsKind.EXPIRY else messages.sms
    return render(alert, _officer(language), ACK, about=about, unaccented=unaccented)


def test_the_sample_has_long_agency_names_to_test_with() -> None:
    assert len(_longest_agency(Language.VI)) >= 45
    assert len(_longest_agency(Language.EN)) >= 60


@pytest.mark.parametrize(
    ("kind", "language", "unaccented"),
    list(itertools.product(SmsKind, Language, (False, True))),
    ids=str,
)
def test_every_sms_kind_stays_within_its_budget(
    kind: SmsKind, language: Language, unaccented: bool
) -> None:
    budget = SMS_BUDGETS[kind]
    for category, severity in itertools.product(Category, Severity):
        text = _render(
            kind,
            language,
            unaccented,
            category=category,
            severity=severity,
            status=Status.EXERCISE,
            immediate_danger=True,
            needs_shelter=True,
        )
        assert budget.allows(text), (count(text), text)


def test_an_escalation_names_the_longest_agency_whole() -> None:
    for language in Language:
        text = _render(SmsKind.ESCALATION, language, unaccented=False)
        assert _longest_agency(language) in text
        assert "09:00 01/12" in text  # its own deadline, the next day


def test_a_budget_counts_by_the_encoding_the_text_needs() -> None:
    budget = Budget(gsm7=1, ucs2=2)
    assert budget.allows("a" * 160)
    assert not budget.allows("a" * 161)
    assert budget.allows("ă" * 134)
    assert not budget.allows("ă" * 135)
