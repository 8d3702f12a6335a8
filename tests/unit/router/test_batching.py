"""The router's batches: when to settle, and what a repeated report in the same batch sees."""

from services.router.batching import Batch, Held
from services.router.processing import RoutedState

STORED = RoutedState(agencies=["police-03127"], facts="stored")


def held(key: str, state: RoutedState | None) -> Held[str, None]:
    outcome = None if state is None else "routed"
    return Held(f"record-{key}", None, key, state, outcome, "physical_abuse", 0.0)


def stored(key: str) -> RoutedState | None:
    return STORED if key == "inc_stored" else None


def test_an_empty_batch_is_never_settled() -> None:
    batch: Batch[str, None] = Batch(limit=3)
    assert not batch.settle_now(more_waiting=False)
    assert not batch.settle_now(more_waiting=True)


def test_a_batch_is_settled_when_nothing_more_waits_or_when_it_is_full() -> None:
    batch: Batch[str, None] = Batch(limit=3)
    batch.hold(held("inc_a", STORED))
    assert batch.settle_now(more_waiting=False)
    assert not batch.settle_now(more_waiting=True)
    batch.hold(held("inc_b", STORED))
    batch.hold(held("inc_c", None))
    assert batch.settle_now(more_waiting=True)


def test_a_record_held_in_the_batch_counts_before_its_entry_is_written() -> None:
    batch: Batch[str, None] = Batch(limit=10)
    assert batch.previous("inc_stored", stored) == STORED
    assert batch.previous("inc_new", stored) is None
    routed = RoutedState(agencies=["police-03127", "school-1"], facts="first")
    batch.hold(held("inc_new", routed))
    batch.hold(held("inc_stored", routed))
    assert batch.previous("inc_new", stored) == routed
    assert batch.previous("inc_stored", stored) == routed


def test_a_dead_letter_leaves_what_the_router_knows_alone() -> None:
    batch: Batch[str, None] = Batch(limit=10)
    batch.hold(held("inc_stored", None))
    assert batch.previous("inc_stored", stored) == STORED


def test_taking_the_batch_gives_the_records_in_order_and_empties_it() -> None:
    batch: Batch[str, None] = Batch(limit=10)
    batch.hold(held("inc_a", STORED))
    batch.hold(held("inc_b", None))
    assert [h.record for h in batch.take()] == ["record-inc_a", "record-inc_b"]
    assert batch.held == []
    assert batch.previous("inc_a", stored) is None
    assert not batch.settle_now(more_waiting=False)
