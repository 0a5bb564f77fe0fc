"""Exactly once across restarts in the middle of a load: pushes plus inbox catch-up.

In process, on the `hass` fixture, with an entry that has API credentials. A fake
Esendex REST API (HA's `aioclient_mock`, so the real EsendexClient builds the URLs and
parses the XML) answers from a Python list, the inbox, which the test appends to as
SMS arrive: `GET accounts`, `GET inbox/{reference}/messages?startIndex=&count=`
(newest first, with `totalcount`) and `GET messageheaders/{id}/body`. The summaries
it lists are shortened; only the body has the full text.

1. The inbox already holds OLD_MESSAGES; the first setup fires nothing for them.
2. A load of LOAD inbound SMS, each appended to the inbox (as Esendex keeps every SMS
   whatever the webhook answers) and pushed to the webhook through HA's real HTTP
   stack, CONCURRENCY at a time. Some pushes are retried with the same Id (a 200 lost
   on its way back), some re-pushed with a fresh Id; every non-200 is retried with a
   back-off, as Esendex does.
3. Once RESTART_AFTER pushes have started, the entry is unloaded while the load goes
   on. Its webhook stays registered and answers 503, so Esendex would retry; but this
   outage outlasts Esendex's 72 hours of retries: a push answered 503 while the entry
   is down is given up, and lost as a push (its SMS is in the inbox). A 503 while the
   entry is going or coming is retried. After UNLOADED_FOR more pushes have started,
   the entry is set up again and its background catch-up runs while the load continues.
4. The load finishes; a second restart follows with no new SMS.

Checked: every SMS of the load fired `esendex_inbound_message` exactly once, and the
inbound event entity changed state once for it, in the same context; no old SMS
fired; every SMS whose pushes were all lost was caught up from the inbox, with the
body's full text, the inbox's time and notification_id None; at most one push per
SMS was answered `processed` and that push's Id is what its event carries; no push was
ever answered Home Assistant's empty 200 for an unknown webhook; the second restart
fired nothing though its catch-up read the inbox. The run must also have
exercised what it is about: pushes lost, retries answered `duplicate`, SMS delivered
both ways, and pushes answered while the catch-up ran. `-s` prints a summary (before
the assertions, so a failing run has it too).
"""

import asyncio
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
import random
import re
import time
from typing import Literal
import uuid
from xml.sax.saxutils import escape

from homeassistant.const import (
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    EVENT_STATE_CHANGED,
)
from homeassistant.core import Event, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from yarl import URL

from custom_components.esendex.const import (
    CONF_ACCOUNT_ID,
    CONF_ACCOUNT_REFERENCE,
    CONF_CLOUDHOOK,
    DOMAIN,
    EVENT_INBOUND_MESSAGE,
)

from .conftest import WEBHOOK_ID, PostNotification

# Normally a few seconds. The in-loop bound fires first, ending cleanly.
IN_LOOP_TIMEOUT = 90
pytestmark = pytest.mark.timeout(150)

SEED = 20261004  # fixes ids, texts, which pushes are sent again, and when
OLD_MESSAGES = 12  # in the inbox before the first setup
LOAD = 300  # inbound SMS during the load
CONCURRENCY = 8
RETRY_SHARE = 0.15  # of the SMS: pushed again with the same Id
REPUSH_SHARE = 0.10  # of the SMS: pushed again with a fresh Id
REPEAT_AFTER = (1.0, 60.0)  # the repeat comes this many SMS later in the queue
RESTART_AFTER = 100  # pushes started before the unload
UNLOADED_FOR = 40  # pushes started while unloaded, before the setup
BACKOFF = 0.01  # seconds, doubling per attempt up to MAX_BACKOFF
MAX_BACKOFF = 0.2
MAX_ATTEMPTS = 200
API_LATENCY = 0.002  # seconds per REST call, so the catch-up interleaves with pushes

