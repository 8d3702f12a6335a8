"""Property-based requests on every operation of the notifier front's OpenAPI document, with and
without an ops key, and signed Twilio forms of every shape: no input makes a 5xx, and none of it
loses or duplicates an alert. The tests of this module share one ledger: the last one checks
that alerts.commands received exactly the commands the accepted requests stand for."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from contracts.alert_command import CommandType
from contracts.topics import ALERT_COMMANDS
from devstack.kafka import LocalKafka
from services.notifier.core.links import SMS_PATH, STATUS_PATH, VOICE_PATH
from tests.integration.kafka_reader import TopicReader
from tests.integration.notifier_api.alerts import (
    OPS,
    PUBLIC_BASE_URL,
    TWILIO_TOKEN,
    Alert,
    AlertWriter,
    commands,
    link,
    nonce_of,
    wait_for_alert,
)
from tests.integration.servers import BackgroundServer

OPERATIONS = [
    ("GET", "/ack/{token}"),
    ("POST", "/ack/{token}"),
    ("POST", STATUS_PATH),
    ("POST", SMS_PATH),
    ("POST", VOICE_PATH),
    ("GET", "/v1/alerts"),
    ("GET", "/v1/alerts/{alert_id}"),
    ("POST", "/v1/alerts/{alert_id}/ack"),
]
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
RECEIPTS = {"sent", "delivered", "undelivered", "failed"}


@dataclass
class Ledger:
    """The alert the fuzzing aims at, what it looked like, and the commands owed so far."""

    alert: Alert
    before: dict[str, Any]
    reader: TopicReader
    expected: Counter[tuple[str, CommandType]] = field(default_factory=Counter)
    link_nonces: set[str] = field(default_factory=set)

    def owe(self, alert_id: str, kind: CommandType) -> None:
        self.expected[(alert_id, kind)] += 1


@pytest.fixture(scope="module")
def ledger(api: BackgroundServer, writer: AlertWriter, kafka: LocalKafka) -> Iterator[Ledger]:
    alert = writer.new_alert()
    before = wait_for_alert(api, alert.alert_id)
    reader = TopicReader(kafka.bootstrap, ALERT_COMMANDS.name)
    yield Ledger(alert, before, reader)
    reader.close()


def test_every_operation_of_the_document_is_fuzzed(api: BackgroundServer) -> None:
    document = httpx.get(f"{api.url}/openapi.json", timeout=10).json()
    documented = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    assert documented == set(OPERATIONS)
    for path in (STATUS_PATH, SMS_PATH, VOICE_PATH):
        body = document["paths"][path]["post"]["requestBody"]
        assert "application/x-www-form-urlencoded" in body["content"]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_generated_request_gets_a_server_error(
    api: BackgroundServer, ledger: Ledger, method: str, path: str
) -> None:
    operation = schemathesis.openapi.from_url(f"{api.url}/openapi.json")[path][method]
    strategy = st.one_of(
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
    )
    seen: set[int] = set()

    @given(with_key=st.booleans(), aim=st.integers(0, 9), case=strategy)
    @FUZZ
    def check(case: schemathesis.Case[Any], with_key: bool, aim: int) -> None:
        _aim_at(case, ledger, aim)
        response = case.call(base_url=api.url, headers=OPS if with_key else {}, timeout=30)
        seen.add(response.status_code)
        assert response.status_code < 500, response.text
        _record(ledger, method, path, case, response.status_code)

    check()
    if path.startswith("/v1/"):
        assert 401 in seen, f"never refused a request without the key: {sorted(seen)}"
        assert seen - {401}, f"no request with the key got past it: {sorted(seen)}"


def _aim_at(case: schemathesis.Case[Any], ledger: Ledger, aim: int) -> None:
    """Some requests name the real alert or carry its real link, so they reach the code past
    the lookup; links rarely, as each accepted press waits for the worker's answer."""
    parameters = case.path_parameters or {}
    if "alert_id" in parameters and aim < 5:
        parameters["alert_id"] = ledger.alert.alert_id
    if "token" in parameters and (aim == 0 or (aim < 5 and case.method == "GET")):
        parameters["token"] = link(ledger.alert.alert_id).removeprefix("/ack/")


