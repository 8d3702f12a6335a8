"""TwiML answers to Twilio's webhooks: the SMS sent back to a reply, and what a call says after
a keypress, in Vietnamese (default) or English. Pure; every value is XML-escaped."""

from dataclasses import dataclass
from enum import StrEnum
from xml.sax.saxutils import escape, quoteattr

from services.notifier.core.policy import Language

__all__ = ["EMPTY", "ReplyAnswer", "VoiceAnswer", "gather_again", "sms_answer", "voice_answer"]

VI, EN = Language.VI, Language.EN
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>'
EMPTY = f"{_HEAD}<Response/>"
_VOICES = {VI: ("vi-VN", "Google.vi-VN-Standard-A"), EN: ("en-GB", "Google.en-GB-Standard-A")}


class ReplyAnswer(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    ALREADY_ACKNOWLEDGED = "already_acknowledged"
    UNKNOWN_CODE = "unknown_code"  # unknown or expired: the officer does the same either way
    NOT_ALERTED = "not_alerted"
    NOTHING_OPEN = "nothing_open"
    AMBIGUOUS = "ambiguous"
    NOT_UNDERSTOOD = "not_understood"
    UNAVAILABLE = "unavailable"


class VoiceAnswer(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    ALREADY_ACKNOWLEDGED = "already_acknowledged"
    ONLY_ONE = "only_one"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class _Texts:
    sms: dict[ReplyAnswer, str]
    voice: dict[VoiceAnswer, str]


_TEXTS = {
    VI: _Texts(
        sms={
            ReplyAnswer.ACKNOWLEDGED: "Đã xác nhận cảnh báo {ref}. Cảm ơn.",
            ReplyAnswer.ALREADY_ACKNOWLEDGED: "Cảnh báo {ref} đã được {by} xác nhận trước đó.",
            ReplyAnswer.UNKNOWN_CODE: "Mã không đúng hoặc đã hết hạn. "
            "Hãy dùng đường dẫn trong tin nhắn cảnh báo.",
            ReplyAnswer.NOT_ALERTED: "Số điện thoại này không được gửi cảnh báo nào "
            "nên không thể xác nhận.",
            ReplyAnswer.NOTHING_OPEN: "Không có cảnh báo nào đang chờ bạn xác nhận.",
            ReplyAnswer.AMBIGUOUS: "Bạn có nhiều cảnh báo đang chờ. "
            "Hãy nhắn XN kèm mã trong cảnh báo, ví dụ: XN 47.",
            ReplyAnswer.NOT_UNDERSTOOD: "Không hiểu tin nhắn. "
            "Để xác nhận, nhắn XN kèm mã trong cảnh báo.",
            ReplyAnswer.UNAVAILABLE: "Chưa ghi nhận được xác nhận. "
            "Hãy dùng đường dẫn trong tin nhắn cảnh báo.",
        },
        voice={
            VoiceAnswer.ACKNOWLEDGED: "Cảm ơn. Cảnh báo đã được xác nhận.",
            VoiceAnswer.ALREADY_ACKNOWLEDGED: "Cảnh báo này đã được xác nhận trước đó. Cảm ơn.",
            VoiceAnswer.ONLY_ONE: "Chỉ phím 1 dùng để xác nhận. Nhấn phím 1 để xác nhận.",
            VoiceAnswer.UNAVAILABLE: "Chưa ghi nhận được xác nhận. "
            "Vui lòng dùng đường dẫn trong tin nhắn.",
        },
    ),
    EN: _Texts(
        sms={
            ReplyAnswer.ACKNOWLEDGED: "Alert {ref} acknowledged. Thank you.",
            ReplyAnswer.ALREADY_ACKNOWLEDGED: "Alert {ref} was already acknowledged by {by}.",
            ReplyAnswer.UNKNOWN_CODE: "Unknown or expired code. "
            "Please use the link in the alert message.",
            ReplyAnswer.NOT_ALERTED: "This number was not sent any alert, "
            "so it cannot acknowledge.",
            ReplyAnswer.NOTHING_OPEN: "You have no alert waiting for acknowledgment.",
            ReplyAnswer.AMBIGUOUS: "You have several open alerts. "
            "Reply OK with the alert's code, for example: OK 47.",
            ReplyAnswer.NOT_UNDERSTOOD: "Reply not understood. "
            "To acknowledge, reply OK with the alert's code.",
            ReplyAnswer.UNAVAILABLE: "Your acknowledgment could not be recorded. "
            "Please use the link in the alert message.",
        },
        voice={
            VoiceAnswer.ACKNOWLEDGED: "Thank you. The alert is acknowledged.",
            VoiceAnswer.ALREADY_ACKNOWLEDGED: "This alert was already acknowledged. Thank you.",
            VoiceAnswer.ONLY_ONE: "Only the key 1 acknowledges. Press 1 to acknowledge.",
            VoiceAnswer.UNAVAILABLE: "Your acknowledgment could not be recorded. "
            "Please use the link in the message.",
        },
    ),
}


def sms_answer(answer: ReplyAnswer, lang: Language, ref: str = "", by: str = "") -> str:
    text = _TEXTS[lang].sms[answer].format(ref=ref, by=by)
    return f"{_HEAD}<Response><Message>{escape(text)}</Message></Response>"


def voice_answer(answer: VoiceAnswer, lang: Language) -> str:
    return f"{_HEAD}<Response>{_say(_TEXTS[lang].voice[answer], lang)}</Response>"


def gather_again(lang: Language, action: str) -> str:
    """Another chance after a wrong key: only 1 acknowledges."""
    text = _TEXTS[lang].voice[VoiceAnswer.ONLY_ONE]
    return (
        f'{_HEAD}<Response><Gather numDigits="1" action={quoteattr(action)} method="POST" '
        f'timeout="8">{_say(text, lang)}</Gather></Response>'
    )


def _say(text: str, lang: Language) -> str:
    code, voice = _VOICES[lang]
    return f"<Say language={quoteattr(code)} voice={quoteattr(voice)}>{escape(text)}</Say>"
