"""Every phrase the notifier says, in Vietnamese (default) and English, in one catalogue: the
SMS, the e-mail, the call, the SMS-reply answers and the acknowledgment page. A phrase used by
several media (the drill note, the labels of an alert's facts, "Acknowledge") is written once.
Placeholders in braces are filled by the renderer; no phrase carries personal data."""

from dataclasses import dataclass
from enum import StrEnum

from contracts.alert_command import AckMethod
from contracts.incident import Category, Certainty, Severity, Urgency
from services.notifier.core.policy import Language

__all__ = [
    "CATEGORY_LABELS",
    "CERTAINTY_LABELS",
    "PHRASES",
    "SEVERITY_LABELS",
    "URGENCY_LABELS",
    "VOICES",
    "Labels",
    "MessagePhrases",
    "PagePhrases",
    "Phrases",
    "ReplyAnswer",
    "VoiceAnswer",
]

VI, EN = Language.VI, Language.EN

# Twilio <Say> language and voice per language.
VOICES = {VI: ("vi-VN", "Google.vi-VN-Standard-A"), EN: ("en-GB", "Google.en-GB-Standard-A")}


class ReplyAnswer(StrEnum):
    """What the SMS answer to an officer's reply says."""

    ACKNOWLEDGED = "acknowledged"
    ALREADY_ACKNOWLEDGED = "already_acknowledged"
    UNKNOWN_CODE = "unknown_code"  # unknown or expired: the officer does the same either way
    NOT_ALERTED = "not_alerted"
    NOTHING_OPEN = "nothing_open"
    AMBIGUOUS = "ambiguous"
    NOT_UNDERSTOOD = "not_understood"
    UNAVAILABLE = "unavailable"


class VoiceAnswer(StrEnum):
    """What the call says after a keypress."""

    ACKNOWLEDGED = "acknowledged"
    ALREADY_ACKNOWLEDGED = "already_acknowledged"
    ONLY_ONE = "only_one"
    UNAVAILABLE = "unavailable"


CATEGORY_LABELS: dict[Language, dict[Category, str]] = {
    VI: {
        Category.PHYSICAL_ABUSE: "Bạo lực thể chất",
        Category.SEXUAL_ABUSE: "Xâm hại tình dục",
        Category.EMOTIONAL_ABUSE: "Bạo lực tinh thần",
        Category.NEGLECT: "Sao nhãng, bỏ mặc",
        Category.VIOLENCE: "Bạo lực",
        Category.ONLINE_ABUSE: "Xâm hại trên mạng",
        Category.TRAFFICKING: "Mua bán trẻ em",
        Category.CHILD_LABOUR: "Lao động trẻ em",
        Category.ACCIDENT: "Tai nạn",
        Category.DROWNING: "Đuối nước",
        Category.SCHOOL_DROPOUT: "Bỏ học",
        Category.MISSING_CHILD: "Trẻ mất tích",
        Category.OTHER: "Khác",
    },
    EN: {
        Category.PHYSICAL_ABUSE: "Physical abuse",
        Category.SEXUAL_ABUSE: "Sexual abuse",
        Category.EMOTIONAL_ABUSE: "Emotional abuse",
        Category.NEGLECT: "Neglect",
        Category.VIOLENCE: "Violence",
        Category.ONLINE_ABUSE: "Online abuse",
        Category.TRAFFICKING: "Trafficking",
        Category.CHILD_LABOUR: "Child labour",
        Category.ACCIDENT: "Accident",
        Category.DROWNING: "Drowning",
        Category.SCHOOL_DROPOUT: "School dropout",
        Category.MISSING_CHILD: "Missing child",
        Category.OTHER: "Other",
    },
}

SEVERITY_LABELS: dict[Language, dict[Severity, str]] = {
    VI: {
        Severity.EXTREME: "Đặc biệt nghiêm trọng",
        Severity.SEVERE: "Nghiêm trọng",
        Severity.MODERATE: "Trung bình",
        Severity.MINOR: "Nhẹ",
        Severity.UNKNOWN: "Chưa rõ mức độ",
    },
    EN: {
        Severity.EXTREME: "Extreme",
        Severity.SEVERE: "Severe",
        Severity.MODERATE: "Moderate",
        Severity.MINOR: "Minor",
        Severity.UNKNOWN: "Unknown severity",
    },
}

