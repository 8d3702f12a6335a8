"""The order messages go out in: a priority from the alert and from what the message is,
classes and their order as configuration, drills below actual incidents, oldest first within
a class, and ageing, which bounds how long a message can be passed over; and the ready-queue
that always yields the most urgent message that is ready."""

import heapq
import itertools
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Generic, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.alert import AlertFacts
from contracts.dispatch import DispatchRequestV1, MessageKind
from contracts.incident import Severity, Status, Urgency

__all__ = [
    "ClassRule",
    "DrillPlacement",
    "MessageFacts",
    "Priority",
    "PriorityPolicy",
    "Queued",
    "ReadyQueue",
]

T = TypeVar("T")


# "below_all_actual": every drill after every actual message; "below_class": a drill just
# after the actual messages of its own class.
DrillPlacement = Literal["below_all_actual", "below_class"]

_ESCALATING = [MessageKind.ESCALATION, MessageKind.EXPIRY_NOTICE, MessageKind.DEADLINE_CALL]


@dataclass(frozen=True)
class MessageFacts:
    """What a priority is decided from: nothing personal."""

    kind: MessageKind
    severity: Severity
    urgency: Urgency
    immediate_danger: bool
    drill: bool

    @classmethod
    def of(cls, alert: AlertFacts, kind: MessageKind) -> Self:
        return cls(
            kind=kind,
            severity=alert.severity,
            urgency=alert.urgency,
            immediate_danger=alert.immediate_danger,
            drill=alert.status is not Status.ACTUAL,
        )

    @classmethod
    def of_request(cls, request: DispatchRequestV1) -> Self:
        return cls(
            kind=request.kind,
            severity=request.severity,
            urgency=request.urgency,
            immediate_danger=request.immediate_danger,
            drill=request.drill,
        )


class ClassRule(BaseModel):
    """Puts a message in `priority_class` when every matcher given matches (a list matches
    any of its values; an empty list or a missing flag matches everything)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    priority_class: str
    kinds: frozenset[MessageKind] = frozenset()
    severities: frozenset[Severity] = frozenset()
    urgencies: frozenset[Urgency] = frozenset()
    immediate_danger: bool | None = None

    def matches(self, message: MessageFacts) -> bool:
        return (
            _within(self.kinds, message.kind)
            and _within(self.severities, message.severity)
            and _within(self.urgencies, message.urgency)
            and self.immediate_danger in (None, message.immediate_danger)
        )


def _within(allowed: frozenset[T], value: T) -> bool:
    return not allowed or value in allowed


def _default_rules() -> list[ClassRule]:
    urgent_kinds = [MessageKind.FIRST_ALERT, *_ESCALATING]
    return [
        ClassRule(priority_class="critical", kinds=urgent_kinds, immediate_danger=True),
        ClassRule(priority_class="critical", kinds=urgent_kinds, severities=[Severity.EXTREME]),
        ClassRule(priority_class="escalation", kinds=_ESCALATING),
        ClassRule(priority_class="urgent", severities=[Severity.SEVERE], kinds=urgent_kinds),
        ClassRule(priority_class="urgent", urgencies=[Urgency.IMMEDIATE], kinds=urgent_kinds),
        ClassRule(priority_class="update", kinds=[MessageKind.UPDATE]),
    ]


@dataclass(frozen=True)
class Priority:
    """Lower `rank` goes first."""

    rank: int
    priority_class: str
    drill: bool

    def __lt__(self, other: "Priority") -> bool:
        return self.rank < other.rank


class PriorityPolicy(BaseModel):
    """The classes, most urgent first, and the rules that put a message in one (first match;
    `default_class` when none matches)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True  # off: one class, first in first out (for comparisons)
    classes: list[str] = Field(
        default_factory=lambda: ["critical", "escalation", "urgent", "routine", "update"],
        min_length=1,
    )
    rules: list[ClassRule] = Field(default_factory=_default_rules)
    default_class: str = "routine"
    drills: DrillPlacement = "below_all_actual"
    # A ready message rises one rank for each such interval it waits, up to the actual
    # messages of `age_up_to`, where it goes before everything that became ready after it.
    # Ageing never lifts a message above that class, so a routine backlog, however old,
    # never delays a critical case. None: no ageing.
    promote_every_seconds: float | None = Field(default=60.0, gt=0.0)
    age_up_to: str = "escalation"

    @classmethod
    def parse(cls, raw: Mapping[str, object]) -> Self:
        return cls.model_validate(raw)

    @model_validator(mode="after")
    def _classes_are_known(self) -> Self:
        if len(set(self.classes)) != len(self.classes):
            raise ValueError("a priority class is listed twice")
        named = {self.default_class, self.age_up_to} | {rule.priority_class for rule in self.rules}
        if unknown := sorted(named - set(self.classes)):
            raise ValueError(f"unknown priority class(es): {', '.join(unknown)}")
        return self

    def priority_of(self, message: MessageFacts) -> Priority:
        name = next(
            (rule.priority_class for rule in self.rules if rule.matches(message)),
            self.default_class,
        )
        if not self.enabled:
            return Priority(0, name, message.drill)
        return Priority(self._rank(name, message.drill), name, message.drill)

    @property
    def ageing_ceiling(self) -> int:
        """The most urgent rank ageing can reach."""
        return self._rank(self.age_up_to, drill=False) if self.enabled else 0

    def effective_rank(self, rank: int, waited_seconds: float) -> int:
        """The rank after ageing: one step up per `promote_every_seconds` waited, up to the
        ceiling; a rank already above the ceiling does not change."""
        ceiling = self.ageing_ceiling
        if self.promote_every_seconds is None or waited_seconds <= 0 or rank <= ceiling:
            return rank
        return max(ceiling, rank - math.floor(waited_seconds / self.promote_every_seconds))

    def _rank(self, name: str, drill: bool) -> int:
        index = self.classes.index(name)
        if self.drills == "below_class":
            return 2 * index + int(drill)
        return index + len(self.classes) * int(drill)


