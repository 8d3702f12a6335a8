"""A local stand-in for the Twilio REST API, for development and integration tests.

The official ``twilio`` client talks to it once ``client.api.base_url`` points here. It
answers Messages.json and Calls.json like Twilio, posts signed status callbacks, and acts
as the phones: read their inboxes, reply by SMS, press keys in a call, open links.

    python -m devstack.twilio_standin --port 8030 --inbound-sms-url http://127.0.0.1:8001/sms
"""

import asyncio
import base64
import hmac
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import cast
from urllib.parse import parse_qsl

import httpx
import uvicorn
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ValidationError

from devstack.twilio_page import render_page
from devstack.twilio_phone import PhoneNetwork, StandinError, TwilioError
from devstack.twilio_records import API_VERSION, CallRecord, MessageRecord, error_body, links_in
from devstack.twilio_settings import BehaviourPatch, StandinSettings, settings_from_argv
from devstack.twilio_webhooks import WebhookPoster

__all__ = ["create_app", "main"]

_ACCOUNT = f"/{API_VERSION}/Accounts/{{account_sid}}"


class ReplyRequest(BaseModel):
    from_phone: str
    to: str
    body: str
    url: str | None = None  # overrides the configured inbound SMS webhook


class PressRequest(BaseModel):
    digits: str


def create_app(settings: StandinSettings | None = None) -> FastAPI:
    settings = settings or StandinSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=10.0) as client:
            poster = WebhookPoster(client, settings.auth_token, settings.callback_attempts)
            app.state.network = PhoneNetwork(settings, poster)
            try:
                yield
            finally:
                await app.state.network.close()

    app = FastAPI(title="Twilio stand-in", lifespan=lifespan)
    app.add_exception_handler(TwilioError, _twilio_error)
    app.add_exception_handler(StandinError, _standin_error)
    app.include_router(_api)
    app.include_router(_control)
    app.include_router(_page)
    return app


def _network(request: Request) -> PhoneNetwork:
    return cast(PhoneNetwork, request.app.state.network)


async def _twilio_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, TwilioError)
    headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if error.status == 401 else None
    body = error_body(error.status, error.code, error.detail)
    return JSONResponse(body, status_code=error.status, headers=headers)


async def _standin_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, StandinError)
    return JSONResponse({"detail": error.detail}, status_code=error.status)


# The REST API, as the twilio client calls it

_api = APIRouter()


@_api.post(f"{_ACCOUNT}/Messages.json", status_code=201)
async def create_message(account_sid: str, request: Request) -> dict[str, object]:
    network = _network(request)
    async with network.api_request():
        form = await _authorized_form(request, account_sid)
        await _inject_fault(network)
        return network.send_message(form).api_json()


@_api.post(f"{_ACCOUNT}/Calls.json", status_code=201)
async def create_call(account_sid: str, request: Request) -> dict[str, object]:
    network = _network(request)
    async with network.api_request():
        form = await _authorized_form(request, account_sid)
        await _inject_fault(network)
        return network.place_call(form).api_json()


@_api.get(f"{_ACCOUNT}/Messages/{{sid}}.json")
async def fetch_message(account_sid: str, sid: str, request: Request) -> dict[str, object]:
    return await _fetch(request, account_sid, _network(request).store.messages.get(sid))


@_api.get(f"{_ACCOUNT}/Calls/{{sid}}.json")
async def fetch_call(account_sid: str, sid: str, request: Request) -> dict[str, object]:
    return await _fetch(request, account_sid, _network(request).store.calls.get(sid))


async def _fetch(
    request: Request, account_sid: str, record: MessageRecord | CallRecord | None
) -> dict[str, object]:
    """GET of one message or call: the round trip and the auth of any request, or Twilio's 404."""
    async with _network(request).api_request():
        await _authorized_form(request, account_sid)
        if record is None:
            raise TwilioError(404, 20404, request.url.path)
        return record.api_json()