URGENCY_LABELS: dict[Language, dict[Urgency, str]] = {
    VI: {
        Urgency.IMMEDIATE: "Ngay lập tức",
        Urgency.EXPECTED: "Sắp xảy ra",
        Urgency.FUTURE: "Có thể xảy ra sau",
        Urgency.PAST: "Đã xảy ra",
        Urgency.UNKNOWN: "Chưa rõ",
    },
    EN: {u: u.value for u in Urgency},
}

CERTAINTY_LABELS: dict[Language, dict[Certainty, str]] = {
    VI: {
        Certainty.OBSERVED: "Đã xác thực",
        Certainty.LIKELY: "Nhiều khả năng",
        Certainty.POSSIBLE: "Có thể",
        Certainty.UNLIKELY: "Ít khả năng",
        Certainty.UNKNOWN: "Chưa rõ",
    },
    EN: {c: c.value for c in Certainty},
}


@dataclass(frozen=True)
class Labels:
    """The names of an alert's facts, in the e-mail's table and on the page."""

    category: str
    severity: str
    urgency: str
    certainty: str
    place: str
    age: str
    danger: str
    shelter: str

    @property
    def rows(self) -> tuple[str, ...]:
        return (
            self.category,
            self.severity,
            self.urgency,
            self.certainty,
            self.place,
            self.age,
            self.danger,
            self.shelter,
        )


@dataclass(frozen=True)
class MessagePhrases:
    """The alert itself: SMS, e-mail and the escalation call."""

    danger: str
    shelter: str
    where: str
    for_agency: str
    ack_by: str
    before: str
    reply: str
    escalated: str
    unanswered: str
    overdue: str
    every_tier: str
    heading: str
    footer: str
    spoken_heading: str
    press_one: str
    no_key: str


@dataclass(frozen=True)
class PagePhrases:
    """The page behind an acknowledgment link."""

    title: str
    agency: str
    reference: str
    place: str
    deadline: str
    explain: str
    acknowledged: str
    acknowledged_by: str
    nothing_changed: str
    recorded: str
    processing: str
    invalid: str
    expired: str
    unavailable: str
    footer: str
    other_language: str
    methods: dict[AckMethod, str]


@dataclass(frozen=True)
class Phrases:
    drill: str
    drill_note: str
    acknowledge: str
    labels: Labels
    yes_no: tuple[str, str]
    unknown: str
    message: MessagePhrases
    page: PagePhrases
    replies: dict[ReplyAnswer, str]
    call_answers: dict[VoiceAnswer, str]


