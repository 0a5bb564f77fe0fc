"""Pretend to be Esendex: POST push notifications to a webhook, as Esendex would.

Two uses:

- a user checks their own Home Assistant setup end to end (URL, reverse proxy,
  certificate, automations) without sending a real SMS, which costs credits;
- tests and benchmarks drive the webhook with many notifications at once, with
  duplicates and retries, and check that each one was handled exactly once.

Notifications are built in the shapes of the vendor's documentation (InboundMessage,
MessageDelivered, MessageFailed) and POSTed with `Content-Type: text/xml;
charset=utf-8` (the vendor does not document theirs). Like Esendex, anything but an
HTTP 200 (including a redirect, a timeout or a refused connection) is retried with
exponential back-off, here up to a configurable number of attempts rather than for 72
hours. Every loop is bounded: by attempts, by counts, and optionally by a deadline.

Run `scripts/simulate --help` (or `python -m tools.esendex_simulator --help`). This
module imports nothing from Home Assistant: only the standard library and aiohttp.
"""

import argparse
import asyncio
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
import json
import math
from pathlib import Path
import random
import re
import sys
import time
from typing import Final, Literal
from urllib.parse import urlsplit
import uuid
from xml.sax.saxutils import escape

import aiohttp

type Kind = Literal["inbound", "delivered", "failed"]
type StatusKind = Literal["delivered", "failed"]
type Outcome = Literal["acknowledged", "failed", "unsent"]

KINDS: Final[tuple[Kind, ...]] = ("inbound", "delivered", "failed")
ROOTS: Final[Mapping[Kind, str]] = {
    "inbound": "InboundMessage",
    "delivered": "MessageDelivered",
    "failed": "MessageFailed",
}
CONTENT_TYPE: Final = "text/xml; charset=utf-8"
USER_AGENT: Final = "esendex-simulator/1.0 (Esendex SMS for Home Assistant)"
# Ofcom's range for drama, which no real handset has.
DEFAULT_SENDER: Final = "447700900123"
DEFAULT_RECIPIENT: Final = "447860000000"
DEFAULT_TEXT: Final = "Hello from the Esendex simulator"
OCCURRED_AT_FORMAT: Final = "%Y-%m-%dT%H:%M:%S"
HTTP_OK: Final = 200

DEFAULT_MAX_ATTEMPTS: Final = 3
DEFAULT_BACKOFF: Final = 1.0
DEFAULT_MAX_BACKOFF: Final = 30.0
DEFAULT_TIMEOUT: Final = 10.0
DEFAULT_MIX: Final[Mapping[Kind, float]] = {
    "inbound": 0.5,
    "delivered": 0.3,
    "failed": 0.2,
}
# Upper bounds on every knob, so that no typo makes a run endless.
MAX_ATTEMPTS_LIMIT: Final = 100
MAX_COUNT: Final = 1_000_000
MAX_CONCURRENCY: Final = 1_000
MAX_REPEAT: Final = 1_000
MAX_FILE_BYTES: Final = 1024 * 1024
# What is kept of each answer: enough for the integration's short reasons.
RESPONSE_READ_BYTES: Final = 4096
RESPONSE_PREVIEW_CHARS: Final = 120
RESPONSE_KEY_CHARS: Final = 60
MAX_RESPONSE_KEYS: Final = 20
PERCENTILES: Final = (50, 90, 99)

