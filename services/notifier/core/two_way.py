"""Whether two-way SMS is configured in a way that can work. A reply code goes out only when
both the sender can receive replies (SAFEGUARD_TWILIO_TWO_WAY=true) and the officer's roster
entry says `two_way_sms: true`; one without the other is a mistake the worker refuses to start
with, in one line, rather than silently sending no code. Pure."""

from services.notifier.core.duty import Rosters

__all__ = ["mismatch"]

SETTING = "SAFEGUARD_TWILIO_TWO_WAY"


def mismatch(sender_two_way: bool, rosters: Rosters, source: str = "rosters.yaml") -> str | None:
    """The problem in one line, or None when the two settings agree."""
    officers = {rosters.drill_recipient.id: rosters.drill_recipient, **rosters.officers()}
    replying = sorted(o.id for o in officers.values() if o.two_way_sms)
    if sender_two_way and not replying:
        return (
            f"{SETTING}=true but no officer in {source} has two_way_sms: true, so no SMS "
            "would carry a reply code; set two_way_sms: true on the officers who may reply, "
            f"or unset {SETTING}"
        )
    if replying and not sender_two_way:
        examples = ", ".join(replying[:3]) + (", ..." if len(replying) > 3 else "")
        return (
            f"{len(replying)} officer(s) in {source} have two_way_sms: true ({examples}) but "
            f"{SETTING} is not true, so none of them would get a reply code; set {SETTING}=true "
            "if the SMS sender can receive replies, or remove two_way_sms"
        )
    return None
