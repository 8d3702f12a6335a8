"""Every way a person can misuse the local broker ends in one clear sentence, not a trace."""

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.kafka import KafkaStackError, LocalKafka
from services.cli import main


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def test_a_port_in_use_is_named(tmp_path: Path, taken_port: int) -> None:
    broker = LocalKafka(tmp_path, port=taken_port, controller_port=taken_port + 1)
    with pytest.raises(KafkaStackError, match=f"port {taken_port} is in use"):
        broker.start()


def test_stopping_a_broker_that_is_not_running_says_so(tmp_path: Path) -> None:
    with pytest.raises(KafkaStackError, match="Kafka is not running"):
        LocalKafka(tmp_path).stop()


def test_missing_java_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # neither java nor mvn on it
    broker = LocalKafka(tmp_path / "kafka", port=0, controller_port=0)
    with pytest.raises(KafkaStackError, match="'java' was not found on PATH"):
        broker.start()


def test_the_command_prints_the_sentence_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kafka", "stop", "--home", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip().startswith("safeguard kafka stop: Kafka is not running")