# Characters XML 1.0 cannot carry at all, escaped or not.
_NOT_XML_CHAR: Final = re.compile(
    "[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_WHITESPACE: Final = re.compile(r"\s+")
# Texts for load runs: plain, XML-special, non-ASCII, empty-ish.
_LOAD_TEXTS: Final = (
    "OPEN GATE",
    "Bin day & recycling: yes <3 \u2013 merci",
    "Heating on please",
    "Code: <1234> & 'quotes' \"too\"",
    "Grüße aus Köln 🚪",
    "STATUS",
)
_LOAD_FAILURES: Final = (
    None,
    (5, "Handset unreachable", False),
    (142, "Message broken", True),
)


class UsageError(ValueError):
    """A command line whose options do not fit together."""


# --------------------------------------------------------------------------- XML


@dataclass(frozen=True, slots=True)
class FailureSpec:
    """The optional FailureReason of a MessageFailed notification."""

    code: int | None = None
    detail: str | None = None
    permanent: bool | None = None


@dataclass(frozen=True, slots=True)
class SimulatedNotification:
    """One notification as built and sent: its ids, its fields and its bytes."""

    kind: Kind
    notification_id: str
    message_id: str
    account_id: str
    body: bytes
    sender: str | None = None
    recipient: str | None = None
    text: str | None = None
    occurred_at: datetime | None = None
    failure: FailureSpec | None = None

    @property
    def root(self) -> str:
        """Return the XML root element's name, e.g. InboundMessage."""
        return ROOTS[self.kind]


def new_guid() -> str:
    """Return a fresh GUID in the vendor's lower-case form."""
    return str(uuid.uuid4())


def format_occurred_at(value: datetime) -> str:
    """Format a time as the vendor's UTC `yyyy-MM-ddThh:mm:ss` (naive means UTC)."""
    return _to_utc_second(value).strftime(OCCURRED_AT_FORMAT)


def parse_occurred_at(value: str) -> datetime:
    """Parse an ISO 8601 date and time from the command line; naive means UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as err:
        raise ValueError(f"not an ISO 8601 date and time: {value!r}") from err
    return _to_utc_second(parsed)


def _to_utc_second(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


def _xml_text(value: str) -> str:
    if match := _NOT_XML_CHAR.search(value):
        raise ValueError(
            f"character U+{ord(match.group()):04X} cannot appear in an XML document"
        )
    # A literal CR would reach the receiver as LF (XML end-of-line handling).
    return escape(value, {"\r": "&#13;"})


def _element(name: str, value: str, indent: str = "  ") -> str:
    return f"{indent}<{name}>{_xml_text(value)}</{name}>\n"


def _document(root: str, children: Sequence[str]) -> bytes:
    return f"<{root}>\n{''.join(children)}</{root}>\n".encode()


def build_inbound(
    *,
    text: str = DEFAULT_TEXT,
    sender: str = DEFAULT_SENDER,
    recipient: str = DEFAULT_RECIPIENT,
    notification_id: str | None = None,
    message_id: str | None = None,
    account_id: str | None = None,
) -> SimulatedNotification:
    """Build an InboundMessage push: an SMS received on the account's number."""
    notification_id = notification_id or new_guid()
    message_id = message_id or new_guid()
    account_id = account_id or new_guid()
    body = _document(
        ROOTS["inbound"],
        [
            _element("Id", notification_id),
            _element("MessageId", message_id),
            _element("AccountId", account_id),
            _element("MessageText", text),
            _element("From", sender),
            _element("To", recipient),
        ],
    )
    return SimulatedNotification(
        kind="inbound",
        notification_id=notification_id,
        message_id=message_id,
        account_id=account_id,
        body=body,
        sender=sender,
        recipient=recipient,
        text=text,
    )


def build_status(
    kind: StatusKind,
    *,
    message_id: str | None = None,
    occurred_at: datetime | None = None,
    notification_id: str | None = None,
    account_id: str | None = None,
    failure: FailureSpec | None = None,
) -> SimulatedNotification:
    """Build a MessageDelivered or MessageFailed push for an outbound message.

    `occurred_at` defaults to now and is sent to the second, as the vendor does;
    the returned notification carries the value sent. `failure` adds the optional
    FailureReason that only MessageFailed can have.
    """
    if kind not in {"delivered", "failed"}:
        raise ValueError(f"not a status notification kind: {kind!r}")
    if failure is not None and kind != "failed":
        raise ValueError("only a failed notification has a failure reason")
    notification_id = notification_id or new_guid()
    message_id = message_id or new_guid()
    account_id = account_id or new_guid()
    occurred = _to_utc_second(occurred_at or datetime.now(UTC))
    children = [
        _element("Id", notification_id),
        _element("MessageId", message_id),
        _element("AccountId", account_id),
        _element("OccurredAt", format_occurred_at(occurred)),
    ]
    if failure is not None:
        children.append(_failure_reason(failure))
    return SimulatedNotification(
        kind=kind,
        notification_id=notification_id,
        message_id=message_id,
        account_id=account_id,
        body=_document(ROOTS[kind], children),
        occurred_at=occurred,
        failure=failure,
    )


def _failure_reason(failure: FailureSpec) -> str:
    # The shape of a third-party model; the vendor documents none.
    parts = []
    if failure.code is not None:
        parts.append(_element("Code", str(failure.code), "    "))
    if failure.detail is not None:
        parts.append(_element("Detail", failure.detail, "    "))
    if failure.permanent is not None:
        value = "true" if failure.permanent else "false"
        parts.append(_element("PermanentFailure", value, "    "))
    return f"  <FailureReason>\n{''.join(parts)}  </FailureReason>\n"


# -------------------------------------------------------------------------- HTTP


@dataclass(frozen=True, slots=True)
class Attempt:
    """One HTTP request and what came of it."""

    number: int
    status: int | None
    error: str | None
    latency_ms: float
    response: str

    @property
    def label(self) -> str:
        """Return the status code, or "timeout" / "connection error"."""
        if self.status is not None:
            return str(self.status)
        return self.error or "error"


@dataclass(frozen=True, slots=True)
class Delivery:
    """One notification's way to the webhook: every attempt, first to last."""

    attempts: tuple[Attempt, ...]
    notification: SimulatedNotification | None = None
    duplicate: bool = False

    @property
    def acknowledged(self) -> bool:
        """Return whether the webhook answered 200 in the end."""
        return bool(self.attempts) and self.attempts[-1].status == HTTP_OK

    @property
    def outcome(self) -> Outcome:
        """Return acknowledged, failed (gave up) or unsent (deadline first)."""
        if self.acknowledged:
            return "acknowledged"
        return "failed" if self.attempts else "unsent"


type AttemptCallback = Callable[[Attempt, float | None], None]


def retry_delay(attempt_number: int, backoff: float, max_backoff: float) -> float:
    """Return the wait after a failed attempt: backoff * 2^(n-1), capped."""
    # min() on the exponent first: 2.0 ** 2000 would overflow.
    exponent = min(attempt_number - 1, 64)
    return min(max_backoff, backoff * 2.0**exponent)


def _preview(raw: bytes) -> str:
    text = _WHITESPACE.sub(" ", raw.decode("utf-8", "replace")).strip()
    if len(text) > RESPONSE_PREVIEW_CHARS:
        return text[: RESPONSE_PREVIEW_CHARS - 1] + "…"
    return text


async def _post_once(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    *,
    number: int,
    request_timeout: float,
    content_type: str,
) -> Attempt:
    started = time.perf_counter()

    def elapsed_ms() -> float:
        return (time.perf_counter() - started) * 1000

    try:
        async with session.post(
            url,
            data=body,
            headers={aiohttp.hdrs.CONTENT_TYPE: content_type},
            timeout=aiohttp.ClientTimeout(total=request_timeout),
            # Esendex wants a 200 from the URL it was given; a redirect is not one.
            allow_redirects=False,
        ) as response:
            raw = b""
            while len(raw) < RESPONSE_READ_BYTES and (
                chunk := await response.content.read(RESPONSE_READ_BYTES - len(raw))
            ):
                raw += chunk
            return Attempt(number, response.status, None, elapsed_ms(), _preview(raw))
    except TimeoutError:
        return Attempt(
            number,
            None,
            "timeout",
            elapsed_ms(),
            f"no answer within {request_timeout:g} s",
        )
    except aiohttp.ClientError as err:
        detail = str(err) or type(err).__name__
        return Attempt(number, None, "connection error", elapsed_ms(), detail)


async def post_with_retry(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    backoff: float = DEFAULT_BACKOFF,
    max_backoff: float = DEFAULT_MAX_BACKOFF,
    request_timeout: float = DEFAULT_TIMEOUT,
    deadline_at: float | None = None,
    content_type: str = CONTENT_TYPE,
    on_attempt: AttemptCallback | None = None,
    notification: SimulatedNotification | None = None,
    duplicate: bool = False,
) -> Delivery:
    """POST a body until it gets HTTP 200, like Esendex, within the given bounds.

    Anything else (another status, a timeout, a connection error) is retried after
    `retry_delay()`, at most `max_attempts` requests in all, and never past
    `deadline_at` (a `time.monotonic()` value): no request starts after it, a
    request's timeout is cut to end by it, and no wait is begun that would end
    after it. `on_attempt(attempt, delay)` is called after each request with the
    wait before the next one, or None when there will be none.
    """
    if not 1 <= max_attempts <= MAX_ATTEMPTS_LIMIT:
        raise ValueError(f"max_attempts must be from 1 to {MAX_ATTEMPTS_LIMIT}")
    attempts: list[Attempt] = []
    for number in range(1, max_attempts + 1):
        this_timeout = request_timeout
        if deadline_at is not None:
            remaining = deadline_at - time.monotonic()
            if remaining <= 0:
                break
            this_timeout = min(request_timeout, remaining)
        attempt = await _post_once(
            session,
            url,
            body,
            number=number,
            request_timeout=this_timeout,
            content_type=content_type,
        )
        attempts.append(attempt)
        delay: float | None = None
        if attempt.status != HTTP_OK and number < max_attempts:
            delay = retry_delay(number, backoff, max_backoff)
            if deadline_at is not None and time.monotonic() + delay >= deadline_at:
                delay = None
        if on_attempt is not None:
            on_attempt(attempt, delay)
        if delay is None:
            break
        await asyncio.sleep(delay)
    return Delivery(tuple(attempts), notification, duplicate)


def make_session(
    *, concurrency: int = 1, insecure: bool = False
) -> aiohttp.ClientSession:
    """Return a client session with a pool of `concurrency` connections.

    `insecure` skips certificate verification (a self-signed certificate on a
    local instance); Esendex itself wants one from a public authority.
    """
    connector = aiohttp.TCPConnector(limit=concurrency, ssl=not insecure)
    return aiohttp.ClientSession(
        connector=connector, headers={aiohttp.hdrs.USER_AGENT: USER_AGENT}
    )


# ----------------------------------------------------------------------- summary


@dataclass(frozen=True, slots=True)
class Summary:
    """What a run did, in numbers; `asdict()` of it is the `--json` output.

    `sent` counts requests; `acknowledged`, `failed` and `unsent` count deliveries
    (distinct notifications plus duplicates); `retried` counts the requests that
    repeated an earlier one, so `sent` is the attempted deliveries plus `retried`.
    Latencies are per request, in milliseconds, nearest-rank percentiles.
    """

    distinct: int
    duplicates: int
    by_kind: dict[str, int]
    sent: int
    acknowledged: int
    retried: int
    failed: int
    unsent: int
    by_status: dict[str, int]
    responses: dict[str, int]
    latency_ms: dict[str, float | None]
    duration_s: float
    requests_per_second: float | None


def percentile(sorted_values: Sequence[float], percent: float) -> float | None:
    """Return the nearest-rank percentile of already sorted values (None if empty)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(percent / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarize(deliveries: Sequence[Delivery], *, duration_s: float) -> Summary:
    """Count what happened to a run's deliveries."""
    attempts = [attempt for delivery in deliveries for attempt in delivery.attempts]
    latencies = sorted(attempt.latency_ms for attempt in attempts)
    outcomes = Counter(delivery.outcome for delivery in deliveries)
    by_status = Counter(attempt.label for attempt in attempts)
    responses: Counter[str] = Counter()
    for attempt in attempts:
        if attempt.status == HTTP_OK:
            key = attempt.response[:RESPONSE_KEY_CHARS] or "(empty)"
            if key not in responses and len(responses) >= MAX_RESPONSE_KEYS:
                key = "(other)"
            responses[key] += 1
    by_kind = Counter(
        delivery.notification.kind if delivery.notification else "file"
        for delivery in deliveries
        if not delivery.duplicate
    )
    latency: dict[str, float | None] = {
        f"p{p}": _round(percentile(latencies, p)) for p in PERCENTILES
    }
    latency["max"] = _round(latencies[-1] if latencies else None)
    attempted = sum(1 for delivery in deliveries if delivery.attempts)
    duplicates = sum(1 for delivery in deliveries if delivery.duplicate)
    return Summary(
        distinct=len(deliveries) - duplicates,
        duplicates=duplicates,
        by_kind=dict(sorted(by_kind.items())),
        sent=len(attempts),
        acknowledged=outcomes["acknowledged"],
        retried=len(attempts) - attempted,
        failed=outcomes["failed"],
        unsent=outcomes["unsent"],
        by_status=dict(sorted(by_status.items())),
        responses=dict(responses.most_common()),
        latency_ms=latency,
        duration_s=round(duration_s, 3),
        requests_per_second=(
            round(len(attempts) / duration_s, 1) if duration_s > 0 else None
        ),
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{key}: {value}" for key, value in counts.items()) or "-"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def format_summary(summary: Summary) -> str:
    """Render a summary for people."""
    latency = summary.latency_ms
    lines = [
        "Summary",
        (
            f"  notifications       {summary.distinct} distinct"
            f" ({_counts(summary.by_kind)}), {summary.duplicates} sent again"
        ),
        f"  sent (requests)     {summary.sent}",
        f"  acknowledged (200)  {summary.acknowledged}",
        f"  retried             {summary.retried}",
        f"  failed (gave up)    {summary.failed}",
    ]
    if summary.unsent:
        lines.append(f"  not sent (deadline) {summary.unsent}")
    rate = (
        f" ({summary.requests_per_second:g} requests/s)"
        if summary.requests_per_second is not None
        else ""
    )
    lines += [
        f"  by status           {_counts(summary.by_status)}",
        f"  answers to 200      {_counts(summary.responses)}",
        (
            f"  latency (ms)        p50 {_ms(latency['p50'])}"
            f"  p90 {_ms(latency['p90'])}  p99 {_ms(latency['p99'])}"
            f"  max {_ms(latency['max'])}"
        ),
        f"  duration            {summary.duration_s:.3f} s{rate}",
    ]
    missing = summary.failed + summary.unsent
    lines.append(
        "  result              "
        + (
            f"{missing} of {summary.acknowledged + missing} NOT acknowledged"
            if missing
            else "every notification acknowledged with HTTP 200"
        )
    )
    return "\n".join(lines)


# -------------------------------------------------------------------------- load


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What a load run sent and what came of it, for exactly-once checks.

    `notifications` are the distinct ones in the order they were built (the
    OccurredAt of delivered/failed ones increases along it); `deliveries` has one
    entry per scheduled POST, in schedule order, duplicates flagged.
    """

    url: str
    notifications: list[SimulatedNotification]
    deliveries: list[Delivery]
    duration_s: float

    @property
    def duplicates(self) -> list[SimulatedNotification]:
        """Return the notifications sent again, once per repeat, in send order."""
        return [
            delivery.notification
            for delivery in self.deliveries
            if delivery.duplicate and delivery.notification is not None
        ]

    @property
    def acknowledged_ids(self) -> set[str]:
        """Return the distinct notification ids that got a 200 at least once."""
        return {
            delivery.notification.notification_id
            for delivery in self.deliveries
            if delivery.acknowledged and delivery.notification is not None
        }

    def newest(self, kind: Kind) -> SimulatedNotification | None:
        """Return the last built notification of a kind (newest OccurredAt)."""
        return next(
            (note for note in reversed(self.notifications) if note.kind == kind),
            None,
        )

    def summary(self) -> Summary:
        """Summarize the run."""
        return summarize(self.deliveries, duration_s=self.duration_s)


def parse_mix(text: str) -> dict[Kind, float]:
    """Parse `inbound=0.5,delivered=0.3,failed=0.2` (weights, any scale)."""
    mix: dict[Kind, float] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        name = name.strip().lower()
        if not sep or name not in KINDS:
            raise ValueError(
                f"mix entries are KIND=WEIGHT with KIND one of {', '.join(KINDS)}:"
                f" {part.strip()!r}"
            )
        try:
            weight = float(value)
        except ValueError as err:
            raise ValueError(f"not a number: {value.strip()!r}") from err
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"weights must be finite and >= 0: {part.strip()!r}")
        mix[name] = weight
    if sum(mix.values()) <= 0:
        raise ValueError("at least one weight must be above 0")
    return mix


def split_count(count: int, mix: Mapping[Kind, float]) -> dict[Kind, int]:
    """Share `count` out by weight, exactly (largest remainder first)."""
    total = sum(mix.values())
    if total <= 0:
        raise ValueError("at least one weight must be above 0")
    exact = {kind: count * mix.get(kind, 0.0) / total for kind in KINDS}
    shares = {kind: math.floor(value) for kind, value in exact.items()}
    by_remainder = sorted(KINDS, key=lambda kind: shares[kind] - exact[kind])
    for kind in by_remainder[: count - sum(shares.values())]:
        shares[kind] += 1
    return shares


def duplicate_count(count: int, duplicate_share: float) -> int:
    """Return how many duplicates a share of `count` means (half rounds up)."""
    return math.floor(count * duplicate_share + 0.5)


def plan_load(
    count: int,
    *,
    duplicate_share: float = 0.0,
    mix: Mapping[Kind, float] | None = None,
    seed: int | None = None,
    account_id: str | None = None,
    now: datetime | None = None,
) -> tuple[list[SimulatedNotification], list[tuple[SimulatedNotification, bool]]]:
    """Build `count` distinct notifications and the order to send them in.

    Returns the distinct notifications and the schedule: each of them once, plus
    `duplicate_count()` repeats of randomly chosen ones, each placed somewhere after
    its original, flagged True. `seed` fixes the kinds, texts, order and duplicates;
    the GUIDs are always fresh, so a second run is not a run of duplicates.
    Delivered and failed notifications get OccurredAt one second apart, increasing
    along the list and ending about now.
    """
    if not 0 <= count <= MAX_COUNT:
        raise ValueError(f"count must be from 0 to {MAX_COUNT}")
    if not 0 <= duplicate_share <= 1:
        raise ValueError("duplicate_share must be from 0 to 1")
    rng = random.Random(seed)  # noqa: S311 - a reproducible test plan, not secrets
    shares = split_count(count, mix or DEFAULT_MIX)
    kinds = [kind for kind in KINDS for _ in range(shares[kind])]
    rng.shuffle(kinds)
    account_id = account_id or new_guid()
    start = _to_utc_second(now or datetime.now(UTC)) - timedelta(seconds=count)
    notifications: list[SimulatedNotification] = []
    for index, kind in enumerate(kinds):
        if kind == "inbound":
            note = build_inbound(
                text=f"{rng.choice(_LOAD_TEXTS)} #{index + 1}",
                sender=f"447700900{rng.randrange(1000):03d}",
                account_id=account_id,
            )
        else:
            reason = rng.choice(_LOAD_FAILURES) if kind == "failed" else None
            note = build_status(
                kind,
                occurred_at=start + timedelta(seconds=index + 1),
                account_id=account_id,
                failure=FailureSpec(*reason) if reason else None,
            )
        notifications.append(note)

    # Sort keys: the i-th original at i, a repeat of it anywhere after it.
    keyed: list[tuple[float, int, int, bool]] = [
        (float(index), 0, index, False) for index in range(count)
    ]
    for serial in range(duplicate_count(count, duplicate_share)):
        original = rng.randrange(count)
        keyed.append((rng.uniform(original, count), 1 + serial, original, True))
    keyed.sort()
    schedule = [(notifications[index], repeat) for _, _, index, repeat in keyed]
    return notifications, schedule


async def run_load(
    session: aiohttp.ClientSession,
    url: str,
    *,
    count: int,
    concurrency: int,
    duplicate_share: float = 0.0,
    seed: int | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    backoff: float = DEFAULT_BACKOFF,
    max_backoff: float = DEFAULT_MAX_BACKOFF,
    request_timeout: float = DEFAULT_TIMEOUT,
    deadline: float | None = None,
    mix: Mapping[Kind, float] | None = None,
    account_id: str | None = None,
) -> LoadResult:
    """Send `count` notifications plus duplicates with `concurrency` workers.

    Each worker takes the next scheduled notification and delivers it with
    `post_with_retry()`, so a retry keeps its worker busy. `deadline` (seconds)
    bounds the whole run: once passed, nothing more is sent and what is left counts
    as unsent. Give `session` a connection pool of `concurrency` (`make_session`).
    """
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise ValueError(f"concurrency must be from 1 to {MAX_CONCURRENCY}")
    notifications, schedule = plan_load(
        count,
        duplicate_share=duplicate_share,
        mix=mix,
        seed=seed,
        account_id=account_id,
    )
    started = time.monotonic()
    deadline_at = None if deadline is None else started + deadline
    deliveries: list[Delivery | None] = [None] * len(schedule)
    queue = iter(enumerate(schedule))

    async def worker() -> None:
        # One shared iterator: next() never awaits, so no item is taken twice.
        for index, (note, repeat) in queue:
            if deadline_at is not None and time.monotonic() >= deadline_at:
                deliveries[index] = Delivery((), note, repeat)
                continue
            deliveries[index] = await post_with_retry(
                session,
                url,
                note.body,
                max_attempts=max_attempts,
                backoff=backoff,
                max_backoff=max_backoff,
                request_timeout=request_timeout,
                deadline_at=deadline_at,
                notification=note,
                duplicate=repeat,
            )

    async with asyncio.TaskGroup() as group:
        for _ in range(min(concurrency, len(schedule))):
            group.create_task(worker())
    return LoadResult(
        url=url,
        notifications=notifications,
        deliveries=[delivery for delivery in deliveries if delivery is not None],
        duration_s=time.monotonic() - started,
    )


# --------------------------------------------------------------------------- CLI


def int_in_range(low: int, high: int) -> Callable[[str], int]:
    """Return an argparse type: a whole number from low to high."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError as err:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from err
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}")
        return value

    return parse


def float_in_range(low: float, high: float) -> Callable[[str], float]:
    """Return an argparse type: a finite number from low to high."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError as err:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from err
        if not (math.isfinite(value) and low <= value <= high):
            raise argparse.ArgumentTypeError(f"must be from {low:g} to {high:g}")
        return value

    return parse


def _mix(text: str) -> dict[Kind, float]:
    try:
        return parse_mix(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err


def _occurred_at(text: str) -> datetime:
    try:
        return parse_occurred_at(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err


def _url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise argparse.ArgumentTypeError(
            f"expected an http:// or https:// URL, got {text!r}"
        )
    return text


def _delivery_options(*, backoff: float) -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("delivery (like Esendex: retry until HTTP 200)")
    group.add_argument(
        "--max-attempts",
        type=int_in_range(1, MAX_ATTEMPTS_LIMIT),
        default=DEFAULT_MAX_ATTEMPTS,
        metavar="N",
        help="requests per notification at most (default %(default)s)",
    )
    group.add_argument(
        "--backoff",
        type=float_in_range(0, 3600),
        default=backoff,
        metavar="SECONDS",
        help="wait before the first retry, doubled for each next one"
        " (default %(default)s)",
    )
    group.add_argument(
        "--max-backoff",
        type=float_in_range(0, 3600),
        default=DEFAULT_MAX_BACKOFF,
        metavar="SECONDS",
        help="longest wait between retries (default %(default)s)",
    )
    group.add_argument(
        "--timeout",
        type=float_in_range(0.001, 600),
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="per request; no answer in time counts as a failure (default %(default)s)",
    )
    group.add_argument(
        "--deadline",
        type=float_in_range(0.001, 7 * 24 * 3600),
        metavar="SECONDS",
        help="stop sending and retrying after this long in all (default: none)",
    )
    group.add_argument(
        "--insecure",
        action="store_true",
        help="do not verify the server's TLS certificate (self-signed, local use)",
    )
    group.add_argument(
        "--json", action="store_true", help="print only the summary, as JSON"
    )
    return parent


def _notification_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    ids = parent.add_argument_group("notification ids (default: fresh GUIDs)")
    ids.add_argument(
        "--id",
        dest="notification_id",
        metavar="GUID",
        help="the push notification Id; the same Id again is a retry to ignore",
    )
    ids.add_argument(
        "--message-id",
        metavar="GUID",
        help="the MessageId (for a status: the id the send API gave the message)",
    )
    ids.add_argument(
        "--account-id",
        metavar="GUID",
        help="the AccountId (your account's, if the integration checks it)",
    )
    inbound = parent.add_argument_group("inbound")
    inbound.add_argument(
        "--from",
        dest="sender",
        metavar="NUMBER",
        help=f"sender's phone number (default {DEFAULT_SENDER})",
    )
    inbound.add_argument(
        "--to",
        dest="recipient",
        metavar="NUMBER",
        help=f"the account's virtual mobile number (default {DEFAULT_RECIPIENT})",
    )
    inbound.add_argument("--text", help=f"the SMS text (default {DEFAULT_TEXT!r})")
    status = parent.add_argument_group("delivered / failed")
    status.add_argument(
        "--occurred-at",
        type=_occurred_at,
        metavar="ISO",
        help="when it happened, e.g. 2026-10-04T12:00:00 (no zone: UTC; default now)",
    )
    status.add_argument(
        "--failure-code", type=int, metavar="N", help="failed: FailureReason Code"
    )
    status.add_argument(
        "--failure-detail", metavar="TEXT", help="failed: FailureReason Detail"
    )
    status.add_argument(
        "--permanent",
        action=argparse.BooleanOptionalAction,
        help="failed: FailureReason PermanentFailure true (or false with --no-...)",
    )
    return parent


_INBOUND_ONLY: Final = ("sender", "recipient", "text")
_STATUS_ONLY: Final = ("occurred_at",)
_FAILED_ONLY: Final = ("failure_code", "failure_detail", "permanent")
_NOTIFICATION_FIELDS: Final = (
    "notification_id",
    "message_id",
    "account_id",
    *_INBOUND_ONLY,
    *_STATUS_ONLY,
    *_FAILED_ONLY,
)


def _option_names(args: argparse.Namespace, dests: Sequence[str]) -> list[str]:
    names = {"sender": "--from", "recipient": "--to", "notification_id": "--id"}
    return [
        names.get(dest, "--" + dest.replace("_", "-"))
        for dest in dests
        if getattr(args, dest, None) is not None
    ]


def notification_from_args(args: argparse.Namespace) -> SimulatedNotification:
    """Build the notification that `send`/`build` options describe."""
    kind: Kind = args.kind
    wrong = list(_INBOUND_ONLY if kind != "inbound" else ())
    wrong += _STATUS_ONLY if kind == "inbound" else ()
    wrong += _FAILED_ONLY if kind != "failed" else ()
    if misplaced := _option_names(args, wrong):
        raise UsageError(f"{', '.join(misplaced)} cannot be used with {kind}")
    if kind == "inbound":
        return build_inbound(
            text=DEFAULT_TEXT if args.text is None else args.text,
            sender=args.sender or DEFAULT_SENDER,
            recipient=args.recipient or DEFAULT_RECIPIENT,
            notification_id=args.notification_id,
            message_id=args.message_id,
            account_id=args.account_id,
        )
    failure = None
    if _option_names(args, _FAILED_ONLY):
        failure = FailureSpec(args.failure_code, args.failure_detail, args.permanent)
    return build_status(
        kind,
        message_id=args.message_id,
        occurred_at=args.occurred_at,
        notification_id=args.notification_id,
        account_id=args.account_id,
        failure=failure,
    )


EPILOG: Final = """\
examples:
  %(prog)s send https://ha.example.org/api/webhook/ID inbound --text "OPEN GATE"
  %(prog)s send URL delivered --message-id 1183c73d-2e62-4f60-b610-30f160bdfbd5
  %(prog)s send URL failed --failure-code 142 --failure-detail "Message broken"
  %(prog)s send URL inbound --id 4b912ad6-5ba1-4fdb-addc-007fb212ebae --repeat 2
  %(prog)s send URL --file tests/fixtures/inbound_message.xml
  %(prog)s build inbound --text "Hi" > note.xml
  %(prog)s load URL --count 1000 --concurrency 20 --duplicates 0.3 --json

Nothing here costs SMS credits: Esendex is not involved, the tool plays its part.
"""


def build_parser() -> argparse.ArgumentParser:
    """Return the command line parser."""
    parser = argparse.ArgumentParser(
        prog="scripts/simulate",
        description="Send Esendex-style push notifications to a webhook (such as"
        " Home Assistant's) and report how it answered. Retries anything but HTTP"
        " 200, as Esendex does.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    notification = _notification_options()

    send = commands.add_parser(
        "send",
        parents=[notification, _delivery_options(backoff=DEFAULT_BACKOFF)],
        help="send one notification (or a file), retrying until HTTP 200",
        description="Send one notification and retry it until HTTP 200, up to"
        " --max-attempts. --repeat sends it again with the same Id, as Esendex does"
        " when it did not see your 200: the webhook should answer 200 and ignore it.",
    )
    send.add_argument("url", type=_url, help="the webhook URL")
    send.add_argument(
        "kind", nargs="?", choices=KINDS, help="what to send (omit with --file)"
    )
    send.add_argument(
        "--file",
        metavar="PATH",
        help="send this file's bytes as they are ('-': standard input)",
    )
    send.add_argument(
        "--repeat",
        type=int_in_range(1, MAX_REPEAT),
        default=1,
        metavar="N",
        help="send the same notification N times, one after another (default 1)",
    )

    load = commands.add_parser(
        "load",
        parents=[_delivery_options(backoff=0.5)],
        help="send many notifications concurrently, with duplicates",
        description="Send --count distinct notifications plus --duplicates of them"
        " again (same Id, interleaved), with --concurrency workers, and summarize."
        " Delivered/failed OccurredAt increases along the run, one second apart.",
    )
    load.add_argument("url", type=_url, help="the webhook URL")
    load.add_argument(
        "--count",
        type=int_in_range(0, MAX_COUNT),
        default=100,
        help="distinct notifications (default %(default)s)",
    )
    load.add_argument(
        "--concurrency",
        type=int_in_range(1, MAX_CONCURRENCY),
        default=10,
        help="parallel requests, and connection pool size (default %(default)s)",
    )
    load.add_argument(
        "--duplicates",
        type=float_in_range(0, 1),
        default=0.0,
        metavar="SHARE",
        help="re-send this share of --count again with the same Id (default 0)",
    )
    load.add_argument(
        "--mix",
        type=_mix,
        default=dict(DEFAULT_MIX),
        help="weights of each kind (default inbound=0.5,delivered=0.3,failed=0.2)",
    )
    load.add_argument(
        "--seed", type=int, help="fix kinds, texts and order (GUIDs stay fresh)"
    )
    load.add_argument(
        "--account-id", metavar="GUID", help="AccountId of every notification"
    )

    build = commands.add_parser(
        "build",
        parents=[notification],
        help="print a notification's XML, to edit or to send later with --file",
        description="Print one notification's XML on standard output; nothing is sent.",
    )
    build.add_argument("kind", choices=KINDS, help="what to build")
    return parser


def _write(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _read_file(path: str) -> bytes:
    if path == "-":
        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    else:
        with Path(path).open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(f"{path} is larger than {MAX_FILE_BYTES} bytes")
    return data


def _print_attempt(attempt: Attempt, delay: float | None) -> None:
    answer = f"HTTP {attempt.status}" if attempt.status is not None else attempt.error
    detail = f": {attempt.response}" if attempt.response else ""
    _write(
        f"  attempt {attempt.number}: {answer} in {attempt.latency_ms:.1f} ms{detail}"
    )
    if delay is not None:
        _write(f"  retrying in {delay:g} s")


async def _run_send(args: argparse.Namespace) -> int:
    note: SimulatedNotification | None = None
    if args.file is not None:
        given = _option_names(args, _NOTIFICATION_FIELDS)
        if args.kind is not None or given:
            raise UsageError(
                "--file sends the file as it is: give no kind and no"
                f" {', '.join(given) or 'notification options'}"
            )
        body = _read_file(args.file)
        what = f"{args.file} ({len(body)} bytes)"
    elif args.kind is None:
        raise UsageError("say what to send: inbound, delivered, failed or --file")
    else:
        note = notification_from_args(args)
        body = note.body
        what = f"{note.root} Id {note.notification_id}"

    started = time.monotonic()
    deadline_at = None if args.deadline is None else started + args.deadline
    callback = None if args.json else _print_attempt
    deliveries: list[Delivery] = []
    async with make_session(insecure=args.insecure) as session:
        for number in range(1, args.repeat + 1):
            if not args.json:
                again = (
                    f" (repeat {number} of {args.repeat})" if args.repeat > 1 else ""
                )
                _write(f"POST {what} to {args.url}{again}")
            if deadline_at is not None and time.monotonic() >= deadline_at:
                deliveries.append(Delivery((), note, number > 1))
                continue
            deliveries.append(
                await post_with_retry(
                    session,
                    args.url,
                    body,
                    max_attempts=args.max_attempts,
                    backoff=args.backoff,
                    max_backoff=args.max_backoff,
                    request_timeout=args.timeout,
                    deadline_at=deadline_at,
                    on_attempt=callback,
                    notification=note,
                    duplicate=number > 1,
                )
            )
    summary = summarize(deliveries, duration_s=time.monotonic() - started)
    if args.json:
        _write(json.dumps(asdict(summary), indent=2))
    else:
        _write(format_summary(summary))
        if "(empty)" in summary.responses:
            _write(
                "note: Home Assistant answers 200 with an empty body to a webhook id"
                " it does not know. If nothing happened, check the URL's id."
            )
    return 0 if summary.acknowledged == len(deliveries) else 1


async def _run_load(args: argparse.Namespace) -> int:
    async with make_session(
        concurrency=args.concurrency, insecure=args.insecure
    ) as session:
        result = await run_load(
            session,
            args.url,
            count=args.count,
            concurrency=args.concurrency,
            duplicate_share=args.duplicates,
            seed=args.seed,
            max_attempts=args.max_attempts,
            backoff=args.backoff,
            max_backoff=args.max_backoff,
            request_timeout=args.timeout,
            deadline=args.deadline,
            mix=args.mix,
            account_id=args.account_id,
        )
    summary = result.summary()
    if args.json:
        _write(json.dumps(asdict(summary), indent=2))
    else:
        _write(f"Load run against {args.url}")
        _write(format_summary(summary))
    return 0 if summary.acknowledged == len(result.deliveries) else 1


async def run_command(args: argparse.Namespace) -> int:
    """Run parsed arguments; return the exit status (0: everything acknowledged).

    Raises UsageError for options that do not fit together.
    """
    if args.command == "build":
        sys.stdout.write(notification_from_args(args).body.decode())
        return 0
    if args.command == "send":
        return await _run_send(args)
    return await _run_load(args)


async def async_main(argv: Sequence[str] | None = None) -> int:
    """Run the command line inside an already running event loop (for tests)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return await run_command(args)
    except (UsageError, ValueError, OSError) as err:
        parser.exit(2, f"{parser.prog} {args.command}: error: {err}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return asyncio.run(run_command(args))
    except (UsageError, ValueError, OSError) as err:
        parser.exit(2, f"{parser.prog} {args.command}: error: {err}\n")
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
