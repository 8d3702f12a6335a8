"""The dispatcher retries what can be retried, reports each retry, and keeps drills in bounds."""

from contracts.dispatch import DispatchRequestV1
from services.notifier.core.channels import (
    ChannelKind,
    Outbound,
    ProviderAccepted,
    ProviderAnswer,
    ProviderRejected,
)
from services.notifier.core.retry import RetryPolicy
from services.notifier.worker.dispatcher import Dispatcher, DrillGuard


class ScriptedChannel:
    """A fake for this pure unit test: answers from a script and records what it was given."""

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


async def run(channel: ScriptedChannel, req: DispatchRequestV1) -> tuple[ProviderAnswer, list[str]]:
    retries: list[str] = []
    slept: list[float] = []

    async def on_retry(failure: ProviderRejected) -> None:
        retries.append(failure.code)

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    dispatcher = Dispatcher(
        {ChannelKind.SMS: channel},
        phone_rate=1000.0,
        guard=DrillGuard({"+842000000099"}),
        retry=RetryPolicy(max_attempts=3, base_seconds=1, cap_seconds=4),
        sleep=sleep,
    )
    outcome = await dispatcher.send(req, on_retry)
    assert all(0 <= s <= 4 for s in slept)
    return outcome, retries


async def test_a_recoverable_failure_is_retried_and_each_retry_reported() -> None:
    channel = ScriptedChannel(
        ProviderRejected(True, "twilio-20429", "HTTP 429"), ProviderAccepted("SM1")
    )
    outcome, retries = await run(channel, request())
    assert outcome == ProviderAccepted("SM1")
    assert retries == ["twilio-20429"]
    assert len(channel.sent) == 2


async def test_a_permanent_failure_is_not_retried() -> None:
    channel = ScriptedChannel(ProviderRejected(False, "twilio-21211", "HTTP 400"))
    outcome, retries = await run(channel, request())
    assert outcome == ProviderRejected(False, "twilio-21211", "HTTP 400")
    assert retries == []


async def test_retries_stop_at_the_policy_and_return_the_last_failure() -> None:
    failure = ProviderRejected(True, "network", "TimeoutError")
    outcome, retries = await run(ScriptedChannel(failure, failure, failure), request())
    assert outcome == failure
    assert len(retries) == 2


async def test_a_drill_to_a_real_number_is_refused_before_any_send() -> None:
    channel = ScriptedChannel(ProviderAccepted("SM1"))
    outcome, _ = await run(channel, request(to="+842000000001", drill=True))
    assert isinstance(outcome, ProviderRejected)
    assert outcome.code == "drill-guard"
    assert channel.sent == []