async def _authorized_form(request: Request, account_sid: str) -> dict[str, str]:
    settings = _network(request).settings
    user, password = _basic_credentials(request.headers.get("authorization", ""))
    if not (
        hmac.compare_digest(user.encode(), settings.account_sid.encode())
        and hmac.compare_digest(password.encode(), settings.auth_token.encode())
    ):
        raise TwilioError(401, 20003)
    if account_sid != settings.account_sid:
        raise TwilioError(404, 20404, request.url.path)
    form: dict[str, str] = {}
    for name, value in parse_qsl((await request.body()).decode(), keep_blank_values=True):
        form.setdefault(name, value)
    return form


def _basic_credentials(header: str) -> tuple[str, str]:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except ValueError:  # bad base64 or bad UTF-8
        return "", ""
    return user, password


async def _inject_fault(network: PhoneNetwork) -> None:
    fault = network.take_fault()
    if fault is None:
        return
    await asyncio.sleep(fault.delay_seconds)
    if fault.status >= 400:
        raise TwilioError(fault.status, fault.code or 20000 + fault.status)


# The control API: inboxes, acting as a phone, run-time configuration

_control = APIRouter(prefix="/_standin")


@_control.get("/messages")
async def list_messages(request: Request, to: str | None = None) -> list[dict[str, object]]:
    return [record.summary() for record in _network(request).store.messages_to(to)]


@_control.delete("/messages", status_code=204)
async def clear_messages(request: Request) -> None:
    _network(request).store.messages.clear()


@_control.get("/inbox/{phone}")
async def inbox(phone: str, request: Request) -> list[dict[str, object]]:
    return [record.summary() for record in _network(request).store.inbox(phone)]


@_control.get("/inbox/{phone}/links")
async def inbox_links(phone: str, request: Request) -> list[str]:
    records = _network(request).store.inbox(phone)
    return [link for record in records for link in links_in(record.body)]


@_control.post("/reply")
async def reply(body: ReplyRequest, request: Request) -> dict[str, object]:
    return await _network(request).reply(body.from_phone, body.to, body.body, body.url)


@_control.get("/calls")
async def list_calls(request: Request, to: str | None = None) -> list[dict[str, object]]:
    return [call.summary() for call in _network(request).store.calls_to(to)]


@_control.delete("/calls", status_code=204)
async def clear_calls(request: Request) -> None:
    _network(request).store.calls.clear()


@_control.get("/calls/{sid}")
async def show_call(sid: str, request: Request) -> dict[str, object]:
    call = _network(request).store.calls.get(sid)
    if call is None:
        raise StandinError(404, f"no call {sid}")
    return call.summary()


@_control.post("/calls/{sid}/press")
async def press(sid: str, body: PressRequest, request: Request) -> dict[str, object]:
    return await _network(request).press(sid, body.digits)


@_control.post("/calls/{sid}/hangup")
async def hang_up(sid: str, request: Request) -> dict[str, object]:
    return (await _network(request).hang_up(sid)).summary()


@_control.get("/senders")
async def sender_queues(request: Request) -> dict[str, int]:
    """Segments waiting in each sender's queue."""
    return _network(request).queue_depths()


@_control.get("/webhooks")
async def list_webhooks(request: Request) -> list[dict[str, object]]:
    return _network(request).poster.log


@_control.delete("/webhooks", status_code=204)
async def clear_webhooks(request: Request) -> None:
    _network(request).poster.log.clear()


@_control.get("/config")
async def read_config(request: Request) -> dict[str, object]:
    return _network(request).behaviour.model_dump()


@_control.post("/config")
async def change_config(patch: BehaviourPatch, request: Request) -> dict[str, object]:
    network = _network(request)
    try:
        network.configure(patch)
    except ValidationError as error:
        raise StandinError(422, str(error)) from error
    return network.behaviour.model_dump()


_page = APIRouter()


@_page.get("/", response_class=HTMLResponse)
async def home(request: Request) -> str:
    store = _network(request).store
    received = [record for record in store.messages.values() if record.reached_phone]
    return render_page(received, list(store.calls.values()))


def main(argv: list[str] | None = None) -> int:
    settings = settings_from_argv(sys.argv[1:] if argv is None else argv)
    print(
        f"Twilio stand-in on http://{settings.host}:{settings.port}/ "
        f"(account {settings.account_sid}, auth token {settings.auth_token})",
        flush=True,
    )
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
