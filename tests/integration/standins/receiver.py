"""A webhook receiver standing for Safeguard's webhook API: records every request Twilio
(the stand-in) makes and answers with TwiML, so a test can check what arrived and how."""

import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request, Response

GATHER_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    '<Gather action="/gather" numDigits="1"><Say>Press 1 to acknowledge.</Say></Gather>'
    "</Response>"
)
THANKS_TWIML = "<Response><Say>Acknowledged. Thank you.</Say></Response>"
REPLY_TWIML = "<Response><Message>Received.</Message></Response>"


@dataclass(frozen=True)
class Hook:
    path: str
    url: str
    method: str
    params: dict[str, str]
    signature: str | None


class Receiver:
    def __init__(self) -> None:
        self._hooks: list[Hook] = []
        self._lock = threading.Lock()
        self.app = self._build()
        self.url = ""  # set once the server runs

    def hooks(self, path: str | None = None, **match: str) -> list[Hook]:
        with self._lock:
            return [
                hook
                for hook in self._hooks
                if path in (None, hook.path)
                and all(hook.params.get(name) == value for name, value in match.items())
            ]

    def wait_for(self, path: str, count: int = 1, timeout: float = 5.0, **match: str) -> list[Hook]:
        deadline = time.monotonic() + timeout
        while len(found := self.hooks(path, **match)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found)} of {count} webhooks on {path} {match}")
            time.sleep(0.01)
        return found

    def _build(self) -> FastAPI:
        app = FastAPI()
        answers = {"/voice": GATHER_TWIML, "/gather": THANKS_TWIML, "/sms": REPLY_TWIML}

        @app.api_route("/{name}", methods=["GET", "POST"])
        async def record(name: str, request: Request) -> Response:
            body = (await request.body()).decode()
            hook = Hook(
                path=f"/{name}",
                url=str(request.url),
                method=request.method,
                params=dict(parse_qsl(body, keep_blank_values=True)),
                signature=request.headers.get("x-twilio-signature"),
            )
            with self._lock:
                self._hooks.append(hook)
            twiml = answers.get(hook.path)
            if twiml is None:
                return Response(status_code=204)
            return Response(twiml, media_type="application/xml")

        return app
