"""Which incidents the router settles together, and what a later record of the same incident in
the same batch must see. Pure: the agent holds faust events and contexts in it as opaque values.

A batch is every record read while more were already waiting, up to a limit: under load the
alert requests of many incidents are in flight together and awaited once; when the topic is
quiet a batch is one record, so a lone incident waits for nothing but its own sends."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from services.router.processing import RoutedState

__all__ = ["Batch", "Held"]

E = TypeVar("E")  # the record (a faust event, to the agent)
C = TypeVar("C")  # the record's own context, to write its table entry in


@dataclass(frozen=True)
class Held(Generic[E, C]):
    """A record read but not settled: its table entry (None for a dead letter) is written and
    the record acknowledged only once every alert request of the batch has been acknowledged."""

    record: E
    context: C
    key: str
    state: RoutedState | None
    outcome: str | None  # the incidents metric's outcome label, None for a dead letter
    category: str
    started: float


@dataclass
class Batch(Generic[E, C]):
    limit: int
    held: list[Held[E, C]] = field(default_factory=list)
    _states: dict[str, RoutedState] = field(default_factory=dict)

    def previous(self, key: str, stored: Callable[[str], RoutedState | None]) -> RoutedState | None:
        """What the router knows of an incident: a record held in this batch counts, although
        its table entry is not written yet, so a repeated report alerts nobody twice."""
        return self._states[key] if key in self._states else stored(key)

    def hold(self, held: Held[E, C]) -> None:
        self.held.append(held)
        if held.state is not None:
            self._states[held.key] = held.state

    def settle_now(self, more_waiting: bool) -> bool:
        """Settle when nothing more is waiting to be read, or the batch is full."""
        return bool(self.held) and (not more_waiting or len(self.held) >= self.limit)

    def take(self) -> list[Held[E, C]]:
        """The held records, oldest first; the batch starts empty again."""
        held, self.held, self._states = self.held, [], {}
        return held
