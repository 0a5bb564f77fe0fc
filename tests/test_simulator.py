"""The Esendex simulator (tools/esendex_simulator.py), against real local servers."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from http import HTTPStatus
import json
import socket
import time

from aiohttp import web
from aiohttp.test_utils import TestServer
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.esendex.const import (
    EVENT_INBOUND_MESSAGE,
    EVENT_MESSAGE_DELIVERED,
    EVENT_MESSAGE_FAILED,
)
from custom_components.esendex.protocol import (
    FailureReason,
    InboundMessage,
    MessageDelivered,
    MessageFailed,
    NotificationError,
    parse_notification,
)
from tools import esendex_simulator as sim

from .conftest import FIXTURES, WEBHOOK_PATH, fixture_bytes

PATH = "/api/webhook/simulator-test"
# Retries in these tests wait milliseconds, not seconds.
BACKOFF = 0.001
MAX_BACKOFF = 0.01


class FakeWebhook:
    """A webhook that answers like the integration, with scripted failures.

    `script` gives the statuses of the first requests, in order; after it, the first
    request of every `fail_first_of`-th distinct Id gets a 503 (and is not recorded),
    other new Ids `processed`, and Ids seen before `duplicate`.
    """

    def __init__(self) -> None:
        self.url = ""
        self.script: list[int] = []
        self.fail_first_of = 0
        self.hold: asyncio.Event | None = None
        self.delay = 0.0
        self.bodies: list[bytes] = []
        self.content_types: list[str | None] = []
        self.processed: Counter[str] = Counter()
        self.duplicates: Counter[str] = Counter()
        self.refused: set[str] = set()
        self.in_flight = 0
        self.max_in_flight = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.bodies.append(body)
        self.content_types.append(request.headers.get("Content-Type"))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.hold is not None:
                await self.hold.wait()
            # Let other requests in, so concurrency is visible.
            await asyncio.sleep(self.delay)
            return self._answer(body)
        finally:
            self.in_flight -= 1

    def _answer(self, body: bytes) -> web.Response:
        if self.script:
            return web.Response(status=self.script.pop(0), text="scripted")
        try:
            note = parse_notification(body)
        except NotificationError as err:
            return web.Response(status=HTTPStatus.BAD_REQUEST, text=err.reason)
        if not isinstance(note, InboundMessage | MessageDelivered | MessageFailed):
            return web.Response(text="ignored")
        nid = note.notification_id
        if self.processed[nid]:
            self.duplicates[nid] += 1
            return web.Response(text="duplicate")
        first = nid not in self.refused
        if first and self.fail_first_of and len(self.refused) % self.fail_first_of:
            self.refused.add(nid)
            return web.Response(status=HTTPStatus.SERVICE_UNAVAILABLE, text="busy")
        self.refused.add(nid)
        self.processed[nid] += 1
        return web.Response(text="processed")


@pytest.fixture
async def webhook(socket_enabled: None) -> AsyncIterator[FakeWebhook]:
    """A FakeWebhook served on 127.0.0.1 (pytest-socket allows loopback only)."""
    fake = FakeWebhook()
    app = web.Application()
    app.router.add_post(PATH, fake.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        fake.url = str(server.make_url(PATH))
        yield fake
        if fake.hold is not None:
            fake.hold.set()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# ----------------------------------------------------------------------- XML


async def test_inbound_is_parsed_by_the_integration() -> None:
    text = "Bin day & recycling: yes <3 \u2013 merci\r\nOK ]]> 'q' \"dq\" \U0001f6aa"
    note = sim.build_inbound(text=text, sender="447700900123", recipient="447860000000")

    parsed = parse_notification(note.body)

    assert parsed == InboundMessage(
        notification_id=note.notification_id,
        message_id=note.message_id,
        account_id=note.account_id,
        sender="447700900123",
        recipient="447860000000",
        text=text,
        received_at=None,
    )


async def test_inbound_has_the_vendor_shape() -> None:
    note = sim.build_inbound(
        text="Hi",
        notification_id="4b912ad6-5ba1-4fdb-addc-007fb212ebae",
        message_id="09543bf1-8f47-4afa-9fe8-cb36bd0e6e90",
        account_id="6145d724-98cb-41a2-8c4e-4b81ef694897",
    )

    root = fromstring(note.body)
    assert root.tag == "InboundMessage"
    assert [child.tag for child in root] == [
        "Id",
        "MessageId",
        "AccountId",
        "MessageText",
        "From",
        "To",
    ]
    assert note.body.decode() == (
        (FIXTURES / "inbound_message.xml").read_text().replace("Gate code please", "Hi")
    )


async def test_delivered_is_parsed_by_the_integration() -> None:
    when = datetime(2014, 7, 31, 21, 42, 46, 123456, tzinfo=UTC)
    note = sim.build_status("delivered", occurred_at=when)

    parsed = parse_notification(note.body)

    assert b"<OccurredAt>2014-07-31T21:42:46</OccurredAt>" in note.body
    assert note.occurred_at == when.replace(microsecond=0)
    assert parsed == MessageDelivered(
        notification_id=note.notification_id,
        message_id=note.message_id,
        account_id=note.account_id,
        occurred_at=note.occurred_at,
    )


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (None, None),
        (
            sim.FailureSpec(142, "Message broken & <gone>", True),
            FailureReason(142, "Message broken & <gone>", True),
        ),
        (sim.FailureSpec(5, None, False), FailureReason(5, None, False)),
    ],
)
async def test_failed_is_parsed_by_the_integration(
    failure: sim.FailureSpec | None, expected: FailureReason | None
) -> None:
    note = sim.build_status(
        "failed",
        message_id="1183C73D-2E62-4F60-B610-30F160BDFBD5",
        occurred_at=datetime(2015, 11, 9, 16, 18, 19),  # noqa: DTZ001 - naive is UTC
        failure=failure,
    )

    parsed = parse_notification(note.body)

    assert parsed == MessageFailed(
        notification_id=note.notification_id,
        message_id="1183C73D-2E62-4F60-B610-30F160BDFBD5",
        account_id=note.account_id,
        occurred_at=datetime(2015, 11, 9, 16, 18, 19, tzinfo=UTC),
        failure_reason=expected,
    )


async def test_status_builder_rejects_what_the_vendor_cannot_send() -> None:
    with pytest.raises(ValueError, match="only a failed"):
        sim.build_status("delivered", failure=sim.FailureSpec(code=1))
    with pytest.raises(ValueError, match="U\\+0000"):
        sim.build_inbound(text="nul\x00")


async def test_occurred_at_from_the_command_line_is_utc() -> None:
    assert sim.parse_occurred_at("2026-10-04T14:00:00+02:00") == datetime(
        2026, 10, 4, 12, tzinfo=UTC
    )
    assert sim.parse_occurred_at("2026-10-04T12:00:00.9") == datetime(
        2026, 10, 4, 12, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="ISO 8601"):
        sim.parse_occurred_at("yesterday")


# ------------------------------------------------------------------ retrying


async def test_retry_on_503_then_success(webhook: FakeWebhook) -> None:
    webhook.script = [503]
    note = sim.build_inbound(text="OPEN GATE")
    seen: list[tuple[int, float | None]] = []

    async with sim.make_session() as session:
        delivery = await sim.post_with_retry(
            session,
            webhook.url,
            note.body,
            max_attempts=3,
            on_attempt=lambda attempt, delay: seen.append((attempt.number, delay)),
            notification=note,
            backoff=BACKOFF,
            max_backoff=MAX_BACKOFF,
        )

    assert delivery.acknowledged
    assert [attempt.status for attempt in delivery.attempts] == [503, 200]
    assert seen == [(1, 0.001), (2, None)]
    assert webhook.bodies == [note.body, note.body]
    assert webhook.content_types == ["text/xml; charset=utf-8"] * 2
    summary = sim.summarize([delivery], duration_s=0.5)
    assert (summary.sent, summary.acknowledged, summary.retried, summary.failed) == (
        2,
        1,
        1,
        0,
    )
    assert summary.by_status == {"200": 1, "503": 1}
    assert summary.responses == {"processed": 1}


async def test_gives_up_after_max_attempts(webhook: FakeWebhook) -> None:
    webhook.script = [500, 404, 302, 200]

    async with sim.make_session() as session:
        delivery = await sim.post_with_retry(
            session,
            webhook.url,
            b"<x/>",
            max_attempts=3,
            backoff=BACKOFF,
            max_backoff=MAX_BACKOFF,
        )

    assert delivery.outcome == "failed"
    assert len(webhook.bodies) == 3
    summary = sim.summarize([delivery], duration_s=0.1)
    assert (summary.sent, summary.acknowledged, summary.retried, summary.failed) == (
        3,
        0,
        2,
        1,
    )
    assert summary.by_status == {"302": 1, "404": 1, "500": 1}


async def test_connection_errors_and_timeouts_are_retried(
    webhook: FakeWebhook,
) -> None:
    webhook.hold = asyncio.Event()
    refused_url = f"http://127.0.0.1:{free_port()}{PATH}"

    async with sim.make_session() as session:
        refused = await sim.post_with_retry(
            session,
            refused_url,
            b"<x/>",
            max_attempts=2,
            backoff=BACKOFF,
            max_backoff=MAX_BACKOFF,
        )
        slow = await sim.post_with_retry(
            session,
            webhook.url,
            b"<x/>",
            max_attempts=2,
            request_timeout=0.05,
            backoff=BACKOFF,
            max_backoff=MAX_BACKOFF,
        )
    webhook.hold.set()

    assert [attempt.label for attempt in refused.attempts] == ["connection error"] * 2
    assert [attempt.label for attempt in slow.attempts] == ["timeout"] * 2
    summary = sim.summarize([refused, slow], duration_s=1)
    assert summary.failed == 2
    assert summary.by_status == {"connection error": 2, "timeout": 2}


async def test_deadline_bounds_the_retries(webhook: FakeWebhook) -> None:
    webhook.script = [503] * 100
    started = time.monotonic()

    async with sim.make_session() as session:
        delivery = await sim.post_with_retry(
            session,
            webhook.url,
            b"<x/>",
            max_attempts=100,
            backoff=0.02,
            max_backoff=0.02,
            deadline_at=started + 0.2,
        )

    assert delivery.outcome == "failed"
    assert 2 <= len(delivery.attempts) < 15
    assert time.monotonic() - started < 1


async def test_retry_delay_doubles_up_to_the_cap() -> None:
    delays = [sim.retry_delay(n, 0.5, 3) for n in range(1, 6)]
    assert delays == [0.5, 1, 2, 3, 3]
    assert sim.retry_delay(10_000, 1, 60) == 60


# ---------------------------------------------------------------- load plans


async def test_duplicates_repeat_earlier_ids() -> None:
    notes, schedule = sim.plan_load(20, duplicate_share=0.3, seed=7)

    ids = [note.notification_id for note in notes]
    assert len(set(ids)) == 20
    assert len(schedule) == 26
    repeats = [note.notification_id for note, repeat in schedule if repeat]
    assert len(repeats) == 6
    assert set(repeats) <= set(ids)
    sent = Counter(note.notification_id for note, _ in schedule)
    assert sum(sent.values()) - len(sent) == 6
    # Each repeat comes after its original; originals keep their order.
    first_seen: dict[str, int] = {}
    for position, (note, repeat) in enumerate(schedule):
        if repeat:
            assert note.notification_id in first_seen
        else:
            first_seen[note.notification_id] = position
    assert list(first_seen) == ids


async def test_plan_mix_and_occurred_at() -> None:
    now = datetime(2026, 10, 4, 12, tzinfo=UTC)
    mix = sim.parse_mix("inbound=5, delivered=3,failed=2")

    notes, _ = sim.plan_load(10, mix=mix, seed=1, account_id="acc", now=now)

    assert Counter(note.kind for note in notes) == {
        "inbound": 5,
        "delivered": 3,
        "failed": 2,
    }
    assert {note.account_id for note in notes} == {"acc"}
    statuses = [note for note in notes if note.kind != "inbound"]
    times = [note.occurred_at for note in statuses if note.occurred_at is not None]
    assert len(times) == len(statuses) == 5
    assert times == sorted(times)
    assert len(set(times)) == len(times)
    assert max(times) <= now
    for note in notes:
        parsed = parse_notification(note.body)
        assert isinstance(parsed, InboundMessage | MessageDelivered | MessageFailed)
        assert parsed.notification_id == note.notification_id
    # Same seed, same plan, but fresh GUIDs.
    again, _ = sim.plan_load(10, mix=mix, seed=1, account_id="acc", now=now)
    assert [note.kind for note in again] == [note.kind for note in notes]
    assert {n.notification_id for n in again}.isdisjoint(
        n.notification_id for n in notes
    )


async def test_split_count_is_exact() -> None:
    assert sim.split_count(10, sim.DEFAULT_MIX) == {
        "inbound": 5,
        "delivered": 3,
        "failed": 2,
    }
    assert sum(sim.split_count(7, sim.DEFAULT_MIX).values()) == 7
    assert sim.split_count(3, {"failed": 1}) == {
        "inbound": 0,
        "delivered": 0,
        "failed": 3,
    }
    for bad in ("inbound", "sms=1", "inbound=-1", "inbound=x", "inbound=0"):
        with pytest.raises(ValueError):  # noqa: PT011 - each says why
            sim.parse_mix(bad)


async def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert [sim.percentile(values, p) for p in (50, 90, 99, 100)] == [
        50,
        90,
        99,
        100,
    ]
    assert sim.percentile([3.0], 99) == 3
    assert sim.percentile([], 50) is None


# ---------------------------------------------------------------- load runs


async def test_load_run_counts_are_consistent(webhook: FakeWebhook) -> None:
    webhook.fail_first_of = 4
    webhook.delay = 0.002

    async with sim.make_session(concurrency=5) as session:
        result = await sim.run_load(
            session,
            webhook.url,
            count=40,
            concurrency=5,
            duplicate_share=0.25,
            seed=3,
            max_attempts=3,
            backoff=BACKOFF,
            max_backoff=MAX_BACKOFF,
        )

    summary = result.summary()
    ids = {note.notification_id for note in result.notifications}
    assert len(ids) == 40
    assert len(result.duplicates) == 10
    assert len(result.deliveries) == 50
    assert (summary.distinct, summary.duplicates) == (40, 10)
    # Everything got through, each distinct Id was processed exactly once.
    assert summary.acknowledged == 50
    assert summary.failed == summary.unsent == 0
    assert result.acknowledged_ids == ids
    assert set(webhook.processed) == ids
    assert set(webhook.processed.values()) == {1}
    assert summary.responses == {"processed": 40, "duplicate": 10}
    # One request per attempt, every one counted once.
    assert summary.sent == len(webhook.bodies)
    assert summary.sent == 50 + summary.retried
    assert summary.retried == summary.by_status["503"] > 0
    assert sum(summary.by_status.values()) == summary.sent
    assert summary.by_status["200"] == 50
    # At most `concurrency` requests at once, and more than one at some point.
    assert 1 < webhook.max_in_flight <= 5
    latency = summary.latency_ms
    ordered = [latency[key] for key in ("p50", "p90", "p99", "max")]
    assert None not in ordered
    assert ordered[0] > 0  # type: ignore[operator]
    assert ordered == sorted(ordered)  # type: ignore[type-var]
    assert summary.requests_per_second
    assert sum(summary.by_kind.values()) == 40
    newest = result.newest("delivered")
    assert newest is not None
    delivered_at = [
        note.occurred_at
        for note in result.notifications
        if note.kind == "delivered" and note.occurred_at is not None
    ]
    assert newest.occurred_at == max(delivered_at)


async def test_load_run_deadline_leaves_the_rest_unsent(webhook: FakeWebhook) -> None:
    webhook.script = [503] * 1000

    async with sim.make_session(concurrency=2) as session:
        result = await sim.run_load(
            session,
            webhook.url,
            count=200,
            concurrency=2,
            max_attempts=100,
            backoff=0.01,
            max_backoff=0.01,
            deadline=0.2,
        )

    summary = result.summary()
    assert summary.acknowledged == 0
    assert summary.unsent > 0
    assert summary.failed + summary.unsent == 200
    assert result.duration_s < 2


async def test_load_against_the_integration_is_exactly_once(
    hass: HomeAssistant,
    loaded_entry: object,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    client = await hass_client_no_auth()
    url = str(client.make_url(WEBHOOK_PATH))
    events = {
        kind: async_capture_events(hass, event)
        for kind, event in (
            ("inbound", EVENT_INBOUND_MESSAGE),
            ("delivered", EVENT_MESSAGE_DELIVERED),
            ("failed", EVENT_MESSAGE_FAILED),
        )
    }

    async with sim.make_session(concurrency=4) as session:
        result = await sim.run_load(
            session,
            url,
            count=24,
            concurrency=4,
            duplicate_share=0.5,
            seed=11,
            backoff=BACKOFF,
            max_backoff=MAX_BACKOFF,
        )
    await hass.async_block_till_done()

    summary = result.summary()
    assert summary.acknowledged == 36
    assert summary.responses == {"processed": 24, "duplicate": 12}
    for kind, captured in events.items():
        fired = [event.data["notification_id"] for event in captured]
        sent = [n.notification_id for n in result.notifications if n.kind == kind]
        assert sorted(fired) == sorted(sent), kind


# ----------------------------------------------------------------------- CLI


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["send", "--help"], ["load", "--help"]):
        with pytest.raises(SystemExit) as exited:
            sim.main(argv)
        assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "send" in out
    assert "--duplicates" in out
    assert "--max-attempts" in out


async def test_cli_send_prints_a_summary(
    webhook: FakeWebhook, capsys: pytest.CaptureFixture[str]
) -> None:
    webhook.script = [503]

    status = await sim.async_main(
        ["send", webhook.url, "inbound", "--text", "OPEN GATE", "--backoff", "0"]
    )

    assert status == 0
    out = capsys.readouterr().out
    assert "attempt 1: HTTP 503" in out
    assert "retrying in 0 s" in out
    assert "attempt 2: HTTP 200" in out
    assert "acknowledged (200)  1" in out
    assert "retried             1" in out
    assert "latency (ms)        p50" in out
    assert b"<MessageText>OPEN GATE</MessageText>" in webhook.bodies[-1]


async def test_cli_send_same_id_twice_as_json(
    webhook: FakeWebhook, capsys: pytest.CaptureFixture[str]
) -> None:
    nid = "bece4d20-779c-4778-b08c-438a13cca5c9"

    status = await sim.async_main(
        [
            "send",
            webhook.url,
            "failed",
            "--id",
            nid,
            "--message-id",
            "ee931a29-d176-42bb-b2a1-a66871e8c118",
            "--occurred-at",
            "2026-10-04T12:00:00",
            "--failure-code",
            "5",
            "--repeat",
            "2",
            "--json",
        ]
    )

    assert status == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["distinct"] == 1
    assert summary["duplicates"] == 1
    assert summary["sent"] == summary["acknowledged"] == 2
    assert summary["responses"] == {"processed": 1, "duplicate": 1}
    assert webhook.processed == {nid: 1}
    parsed = parse_notification(webhook.bodies[0])
    assert isinstance(parsed, MessageFailed)
    assert parsed.failure_reason == FailureReason(5, None, None)


async def test_cli_send_file_as_is(
    webhook: FakeWebhook, capsys: pytest.CaptureFixture[str]
) -> None:
    path = FIXTURES / "message_delivered.xml"

    status = await sim.async_main(["send", webhook.url, "--file", str(path)])

    assert status == 0
    assert webhook.bodies == [fixture_bytes("message_delivered.xml")]
    assert "message_delivered.xml" in capsys.readouterr().out


async def test_cli_send_failure_exits_1(
    webhook: FakeWebhook, capsys: pytest.CaptureFixture[str]
) -> None:
    webhook.script = [400, 400]

    status = await sim.async_main(
        ["send", webhook.url, "delivered", "--max-attempts", "2", "--backoff", "0"]
    )

    assert status == 1
    assert "failed (gave up)    1" in capsys.readouterr().out


async def test_cli_load_json(
    webhook: FakeWebhook, capsys: pytest.CaptureFixture[str]
) -> None:
    status = await sim.async_main(
        [
            "load",
            webhook.url,
            "--count",
            "10",
            "--concurrency",
            "3",
            "--duplicates",
            "0.3",
            "--mix",
            "inbound=1,failed=1",
            "--seed",
            "5",
            "--json",
        ]
    )

    assert status == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["by_kind"] == {"failed": 5, "inbound": 5}
    assert (summary["distinct"], summary["duplicates"]) == (10, 3)
    assert summary["acknowledged"] == 13
    assert set(summary["latency_ms"]) == {"p50", "p90", "p99", "max"}


async def test_cli_build_prints_xml(capsys: pytest.CaptureFixture[str]) -> None:
    assert await sim.async_main(["build", "inbound", "--text", "a < b"]) == 0
    parsed = parse_notification(capsys.readouterr().out.encode())
    assert isinstance(parsed, InboundMessage)
    assert parsed.text == "a < b"


@pytest.mark.parametrize(
    "argv",
    [
        ["send", "http://127.0.0.1:9/x"],
        ["send", "http://127.0.0.1:9/x", "delivered", "--text", "hi"],
        ["send", "http://127.0.0.1:9/x", "inbound", "--failure-code", "1"],
        ["send", "http://127.0.0.1:9/x", "inbound", "--file", "x.xml"],
        ["send", "ftp://example.org/x", "inbound"],
        ["send", "http://127.0.0.1:9/x", "sms"],
        ["load", "http://127.0.0.1:9/x", "--duplicates", "2"],
        ["load", "http://127.0.0.1:9/x", "--mix", "inbound=0"],
    ],
)
async def test_cli_usage_errors_exit_2(
    argv: Sequence[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        await sim.async_main(argv)
    assert exited.value.code == 2
    assert "error" in capsys.readouterr().err


async def test_main_runs_its_own_event_loop(
    webhook: FakeWebhook, capsys: pytest.CaptureFixture[str]
) -> None:
    # main() is what `scripts/simulate` runs: asyncio.run() in a thread of its own
    # here, since this test's loop serves the webhook.
    status = await asyncio.to_thread(
        sim.main, ["send", webhook.url, "delivered", "--json"]
    )

    assert status == 0
    assert json.loads(capsys.readouterr().out)["acknowledged"] == 1
