"""The bounded record of seen notification ids."""

import gc
import sys

from custom_components.esendex.dedupe import SeenNotifications


def test_remembers_ids_case_insensitively() -> None:
    seen = SeenNotifications(retention_seconds=100, max_ids=10)

    seen.add("ABC-1", seen_at=0)

    assert "abc-1" in seen
    assert "ABC-1" in seen
    assert "abc-2" not in seen
    assert 42 not in seen


def test_forgets_ids_older_than_the_retention() -> None:
    seen = SeenNotifications(retention_seconds=100, max_ids=10)
    seen.add("old", seen_at=0)
    seen.add("recent", seen_at=50)

    seen.add("new", seen_at=120)

    assert list(seen) == ["recent", "new"]


def test_is_capped_keeping_the_newest() -> None:
    seen = SeenNotifications(retention_seconds=1e9, max_ids=3)

    for number in range(5):
        seen.add(f"id-{number}", seen_at=number)

    assert list(seen) == ["id-2", "id-3", "id-4"]
    assert len(seen) == 3


def test_round_trips_through_its_stored_form_oldest_first() -> None:
    seen = SeenNotifications(retention_seconds=100, max_ids=10)
    seen.add("a", seen_at=10)
    seen.add("b", seen_at=20)
    restored = SeenNotifications(retention_seconds=100, max_ids=10)

    # Stored order is not trusted: the record is sorted by time on load.
    restored.load(reversed(seen.as_dict().items()), now=30)

    assert list(restored.as_dict().items()) == [("a", 10.0), ("b", 20.0)]


def test_its_stored_form_is_built_without_an_object_per_id() -> None:
    """A save must not make Python's collector walk Home Assistant's whole heap."""
    seen = SeenNotifications(retention_seconds=100, max_ids=25_000)
    for number in range(25_000):
        seen.add(f"id-{number}", seen_at=50)
    gc.disable()
    try:
        before = sys.getallocatedblocks()
        stored = seen.as_dict()
        allocated = sys.getallocatedblocks() - before
    finally:
        gc.enable()

    assert len(stored) == 25_000
    # One dict (a pair per id would be 25,000 tuples).
    assert allocated < 100


def test_load_applies_retention_and_cap() -> None:
    seen = SeenNotifications(retention_seconds=100, max_ids=2)

    seen.load([("too-old", 0), ("a", 150), ("b", 160), ("c", 170)], now=200)

    assert list(seen) == ["b", "c"]
