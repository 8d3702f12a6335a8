"""The chaos ledger finds each kind of loss it promises to find, and none in a clean run."""

from datetime import UTC, datetime

from bench.ledger import AlertTrail, Observed, lateness_summary, reconcile, reference_of

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
INCIDENT, DRILL = "inc_" + "a" * 32, "inc_" + "b" * 32
ALERT, DRILL_ALERT = "alr_" + "1" * 32, "alr_" + "2" * 32
DESK = "+842000000099"


def trail(incident: str, *kinds: str) -> AlertTrail:
    return AlertTrail(incident, [(k, T0) for k in kinds])


def clean() -> Observed:
    return Observed(
        accepted={INCIDENT: False, DRILL: True},
        on_topic={INCIDENT, DRILL},
        dead_lettered=set(),
        alerts={
            ALERT: trail(INCIDENT, "message.sent", "alert.acknowledged"),
            DRILL_ALERT: trail(DRILL, "message.failed", "alert.escalated"),
        },
        acks_given={ALERT},
        sends=[("m1", "+84900000001", reference_of(INCIDENT)), ("m2", DESK, reference_of(DRILL))],
        drill_desk=DESK,
        notifier_restarts=0,
    )


def test_a_clean_run_has_no_loss() -> None:
    ledger = reconcile(clean())
    assert ledger.losses == []
    assert dict(ledger.rows)["incidents accepted (202)"] == 2


def test_an_accepted_incident_missing_from_the_topic_is_a_loss() -> None:
    seen = clean()
    seen.on_topic = {DRILL}
    assert "1 accepted incidents missing from the incidents topic" in reconcile(seen).losses


def test_an_incident_never_routed_is_a_loss() -> None:
    seen = clean()
    del seen.alerts[DRILL_ALERT]
    assert "1 accepted incidents never routed" in reconcile(seen).losses


def test_an_alert_neither_sent_nor_escalated_is_a_loss() -> None:
    seen = clean()
    seen.alerts[DRILL_ALERT] = trail(DRILL, "message.failed")
    assert "1 alerts neither sent nor escalated" in reconcile(seen).losses


def test_an_acknowledgment_not_recorded_is_a_loss() -> None:
    seen = clean()
    seen.alerts[ALERT] = trail(INCIDENT, "message.sent")
    assert "1 acknowledgments given but not recorded" in reconcile(seen).losses
    assert reconcile(seen).unrecorded_acks == [ALERT]


def test_a_drill_sms_to_a_real_number_is_a_loss() -> None:
    seen = clean()
    seen.sends.append(("m3", "+84900000001", reference_of(DRILL)))
    assert "1 drill SMS reached a real number" in reconcile(seen).losses


def test_duplicates_count_and_are_bounded_by_the_restarts() -> None:
    seen = clean()
    seen.sends += [seen.sends[0], seen.sends[0]]
    assert dict(reconcile(seen).rows)["duplicate sends"] == 2
    assert any("over the bound" in loss for loss in reconcile(seen).losses)
    seen.notifier_restarts = 2
    assert reconcile(seen).losses == []


def test_an_acknowledgment_that_reached_an_expired_alert_is_no_loss() -> None:
    seen = clean()
    seen.alerts[ALERT] = trail(INCIDENT, "message.sent", "alert.expired")
    ledger = reconcile(seen)
    assert ledger.losses == []
    assert dict(ledger.rows)["acknowledgments refused: the alert had expired"] == 1


def test_late_escalations_are_counted_and_summarised_from_the_trail() -> None:
    seen = clean()
    seen.alerts[DRILL_ALERT].late_by = [0.4, 0.9, 7.5]
    ledger = reconcile(seen)
    assert dict(ledger.rows)["of which fired over 5 s late"] == 1
    assert ledger.lateness == (
        "3 deadlines passed; fired late by p50 0.90 s, p99 7.50 s, worst 7.50 s"
    )
    assert lateness_summary([]) == "no deadline passed"
