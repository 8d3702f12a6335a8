"""Signed webhook requests already acted on. Twilio's signature covers the URL and the form but
no time, so the same signed request can come back: Twilio's own retry after a slow answer, or a
copy somebody kept. The worker's state machine already ignores a repeated receipt or
acknowledgment; this lets the front see the repeat, answer that nothing changed and count it.
Pure and per process: behind several replicas a repeat may still reach the worker, harmlessly."""

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Mapping
from urllib.parse import urlencode

__all__ = ["ReplayGuard", "request_key"]


def request_key(url: str, form: Mapping[str, str], signature: str) -> str:
    """One key per distinct signed request: the same URL, form fields and signature."""
    digest = hashlib.sha256()
    for part in (url, urlencode(sorted(form.items())), signature):
        encoded = part.encode()
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
    return digest.hexdigest()


class ReplayGuard:
    """Remembers request keys for `ttl_seconds`, at most `capacity` of them (oldest go first)."""

    def __init__(
        self, clock: Callable[[], float], ttl_seconds: float = 3600.0, capacity: int = 50_000
    ) -> None:
        self._clock = clock
        self._ttl = ttl_seconds
        self._capacity = capacity
        self._seen: OrderedDict[str, float] = OrderedDict()

    def seen(self, key: str) -> bool:
        self._forget_expired()
        return key in self._seen

    def remember(self, key: str) -> None:
        self._seen[key] = self._clock() + self._ttl
        self._seen.move_to_end(key)
        while len(self._seen) > self._capacity:
            self._seen.popitem(last=False)

    def _forget_expired(self) -> None:
        now = self._clock()
        while self._seen and next(iter(self._seen.values())) <= now:
            self._seen.popitem(last=False)
