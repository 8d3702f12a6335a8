"""The stand-in's telephone network: accepts messages and calls, plays the operators'
receipts and the handsets' answers back to the system as signed webhooks."""

import asyncio
import random
import re
from collections.abc import AsyncIterator, Coroutine, Mapping
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urljoin
from xml.etree import ElementTree

from devstack.twilio_queues import SenderQueues
from devstack.twilio_records import API_VERSION, CallRecord, MessageRecord, Store
from devstack.twilio_settings import Behaviour, BehaviourPatch, Fault, StandinSettings
from devstack.twilio_webhooks import Method, WebhookPoster

__all__ = ["PhoneNetwork", "StandinError", "TwilioError"]

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_ENDED = ("completed", "busy", "no-answer", "failed", "canceled")
# Error codes in the receipts: "unreachable destination handset" and "unknown error".
_UNDELIVERED_CODE, _FAILED_CODE = 30003, 30008
# A sender's queue is full: a From number is refused at once (21611); a messaging service
# accepts the message, which then fails with 30001 (Twilio's docs of both errors).
_FROM_QUEUE_FULL_CODE, _QUEUE_OVERFLOW_CODE = 21611, 30001
_Step = tuple[str, int | None]  # a message status and its error code


class TwilioError(Exception):
    """Answered from the REST API in Twilio's error shape."""

    def __init__(self, status: int, code: int, detail: str | None = None) -> None:
        super().__init__(f"{status} {code} {detail or ''}")
        self.status, self.code, self.detail = status, code, detail


