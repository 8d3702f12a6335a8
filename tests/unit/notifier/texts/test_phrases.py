"""The one phrase catalogue: every language says everything, with the same placeholders."""

import string
from dataclasses import fields, is_dataclass
from typing import Any

import pytest

from contracts.alert_command import AckMethod
from contracts.incident import Category, Certainty, Severity, Urgency
from services.notifier.core.policy import Language
from services.notifier.texts.phrases import (
    CATEGORY_LABELS,
    CERTAINTY_LABELS,
    PHRASES,
    SEVERITY_LABELS,
    URGENCY_LABELS,
    VOICES,
    ReplyAnswer,
    VoiceAnswer,
)


def _strings(value: Any, where: str = "") -> dict[str, str]:
    """Every phrase of a catalogue entry by its path: 'page.title', 'replies.ambiguous'..."""
    if isinstance(value, str):
        return {where: value}
    if is_dataclass(value):
        items = [(f.name, getattr(value, f.name)) for f in fields(value)]
    elif isinstance(value, dict):
        items = [(str(key), item) for key, item in value.items()]
    else:
        items = [(str(i), item) for i, item in enumerate(value)]
    found: dict[str, str] = {}
    for name, item in items:
        found |= _strings(item, f"{where}.{name}" if where else name)
    return found


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize(
    ("labels", "members"),
    [
        (CATEGORY_LABELS, set(Category)),
        (SEVERITY_LABELS, set(Severity)),
        (URGENCY_LABELS, set(Urgency)),
        (CERTAINTY_LABELS, set(Certainty)),
    ],
)
def test_every_fact_value_has_a_label_in_each_language(labels: Any, members: set[Any]) -> None:
    for language in Language:
        assert set(labels[language]) == members


def test_every_answer_and_method_is_worded_in_each_language() -> None:
    for language in Language:
        assert set(PHRASES[language].replies) == set(ReplyAnswer)
        assert set(PHRASES[language].call_answers) == set(VoiceAnswer)
        assert set(PHRASES[language].page.methods) == set(AckMethod)
        assert language in VOICES


def test_both_languages_have_the_same_phrases_and_placeholders() -> None:
    vi, en = _strings(PHRASES[Language.VI]), _strings(PHRASES[Language.EN])
    assert vi.keys() == en.keys()
    assert len(vi) > 50
    assert {k: _placeholders(v) for k, v in vi.items()} == {
        k: _placeholders(v) for k, v in en.items()
    }
    assert all(text.strip() for text in [*vi.values(), *en.values()])
