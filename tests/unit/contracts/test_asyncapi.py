"""contracts/asyncapi.yaml describes the topics of contracts/topics.py with the registered
schemas and the CloudEvents headers the codec writes."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts import cloudevents, topics
from contracts.registry import CONTRACTS, by_ce_type, by_name
from tests.unit.contracts.samples import SAMPLES
from tests.unit.contracts.schema_tools import validator

DOCUMENT_PATH = Path(cloudevents.__file__).parent / "asyncapi.yaml"
DOCUMENT: dict[str, Any] = yaml.safe_load(DOCUMENT_PATH.read_text(encoding="utf-8"))
MESSAGES: dict[str, Any] = DOCUMENT["components"]["messages"]


def _refs(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every ``$ref`` in the document, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield path, value
            else:
                yield from _refs(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _refs(item, f"{path}/{index}")


def _pointer(document: Any, pointer: str) -> Any:
    node = document
    for part in filter(None, pointer.split("/")):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _resolve(ref: str) -> Any:
    file, _, pointer = ref.partition("#")
    if not file:
        return _pointer(DOCUMENT, pointer)
    target = (DOCUMENT_PATH.parent / file).resolve()
    assert target.is_file(), f"{ref} names no file"
    return _pointer(json.loads(target.read_text(encoding="utf-8")), pointer)


def _deref(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = _resolve(node["$ref"])
    return node


def _local(ref: str) -> Any:
    assert ref.startswith("#/"), ref
    return _pointer(DOCUMENT, ref[1:])


def test_it_is_an_asyncapi_3_document_with_the_local_kafka() -> None:
    assert DOCUMENT["asyncapi"] == "3.0.0"
    assert DOCUMENT["info"]["title"]
    assert DOCUMENT["info"]["version"]
    assert DOCUMENT["defaultContentType"] == "application/json"
    assert DOCUMENT["servers"]["local"] == {
        "host": "localhost:9092",
        "protocol": "kafka",
        "description": DOCUMENT["servers"]["local"]["description"],
    }


def test_every_topic_has_a_channel_and_every_channel_a_topic() -> None:
    addresses = {channel["address"] for channel in DOCUMENT["channels"].values()}
    assert addresses == {topic.name for topic in topics.ALL_TOPICS}
    assert len(addresses) == len(DOCUMENT["channels"]), "two channels share an address"


@pytest.mark.parametrize("topic", topics.ALL_TOPICS, ids=lambda topic: topic.name)
def test_a_channel_binding_matches_its_topic(topic: topics.Topic) -> None:
    channel = next(c for c in DOCUMENT["channels"].values() if c["address"] == topic.name)
    kafka = channel["bindings"]["kafka"]
    assert kafka["partitions"] == topic.partitions
    policy = ["compact"] if topic.compacted else ["delete"]
    assert kafka["topicConfiguration"]["cleanup.policy"] == policy


@pytest.mark.parametrize(("where", "ref"), list(_refs(DOCUMENT)))
def test_every_reference_resolves(where: str, ref: str) -> None:
    assert _resolve(ref) is not None, f"{where}: {ref}"


def test_every_payload_reference_is_a_registered_schema_file() -> None:
    registered = {f"./schemas/{contract.schema_file}" for contract in CONTRACTS}
    payload_files = {
        message["payload"]["$ref"] for message in MESSAGES.values() if "$ref" in message["payload"]
    }
    assert payload_files, "no payload refers to a schema file"
    assert payload_files <= registered
    for file in payload_files:
        assert (DOCUMENT_PATH.parent / file).is_file(), file


def test_every_event_contract_travels_on_some_channel() -> None:
    named = {message["name"] for message in MESSAGES.values()}
    events = {contract.name for contract in CONTRACTS if contract.ce_type is not None}
    assert events <= named


@pytest.mark.parametrize("name", list(MESSAGES))
def test_a_message_names_its_contract_and_type_consistently(name: str) -> None:
    message = MESSAGES[name]
    ce_type = message["headers"]["allOf"][1]["properties"]["ce_type"]
    if "const" not in ce_type:
        assert "$ref" not in message["payload"], "a registered payload needs an exact ce_type"
        return
    if "$ref" in message["payload"]:
        contract = by_ce_type(ce_type["const"])
        assert message["name"] == contract.name
        assert message["payload"]["$ref"] == f"./schemas/{contract.schema_file}"


@pytest.mark.parametrize("name", list(MESSAGES))
def test_a_message_key_is_described(name: str) -> None:
    key = _deref(MESSAGES[name]["bindings"]["kafka"]["key"])
    assert key["type"] == "string"
    assert key["x-sensitivity"] == "operational", "a key shows in logs and tools"


def _channel_of(message_name: str) -> dict[str, Any]:
    ref = f"#/components/messages/{message_name}"
    return next(
        channel
        for channel in DOCUMENT["channels"].values()
        if any(m["$ref"] == ref for m in channel["messages"].values())
    )


@pytest.mark.parametrize(
    ("message_name", "id_field"),
    [("incidentReported", "incident_id"), ("alertRequested", "alert_id")],
)
def test_records_are_keyed_by_the_id_they_are_ordered_by(message_name: str, id_field: str) -> None:
    message = MESSAGES[message_name]
    key = _deref(message["bindings"]["kafka"]["key"])
    payload = _resolve(message["payload"]["$ref"])
    assert key == payload["properties"][id_field]


def test_operations_use_messages_of_their_own_channel() -> None:
    for name, operation in DOCUMENT["operations"].items():
        assert operation["action"] in {"send", "receive"}, name
        channel_ref = operation["channel"]["$ref"]
        prefix = f"{channel_ref}/messages/"
        for message in operation["messages"]:
            assert message["$ref"].startswith(prefix), f"{name}: {message['$ref']}"
            _local(message["$ref"])


def _flows() -> set[tuple[str, str, str]]:
    flows = set()
    for operation in DOCUMENT["operations"].values():
        address = _local(operation["channel"]["$ref"])["address"]
        for tag in operation["tags"]:
            flows.add((tag["name"], operation["action"], address))
    return flows


def test_the_operations_follow_the_design_flow() -> None:
    assert {
        ("intake", "send", "incidents"),
        ("router", "receive", "incidents"),
        ("router", "send", "alerts.requested"),
        ("router", "send", "incidents.deadletter"),
        ("notifier", "send", "incidents.deadletter"),
        ("notifier", "receive", "alerts.requested"),
        ("notifier", "send", "alerts.events"),
    } <= _flows()


def test_every_channel_has_a_sender() -> None:
    flows = _flows()
    for channel in DOCUMENT["channels"].values():
        address = channel["address"]
        assert any(f[1:] == ("send", address) for f in flows), f"nobody sends on {address}"


def _headers_validator(message_name: str) -> Any:
    schema = {"$ref": f"#/components/messages/{message_name}/headers", **DOCUMENT}
    return validator(schema)


@pytest.mark.parametrize(
    "contract", [c for c in CONTRACTS if c.ce_type is not None], ids=lambda c: c.name
)
def test_the_codec_writes_the_headers_the_document_describes(contract: Any) -> None:
    message_name = next(n for n, m in MESSAGES.items() if m["name"] == contract.name)
    data = contract.model.model_validate(SAMPLES[contract.name])
    headers, value = cloudevents.encode(
        type=contract.ce_type, source="safeguard/test", data=data, subject="s"
    )
    _headers_validator(message_name).validate({name: raw.decode() for name, raw in headers})
    payload = _resolve(MESSAGES[message_name]["payload"]["$ref"])
    validator(payload).validate(json.loads(value))


def test_the_headers_schema_refuses_a_wrong_type_or_a_missing_attribute() -> None:
    check = _headers_validator("incidentReported")
    data = by_name("incident-reported.v1").model.model_validate(SAMPLES["incident-reported.v1"])
    headers, _ = cloudevents.encode(type="org.safeguard.other.v1", source="s", data=data)
    decoded = {name: raw.decode() for name, raw in headers}
    assert list(check.iter_errors(decoded))
    decoded["ce_type"] = "org.safeguard.incident.reported.v1"
    check.validate(decoded)
    del decoded["ce_id"]
    assert list(check.iter_errors(decoded))
