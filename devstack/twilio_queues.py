"""Each sender identity's queue, as Twilio keeps it: a message is accepted at once and leaves
the queue when the sender's rate allows, counted in segments (a three-segment message takes
three slots); a queue holding its configured depth of segments overflows."""

from collections import deque
from dataclasses import dataclass, field

from devstack.twilio_settings import SenderPace

__all__ = ["SenderQueues"]


@dataclass
class _Queue:
    free_at: float = 0.0  # when the sender's next slot starts
    # (departure time, segments) of the messages admitted and not yet gone, in order.
    waiting: deque[tuple[float, int]] = field(default_factory=deque)

    def queued_segments(self, now: float) -> int:
        while self.waiting and self.waiting[0][0] <= now:
            self.waiting.popleft()
        return sum(segments for _, segments in self.waiting)


class SenderQueues:
    """Pure: times are whatever monotonic clock the caller reads."""

    def __init__(self) -> None:
        self._queues: dict[str, _Queue] = {}

    def admit(self, sender: str, segments: int, pace: SenderPace, now: float) -> float | None:
        """When the message leaves the queue, or None when the queue overflows."""
        if pace.segments_per_second is None:
            return now
        queue = self._queues.setdefault(sender, _Queue())
        departure = max(now, queue.free_at)
        if departure > now and self._overflows(queue, segments, pace, now):
            return None
        queue.free_at = departure + segments / pace.segments_per_second
        if departure > now:
            queue.waiting.append((departure, segments))
        return departure

    @staticmethod
    def _overflows(queue: _Queue, segments: int, pace: SenderPace, now: float) -> bool:
        depth = pace.queue_depth
        return depth is not None and queue.queued_segments(now) + segments > depth

    def depths(self, now: float) -> dict[str, int]:
        """Segments waiting per sender."""
        return {sender: queue.queued_segments(now) for sender, queue in self._queues.items()}

    def clear(self) -> None:
        self._queues.clear()