PHRASES = {
    VI: Phrases(
        drill="DIỄN TẬP",
        drill_note="DIỄN TẬP: đây là tin diễn tập, không phải sự việc thật.",
        acknowledge="Xác nhận",
        labels=Labels(
            category="Loại việc",
            severity="Mức độ",
            urgency="Khẩn cấp",
            certainty="Độ chắc chắn",
            place="Địa bàn",
            age="Tuổi của trẻ",
            danger="Nguy hiểm tức thời",
            shelter="Cần nơi tạm lánh",
        ),
        yes_no=("Có", "Không"),
        unknown="Chưa rõ",
        message=MessagePhrases(
            danger="Nguy hiểm tức thời.",
            shelter="Cần tạm lánh.",
            where="tại",
            for_agency="{ref} gửi {agency}",
            ack_by="Xác nhận trước {time}: {url}",
            before="trước {time}",
            reply=" hoặc nhắn XN {code}",
            escalated="CHUYỂN LÊN CẤP {tier}",
            unanswered="chưa ai xác nhận từ {since}",
            overdue="QUÁ HẠN",
            every_tier="đã báo hết các cấp",
            heading="Cảnh báo bảo vệ trẻ em {ref} gửi {agency}.",
            footer="Thông tin chi tiết chỉ xem trên hệ thống Safeguard. Không chuyển tiếp thư này.",
            spoken_heading="Cảnh báo bảo vệ trẻ em gửi {agency}, mã {ref}.",
            press_one="Nhấn phím 1 để xác nhận.",
            no_key="Chưa nhận được xác nhận. Xin chào.",
        ),
        page=PagePhrases(
            title="Xác nhận cảnh báo",
            agency="Đơn vị nhận",
            reference="Mã sự việc",
            place="Địa bàn",
            deadline="Hạn xác nhận",
            explain="Nhấn Xác nhận để báo rằng bạn đã nhận cảnh báo này và đang xử lý.",
            acknowledged="Cảnh báo đã được xác nhận",
            acknowledged_by="Xác nhận bởi {by} lúc {at} (qua {method}).",
            nothing_changed="Không có gì thay đổi: cảnh báo này đã được xác nhận trước đó.",
            recorded="Đã ghi nhận xác nhận của bạn. "
            "Trạng thái cảnh báo sẽ cập nhật trong giây lát.",
            processing="Cảnh báo này đang được xử lý. Vui lòng tải lại trang sau vài giây.",
            invalid="Đường dẫn không hợp lệ. "
            "Hãy mở đúng đường dẫn trong tin nhắn, hoặc gọi trực ban.",
            expired="Đường dẫn đã hết hạn. Vui lòng gọi trực ban để xác nhận.",
            unavailable="Chưa ghi nhận được xác nhận. Vui lòng thử lại sau ít phút.",
            footer="Safeguard. Không chuyển tiếp đường dẫn này.",
            other_language="English",
            methods={
                AckMethod.LINK: "đường dẫn",
                AckMethod.SMS_REPLY: "tin nhắn trả lời",
                AckMethod.VOICE_KEYPRESS: "phím bấm trong cuộc gọi",
                AckMethod.API: "hệ thống tích hợp",
            },
        ),
        replies={
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
        call_answers={
            VoiceAnswer.ACKNOWLEDGED: "Cảm ơn. Cảnh báo đã được xác nhận.",
            VoiceAnswer.ALREADY_ACKNOWLEDGED: "Cảnh báo này đã được xác nhận trước đó. Cảm ơn.",
            VoiceAnswer.ONLY_ONE: "Chỉ phím 1 dùng để xác nhận. Nhấn phím 1 để xác nhận.",
            VoiceAnswer.UNAVAILABLE: "Chưa ghi nhận được xác nhận. "
            "Vui lòng dùng đường dẫn trong tin nhắn.",
        },
    ),
    EN: Phrases(
        drill="DRILL",
        drill_note="DRILL: this is an exercise, not a real incident.",
        acknowledge="Acknowledge",
        labels=Labels(
            category="Category",
            severity="Severity",
            urgency="Urgency",
            certainty="Certainty",
            place="Place",
            age="Child's age",
            danger="Immediate danger",
            shelter="Needs shelter",
        ),
        yes_no=("Yes", "No"),
        unknown="Unknown",
        message=MessagePhrases(
            danger="Immediate danger.",
            shelter="Needs shelter.",
            where="in",
            for_agency="{ref} for {agency}",
            ack_by="Acknowledge by {time}: {url}",
            before="by {time}",
            reply=" or reply OK {code}",
            escalated="ESCALATED TO TIER {tier}",
            unanswered="not acknowledged since {since}",
            overdue="OVERDUE",
            every_tier="every tier was alerted",
            heading="Child-protection alert {ref} for {agency}.",
            footer="Details only on the Safeguard system. Do not forward this e-mail.",
            spoken_heading="Child-protection alert for {agency}, reference {ref}.",
            press_one="Press 1 to acknowledge.",
            no_key="No acknowledgment received. Goodbye.",
        ),
        page=PagePhrases(
            title="Acknowledge alert",
            agency="For",
            reference="Reference",
            place="Commune/ward",
            deadline="Acknowledge by",
            explain="Press Acknowledge to confirm that you received this alert "
            "and are acting on it.",
            acknowledged="Alert acknowledged",
            acknowledged_by="Acknowledged by {by} at {at} (by {method}).",
            nothing_changed="Nothing changed: this alert had already been acknowledged.",
            recorded="Your acknowledgment is recorded. "
            "The alert will show as acknowledged shortly.",
            processing="This alert is still being processed. "
            "Please reload this page in a few seconds.",
            invalid="This link is not valid. Open the link exactly as it is in the message, "
            "or call the duty desk.",
            expired="This link has expired. Please call the duty desk to acknowledge.",
            unavailable="Your acknowledgment could not be recorded just now. "
            "Please try again in a minute.",
            footer="Safeguard. Do not forward this link.",
            other_language="Tiếng Việt",
            methods={
                AckMethod.LINK: "link",
                AckMethod.SMS_REPLY: "SMS reply",
                AckMethod.VOICE_KEYPRESS: "keypress in a call",
                AckMethod.API: "integration",
            },
        ),
        replies={
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
        call_answers={
            VoiceAnswer.ACKNOWLEDGED: "Thank you. The alert is acknowledged.",
            VoiceAnswer.ALREADY_ACKNOWLEDGED: "This alert was already acknowledged. Thank you.",
            VoiceAnswer.ONLY_ONE: "Only the key 1 acknowledges. Press 1 to acknowledge.",
            VoiceAnswer.UNAVAILABLE: "Your acknowledgment could not be recorded. "
            "Please use the link in the message.",
        },
    ),
}