ACCOUNT_ID = "597e91b3-cf71-4950-8b4f-8728fe13793f"
REFERENCE = "EX998877"
RECIPIENT = "447860000000"
ENTRY_TITLE = "Esendex SMS"
INBOUND_EVENT_ENTITY = "event.esendex_sms_inbound_message"
API_BASE = "https://api.esendex.com/v1.0/"
NAMESPACE = "http://api.esendex.com/ns/"
SUMMARY_CHARS = 20  # the inbox's summary is cut here; the body has everything
FIRST_RECEIVED_AT = datetime(2026, 10, 4, 12, 0, tzinfo=UTC)

ANSWER_PROCESSED = "processed"
ANSWER_DUPLICATE = "duplicate"
# The entry's handler answers this (503) whenever the entry is not loaded.
ANSWER_UNAVAILABLE = "unavailable: the integration is not loaded"

WORDS = (
    "gate", "code", "please", "bin", "day", "merci", "à", "demain", "&", "<3",
    "parcel", "left", "at", "door", "call", "me", "back", "when", "free", "ok",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Sms:
    """An inbound SMS as Esendex holds it."""

    message_id: str  # lower case, as pushes carry it and events report it
    inbox_id: str  # as the inbox writes it: the vendor uses both cases
    sender: str
    text: str  # longer than SUMMARY_CHARS
    received_at: datetime

    @property
    def received_at_xml(self) -> str:
        """The inbox's receivedat, in one of the shapes Esendex writes."""
        milliseconds = self.received_at.microsecond // 1000
        return f"{self.received_at:%Y-%m-%dT%H:%M:%S}.{milliseconds:03d}Z"


@dataclass(frozen=True, slots=True)
class Push:
    """One InboundMessage push of the load."""

    sms: Sms
    push_id: str
    kind: Literal["first", "retry", "repush"]

    @property
    def body(self) -> bytes:
        """The push as Esendex POSTs it."""
        return (
            f"<InboundMessage><Id>{self.push_id}</Id>"
            f"<MessageId>{self.sms.message_id}</MessageId>"
            f"<AccountId>{ACCOUNT_ID}</AccountId>"
            f"<MessageText>{escape(self.sms.text)}</MessageText>"
            f"<From>{self.sms.sender}</From><To>{RECIPIENT}</To></InboundMessage>"
        ).encode()


@dataclass(frozen=True, slots=True)
class Answer:
    """One POST of a push and what the webhook answered."""

    push: Push
    status: int
    text: str
    at: float  # time.monotonic() when answered


class FakeEsendex:
    """The REST API over an inbox kept as a list, oldest first."""

    def __init__(self) -> None:
        """Start with an empty inbox."""
        self.inbox: list[Sms] = []
        self.by_id: dict[str, Sms] = {}
        self.calls: Counter[str] = Counter()
        self.inbox_read_at: list[float] = []  # time.monotonic() of each page or body
        self.unexpected: list[str] = []

    def receive(self, sms: Sms) -> None:
        """An SMS arrives: Esendex keeps it, whatever the webhook answers."""
        assert not self.inbox or sms.received_at > self.inbox[-1].received_at
        self.inbox.append(sms)
        self.by_id[sms.message_id] = sms

    def register(self, aioclient_mock: AiohttpClientMocker) -> None:
        """Answer every GET under the API's base URL."""
        aioclient_mock.get(
            re.compile(f"^{re.escape(API_BASE)}"), side_effect=self._answer
        )

    async def _answer(
        self, method: str, url: URL, data: object
    ) -> AiohttpClientMockResponse:
        await asyncio.sleep(API_LATENCY)
        path = url.path.removeprefix(URL(API_BASE).path)
        if path == "accounts":
            self.calls["accounts"] += 1
            return self._xml(method, url, self._accounts())
        if path == f"inbox/{REFERENCE}/messages":
            self.calls["inbox pages"] += 1
            self.inbox_read_at.append(time.monotonic())
            start = int(url.query["startIndex"])
            count = int(url.query["count"])
            return self._xml(method, url, self._inbox_page(start, count))
        if (match := re.fullmatch(r"messageheaders/([^/]+)/body", path)) and (
            sms := self.by_id.get(match[1].lower())
        ):
            self.calls["bodies"] += 1
            self.inbox_read_at.append(time.monotonic())
            return self._xml(method, url, self._body(sms))
        # The verification of a push reads its header, then its body.
        if (match := re.fullmatch(r"messageheaders/([^/]+)", path)) and (
            sms := self.by_id.get(match[1].lower())
        ):
            self.calls["headers"] += 1
            return self._xml(method, url, self._header(sms, root=True))
        self.unexpected.append(f"{method} {url}")
        return AiohttpClientMockResponse(method, url, status=HTTPStatus.NOT_FOUND)

    @staticmethod
    def _xml(method: str, url: URL, document: str) -> AiohttpClientMockResponse:
        return AiohttpClientMockResponse(
            method,
            url,
            text=f'<?xml version="1.0" encoding="utf-8"?>\n{document}',
            headers={"Content-Type": "application/xml; charset=utf-8"},
        )

    @staticmethod
    def _accounts() -> str:
        return (
            f'<accounts xmlns="{NAMESPACE}"><account id="{ACCOUNT_ID}">'
            f"<reference>{REFERENCE}</reference><label>Primary</label>"
            f"<address>{RECIPIENT}</address>"
            "<messagesremaining>19</messagesremaining>"
            "<expireson>2099-09-04T00:00:00</expireson></account></accounts>"
        )

    def _inbox_page(self, start: int, count: int) -> str:
        newest_first = self.inbox[::-1]
        page = newest_first[start : start + count]
        headers = "".join(self._header(sms) for sms in page)
        return (
            f'<messageheaders startindex="{start}" count="{len(page)}" '
            f'totalcount="{len(self.inbox)}" xmlns="{NAMESPACE}">{headers}'
            "</messageheaders>"
        )

    @staticmethod
    def _header(sms: Sms, *, root: bool = False) -> str:
        namespace = f' xmlns="{NAMESPACE}"' if root else ""
        return (
            f'<messageheader id="{sms.inbox_id}" '
            f'uri="{API_BASE}messageheaders/{sms.inbox_id}"{namespace}>'
            f"<reference>{REFERENCE}</reference><status>Submitted</status>"
            f"<receivedat>{sms.received_at_xml}</receivedat><type>SMS</type>"
            f"<to><phonenumber>{RECIPIENT}</phonenumber></to>"
            f"<from><phonenumber>{sms.sender}</phonenumber></from>"
            f"<summary>{escape(sms.text[:SUMMARY_CHARS])}</summary>"
            f'<body id="{sms.inbox_id}" '
            f'uri="{API_BASE}messageheaders/{sms.inbox_id}/body" />'
            "<direction>Inbound</direction><parts>1</parts>"
            "<readat>0001-01-01T00:00:00Z</readat></messageheader>"
        )

    @staticmethod
    def _body(sms: Sms) -> str:
        return (
            f'<messagebody xmlns="{NAMESPACE}"><bodytext>{escape(sms.text)}'
            "</bodytext><characterset>Unicode</characterset></messagebody>"
        )


class Plan:
    """The SMS (old and new) and the queue of pushes, from one seed."""

    def __init__(self, seed: int) -> None:
        """Draw everything the test sends."""
        self._rng = random.Random(seed)  # noqa: S311 - reproducible, no secret
        start = FIRST_RECEIVED_AT
        self.old = [
            self._sms(start - timedelta(hours=OLD_MESSAGES - index))
            for index in range(OLD_MESSAGES)
        ]
        # Strictly increasing, a few hundred milliseconds apart.
        self.new: list[Sms] = []
        at = start
        for _ in range(LOAD):
            at += timedelta(milliseconds=self._rng.randint(1, 900))
            self.new.append(self._sms(at))
        keyed: list[tuple[float, int, Push]] = []
        for index, sms in enumerate(self.new):
            first = Push(sms, self._guid(), "first")
            keyed.append((index, len(keyed), first))
            draw = self._rng.random()
            repeat: Push | None = None
            if draw < RETRY_SHARE:
                repeat = Push(sms, first.push_id, "retry")
            elif draw < RETRY_SHARE + REPUSH_SHARE:
                repeat = Push(sms, self._guid(), "repush")
            if repeat is not None:
                later = index + self._rng.uniform(*REPEAT_AFTER)
                keyed.append((later, len(keyed), repeat))
        # A repeat always comes after its SMS's first push, which is when the SMS
        # reaches the inbox.
        self.pushes = [push for _, _, push in sorted(keyed)]

    def _guid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def _sms(self, received_at: datetime) -> Sms:
        message_id = self._guid()
        text = " ".join(self._rng.choices(WORDS, k=self._rng.randint(12, 30)))
        assert len(text) > SUMMARY_CHARS  # else the summary would be the full text
        return Sms(
            message_id=message_id,
            # The vendor writes GUIDs in both cases; the integration lower-cases.
            inbox_id=message_id.upper() if self._rng.random() < 0.5 else message_id,
            sender=f"4477009{self._rng.randrange(10**5):05d}",
            text=text,
            received_at=received_at,
        )


@dataclass
class Load:
    """The pushes in flight, the answers, and the milestones of the restart."""

    pushes: list[Push]
    answers: list[Answer] = field(default_factory=list)
    started: int = 0
    milestones: dict[int, asyncio.Event] = field(default_factory=dict)
    # Set while the entry is down for longer than Esendex retries: a push answered
    # 503 then is given up (Esendex's 72 hours pass), and lost as a push.
    outage_outlasts_retries: bool = False
    given_up: list[Push] = field(default_factory=list)

    def milestone(self, started: int) -> asyncio.Event:
        """Return the event set once this many pushes have started."""
        event = self.milestones.setdefault(started, asyncio.Event())
        if self.started >= started:
            event.set()
        return event

    async def run(self, esendex: FakeEsendex, post: PostNotification) -> None:
        """Push everything, CONCURRENCY at a time, retrying like Esendex."""
        queue = iter(self.pushes)

        async def worker() -> None:
            # One shared iterator: next() never awaits, so no push is taken twice.
            for push in queue:
                self.started += 1
                if (event := self.milestones.get(self.started)) is not None:
                    event.set()
                if push.kind == "first":
                    esendex.receive(push.sms)
                await self._deliver(push, post)

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))

    async def _deliver(self, push: Push, post: PostNotification) -> None:
        for attempt in range(MAX_ATTEMPTS):
            response = await post(push.body)
            text = await response.text()
            answer = Answer(push, response.status, text, time.monotonic())
            self.answers.append(answer)
            if answer.status == HTTPStatus.OK:
                return
            assert answer.status == HTTPStatus.SERVICE_UNAVAILABLE, answer
            if self.outage_outlasts_retries:
                self.given_up.append(push)
                return
            await asyncio.sleep(min(BACKOFF * 2**attempt, MAX_BACKOFF))
        pytest.fail(f"push {push.push_id} not acknowledged in {MAX_ATTEMPTS} tries")


