"""TwiML answers to Twilio's webhooks: the SMS sent back to a reply, and what a call says after
a keypress, in Vietnamese (default) or English. Pure; every value is XML-escaped."""

from xml.sax.saxutils import escape, quoteattr

from services.notifier.core.policy import Language
from services.notifier.texts.phrases import PHRASES, VOICES, ReplyAnswer, VoiceAnswer

__all__ = ["EMPTY", "gather_again", "sms_answer", "voice_answer"]

_HEAD = '<?xml version="1.0" encoding="UTF-8"?>'
EMPTY = f"{_HEAD}<Response/>"


def sms_answer(answer: ReplyAnswer, lang: Language, ref: str = "", by: str = "") -> str:
    text = PHRASES[lang].replies[answer].format(ref=ref, by=by)
    return f"{_HEAD}<Response><Message>{escape(text)}</Message></Response>"


def voice_answer(answer: VoiceAnswer, lang: Language) -> str:
    return f"{_HEAD}<Response>{_say(PHRASES[lang].call_answers[answer], lang)}</Response>"


def gather_again(lang: Language, action: str) -> str:
    """Another chance after a wrong key: only 1 acknowledges."""
    text = PHRASES[lang].call_answers[VoiceAnswer.ONLY_ONE]
    return (
        f'{_HEAD}<Response><Gather numDigits="1" action={quoteattr(action)} method="POST" '
        f'timeout="8">{_say(text, lang)}</Gather></Response>'
    )


def _say(text: str, lang: Language) -> str:
    code, voice = VOICES[lang]
    return f"<Say language={quoteattr(code)} voice={quoteattr(voice)}>{escape(text)}</Say>"