def _record(
    ledger: Ledger, method: str, path: str, case: schemathesis.Case[Any], status: int
) -> None:
    """The command an accepted request published: an ops acknowledgment each time, a link's
    press once per link however often it is pressed."""
    parameters = case.path_parameters or {}
    if (method, path) == ("POST", "/v1/alerts/{alert_id}/ack") and status == 202:
        ledger.owe(parameters["alert_id"], CommandType.ACKNOWLEDGE)
    if (method, path) == ("POST", "/ack/{token}") and status in (200, 202):
        nonce = nonce_of("/ack/" + parameters["token"])
        if nonce not in ledger.link_nonces:
            ledger.link_nonces.add(nonce)
            ledger.owe(ledger.alert.alert_id, CommandType.ACKNOWLEDGE)


# Signed forms: past the signature check, into the field handling ------------------------------

FIELDS = ["MessageStatus", "MessageSid", "ErrorCode", "From", "To", "Body", "Digits", "CallSid"]
values = st.one_of(
    st.sampled_from(["1", "7", "", "queued", "OK", "XN 1234", *sorted(RECEIPTS)]),
    st.text(max_size=40),
)
# Twilio's fields, each there or not, and whatever else a form may hold.
forms = st.builds(
    lambda known, other: other | known,
    st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, values)),
    st.dictionaries(st.text(max_size=12), st.text(max_size=40), max_size=3),
)


def query_values(valid: str) -> st.SearchStrategy[str | None]:
    """Mostly the valid value, so that requests get past the query's checks."""
    others = st.one_of(st.none(), st.text(max_size=40), st.sampled_from(["²", "-1", "256"]))
    return st.one_of(st.just(valid), st.just(valid), others)


@pytest.mark.parametrize("path", [STATUS_PATH, SMS_PATH, VOICE_PATH])
def test_no_signed_form_gets_a_server_error(
    api: BackgroundServer, ledger: Ledger, path: str
) -> None:
    seen: set[int] = set()

    @given(
        form=forms,
        alert_id=query_values(ledger.alert.alert_id),
        message_id=query_values("m0"),
        slot=query_values("0"),
    )
    @FUZZ
    def check(
        form: dict[str, str], alert_id: str | None, message_id: str | None, slot: str | None
    ) -> None:
        query = {"alert_id": alert_id, "message_id": message_id, "slot": slot}
        sent = path + _query({k: v for k, v in query.items() if v is not None})
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_BASE_URL + sent, form)
        headers = {"X-Twilio-Signature": signature}
        response = httpx.post(f"{api.url}{sent}", data=form, headers=headers, timeout=30)
        seen.add(response.status_code)
        assert response.status_code < 500, response.text
        assert response.status_code != 403, "a correctly signed form was refused"
        _record_signed(ledger, path, form, alert_id, response.status_code)

    check()
    assert seen & {200, 204}, f"no signed form was accepted: {sorted(seen)}"


def _query(parameters: dict[str, str]) -> str:
    return "?" + urlencode(parameters, quote_via=quote) if parameters else ""


def _record_signed(
    ledger: Ledger, path: str, form: dict[str, str], alert_id: str | None, status: int
) -> None:
    """A final receipt and the keypress 1 each publish a command; an SMS from a number that
    was never alerted publishes none."""
    if path == STATUS_PATH and status == 204 and form.get("MessageStatus") in RECEIPTS:
        assert alert_id is not None
        ledger.owe(alert_id, CommandType.RECEIPT)
    if path == VOICE_PATH and status == 200 and form.get("Digits") == "1":
        assert alert_id is not None
        ledger.owe(alert_id, CommandType.ACKNOWLEDGE)


def test_the_fuzzing_lost_nothing_and_published_only_what_was_accepted(
    api: BackgroundServer, ledger: Ledger
) -> None:
    """Runs last in this module, after the fuzzing above."""
    records = ledger.reader.read_for(5.0)
    published = Counter(
        (key, command.type)
        for key in {record.key for record in records}
        for command in commands(ledger.reader, key, wait=0.0)
    )
    assert published == ledger.expected
    after = httpx.get(f"{api.url}/v1/alerts/{ledger.alert.alert_id}", headers=OPS, timeout=10)
    assert after.status_code == 200
    assert after.json() == ledger.before
