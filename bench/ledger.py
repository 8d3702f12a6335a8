"""The chaos run's ledger: what the load generator was promised, reconciled against what the
topics and the SMS gateway stand-in hold. Pure: it never reads a service's own counters."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["LATE_SECONDS", "AlertTrail", "Ledger", "Observed", "lateness_summary", "reconcile"]

LATE_SECONDS = 5.0  # the timer ticks every second; past this an escalation counts as late


@dataclass
class AlertTrail:
    """One alert as the topics show it: its request and its audit events."""

    incident_id: str
    events: list[tuple[str, datetime]] = field(default_factory=list)
    late_by: list[float] = field(default_factory=list)  # seconds past each deadline it fired

    def has(self, event_type: str) -> bool:
        return any(kind == event_type for kind, _ in self.events)

    def handled(self) -> bool:
        """Its first message went out, or it failed and the escalation took over."""
        sent = self.has("message.sent")
        failed_on = self.has("message.failed") and (
            self.has("alert.escalated") or self.has("alert.expired")
        )
        return sent or failed_on or self.has("alert.acknowledged")


@dataclass
class Observed:
    accepted: dict[str, bool]  # incident id -> drill, every 202 the load generator got
    on_topic: set[str]  # incident ids on `incidents`
    dead_lettered: set[str]  # incident ids the router sent to its dead-letter topic
    alerts: dict[str, AlertTrail]  # alert id -> trail, from alerts.requested and alerts.events
    acks_given: set[str]  # alert ids acknowledged by the ops API, a link or a keypress
    # Every SMS the gateway took: (message id from its status callback, to, incident reference)
    sends: list[tuple[str, str, str]]
    drill_desk: str
    notifier_restarts: int


@dataclass(frozen=True)
class Ledger:
    rows: list[tuple[str, int]]
    losses: list[str]
    unrecorded_acks: list[str]  # alert ids, to look up in the audit trail
    lateness: str  # how late the escalations fired, from the audit trail

    def table(self) -> str:
        width = max(len(name) for name, _ in self.rows)
        lines = [f"| {'what':<{width}} | count |", f"|{'-' * (width + 2)}|------:|"]
        lines += [f"| {name:<{width}} | {value:>5} |" for name, value in self.rows]
        return "\n".join(lines)


def reference_of(incident_id: str) -> str:
    """The short reference an SMS carries: SG- and the id's first eight hex digits."""
    return "SG-" + incident_id.removeprefix("inc_")[:8].upper()


def reconcile(seen: Observed) -> Ledger:
    accepted = set(seen.accepted)
    routed = {trail.incident_id for trail in seen.alerts.values()} | seen.dead_lettered
    unhandled = [alert for alert, trail in seen.alerts.items() if not trail.handled()]
    recorded = {alert for alert, trail in seen.alerts.items() if trail.has("alert.acknowledged")}
    # An acknowledgment that reached an alert already expired is refused, and that is right.
    too_late = {a for a in seen.acks_given - recorded if seen.alerts[a].has("alert.expired")}
    per_message = Counter(message_id for message_id, _, _ in seen.sends)
    duplicates = sum(count - 1 for count in per_message.values())
    worst = max(per_message.values(), default=0)
    drills = {reference_of(i) for i, drill in seen.accepted.items() if drill}
    late = sorted(x for trail in seen.alerts.values() for x in trail.late_by)
    leaked = [s for s in seen.sends if s[2] in drills and s[1] != seen.drill_desk]
    rows = [
        ("incidents accepted (202)", len(accepted)),
        ("accepted and on the incidents topic", len(accepted & seen.on_topic)),
        ("accepted and routed (alerts or dead letter)", len(accepted & routed)),
        ("of which dead-lettered", len(accepted & seen.dead_lettered)),
        ("alerts requested", len(seen.alerts)),
        ("alerts sent, or failed and escalated", len(seen.alerts) - len(unhandled)),
        ("acknowledgments given (API, link, keypress)", len(seen.acks_given)),
        ("acknowledgments given and recorded", len(seen.acks_given & recorded)),
        ("acknowledgments refused: the alert had expired", len(too_late)),
        ("SMS taken by the gateway", len(seen.sends)),
        ("distinct messages among them", len(per_message)),
        ("duplicate sends", duplicates),
        ("drill SMS to a real number", len(leaked)),
        (
            "tier deadlines passed (escalations)",
            sum(t.has("alert.deadline_passed") for t in seen.alerts.values()),
        ),
        (f"of which fired over {LATE_SECONDS:g} s late", sum(x > LATE_SECONDS for x in late)),
    ]
    losses = _losses(seen, accepted, routed, unhandled, recorded | too_late)
    if leaked:
        losses.append(f"{len(leaked)} drill SMS reached a real number")
    if worst > 1 + seen.notifier_restarts:
        losses.append(f"a message was sent {worst} times, over the bound 1 + restarts")
    unrecorded = sorted(seen.acks_given - recorded - too_late)
    return Ledger(rows, losses, unrecorded, lateness_summary(late))


def lateness_summary(late: list[float]) -> str:
    """p50, p99 and the worst of sorted lateness figures, in seconds."""
    if not late:
        return "no deadline passed"

    def at(q: float) -> float:
        return late[min(len(late) - 1, int(q * len(late)))]

    return (
        f"{len(late)} deadlines passed; fired late by p50 {at(0.5):.2f} s, "
        f"p99 {at(0.99):.2f} s, worst {late[-1]:.2f} s"
    )


def _losses(
    seen: Observed, accepted: set[str], routed: set[str], unhandled: list[str], recorded: set[str]
) -> list[str]:
    checks = [
        (len(accepted - seen.on_topic), "accepted incidents missing from the incidents topic"),
        (len(accepted - routed), "accepted incidents never routed"),
        (len(unhandled), "alerts neither sent nor escalated"),
        (len(seen.acks_given - recorded), "acknowledgments given but not recorded"),
    ]
    return [f"{count} {what}" for count, what in checks if count]
