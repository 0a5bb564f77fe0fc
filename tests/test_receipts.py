"""The bounded record of messages sent from Home Assistant."""

from custom_components.esendex.receipts import SentMessageLedger, SentRecord


def record(text: str) -> SentRecord:
    return SentRecord(
        recipient="+447700900123",
        text=text,
        sent_at="2026-11-25T10:00:00+00:00",
        context_id="ctx",
        user_id=None,
    )


def test_finds_messages_by_id_case_insensitively() -> None:
    sent = SentMessageLedger(retention_seconds=100, max_messages=10)

    sent.add("ABC-1", record("hello"), sent_at=0)

    found = sent.get("abc-1")
    assert found is not None
    assert found.text == "hello"
    assert sent.get("abc-2") is None


def test_forgets_messages_older_than_the_retention() -> None:
    sent = SentMessageLedger(retention_seconds=100, max_messages=10)
    sent.add("old", record("old"), sent_at=0)

    sent.add("new", record("new"), sent_at=150)

    assert sent.get("old") is None
    assert len(sent) == 1


def test_is_capped_keeping_the_newest() -> None:
    sent = SentMessageLedger(retention_seconds=1e9, max_messages=2)

    for number in range(4):
        sent.add(f"m-{number}", record(str(number)), sent_at=number)

    assert [item["message_id"] for item in sent.as_list()] == ["m-2", "m-3"]


def test_round_trips_and_ages_out_on_load() -> None:
    sent = SentMessageLedger(retention_seconds=100, max_messages=10)
    sent.add("a", record("a"), sent_at=10)
    sent.add("b", record("b"), sent_at=90)
    restored = SentMessageLedger(retention_seconds=100, max_messages=10)

    restored.load(list(reversed(sent.as_list())), now=150)

    assert restored.get("a") is None
    assert restored.get("b") == record("b")
