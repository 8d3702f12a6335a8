"""The dispatcher sends once, from the sender it was granted, and keeps drills in bounds."""

from contracts.dispatch import DispatchRequestV1
from services.notifier.core.channels import (
    ChannelKind,
    Outbound,
    ProviderAccepted,
    ProviderAnswer,
    ProviderRejected,
)
from services.notifier.worker.dispatcher import Dispatcher, DrillGuard


class ScriptedChannel:
    """A fake for this unit test: answers from a script and records what it was given."""

    def __init__(self, *outcomes: ProviderAnswer) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[Outbound] = []

    async def send(self, message: Outbound) -> ProviderAnswer:
        self.sent.append(message)
        return self.outcomes.pop(0)


def request(to: str = "+842000000001", drill: bool = False) -> DispatchRequestV1:
    return DispatchRequestV1(
        alert_id="alr_" + "1" * 32,
        message_id="m0",
        recipient_id="a",
        channel="sms",
        to=to,
        body="SG-1: test",
        drill=drill,
    )


def dispatcher(channel: ScriptedChannel) -> Dispatcher:
    return Dispatcher({ChannelKind.SMS: channel}, DrillGuard({"+842000000099"}))


async def test_one_send_from_the_granted_sender_and_its_answer_returned() -> None:
    channel = ScriptedChannel(ProviderRejected(True, "twilio-20429", "HTTP 429"))
    outcome = await dispatcher(channel).send(request(), "SAFEGUARD2")
    assert outcome == ProviderRejected(True, "twilio-20429", "HTTP 429")
    assert [(m.to, m.sender) for m in channel.sent] == [("+842000000001", "SAFEGUARD2")]


async def test_a_drill_to_a_real_number_is_refused_before_any_send() -> None:
    channel = ScriptedChannel(ProviderAccepted("SM1"))
    outcome = await dispatcher(channel).send(request(drill=True), None)
    assert isinstance(outcome, ProviderRejected)
    assert outcome.code == "drill-guard"
    assert channel.sent == []


async def test_a_drill_to_the_drill_desk_goes() -> None:
    channel = ScriptedChannel(ProviderAccepted("SM1"))
    outcome = await dispatcher(channel).send(request(to="+842000000099", drill=True), None)
    assert outcome == ProviderAccepted("SM1")