class StandinError(Exception):
    """Answered from the /_standin control API as {"detail": ...}."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


class PhoneNetwork:
    def __init__(self, settings: StandinSettings, poster: WebhookPoster) -> None:
        self.settings = settings
        self.behaviour: Behaviour = settings.initial_behaviour()
        self.store = Store()
        self.poster = poster
        self._tasks: set[asyncio.Task[None]] = set()
        self._fetching: dict[str, asyncio.Lock] = {}
        self._queues = SenderQueues()
        self._jitter = random.Random(self.behaviour.pacing.seed)  # noqa: S311 - not a secret
        self._in_flight = 0

    def configure(self, patch: BehaviourPatch) -> None:
        """Apply a run-time change; new pacing starts with empty queues and a fresh seed."""
        self.behaviour = patch.apply_to(self.behaviour)
        if patch.pacing is not None:
            self._queues.clear()
            self._jitter.seed(self.behaviour.pacing.seed)

    def queue_depths(self) -> dict[str, int]:
        return self._queues.depths(asyncio.get_running_loop().time())

    @asynccontextmanager
    async def api_request(self) -> AsyncIterator[None]:
        """One REST request: half the round trip there, the work, half back; beyond the
        concurrency limit, the answer is 429 with code 20429 after the same round trip."""
        pacing = self.behaviour.pacing
        jitter = self._jitter.uniform(-pacing.jitter_seconds, pacing.jitter_seconds)
        half_trip = max(0.0, pacing.latency_seconds + jitter) / 2
        limit = pacing.max_concurrent_requests
        if limit is not None and self._in_flight >= limit:
            await asyncio.sleep(2 * half_trip)
            raise TwilioError(429, 20429)
        self._in_flight += 1
        try:
            await asyncio.sleep(half_trip)
            try:
                yield
            finally:  # an error answer travels back too
                await asyncio.sleep(half_trip)
        finally:
            self._in_flight -= 1

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def take_fault(self) -> Fault | None:
        return self.behaviour.faults.pop(0) if self.behaviour.faults else None

    # Messages

    def send_message(self, form: Mapping[str, str]) -> MessageRecord:
        to, sender = form.get("To", "").strip(), form.get("From") or None
        service, body = form.get("MessagingServiceSid") or None, form.get("Body", "")
        if not to:
            raise TwilioError(400, 21604)
        if not sender and not service:
            raise TwilioError(400, 21603)
        if not body:
            raise TwilioError(400, 21602)
        if len(body) > 1600:
            raise TwilioError(400, 21617)
        self._check_destination(to)
        record = MessageRecord(
            account_sid=self.settings.account_sid,
            to=to,
            sender=sender,
            body=body,
            messaging_service_sid=service,
            status_callback=form.get("StatusCallback") or None,
            status="accepted" if service else "queued",
        )
        departure = self._admit(record)
        self.store.add_message(record)
        if departure is None:
            self._spawn(self._overflow(record))
        else:
            self._spawn(self._deliver(record, departure))
        return record

    def _admit(self, record: MessageRecord) -> float | None:
        """When the record leaves its sender's queue (loop time), None if it overflowed."""
        identity = record.sender_identity
        pace = self.behaviour.pacing.pace_of(identity)
        now = asyncio.get_running_loop().time()
        departure = self._queues.admit(identity, record.num_segments, pace, now)
        if departure is None and not record.messaging_service_sid:
            raise TwilioError(400, _FROM_QUEUE_FULL_CODE, identity)
        if departure is not None and departure <= now:
            record.leave_queue()
        return departure

    def _check_destination(self, to: str) -> None:
        if code := self.behaviour.failing_numbers.get(to):
            raise TwilioError(400, code, to)
        if not _E164.match(to):
            raise TwilioError(400, 21211, to)

    async def _deliver(self, record: MessageRecord, departure: float) -> None:
        if record.status == "accepted":
            await self._report(record, "queued", None)
        await asyncio.sleep(max(0.0, departure - asyncio.get_running_loop().time()))
        if record.left_queue_at is None:
            record.leave_queue()
        for status, error_code in self._receipts(record):
            await self._report(record, status, error_code)
        record.settled = True

    async def _overflow(self, record: MessageRecord) -> None:
        await self._report(record, "failed", _QUEUE_OVERFLOW_CODE)
        record.settled = True

    async def _report(self, record: MessageRecord, status: str, error_code: int | None) -> None:
        await asyncio.sleep(self.behaviour.callback_delay_seconds)
        if record.sender is None:
            record.sender = self.settings.service_sender
        record.advance(status, error_code)
        if record.status_callback:
            await self.poster.send("message-status", record.status_callback, _status_params(record))

    def _receipts(self, record: MessageRecord) -> list[_Step]:
        steps: list[_Step] = []
        receipt = self.behaviour.receipt_for(record.to)
        if receipt == "failed":
            return [*steps, ("failed", _FAILED_CODE)]
        steps.append(("sent", None))
        if receipt == "delivered":
            steps.append(("delivered", None))
        elif receipt == "undelivered":
            steps.append(("undelivered", _UNDELIVERED_CODE))
        return steps

    async def reply(
        self, from_phone: str, to: str, body: str, url: str | None = None
    ) -> dict[str, object]:
        """A handset texts our number: Twilio posts the inbound-SMS webhook."""
        target = url or self.behaviour.inbound_sms_url
        if not target:
            raise StandinError(409, "no inbound SMS webhook URL is configured")
        record = MessageRecord(
            account_sid=self.settings.account_sid,
            to=to,
            sender=from_phone,
            body=body,
            direction="inbound",
            status="received",
            settled=True,
        )
        self.store.add_message(record)
        result = await self.poster.send("inbound-sms", target, _inbound_params(record))
        if result is None:
            raise StandinError(502, f"the inbound SMS webhook {target} could not be reached")
        return {"sid": record.sid, "url": target, "status": result.status, "body": result.body}

    # Calls

    def place_call(self, form: Mapping[str, str]) -> CallRecord:
        to, sender = form.get("To", "").strip(), form.get("From", "").strip()
        twiml, url = form.get("Twiml") or None, form.get("Url") or None
        if not to:
            raise TwilioError(400, 21201)
        if not sender:
            raise TwilioError(400, 21213)
        if not twiml and not url:
            raise TwilioError(400, 21205)
        self._check_destination(to)
        call = CallRecord(
            account_sid=self.settings.account_sid,
            to=to,
            sender=sender,
            twiml=twiml,
            url=None if twiml else url,
            status_callback=form.get("StatusCallback") or None,
            document=twiml,
            document_url=None if twiml else url,
        )
        self.store.add_call(call)
        self._spawn(self._ring(call))
        return call

    async def _ring(self, call: CallRecord) -> None:
        await asyncio.sleep(self.behaviour.callback_delay_seconds)
        call.advance("ringing")
        await asyncio.sleep(self.behaviour.callback_delay_seconds)
        outcome = self.behaviour.call_outcome_for(call.to)
        if outcome != "answered":
            await self._end_call(call, outcome)
            return
        call.advance("in-progress")
        if _gather_in(await self._document(call)) is None:
            await self._end_call(call, "completed")

    async def _document(self, call: CallRecord) -> str | None:
        """The TwiML being executed; fetched from the call's URL as Twilio does on answer."""
        # A keypress may come while the answer is still fetching: it waits, not fetches twice.
        async with self._fetching.setdefault(call.sid, asyncio.Lock()):
            if call.document is None and call.document_url:
                result = await self.poster.send("voice", call.document_url, _call_params(call))
                if result is not None and 200 <= result.status < 300:
                    call.document = result.body
        return call.document

    async def press(self, sid: str, digits: str) -> dict[str, object]:
        call = self._call(sid)
        if call.status != "in-progress":
            raise StandinError(409, f"call {sid} is {call.status}, not in progress")
        gather = _gather_in(await self._document(call))
        if gather is None:
            raise StandinError(409, f"call {sid} is not waiting in a <Gather>")
        target, method = self._gather_target(call, gather)
        params = _call_params(call, Digits=digits, FinishedOnKey="")
        result = await self.poster.send("gather", target, params, method)
        if result is None:
            raise StandinError(502, f"the <Gather> action {target} could not be reached")
        call.digits_pressed.append(digits)
        if 200 <= result.status < 300:
            call.document, call.document_url = result.body, target
            if _gather_in(result.body) is None:
                self._spawn(self._end_call(call, "completed"))
        return {"url": target, "status": result.status, "body": result.body}

    def _gather_target(self, call: CallRecord, gather: dict[str, str]) -> tuple[str, Method]:
        base = call.document_url or self.behaviour.voice_url
        action = gather.get("action")
        target = urljoin(base, action) if base and action else (action or base)
        if not target or not target.startswith(("http://", "https://")):
            raise StandinError(409, f"no absolute action URL for the <Gather> of {call.sid}")
        method: Method = "GET" if gather.get("method", "POST").upper() == "GET" else "POST"
        return target, method

    async def hang_up(self, sid: str) -> CallRecord:
        call = self._call(sid)
        if call.status in _ENDED:
            raise StandinError(409, f"call {sid} has already ended ({call.status})")
        await self._end_call(call, "completed")
        return call

    async def _end_call(self, call: CallRecord, status: str) -> None:
        if call.status in _ENDED:
            return
        call.advance(status)
        if call.status_callback:
            params = _call_params(call, CallDuration=str(call.duration or 0))
            await self.poster.send("call-status", call.status_callback, params)

    def _call(self, sid: str) -> CallRecord:
        if sid not in self.store.calls:
            raise StandinError(404, f"no call {sid}")
        return self.store.calls[sid]

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _status_params(record: MessageRecord) -> dict[str, str]:
    params = {
        "MessageSid": record.sid,
        "SmsSid": record.sid,
        "AccountSid": record.account_sid,
        "From": record.sender or "",
        "To": record.to,
        "MessageStatus": record.status,
        "SmsStatus": record.status,
        "ApiVersion": API_VERSION,
    }
    if record.messaging_service_sid:
        params["MessagingServiceSid"] = record.messaging_service_sid
    if record.status in ("failed", "undelivered") and record.error_code is not None:
        params["ErrorCode"] = str(record.error_code)
    return params


def _inbound_params(record: MessageRecord) -> dict[str, str]:
    return {
        "MessageSid": record.sid,
        "SmsSid": record.sid,
        "SmsMessageSid": record.sid,
        "AccountSid": record.account_sid,
        "From": record.sender or "",
        "To": record.to,
        "Body": record.body,
        "NumSegments": str(record.num_segments),
        "NumMedia": "0",
        "SmsStatus": "received",
        "ApiVersion": API_VERSION,
    }


def _call_params(call: CallRecord, **extra: str) -> dict[str, str]:
    return {
        "CallSid": call.sid,
        "AccountSid": call.account_sid,
        "From": call.sender,
        "To": call.to,
        "CallStatus": call.status,
        "Direction": "outbound-api",
        "ApiVersion": API_VERSION,
        **extra,
    }


def _gather_in(twiml: str | None) -> dict[str, str] | None:
    """The attributes of the first <Gather> of a TwiML document, if it has one."""
    if not twiml:
        return None
    try:
        # TwiML comes from the system under test on loopback, not from a stranger.
        root = ElementTree.fromstring(twiml)  # noqa: S314
    except ElementTree.ParseError:
        return None
    gather = next(root.iter("Gather"), None)
    return None if gather is None else dict(gather.attrib)
