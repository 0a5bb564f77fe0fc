"""The message history itself (history.py): bounds, receipts, threads, pages, reads."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from custom_components.esendex.history import (
    DEFAULT_MAX_DAYS,
    DEFAULT_MAX_MESSAGES,
    HistoryMessage,
    MessageHistory,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ALICE = "447700900123"
BOB = "447700900456"


def sms(
    message_id: str,
    *,
    number: str = ALICE,
    direction: Any = "in",
    at: datetime = NOW,
    text: str | None = None,
) -> HistoryMessage:
    """Return an SMS in (status received) or out (status sent)."""
    return HistoryMessage(
        id=message_id,
        direction=direction,
        kind="sms",
        number=number,
        text=text if text is not None else f"text of {message_id}",
        time=at,
        status="received" if direction == "in" else "sent",
    )


def sent(message_id: str, **kwargs: Any) -> HistoryMessage:
    return sms(message_id, direction="out", **kwargs)


def history(
    max_messages: int = DEFAULT_MAX_MESSAGES, max_days: int = DEFAULT_MAX_DAYS
) -> MessageHistory:
    return MessageHistory(max_messages, max_days)


def ids(messages: list[HistoryMessage]) -> list[str]:
    return [message.id for message in messages]


def unread(kept: MessageHistory, number: str = ALICE) -> int:
    thread = kept.thread(number)
    assert thread is not None
    return thread.unread


def stored_message(**changes: Any) -> dict[str, Any]:
    """Return a message as the store writes it, with some fields changed."""
    return {**sent("m-1").as_dict(), **changes}


# --- adding, and the bounds ------------------------------------------------------


def test_a_new_message_is_kept() -> None:
    kept = history()

    assert kept.add(sms("m-1"), NOW)

    assert len(kept) == 1
    assert kept.page(ALICE, 50) == ([sms("m-1")], False)


def test_the_same_id_is_kept_once_whatever_its_letter_case() -> None:
    kept = history()
    kept.add(sms("ABC-1", text="first"), NOW)

    assert not kept.add(sms("abc-1", text="again"), NOW)
    assert not kept.add(sms("ABC-1", text="again"), NOW)

    assert len(kept) == 1
    messages, _ = kept.page(ALICE, 50)
    assert [message.text for message in messages] == ["first"]


def test_the_501st_message_drops_the_oldest_by_time() -> None:
    kept = history()
    # Added newest first: the oldest by time is the last one added, not the first.
    for minute in range(DEFAULT_MAX_MESSAGES):
        kept.add(sms(f"m-{minute}", at=NOW - timedelta(minutes=minute)), NOW)
    assert len(kept) == DEFAULT_MAX_MESSAGES

    assert kept.add(sms("newest", at=NOW + timedelta(seconds=1)), NOW)

    assert len(kept) == DEFAULT_MAX_MESSAGES
    everything, has_more = kept.page(ALICE, DEFAULT_MAX_MESSAGES)
    assert not has_more
    assert f"m-{DEFAULT_MAX_MESSAGES - 1}" not in ids(everything)
    assert ids(everything)[0] == f"m-{DEFAULT_MAX_MESSAGES - 2}"
    assert ids(everything)[-1] == "newest"


def test_a_message_older_than_all_kept_is_not_kept_when_full() -> None:
    kept = history(max_messages=2)
    kept.add(sms("m-1"), NOW)
    kept.add(sms("m-2"), NOW)

    assert not kept.add(sms("older", at=NOW - timedelta(hours=1)), NOW)

    assert ids(kept.page(ALICE, 50)[0]) == ["m-1", "m-2"]


def test_the_bound_counts_every_number_together() -> None:
    kept = history(max_messages=2)
    kept.add(sms("a-1", number=ALICE, at=NOW - timedelta(minutes=2)), NOW)
    kept.add(sms("b-1", number=BOB, at=NOW - timedelta(minutes=1)), NOW)

    kept.add(sms("b-2", number=BOB), NOW)

    assert kept.thread(ALICE) is None
    assert ids(kept.page(BOB, 50)[0]) == ["b-1", "b-2"]


def test_a_message_of_more_than_max_days_is_not_kept() -> None:
    kept = history()
    limit = NOW - timedelta(days=DEFAULT_MAX_DAYS)

    assert not kept.add(sms("31-days", at=NOW - timedelta(days=31)), NOW)
    assert not kept.add(sms("just-over", at=limit - timedelta(seconds=1)), NOW)
    assert kept.add(sms("exactly-30-days", at=limit), NOW)

    assert ids(kept.page(ALICE, 50)[0]) == ["exactly-30-days"]


def test_messages_grown_too_old_go_at_the_next_add() -> None:
    kept = history()
    kept.add(sms("old", number=BOB), NOW)
    recent = NOW + timedelta(days=20)
    kept.add(sms("recent", at=recent), recent)
    later = NOW + timedelta(days=DEFAULT_MAX_DAYS, seconds=1)

    kept.add(sms("new", at=later), later)

    assert kept.thread(BOB) is None
    assert ids(kept.page(ALICE, 50)[0]) == ["recent", "new"]


def test_prune_forgets_what_grew_too_old() -> None:
    kept = history(max_days=1)
    kept.add(sms("m-1"), NOW)

    kept.prune(NOW + timedelta(days=1))
    assert len(kept) == 1
    kept.prune(NOW + timedelta(days=1, microseconds=1))

    assert len(kept) == 0
    assert kept.threads() == []


def test_max_messages_zero_keeps_nothing() -> None:
    kept = history(max_messages=0)

    assert not kept.add(sms("m-1"), NOW)
    assert not kept.add(sent("m-2"), NOW)

    assert len(kept) == 0
    assert kept.threads() == []
    assert kept.page(ALICE, 50) == ([], False)
    assert kept.update_status("m-2", "delivered", NOW) is None
    assert not kept.mark_read(ALICE)


# --- receipts -----------------------------------------------------------------------


def test_a_delivery_report_moves_a_sent_message_to_delivered() -> None:
    kept = history()
    kept.add(sent("OUT-1"), NOW)
    delivered_at = NOW + timedelta(seconds=5)

    updated = kept.update_status("out-1", "delivered", delivered_at)

    assert updated is not None
    assert (updated.status, updated.status_time) == ("delivered", delivered_at)
    assert updated.failure_reason is None
    assert kept.page(ALICE, 50)[0] == [updated]
    thread = kept.thread(ALICE)
    assert thread is not None
    assert thread.last == updated


def test_a_failure_report_keeps_its_reason() -> None:
    kept = history()
    kept.add(sent("out-1"), NOW)

    updated = kept.update_status(
        "out-1", "failed", NOW + timedelta(seconds=5), "Message broken"
    )

    assert updated is not None
    assert (updated.status, updated.failure_reason) == ("failed", "Message broken")


def test_a_reason_counts_for_failures_only() -> None:
    kept = history()
    kept.add(sent("out-1"), NOW)
    kept.update_status("out-1", "failed", NOW + timedelta(seconds=1), "Absent")

    updated = kept.update_status(
        "out-1", "delivered", NOW + timedelta(seconds=2), "ignored"
    )

    assert updated is not None
    assert (updated.status, updated.failure_reason) == ("delivered", None)


def test_an_older_receipt_after_a_newer_one_changes_nothing() -> None:
    kept = history()
    kept.add(sent("out-1"), NOW)
    failed_at = NOW + timedelta(minutes=2)
    kept.update_status("out-1", "failed", failed_at, "Absent subscriber")

    assert kept.update_status("out-1", "delivered", NOW + timedelta(minutes=1)) is None

    [message] = kept.page(ALICE, 50)[0]
    assert (message.status, message.status_time, message.failure_reason) == (
        "failed",
        failed_at,
        "Absent subscriber",
    )


def test_a_receipt_at_the_same_time_applies() -> None:
    """Esendex's retry of a receipt (same time) is harmless, and a same-second pair
    of delivered and failed ends as the later one to arrive."""
    kept = history()
    kept.add(sent("out-1"), NOW)
    kept.update_status("out-1", "delivered", NOW)

    updated = kept.update_status("out-1", "failed", NOW, "Message broken")

    assert updated is not None
    assert updated.status == "failed"


def test_a_receipt_for_an_inbound_message_changes_nothing() -> None:
    kept = history()
    kept.add(sms("in-1"), NOW)

    assert kept.update_status("IN-1", "delivered", NOW) is None

    [message] = kept.page(ALICE, 50)[0]
    assert (message.status, message.status_time) == ("received", None)


def test_a_receipt_for_an_unknown_message_changes_nothing() -> None:
    kept = history()
    kept.add(sent("out-1"), NOW)

    assert kept.update_status("out-2", "delivered", NOW) is None

    assert kept.page(ALICE, 50)[0] == [sent("out-1")]


# --- threads and pages --------------------------------------------------------------


def test_threads_come_newest_first_by_their_last_message_time() -> None:
    kept = history()
    carol = "447700900789"
    kept.add(sms("a-1", number=ALICE, at=NOW - timedelta(minutes=10)), NOW)
    kept.add(sms("b-1", number=BOB, at=NOW - timedelta(minutes=5)), NOW)
    kept.add(sms("c-1", number=carol, at=NOW - timedelta(minutes=7)), NOW)
    # Added last, but older than Alice's: it is not her thread's last message.
    kept.add(sent("a-0", number=ALICE, at=NOW - timedelta(minutes=20)), NOW)

    threads = kept.threads()

    assert [thread.number for thread in threads] == [BOB, carol, ALICE]
    assert [thread.last.id for thread in threads] == ["b-1", "c-1", "a-1"]
    # Alice's reply comes later and moves her thread first.
    kept.add(sent("a-2", number=ALICE, at=NOW - timedelta(minutes=1)), NOW)
    assert [thread.number for thread in kept.threads()] == [ALICE, BOB, carol]
    assert kept.threads()[0].last.id == "a-2"


def test_of_two_messages_at_one_time_the_later_added_is_last() -> None:
    kept = history()
    kept.add(sms("first"), NOW)
    kept.add(sent("second"), NOW)

    thread = kept.thread(ALICE)

    assert thread is not None
    assert thread.last.id == "second"
    assert ids(kept.page(ALICE, 50)[0]) == ["first", "second"]


def test_a_number_without_messages_has_no_thread() -> None:
    kept = history()
    kept.add(sms("m-1"), NOW)

    assert kept.thread(BOB) is None
    assert kept.page(BOB, 50) == ([], False)


def test_a_page_is_oldest_first_by_time_and_only_of_its_number() -> None:
    kept = history()
    kept.add(sms("a-2", at=NOW - timedelta(minutes=1)), NOW)
    kept.add(sms("b-1", number=BOB, at=NOW - timedelta(minutes=3)), NOW)
    kept.add(sent("a-3", at=NOW), NOW)
    # Caught up late: older than what is already there.
    kept.add(sms("a-1", at=NOW - timedelta(minutes=5)), NOW)

    messages, has_more = kept.page(ALICE, 50)

    assert ids(messages) == ["a-1", "a-2", "a-3"]
    assert not has_more


def test_pages_go_back_with_before_until_there_are_no_more() -> None:
    kept = history()
    for minute in range(5):
        kept.add(sms(f"m-{minute}", at=NOW + timedelta(minutes=minute)), NOW)

    last, more = kept.page(ALICE, 2)
    assert (ids(last), more) == (["m-3", "m-4"], True)
    middle, more = kept.page(ALICE, 2, before="M-3")
    assert (ids(middle), more) == (["m-1", "m-2"], True)
    first, more = kept.page(ALICE, 2, before="m-1")
    assert (ids(first), more) == (["m-0"], False)
    assert kept.page(ALICE, 2, before="m-0") == ([], False)


def test_a_page_exactly_as_long_as_what_is_left_has_no_more() -> None:
    kept = history()
    for minute in range(3):
        kept.add(sms(f"m-{minute}", at=NOW + timedelta(minutes=minute)), NOW)

    assert kept.page(ALICE, 3) == (kept.page(ALICE, 200)[0], False)
    assert ids(kept.page(ALICE, 2, before="m-2")[0]) == ["m-0", "m-1"]
    assert not kept.page(ALICE, 2, before="m-2")[1]


def test_before_an_unknown_id_is_an_empty_page() -> None:
    kept = history()
    kept.add(sms("a-1"), NOW)
    kept.add(sms("b-1", number=BOB), NOW)

    assert kept.page(ALICE, 50, before="nothing") == ([], False)
    # An id of another thread is unknown in this one.
    assert kept.page(ALICE, 50, before="b-1") == ([], False)


def test_a_page_of_no_messages_still_says_there_are_more() -> None:
    kept = history()
    kept.add(sms("m-1"), NOW)

    assert kept.page(ALICE, 0) == ([], True)


# --- unread and read ----------------------------------------------------------------


def test_unread_counts_inbound_messages_only() -> None:
    kept = history()
    kept.add(sms("in-1"), NOW)
    kept.add(sent("out-1"), NOW)
    kept.add(sms("in-2"), NOW)

    assert unread(kept) == 2


def test_mark_read_clears_the_unread_of_one_thread() -> None:
    kept = history()
    kept.add(sms("a-1"), NOW)
    kept.add(sms("b-1", number=BOB), NOW)

    assert kept.mark_read(ALICE)

    assert unread(kept, ALICE) == 0
    assert unread(kept, BOB) == 1
    # Nothing more to read: no change.
    assert not kept.mark_read(ALICE)


def test_mark_read_of_a_thread_without_inbound_messages_changes_nothing() -> None:
    kept = history()
    kept.add(sent("out-1"), NOW)

    assert not kept.mark_read(ALICE)
    assert not kept.mark_read(BOB)

    assert unread(kept) == 0


def test_a_message_after_the_read_mark_is_unread() -> None:
    kept = history()
    kept.add(sms("in-1"), NOW)
    kept.mark_read(ALICE)

    kept.add(sms("in-2", at=NOW + timedelta(minutes=1)), NOW)

    assert unread(kept) == 1


def test_an_older_sms_caught_up_after_the_read_mark_is_still_unread() -> None:
    """Read marks go by when messages were added, not by their times."""
    kept = history()
    kept.add(sms("in-2", at=NOW), NOW)
    kept.mark_read(ALICE)

    kept.add(sms("in-1", at=NOW - timedelta(hours=1)), NOW)

    assert unread(kept) == 1
    thread = kept.thread(ALICE)
    assert thread is not None
    # It is unread, but not the thread's last message.
    assert thread.last.id == "in-2"
    assert kept.mark_read(ALICE)
    assert unread(kept) == 0


def test_an_opt_out_counts_as_unread() -> None:
    kept = history()

    kept.add(
        HistoryMessage(
            id="opt-out-1",
            direction="in",
            kind="opt_out",
            number=ALICE,
            text="",
            time=NOW,
            status="received",
        ),
        NOW,
    )

    assert unread(kept) == 1


# --- storing and loading ------------------------------------------------------------


def test_a_message_as_stored() -> None:
    message = HistoryMessage(
        id="out-1",
        direction="out",
        kind="sms",
        number=ALICE,
        text="Gate open",
        time=NOW,
        status="failed",
        status_time=NOW + timedelta(seconds=3),
        failure_reason="Message broken",
        assist=True,
    )

    assert message.as_dict() == {
        "id": "out-1",
        "direction": "out",
        "kind": "sms",
        "number": ALICE,
        "text": "Gate open",
        "time": "2026-12-01T12:00:00+00:00",
        "status": "failed",
        "status_time": "2026-12-01T12:00:03+00:00",
        "failure_reason": "Message broken",
        "assist": True,
    }
    assert HistoryMessage.from_dict(message.as_dict()) == message
    assert sms("in-1").as_dict()["status_time"] is None
    assert HistoryMessage.from_dict(sms("in-1").as_dict()) == sms("in-1")


def test_a_stored_message_without_the_optional_fields() -> None:
    stored = stored_message()
    for name in ("status_time", "failure_reason", "assist"):
        del stored[name]

    message = HistoryMessage.from_dict(stored)

    assert (message.status_time, message.failure_reason, message.assist) == (
        None,
        None,
        False,
    )


def test_the_history_round_trips_with_its_read_marks() -> None:
    kept = history()
    kept.add(sms("a-1", at=NOW - timedelta(minutes=3)), NOW)
    kept.add(sms("b-1", number=BOB, at=NOW - timedelta(minutes=2)), NOW)
    kept.add(sent("a-2", at=NOW - timedelta(minutes=1)), NOW)
    kept.mark_read(ALICE)
    kept.add(sms("b-2", number=BOB), NOW)
    kept.mark_read(BOB)
    # Caught up late, after Alice's thread was read: unread.
    kept.add(sms("a-0", at=NOW - timedelta(hours=1)), NOW)
    kept.update_status("a-2", "delivered", NOW)
    stored = kept.as_dict()

    restored = history()
    restored.load(stored, NOW)

    # In the order added, with the read marks as positions in that order.
    assert ids(
        [HistoryMessage.from_dict(message) for message in stored["messages"]]
    ) == ["a-1", "b-1", "a-2", "b-2", "a-0"]
    assert stored["read"] == {ALICE: 3, BOB: 4}
    assert restored.as_dict() == stored
    assert restored.threads() == kept.threads()
    assert (unread(restored, ALICE), unread(restored, BOB)) == (1, 0)
    for number in (ALICE, BOB):
        assert restored.page(number, 50) == kept.page(number, 50)
    # What comes after the load is unread, and ids already kept stay known.
    assert not restored.add(sms("B-2", number=BOB), NOW)
    restored.add(sms("b-3", number=BOB), NOW)
    assert unread(restored, BOB) == 1


def test_read_marks_survive_the_loss_of_older_messages() -> None:
    kept = history(max_messages=3)
    kept.add(sms("m-1", at=NOW - timedelta(minutes=3)), NOW)
    kept.add(sms("m-2", at=NOW - timedelta(minutes=2)), NOW)
    kept.mark_read(ALICE)
    kept.add(sms("m-3", at=NOW - timedelta(minutes=1)), NOW)
    # Drops m-1, the message the read mark was at the position after.
    kept.add(sms("m-4"), NOW)
    assert unread(kept) == 2

    restored = history(max_messages=3)
    restored.load(kept.as_dict(), NOW)

    assert kept.as_dict()["read"] == {ALICE: 1}
    assert unread(restored) == 2


def test_a_thread_that_is_gone_forgets_its_read_mark() -> None:
    kept = history(max_messages=1)
    kept.add(sms("a-1"), NOW)
    kept.mark_read(ALICE)

    kept.add(sms("b-1", number=BOB, at=NOW + timedelta(seconds=1)), NOW)

    assert kept.as_dict()["read"] == {}


def test_loading_applies_the_bounds() -> None:
    kept = history()
    kept.add(sms("31-days-at-load", at=NOW - timedelta(days=29)), NOW)
    kept.add(sms("m-2", at=NOW - timedelta(minutes=2)), NOW)
    kept.add(sms("m-3", at=NOW - timedelta(minutes=1)), NOW)
    kept.add(sms("m-4", number=BOB), NOW)
    load_time = NOW + timedelta(days=2)

    smaller = history(max_messages=2)
    smaller.load(kept.as_dict(), load_time)

    assert ids(smaller.page(ALICE, 50)[0]) == ["m-3"]
    assert ids(smaller.page(BOB, 50)[0]) == ["m-4"]
    same = history()
    same.load(kept.as_dict(), load_time)
    assert len(same) == 3
    assert "31-days-at-load" not in ids(same.page(ALICE, 50)[0])


def test_loading_replaces_what_was_kept() -> None:
    kept = history()
    kept.add(sms("stored"), NOW)
    stored = kept.as_dict()
    other = history()
    other.add(sms("before-load", number=BOB), NOW)
    other.mark_read(BOB)

    other.load(stored, NOW)

    assert other.thread(BOB) is None
    assert ids(other.page(ALICE, 50)[0]) == ["stored"]
    assert other.as_dict() == stored


@pytest.mark.parametrize(
    ("stored", "error"),
    [
        (stored_message(direction="sideways"), ValueError),
        (stored_message(kind="mms"), ValueError),
        (stored_message(status="read"), ValueError),
        (stored_message(time="2026-12-01T12:00:00"), ValueError),
        (
            stored_message(status_time="2026-12-01T12:00:00", status="delivered"),
            ValueError,
        ),
        (stored_message(time="yesterday"), ValueError),
        (stored_message(time=None), ValueError),
        ({"id": "m-1", "direction": "in", "kind": "sms"}, KeyError),
    ],
    ids=[
        "direction",
        "kind",
        "status",
        "naive-time",
        "naive-status-time",
        "not-a-time",
        "no-time",
        "missing-fields",
    ],
)
def test_an_unreadable_stored_message_raises(
    stored: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        HistoryMessage.from_dict(stored)


@pytest.mark.parametrize(
    ("stored", "error"),
    [
        ({"read": {}}, KeyError),
        ({"messages": []}, KeyError),
        ({"messages": [stored_message(direction="up")], "read": {}}, ValueError),
        ({"messages": ["not a message"], "read": {}}, AttributeError),
        ({"messages": [], "read": {ALICE: "first"}}, ValueError),
        ({"messages": [], "read": [ALICE]}, AttributeError),
        ({"messages": None, "read": {}}, TypeError),
    ],
    ids=[
        "no-messages",
        "no-read",
        "bad-message",
        "message-not-a-dict",
        "position-not-a-number",
        "read-not-a-dict",
        "messages-not-a-list",
    ],
)
def test_an_unreadable_stored_history_raises_and_changes_nothing(
    stored: dict[str, Any], error: type[Exception]
) -> None:
    kept = history()
    kept.add(sms("m-1"), NOW)
    kept.mark_read(ALICE)
    before = kept.as_dict()

    with pytest.raises(error):
        kept.load(stored, NOW)

    assert kept.as_dict() == before