def credentialed_entry(hass: HomeAssistant) -> MockConfigEntry:
    """An entry with API credentials, added to Home Assistant but not set up."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=ENTRY_TITLE,
        data={
            CONF_WEBHOOK_ID: WEBHOOK_ID,
            CONF_CLOUDHOOK: False,
            CONF_USERNAME: "owner@example.com",
            CONF_PASSWORD: "api-password",
            CONF_ACCOUNT_REFERENCE: REFERENCE,
        },
        options={CONF_ACCOUNT_ID: ACCOUNT_ID},
        entry_id="01JESENDEXCATCHUPENTRY0000",
    )
    entry.add_to_hass(hass)
    return entry


async def restart(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Unload the entry, then set it up again and let its catch-up finish."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    await setup_and_catch_up(hass, entry)


async def setup_and_catch_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set the entry up and wait for its background inbox catch-up."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    # The catch-up is its own unit, started in the background by the setup.
    catch_up = entry.runtime_data.catch_up
    assert catch_up is not None
    assert catch_up.last_run_success is True
    coordinator = entry.runtime_data.coordinator
    assert coordinator is not None
    assert coordinator.last_update_success, coordinator.last_exception


async def test_catch_up_is_exactly_once_across_restarts_under_load(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    post_notification: PostNotification,
) -> None:
    began = time.monotonic()
    plan = Plan(SEED)
    esendex = FakeEsendex()
    esendex.register(aioclient_mock)
    for sms in plan.old:
        esendex.receive(sms)
    entry = credentialed_entry(hass)
    fired = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    state_changes = async_capture_events(hass, EVENT_STATE_CHANGED)

    async with asyncio.timeout(IN_LOOP_TIMEOUT):
        # 1. The first setup records where the inbox stands.
        await setup_and_catch_up(hass, entry)
        assert esendex.calls["inbox pages"] >= 1
        assert not fired, "the first setup fired older history"

        # 2 and 3. The load, with a restart in its middle.
        load = Load(plan.pushes)
        unload_at = load.milestone(RESTART_AFTER)
        setup_at = load.milestone(RESTART_AFTER + UNLOADED_FOR)
        loading = asyncio.create_task(load.run(esendex, post_notification))
        try:
            await wait_or_fail(unload_at, loading)
            assert await hass.config_entries.async_unload(entry.entry_id)
            load.outage_outlasts_retries = True
            await wait_or_fail(setup_at, loading)
            load.outage_outlasts_retries = False
            set_up_with = load.started
            setup_began = time.monotonic()
            await setup_and_catch_up(hass, entry)
            catch_up_reads = [at for at in esendex.inbox_read_at if at >= setup_began]
            # 4. The rest of the load.
            await loading
        finally:
            if not loading.done():
                loading.cancel()
                await asyncio.wait({loading})
        await hass.async_block_till_done(wait_background_tasks=True)
        assert set_up_with < len(plan.pushes), "the load ended before the restart"
        fired_before_second_restart = len(fired)
        reads_before_second_restart = esendex.calls["inbox pages"]

        # The second restart, with nothing new in the inbox.
        await restart(hass, entry)

    # The catch-up after the restart ran while pushes were being answered.
    racing = [
        answer
        for answer in load.answers
        if catch_up_reads[0] <= answer.at <= catch_up_reads[-1]
        and answer.text in {ANSWER_PROCESSED, ANSWER_DUPLICATE}
    ]
    print_summary(
        plan,
        load,
        esendex,
        fired,
        racing=len(racing),
        seconds=time.monotonic() - began,
    )

    assert len(fired) == fired_before_second_restart, (
        "the second restart fired again: "
        f"{[event.data for event in fired[fired_before_second_restart:]]}"
    )
    assert esendex.calls["inbox pages"] > reads_before_second_restart, (
        "the second restart did not read the inbox"
    )
    check(plan, esendex, load, fired, state_changes)
    assert racing, "no push was answered while the catch-up ran"


async def wait_or_fail(milestone: asyncio.Event, loading: asyncio.Task[None]) -> None:
    """Wait for a milestone of the load; fail if the load ends or fails first."""
    waiting = asyncio.create_task(milestone.wait())
    try:
        await asyncio.wait({waiting, loading}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()
    if loading.done():
        loading.result()  # a worker's error, if any
    assert milestone.is_set(), "the load ended before its milestone"


def check(
    plan: Plan,
    esendex: FakeEsendex,
    load: Load,
    fired: list[Event],
    state_changes: list[Event],
) -> None:
    """The exactly-once assertions over the whole run."""
    assert not esendex.unexpected, esendex.unexpected
    events: dict[str, list[Event]] = defaultdict(list)
    for event in fired:
        events[event.data["message_id"]].append(event)

    old = {sms.message_id for sms in plan.old}
    old_fired = [event.data for i in sorted(old & events.keys()) for event in events[i]]
    assert not old_fired, f"SMS from before the first setup fired: {old_fired}"
    expected = {sms.message_id for sms in plan.new}
    assert events.keys() <= expected | old, "an unknown message_id fired"
    counts = Counter({message_id: len(events[message_id]) for message_id in expected})
    missing = sorted(message_id for message_id, n in counts.items() if n == 0)
    repeated = {message_id: n for message_id, n in counts.items() if n > 1}
    assert not missing, f"{len(missing)} SMS never fired: {missing[:5]}"
    assert not repeated, f"{len(repeated)} SMS fired more than once: {repeated}"

    answers: dict[str, list[Answer]] = defaultdict(list)
    for answer in load.answers:
        answers[answer.push.sms.message_id].append(answer)
    for answer in load.answers:
        assert answer.text in {
            ANSWER_PROCESSED,
            ANSWER_DUPLICATE,
            ANSWER_UNAVAILABLE,
        }, answer

    by_message_id = {sms.message_id: sms for sms in plan.new}
    for message_id, (event,) in events.items():
        sms = by_message_id[message_id]
        data = event.data
        assert data["config_entry_id"] == "01JESENDEXCATCHUPENTRY0000"
        assert data["account_id"] == ACCOUNT_ID
        assert data["from"] == sms.sender
        assert data["to"] == RECIPIENT
        assert data["text"] == sms.text, "not the full text of the SMS"
        processed = [a for a in answers[message_id] if a.text == ANSWER_PROCESSED]
        if not processed:
            # Every push of this SMS was lost, or answered duplicate after the
            # catch-up: it came from the inbox.
            assert data["notification_id"] is None, data
            assert data["received_at"] == sms.received_at.isoformat(), data
        else:
            assert len(processed) == 1, f"{len(processed)} pushes processed: {sms}"
            assert data["notification_id"] == processed[0].push.push_id, data
            assert data["notification_id"] is not None

    # The same entity, once per SMS: the inbound event entity's state changes in the
    # context of the bus event (restored states on setup have contexts of their own).
    entity_changes: Counter[str] = Counter(
        change.context.id
        for change in state_changes
        if change.data["entity_id"] == INBOUND_EVENT_ENTITY
        and change.data["new_state"] is not None
    )
    for event in fired:
        assert entity_changes[event.context.id] == 1, event.data
        (change,) = [
            c
            for c in state_changes
            if c.context.id == event.context.id
            and c.data["entity_id"] == INBOUND_EVENT_ENTITY
        ]
        assert (
            change.data["new_state"].attributes["message_id"]
            == (event.data["message_id"])
        )

    # The run exercised what it is meant to: lost pushes, retries, both paths.
    caught_up = [e for e in fired if e.data["notification_id"] is None]
    assert load.given_up, "no push was lost during the restart"
    assert caught_up, "nothing was caught up from the inbox"
    assert len(caught_up) < len(fired), "nothing was delivered by push"
    assert any(a.text == ANSWER_DUPLICATE for a in load.answers)


def print_summary(
    plan: Plan,
    load: Load,
    esendex: FakeEsendex,
    fired: list[Event],
    *,
    racing: int,
    seconds: float,
) -> None:
    """What `-s` shows, printed before the assertions so that a failure has it."""
    answers = Counter(
        (answer.status, answer.text or "(HA's empty 200)") for answer in load.answers
    )
    kinds = Counter(push.kind for push in load.pushes)
    old = {sms.message_id for sms in plan.old}
    old_fired = sum(1 for event in fired if event.data["message_id"] in old)
    caught_up = sum(1 for event in fired if event.data["notification_id"] is None)
    per_sms = Counter(event.data["message_id"] for event in fired)
    print(  # noqa: T201 - the summary is the point of -s
        f"\n{LOAD} SMS ({OLD_MESSAGES} older ones in the inbox before the first "
        f"setup), {len(load.pushes)} pushes ({kinds['retry']} retried with the same "
        f"Id, {kinds['repush']} re-pushed with a fresh Id), {len(load.answers)} "
        f"POSTs, {CONCURRENCY} at a time\n"
        f"fired {len(fired)}: {len(fired) - caught_up} by push, {caught_up} by "
        f"catch-up; {sum(n - 1 for n in per_sms.values())} repeated, "
        f"{old_fired} of the older ones\n"
        "answers: "
        + ", ".join(f"{status} {text}: {n}" for (status, text), n in answers.items())
        + "\nREST calls: "
        + ", ".join(f"{name} {n}" for name, n in sorted(esendex.calls.items()))
        + f"\n{len(load.given_up)} pushes given up while the entry was down"
        + f"\n{racing} pushes answered while the catch-up after the restart ran"
        + f"\n{seconds:.1f} s"
    )
