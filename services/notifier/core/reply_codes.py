"""SMS reply codes, GoAlert style: a short code per open alert, unique for the number it was
sent to, so "XN 47" tells which of that officer's alerts is being acknowledged.

Codes use the digits 2-9 only: easy on any keypad, no 0/O or 1/I/l to confuse, no letters
for a phone to auto-capitalise or auto-correct. Only used where two-way SMS works.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["ALPHABET", "CodesExhausted", "ReplyCommand", "assign", "parse_reply"]

ALPHABET = "23456789"
_LENGTHS = (2, 3, 4)
_KEYWORDS = ("ack", "ok", "xn", "xac nhan", "xacnhan", "da nhan")
_REPLY = re.compile(
    r"(?:(?P<keyword>" + "|".join(_KEYWORDS) + r")(?![a-z]))?"
    r"[\s:#.,-]*(?P<code>[0-9]{2,4})?[\s.!]*"
)


class CodesExhausted(ValueError):
    pass


@dataclass(frozen=True)
class ReplyCommand:
    """An acknowledgment by reply. `code` is None for a bare "OK": the caller may take it for
    the number's only open alert, and must ask for the code when there are several."""

    code: str | None


def assign(open_codes_for_number: set[str], alert_id: str) -> str:
    """The shortest free code, the same one for the same alert and open codes."""
    seed = int.from_bytes(hashlib.sha256(alert_id.encode()).digest()[:8], "big")
    for length in _LENGTHS:
        space = len(ALPHABET) ** length
        for offset in range(space):
            code = _code((seed + offset) % space, length)
            if code not in open_codes_for_number:
                return code
    raise CodesExhausted("every reply code is in use for this number")


def _code(number: int, length: int) -> str:
    digits = []
    for _ in range(length):
        number, digit = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[digit])
    return "".join(digits)


def parse_reply(body: str) -> ReplyCommand | None:
    match = _REPLY.fullmatch(_normalise(body))
    if match is None or not (match["keyword"] or match["code"]):
        return None
    return ReplyCommand(match["code"])


def _normalise(body: str) -> str:
    """Case, spacing and Vietnamese accents do not matter: "XÁC NHẬN 47" == "xac nhan 47"."""
    decomposed = unicodedata.normalize("NFKD", body.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())
