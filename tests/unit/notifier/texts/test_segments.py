"""SMS segment counting, GSM-7 and UCS-2, exactly as carriers split."""

import pytest

from services.notifier.texts.segments import Encoding, SegmentCount, count, is_gsm7, septets


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", SegmentCount(Encoding.GSM7, 0, 1)),
        ("a" * 160, SegmentCount(Encoding.GSM7, 160, 1)),
        ("a" * 161, SegmentCount(Encoding.GSM7, 161, 2)),
        ("a" * 306, SegmentCount(Encoding.GSM7, 306, 2)),
        ("a" * 307, SegmentCount(Encoding.GSM7, 307, 3)),
        ("€" * 80, SegmentCount(Encoding.GSM7, 160, 1)),  # extension characters cost two
        ("€" * 81, SegmentCount(Encoding.GSM7, 162, 2)),
        ("a" * 152 + "{" + "a" * 10, SegmentCount(Encoding.GSM7, 164, 2)),
        # an escape pair is never split: 152 + 2 does not fit 153, the brace opens part two
        ("a" * 152 + "{" + "a" * 152, SegmentCount(Encoding.GSM7, 306, 3)),
        ("Đ" * 70, SegmentCount(Encoding.UCS2, 70, 1)),
        ("Đ" * 71, SegmentCount(Encoding.UCS2, 71, 2)),
        ("ă" * 134, SegmentCount(Encoding.UCS2, 134, 2)),
        ("ă" * 135, SegmentCount(Encoding.UCS2, 135, 3)),
        ("😀" * 35, SegmentCount(Encoding.UCS2, 70, 1)),  # a surrogate pair is two units
        # and is never split: 66 units + a pair does not fit 67
        ("a" * 66 + "😀" + "a", SegmentCount(Encoding.UCS2, 69, 1)),
        ("ă" * 66 + "😀" + "ă" * 66, SegmentCount(Encoding.UCS2, 134, 3)),
    ],
)
def test_count(text: str, expected: SegmentCount) -> None:
    assert count(text) == expected


def test_one_non_gsm_character_turns_the_whole_message_into_ucs2() -> None:
    assert count("a" * 100 + "ư").encoding is Encoding.UCS2
    assert count("a" * 100 + "ư").segments == 2


def test_gsm7_includes_the_accented_letters_of_the_default_alphabet() -> None:
    assert is_gsm7("èéùìòÇØøÅåÆæßÉÄÖÑÜäöñüà¡¿§£¥@_\n\r")
    assert not is_gsm7("ç")  # only the capital is in GSM 03.38
    assert not is_gsm7("`")
    assert septets("[]~^|\\{}€\f") == 20
