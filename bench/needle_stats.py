"""The burst-with-a-needle figures, from what the Twilio stand-in recorded. Pure: the bench
hands it the stand-in's message list and the times of intake's 202s."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

__all__ = [
    "STAGES",
    "Drain",
    "Phase",
    "Sms",
    "drain_of",
    "first_at",
    "needle_times",
    "percentile",
    "sms_of",
    "stages_of",
    "table",
]

_REFERENCE = re.compile(r"SG-[0-9A-F]{8}")
# Where a needle's time goes: each stage ends when the needle's first record of it appears.
STAGES = (
    "router: 202 -> alerts.requested",
    "notifier track: -> alerts.dispatch",
    "delivery loop: -> SMS request",
)


@dataclass(frozen=True)
class Sms:
    """One SMS request as the stand-in took it (`created`: epoch seconds of the request)."""

    reference: str | None
    created: float
    segments: int


@dataclass(frozen=True)
class Drain:
    """How fast the routine burst left: its first to its last SMS request."""

    routine_messages: int
    seconds: float
    routine_segments_per_second: float  # the routine burst's own segments
    pool_segments_per_second: float  # every segment sent in that window, needles included


@dataclass(frozen=True)
class Phase:
    """One run of the bench: priority on or off."""

    label: str
    capacity: float  # the pool's configured segments per second
    needles: list[float]  # seconds from intake's 202 to the needle's first SMS request
    in_drain: int  # needles posted before the last routine SMS request
    drain: Drain
    stages: dict[str, list[float]] = field(default_factory=dict)  # STAGES -> needle seconds


def sms_of(raw: Iterable[Mapping[str, object]]) -> list[Sms]:
    """The stand-in's outbound messages, oldest request first."""
    found = []
    for message in raw:
        if message.get("direction") != "outbound-api":
            continue
        match = _REFERENCE.search(str(message["body"]))
        created = datetime.fromisoformat(str(message["created"])).timestamp()
        segments = int(str(message["num_segments"]))
        found.append(Sms(match.group(0) if match else None, created, segments))
    return sorted(found, key=lambda sms: sms.created)


def needle_times(posted: Mapping[str, float], sms: Iterable[Sms]) -> dict[str, float]:
    """Reference -> seconds from its 202 to its first SMS request, for the needles seen."""
    first: dict[str, float] = {}
    for message in sms:
        reference = message.reference
        if reference is not None and reference in posted and reference not in first:
            first[reference] = message.created - posted[reference]
    return first


def first_at(seen: Iterable[tuple[str | None, float]]) -> dict[str, float]:
    """Reference -> the earliest time it was seen (a Kafka record's timestamp, a request)."""
    first: dict[str, float] = {}
    for reference, at in seen:
        if reference is not None:
            first[reference] = min(at, first.get(reference, at))
    return first


def stages_of(
    posted: Mapping[str, float],
    requested: Mapping[str, float],
    dispatched: Mapping[str, float],
    sms: Iterable[Sms],
) -> dict[str, list[float]]:
    """Each needle's time split at its first alert request and its first dispatch record."""
    sent = first_at((m.reference, m.created) for m in sms)
    marks = [posted, requested, dispatched, sent]
    found = [r for r in posted if all(r in mark for mark in marks)]
    return {stage: [marks[n + 1][r] - marks[n][r] for r in found] for n, stage in enumerate(STAGES)}


def drain_of(sms: list[Sms], needles: Iterable[str]) -> Drain:
    """Segments per second from the first routine request to the last one. The last
    message's segments are left out: the window ends when it starts."""
    needle_set = set(needles)
    routine = [m for m in sms if m.reference not in needle_set]
    if len(routine) < 2:
        return Drain(len(routine), 0.0, 0.0, 0.0)
    began, ended = routine[0].created, routine[-1].created
    seconds = ended - began
    own = sum(m.segments for m in routine[:-1])
    window = sum(m.segments for m in sms if began <= m.created < ended)
    return Drain(len(routine), seconds, own / seconds, window / seconds)


def percentile(values: list[float], p: float) -> float:
    """The value at or below which p percent of the values fall (nearest rank)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def table(phases: list[Phase]) -> str:
    """Side by side, one column per phase, as a Markdown table."""
    rows: list[tuple[str, list[str]]] = [
        ("needles (posted during the drain)", [f"{len(p.needles)} ({p.in_drain})" for p in phases]),
        ("needle 202 -> first SMS, p50", [f"{percentile(p.needles, 50):.2f} s" for p in phases]),
        ("needle 202 -> first SMS, p99", [f"{percentile(p.needles, 99):.2f} s" for p in phases]),
        ("needle 202 -> first SMS, max", [f"{max(p.needles):.2f} s" for p in phases]),
        ("routine SMS in the burst", [str(p.drain.routine_messages) for p in phases]),
        ("drain time", [f"{p.drain.seconds:.1f} s" for p in phases]),
        ("pool rate during the drain / capacity", [_ratio(p, pool=True) for p in phases]),
        ("routine rate / capacity", [_ratio(p, pool=False) for p in phases]),
    ]
    for stage in STAGES:
        for p in (50, 99):
            rows.append((f"{stage}, p{p}", [_stage(phase, stage, p) for phase in phases]))
    header = "| | " + " | ".join(p.label for p in phases) + " |"
    rule = "|---|" + "---:|" * len(phases)
    return "\n".join([header, rule, *(f"| {name} | " + " | ".join(v) + " |" for name, v in rows)])


def _ratio(phase: Phase, *, pool: bool) -> str:
    rate = phase.drain.pool_segments_per_second if pool else phase.drain.routine_segments_per_second
    return f"{rate / phase.capacity:.2f} ({rate:.1f} of {phase.capacity:g} seg/s)"


def _stage(phase: Phase, stage: str, p: float) -> str:
    values = phase.stages.get(stage)
    return f"{percentile(values, p):.2f} s" if values else "-"
