"""How many SMS segments a text costs, counted the way carriers count them.

A text that fits the GSM 03.38 default alphabet travels as GSM-7: 160 septets in one
message, 153 per part once it is split (the user data header takes 7). Extension-table
characters cost two septets (an escape plus the character) and a part never ends between
the two. Anything else forces UCS-2 for the whole message: 70 UTF-16 code units alone,
67 per part, and a part never ends inside a surrogate pair.
"""

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Budget", "Encoding", "SegmentCount", "count", "is_gsm7", "septets"]

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

_GSM7_SINGLE, _GSM7_PART = 160, 153
_UCS2_SINGLE, _UCS2_PART = 70, 67


class Encoding(StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(frozen=True)
class SegmentCount:
    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


@dataclass(frozen=True)
class Budget:
    """The most segments a kind of message may cost, per encoding: GSM-7 when the text is
    unaccented (`SAFEGUARD_SMS_UNACCENTED`), UCS-2 when Vietnamese keeps its diacritics."""

    gsm7: int
    ucs2: int

    def allows(self, text: str) -> bool:
        found = count(text)
        limit = self.gsm7 if found.encoding is Encoding.GSM7 else self.ucs2
        return found.segments <= limit


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def septets(text: str) -> int:
    """GSM-7 length; only meaningful when `is_gsm7(text)`."""
    return sum(_gsm7_cost(char) for char in text)


def count(text: str) -> SegmentCount:
    if is_gsm7(text):
        costs = [_gsm7_cost(char) for char in text]
        return SegmentCount(Encoding.GSM7, sum(costs), _pack(costs, _GSM7_SINGLE, _GSM7_PART))
    costs = [len(char.encode("utf-16-le")) // 2 for char in text]
    return SegmentCount(Encoding.UCS2, sum(costs), _pack(costs, _UCS2_SINGLE, _UCS2_PART))


def _gsm7_cost(char: str) -> int:
    return 2 if char in GSM7_EXTENSION else 1


def _pack(costs: list[int], single: int, part: int) -> int:
    """Parts needed when each character's units must stay in one part."""
    if sum(costs) <= single:
        return 1
    parts, used = 1, 0
    for cost in costs:
        if used + cost > part:
            parts, used = parts + 1, 0
        used += cost
    return parts
