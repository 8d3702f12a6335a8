"""What the worker derives from its open alerts, both rebuilt from the alerts table after a
restart and kept current as each new state is stored: when each alert next needs a decision
(`Deadlines`, read by the timer), and which reply codes each phone number holds (`OpenCodes`,
so that two open alerts never send one number the same code)."""

from collections.abc import Iterable
from datetime import datetime

from services.notifier.core.ack import AlertState, Lifecycle
from services.notifier.core.channels import ChannelKind

__all__ = ["Deadlines", "OpenAlerts", "OpenCodes"]


class Deadlines:
    def __init__(self) -> None:
        self.due: dict[str, datetime] = {}
        self.ticked: dict[str, datetime] = {}

    def track(self, state: AlertState) -> None:
        done = state.lifecycle is Lifecycle.ACKNOWLEDGED or (
            state.lifecycle is Lifecycle.EXPIRED and state.expiry_notified
        )
        if done or state.deadline is None:
            self.due.pop(state.alert_id, None)
        else:
            self.due[state.alert_id] = state.deadline

    def to_tick(self, now: datetime) -> list[str]:
        """Each passed deadline once (again after a restart, which the state machine absorbs)."""
        ready = [a for a, due in self.due.items() if due <= now and self.ticked.get(a) != due]
        for alert_id in ready:
            self.ticked[alert_id] = self.due[alert_id]
        return ready


class OpenCodes:
    def __init__(self) -> None:
        self._by_phone: dict[str, dict[str, str]] = {}  # phone -> alert id -> code
        self._phones: dict[str, set[str]] = {}  # alert id -> its phones holding a code

    def track(self, state: AlertState) -> None:
        for held in self._phones.pop(state.alert_id, set()):
            self._by_phone[held].pop(state.alert_id, None)
        if not state.open:
            return  # a closed alert's codes are free again
        for message in state.messages:
            phone = state.address(message)
            if message.reply_code and phone and message.channel is ChannelKind.SMS:
                self._by_phone.setdefault(phone, {})[state.alert_id] = message.reply_code
                self._phones.setdefault(state.alert_id, set()).add(phone)

    def taken(self, phone: str, alert_id: str) -> set[str]:
        """The codes other open alerts hold for `phone`."""
        held = self._by_phone.get(phone, {})
        return {code for holder, code in held.items() if holder != alert_id}


class OpenAlerts:
    """Both indexes, rebuilt together from the stored states."""

    def __init__(self) -> None:
        self.deadlines = Deadlines()
        self.codes = OpenCodes()
        self.rebuilt = False  # from a recovered table, by the agent that reads it

    def track(self, state: AlertState) -> None:
        self.deadlines.track(state)
        self.codes.track(state)

    def rebuild(self, states: Iterable[AlertState]) -> None:
        self.deadlines.due.clear()
        self.codes = OpenCodes()
        for state in states:
            self.track(state)
