"""What an unsealing can meet instead of the fields: never garbage, always one of these."""

from datetime import datetime

__all__ = ["Erased", "KeyUnavailable", "SealBroken", "SealingError"]


class SealingError(Exception):
    """Base of the sealing errors; messages name cases and keys, never a field's content."""


class Erased(SealingError):
    """The case's data keys were destroyed: its sealed fields can no longer be read, anywhere."""

    def __init__(self, case_id: str, erased_at: datetime) -> None:
        super().__init__(f"case {case_id} was erased on {erased_at.date().isoformat()}")
        self.case_id = case_id
        self.erased_at = erased_at


class SealBroken(SealingError):
    """The envelope does not open: tampered with, moved from another case or field set, or
    sealed with another key."""


class KeyUnavailable(SealingError):
    """A key this needs is not at hand (yet): a data key not replayed, or a KEK not mounted."""