@dataclass(frozen=True)
class Queued(Generic[T]):
    """A message in the ready-queue. `ready_at` is when it may go (its next-attempt time, or
    when it was queued); oldest first means smallest `ready_at`."""

    item: T
    priority: Priority
    queued_at: float
    ready_at: float
    sequence: int


class ReadyQueue(Generic[T]):
    """Pure: times are seconds on the caller's clock, which must not go backwards (epoch
    seconds where a next-attempt time must survive a restart)."""

    def __init__(self, policy: PriorityPolicy) -> None:
        self._policy = policy
        self._sequence = itertools.count()
        self._not_ready: list[tuple[float, int, Queued[T]]] = []
        # One heap per rank, oldest first; ageing never reorders messages of one rank.
        self._ready: dict[int, list[tuple[float, int, Queued[T]]]] = {}

    def __len__(self) -> int:
        return len(self._not_ready) + sum(len(heap) for heap in self._ready.values())

    def push(
        self, item: T, priority: Priority, queued_at: float, not_before: float | None = None
    ) -> Queued[T]:
        ready_at = queued_at if not_before is None else max(queued_at, not_before)
        entry = Queued(item, priority, queued_at, ready_at, next(self._sequence))
        heapq.heappush(self._not_ready, (ready_at, entry.sequence, entry))
        return entry

    def peek(self, now: float) -> Queued[T] | None:
        """The most urgent message that is ready at `now`, left in the queue; or None."""
        self._release(now)
        heads = [heap[0][2] for heap in self._ready.values() if heap]
        return min(heads, key=lambda entry: self._order(entry, now)) if heads else None

    def pop(self, now: float) -> Queued[T] | None:
        """The most urgent message that is ready at `now`, or None."""
        best = self.peek(now)
        if best is not None:
            heapq.heappop(self._ready[best.priority.rank])
        return best

    def discard(self, unwanted: Callable[[T], bool]) -> int:
        """Remove every queued message `unwanted` says so of; how many were removed."""
        before = len(self)
        self._not_ready = [e for e in self._not_ready if not unwanted(e[2].item)]
        heapq.heapify(self._not_ready)
        for rank, heap in self._ready.items():
            self._ready[rank] = [e for e in heap if not unwanted(e[2].item)]
            heapq.heapify(self._ready[rank])
        return before - len(self)

    def next_ready_at(self) -> float | None:
        """The earliest `ready_at` queued (in the past if a message is ready already), so a
        dispatcher can sleep until then; None when the queue is empty."""
        times = [heap[0][0] for heap in self._ready.values() if heap]
        if self._not_ready:
            times.append(self._not_ready[0][0])
        return min(times, default=None)

    def depth_by_class(self) -> dict[str, int]:
        depth: dict[str, int] = {}
        for entry in self._entries():
            depth[entry.priority.priority_class] = depth.get(entry.priority.priority_class, 0) + 1
        return depth

    def _order(self, entry: Queued[T], now: float) -> tuple[int, float, int]:
        rank = self._policy.effective_rank(entry.priority.rank, now - entry.ready_at)
        return rank, entry.ready_at, entry.sequence

    def _release(self, now: float) -> None:
        while self._not_ready and self._not_ready[0][0] <= now:
            ready_at, sequence, entry = heapq.heappop(self._not_ready)
            heap = self._ready.setdefault(entry.priority.rank, [])
            heapq.heappush(heap, (ready_at, sequence, entry))

    def _entries(self) -> Iterator[Queued[T]]:
        yield from (entry for _, _, entry in self._not_ready)
        for heap in self._ready.values():
            yield from (entry for _, _, entry in heap)
