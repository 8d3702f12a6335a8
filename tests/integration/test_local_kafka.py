"""The running test broker: a second start is refused with the pid, and the data persists."""

import pytest

from devstack.kafka import KafkaStackError, LocalKafka


def test_starting_a_running_broker_twice_is_refused(kafka: LocalKafka) -> None:
    again = LocalKafka(kafka.home, port=kafka.port, controller_port=kafka.controller_port)
    with pytest.raises(KafkaStackError, match=r"already running \(pid \d+\)"):
        again.start()
    assert (kafka.home / "data" / "meta.properties").exists()
