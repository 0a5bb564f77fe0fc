"""Benchmarks for the Esendex SMS integration, as ratios to a floor of the same run.

Absolute times on shared machines mean little, so the webhook figures are compared
with a floor measured in the same run, in the same `hass` process, under the same
load:

- required-work floor: a webhook that does only what no Esendex integration can
  skip: one safe `defusedxml` parse of the body, one bus event and two state writes,
  then a 200;
- peers: Home Assistant core's Sleep as Android (JSON) and Twilio (form-encoded SMS)
  webhook integrations, each set up through its own config flow and posted bodies
  shaped like the ones their senders POST;
- a bare webhook that reads the body and answers 200 (the HTTP stack alone);
- the Esendex integration itself, set up through its config flow.

For each, at concurrency 1 and 30 and over several rounds: the server's CPU time per
notification (all its threads, from /proc; it moves much less than throughput when
other work shares the machine) and its ratio to the floor's in the same round,
throughput and p99 latency. Also the RSS growth of that `hass` process over many
distinct notifications, how often the dedupe record is written during a sustained
load, and the parser against a bare `defusedxml` parse.

Run it with `scripts/bench` (see docs/performance.md); results go to
`bench/results.json` and a summary to stdout. The benchmark only reports: it never
fails.
"""

import argparse
import asyncio
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
import gc
import json
import os
from pathlib import Path
import platform
import statistics
import sys
import tempfile
import time
from typing import Any
from urllib.parse import urlencode
import uuid

# The unsafe stdlib parser, only to report what the safety costs.
import xml.etree.ElementTree as ET

import aiohttp
from defusedxml import ElementTree as DefusedElementTree  # type: ignore[import-untyped]
from homeassistant.const import __version__ as ha_version

from custom_components.esendex.const import SEEN_SAVE_DELAY_SECONDS
from custom_components.esendex.protocol import parse_notification
from custom_components.esendex.store import storage_key
from tests.e2e_support import (
    HassClient,
    HassProcess,
    add_integration,
    free_loopback_port,
    write_config_dir,
)
from tools.demo import write_voice_stand_ins

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
# The vendor's documented shapes, plus a failure with the (undocumented, third-party)
# FailureReason child, the largest body the parser has to build.
PARSER_SAMPLES = {
    "InboundMessage": "inbound_message.xml",
    "MessageDelivered": "message_delivered.xml",
    "MessageFailed": "message_failed.xml",
    "MessageFailed+FailureReason": "message_failed_with_reason.xml",
}

# The target: Esendex's CPU per notification against the floor's, at each concurrency.
CPU_RATIO_TARGET = 1.25
# Memory: RSS growth per this many notifications.
RSS_PER_NOTIFICATIONS = 100_000
RSS_GROWTH_TARGET_MB = 20.0
# Disk: at least this many seconds between writes of the dedupe record under load.
SECONDS_PER_WRITE_TARGET = 5.0

BARE_WEBHOOK_ID = "bench-bare"
FLOOR_WEBHOOK_ID = "bench-floor"
FLOOR_EVENT = "bench_floor_notification"
FLOOR_ENTITIES = ("sensor.bench_floor_notification", "sensor.bench_floor_message")
# Installed into the config dir as a custom integration, loaded from YAML.
FLOOR_INTEGRATION = {
    "manifest.json": json.dumps(
        {
            "domain": "bench_floor",
            "name": "Benchmark floor webhooks",
            "codeowners": [],
            "dependencies": ["webhook"],
            "documentation": "https://example.invalid",
            "iot_class": "local_push",
            "requirements": [],
            "version": "0.0.0",
        }
    ),
    "__init__.py": f'''"""Benchmark floors: a bare webhook, and the required work."""

from aiohttp.web import Request, Response
from defusedxml.ElementTree import fromstring

from homeassistant.components import webhook
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers.typing import ConfigType

DOMAIN = "bench_floor"


async def _bare(hass: HomeAssistant, webhook_id: str, request: Request) -> Response:
    """Read the body and answer 200: the HTTP stack and webhook dispatch alone."""
    await request.read()
    return Response(status=200)


async def _required_work(
    hass: HomeAssistant, webhook_id: str, request: Request
) -> Response:
    """What no Esendex integration can skip: a safe parse, an event, two states."""
    root = fromstring(
        await request.read(),
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )
    data = {{"type": root.tag}} | {{child.tag: child.text for child in root}}
    context = Context()
    hass.bus.async_fire({FLOOR_EVENT!r}, data, context=context)
    hass.states.async_set({FLOOR_ENTITIES[0]!r}, data["Id"], data, context=context)
    hass.states.async_set(
        {FLOOR_ENTITIES[1]!r}, data["MessageId"], data, context=context
    )
    return Response(status=200)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register both webhooks."""
    for webhook_id, handler in (
        ({BARE_WEBHOOK_ID!r}, _bare),
        ({FLOOR_WEBHOOK_ID!r}, _required_work),
    ):
        webhook.async_register(
            hass, DOMAIN, webhook_id, webhook_id, handler, allowed_methods=["POST"]
        )
    return True
''',
}

# Event types watched once before the load, to show that every row does its work.
VERIFY_EVENT_TYPES = (
    "state_changed",
    FLOOR_EVENT,
    "twilio_data_received",
    "esendex_inbound_message",
    "esendex_message_delivered",
    "esendex_message_failed",
)


# ---------------------------------------------------------------- parser benchmark


def _best_per_call(
    functions: dict[str, Callable[[bytes], object]], body: bytes, rounds: int
) -> dict[str, float]:
    """Best per-call time of each function over many interleaved batches.

    Interleaving gives every function the same share of a noisy machine; the best
    batch is the one least disturbed by it. The collector is paused while timing.
    """
    best = dict.fromkeys(functions, float("inf"))
    batch = 200
    gc.disable()
    try:
        for _ in range(max(1, rounds // batch)):
            for name, function in functions.items():
                start = time.perf_counter()
                for _ in range(batch):
                    function(body)
                best[name] = min(best[name], (time.perf_counter() - start) / batch)
    finally:
        gc.enable()
    return best


def bench_parser(rounds: int) -> dict[str, Any]:
    """Notifications per second for each type, as ratios to bare parses."""
    results: dict[str, Any] = {}
    for kind, fixture in PARSER_SAMPLES.items():
        body = (FIXTURES / fixture).read_bytes()
        best = _best_per_call(
            {
                "ours": parse_notification,
                "defused": DefusedElementTree.fromstring,
                "stdlib": ET.fromstring,
            },
            body,
            rounds,
        )
        ours, defused, stdlib = best["ours"], best["defused"], best["stdlib"]
        results[kind] = {
            "per_second": round(1 / ours),
            "us_per_notification": round(ours * 1e6, 2),
            "bare_defusedxml_us": round(defused * 1e6, 2),
            "stdlib_us": round(stdlib * 1e6, 2),
            "ratio_to_defusedxml": round(defused / ours, 3),
            "ratio_to_stdlib": round(stdlib / ours, 3),
        }
    return results


# ------------------------------------------------------------------- request bodies


def notification_body(sequence: int) -> bytes:
    """Return a distinct Esendex notification, cycling through the three types."""
    ids = (
        f"<Id>{uuid.uuid4()}</Id><MessageId>{uuid.uuid4()}</MessageId>"
        "<AccountId>6145d724-98cb-41a2-8c4e-4b81ef694897</AccountId>"
    )
    seconds = sequence % 60
    minutes = sequence // 60 % 60
    occurred = f"<OccurredAt>2026-11-25T10:{minutes:02d}:{seconds:02d}</OccurredAt>"
    match sequence % 3:
        case 0:
            xml = (
                f"<InboundMessage>{ids}<MessageText>Gate code please {sequence}"
                "</MessageText><From>447700900123</From><To>447860000000</To>"
                "</InboundMessage>"
            )
        case 1:
            xml = f"<MessageDelivered>{ids}{occurred}</MessageDelivered>"
        case _:
            xml = f"<MessageFailed>{ids}{occurred}</MessageFailed>"
    return xml.encode()


def sleep_as_android_body(sequence: int) -> bytes:
    """Return a Sleep as Android event, as the app POSTs it (JSON).

    Cycles through tracking started (one event entity written), a snoozed alarm
    with its new time and label (one event entity and both sensors) and tracking
    stopped (one event entity).
    """
    match sequence % 3:
        case 0:
            event: dict[str, str] = {"event": "sleep_tracking_started"}
        case 1:
            alarm_ms = 1_795_000_000_000 + sequence * 60_000
            event = {
                "event": "alarm_snooze_clicked",
                "value1": str(alarm_ms),
                "value2": "Work",
            }
        case _:
            event = {"event": "sleep_tracking_stopped"}
    return json.dumps(event).encode()


TWILIO_ACCOUNT_SID = "AC" + uuid.UUID("6145d724-98cb-41a2-8c4e-4b81ef694897").hex


def twilio_body(sequence: int) -> bytes:
    """Return an inbound SMS as Twilio POSTs it to a messaging webhook."""
    sid = "SM" + uuid.uuid4().hex
    return urlencode(
        {
            "ToCountry": "GB",
            "ToState": "",
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "ToCity": "",
            "FromZip": "",
            "SmsSid": sid,
            "FromState": "",
            "SmsStatus": "received",
            "FromCity": "",
            "Body": f"Gate code please {sequence}",
            "FromCountry": "GB",
            "To": "+447860000000",
            "ToZip": "",
            "NumSegments": "1",
            "MessageSid": sid,
            "AccountSid": TWILIO_ACCOUNT_SID,
            "From": "+447700900123",
            "ApiVersion": "2010-04-01",
        }
    ).encode()


@dataclass(frozen=True)
class Target:
    """One row of the benchmark: a webhook URL and the bodies it is posted."""

    key: str
    label: str
    url: str
    content_type: str
    body: Callable[[int], bytes]


BARE = "bare"
FLOOR = "floor"
ESENDEX = "esendex"


# ------------------------------------------------------------------- load and /proc


@dataclass
class LoadFigures:
    """One load run against one URL."""

    requests: int
    concurrency: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    # CPU time the server process spent per request (user + system, all threads).
    server_cpu_us: float


def thread_cpu_ns(pid: int) -> dict[str, int]:
    """CPU time (user + system) of each thread of a process so far, in nanoseconds.

    From /proc/PID/task/*/schedstat: nanosecond resolution, where /proc/PID/stat
    counts clock ticks of 10 ms, too coarse for a load of a few hundred ms.
    """
    times: dict[str, int] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            times[task.name] = int((task / "schedstat").read_text().split()[0])
        except FileNotFoundError, ProcessLookupError:
            continue  # the thread ended meanwhile
    return times


def cpu_seconds_since(pid: int, before: dict[str, int]) -> float:
    """CPU time of a process's threads since `before` (a thread_cpu_ns reading).

    A thread that ended in between is not counted; Home Assistant's threads live as
    long as it does, bar the odd executor thread.
    """
    after = thread_cpu_ns(pid)
    return sum(ns - before.get(tid, 0) for tid, ns in after.items()) / 1e9


async def run_load(
    session: aiohttp.ClientSession,
    url: str,
    bodies: Sequence[bytes],
    concurrency: int,
    server_pid: int,
    *,
    content_type: str = "text/xml",
) -> LoadFigures:
    """POST every body once with `concurrency` workers; time each request."""
    latencies: list[float] = []
    non_2xx = 0
    position = 0
    headers = {"Content-Type": content_type}

    async def worker() -> None:
        nonlocal position, non_2xx
        while position < len(bodies):
            body = bodies[position]
            position += 1
            start = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                if not 200 <= response.status < 300:
                    non_2xx += 1
            latencies.append(time.perf_counter() - start)

    cpu_before = thread_cpu_ns(server_pid)
    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - start
    cpu = cpu_seconds_since(server_pid, cpu_before)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return LoadFigures(
        requests=len(bodies),
        concurrency=concurrency,
        seconds=round(seconds, 3),
        per_second=round(len(bodies) / seconds, 1),
        p50_ms=round(cuts[49] * 1000, 3),
        p99_ms=round(cuts[98] * 1000, 3),
        non_2xx=non_2xx,
        server_cpu_us=round(cpu / len(bodies) * 1e6, 1),
    )


def rss_bytes(pid: int) -> int:
    """Resident set size of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def count_file_writes(path: Path, stop: asyncio.Event) -> int:
    """Count changes of a file's mtime, polled every 50 ms, until `stop` is set."""
    writes = 0
    last: int | None = path.stat().st_mtime_ns if path.exists() else None
    while not stop.is_set():
        await asyncio.sleep(0.05)
        current = path.stat().st_mtime_ns if path.exists() else None
        if current != last:
            writes += 1
            last = current
    return writes


def spread(values: Sequence[float], digits: int) -> dict[str, float]:
    """Median, min and max of one figure over the rounds."""
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
    }


# ------------------------------------------------------------------- hass and peers


async def add_webhook_peer(client: HassClient, domain: str) -> str:
    """Set up an HA core webhook integration through its config flow.

    The REST call is the frontend's, and runs
    `hass.config_entries.flow.async_init(domain, context={"source": "user"})`; the
    shared webhook flow shows one empty form, and creating the entry answers the
    webhook URL (from `internal_url`: no cloud here). Returns the URL, or raises
    RuntimeError with the reason the entry is not usable.
    """
    status, result = await client.async_request(
        "POST",
        "/api/config/config_entries/flow",
        {"handler": domain, "show_advanced_options": False},
    )
    if status != 200 or not isinstance(result, dict) or result["type"] != "form":
        raise RuntimeError(f"its config flow did not start: HTTP {status} {result}")
    status, result = await client.async_request(
        "POST", f"/api/config/config_entries/flow/{result['flow_id']}", {}
    )
    if status != 200 or not isinstance(result, dict):
        raise RuntimeError(f"its config flow failed: HTTP {status} {result}")
    if result["type"] != "create_entry":
        raise RuntimeError(f"its config flow did not create an entry: {result}")
    url: str = (result.get("description_placeholders") or {})["webhook_url"]
    entry_id = result["result"]["entry_id"]
    entries = await client.async_get(
        f"/api/config/config_entries/entry?domain={domain}"
    )
    entry = next((e for e in entries if e["entry_id"] == entry_id), None)
    if entry is None:
        raise RuntimeError("its entry is not listed")
    if entry["state"] != "loaded":
        raise RuntimeError(
            f"entry is {entry['state']}: {entry.get('reason') or 'see hass log'}"
        )
    return url


async def verify_targets(
    client: HassClient,
    session: aiohttp.ClientSession,
    targets: Sequence[Target],
    sequence: int,
) -> dict[str, dict[str, Any]]:
    """Post one body to each target; record its answer and the events it caused.

    Home Assistant answers 200 to a webhook id nobody registered, so a row whose
    webhook is missing would otherwise measure nothing. The websocket is closed
    before any load runs: forwarding events to it would be measured too.
    """
    checks: dict[str, dict[str, Any]] = {}
    async with await client.async_subscribe(VERIFY_EVENT_TYPES) as subscription:
        for target in targets:
            async with session.post(
                target.url,
                data=target.body(sequence),
                headers={"Content-Type": target.content_type},
            ) as response:
                await response.read()
                status = response.status
            events = await subscription.async_receive(99, max_wait=1.5)
            checks[target.key] = {
                "status": status,
                "events": [
                    f"{e['event_type']} {e['data'].get('entity_id', '')}".strip()
                    for e in events
                ],
            }
    return checks


async def bench_webhook(args: argparse.Namespace) -> dict[str, Any]:
    """Everything that needs a real `hass` process."""
    with tempfile.TemporaryDirectory(prefix="esendex-bench-") as directory:
        config_dir = Path(directory)
        port = free_loopback_port()
        write_config_dir(config_dir, port)
        # Quieter than the end-to-end test's debug logging: a log line per request
        # would measure the logger.
        config = (config_dir / "configuration.yaml").read_text()
        config = config.replace(
            "custom_components.esendex: debug", "custom_components.esendex: warning"
        )
        (config_dir / "configuration.yaml").write_text(config + "\nbench_floor:\n")
        floor_dir = config_dir / "custom_components" / "bench_floor"
        floor_dir.mkdir()
        for name, text in FLOOR_INTEGRATION.items():
            (floor_dir / name).write_text(text)

        # HA core's webhook config flow imports the cloud component, which imports
        # assist_pipeline and its two compiled voice packages; hass runs with
        # --skip-pip, so where they are missing it gets the demo's stand-ins
        # (classes that refuse to be used: nothing here uses voice).
        if stand_ins := write_voice_stand_ins(config_dir):
            paths = [str(stand_ins), *filter(None, [os.environ.get("PYTHONPATH")])]
            os.environ["PYTHONPATH"] = os.pathsep.join(paths)
        hass = HassProcess(config_dir, port)
        hass.start()
        try:
            connector = aiohttp.TCPConnector(limit=64)
            async with aiohttp.ClientSession(connector=connector) as session:
                await hass.async_wait_until_serving(session)
                client = HassClient(session, hass)
                await client.async_onboard()
                await client.async_wait_until_running()
                entry_id, esendex_url = await add_integration(client)
                base = f"{hass.base_url}/api/webhook"
                targets = [
                    Target(
                        BARE,
                        "bare webhook",
                        f"{base}/{BARE_WEBHOOK_ID}",
                        "text/xml",
                        notification_body,
                    ),
                    Target(
                        FLOOR,
                        "required-work floor",
                        f"{base}/{FLOOR_WEBHOOK_ID}",
                        "text/xml",
                        notification_body,
                    ),
                ]
                peers: dict[str, str] = {}
                for key, label, domain, content_type, body in (
                    (
                        "sleep_as_android",
                        "Sleep as Android",
                        "sleep_as_android",
                        "application/json",
                        sleep_as_android_body,
                    ),
                    (
                        "twilio",
                        "Twilio",
                        "twilio",
                        "application/x-www-form-urlencoded",
                        twilio_body,
                    ),
                ):
                    try:
                        url = await add_webhook_peer(client, domain)
                    except (RuntimeError, KeyError) as err:
                        peers[key] = f"skipped: {err}"
                        print(f"{label}: skipped, {err}", flush=True)
                        continue
                    peers[key] = "measured"
                    targets.append(Target(key, label, url, content_type, body))
                targets.append(
                    Target(
                        ESENDEX,
                        "Esendex",
                        esendex_url,
                        "text/xml",
                        notification_body,
                    )
                )
                results = await _measure(
                    args, session, client, hass, config_dir, entry_id, targets
                )
                results["peers"] = peers
                return results
        finally:
            await hass.async_stop()


# ------------------------------------------------------------------- measurement


async def _measure(  # noqa: PLR0917 - one call site
    args: argparse.Namespace,
    session: aiohttp.ClientSession,
    client: HassClient,
    hass: HassProcess,
    config_dir: Path,
    entry_id: str,
    targets: list[Target],
) -> dict[str, Any]:
    assert hass.process is not None
    pid = hass.process.pid
    sequence = 0

    def fresh(count: int) -> range:
        nonlocal sequence
        numbers = range(sequence, sequence + count)
        sequence += count
        return numbers

    checks = await verify_targets(client, session, targets, fresh(1)[0])
    for target in targets:
        check = checks[target.key]
        nothing = "no event (none expected)" if target.key == BARE else "NO EVENT"
        events = ", ".join(check["events"]) or nothing
        print(f"checked {target.label}: HTTP {check['status']}; {events}", flush=True)

    # Warm every path up: imports, caches, the first entity writes.
    for target in targets:
        bodies = [target.body(n) for n in fresh(300)]
        await run_load(
            session, target.url, bodies, 10, pid, content_type=target.content_type
        )

    webhook: dict[str, Any] = {}
    for concurrency, count in ((1, args.requests_c1), (30, args.requests_c30)):
        started = time.monotonic()
        rounds: list[dict[str, LoadFigures]] = []
        for round_number in range(args.rounds):
            # Rotate the order, so no row always runs first or on a warmer machine.
            shift = round_number % len(targets)
            figures: dict[str, LoadFigures] = {}
            for target in targets[shift:] + targets[:shift]:
                bodies = [target.body(n) for n in fresh(count)]
                figures[target.key] = await run_load(
                    session,
                    target.url,
                    bodies,
                    concurrency,
                    pid,
                    content_type=target.content_type,
                )
            rounds.append(figures)
        rows: dict[str, Any] = {}
        for target in targets:
            mine = [r[target.key] for r in rounds]
            rows[target.key] = {
                "label": target.label,
                "server_cpu_us": spread([f.server_cpu_us for f in mine], 1),
                # Per round: this row's CPU over the floor's in the same round.
                "cpu_ratio_to_floor": spread(
                    [
                        r[target.key].server_cpu_us / r[FLOOR].server_cpu_us
                        for r in rounds
                    ],
                    3,
                ),
                "per_second": spread([f.per_second for f in mine], 0),
                "p50_ms": spread([f.p50_ms for f in mine], 3),
                "p99_ms": spread([f.p99_ms for f in mine], 3),
                "non_2xx": sum(f.non_2xx for f in mine),
            }
        webhook[f"concurrency_{concurrency}"] = {
            "requests_per_row_and_round": count,
            "rounds_count": args.rounds,
            "seconds": round(time.monotonic() - started, 1),
            "rows": rows,
            "rounds": [{k: asdict(v) for k, v in r.items()} for r in rounds],
        }
        print(
            f"concurrency {concurrency} measured in {time.monotonic() - started:.0f} s",
            flush=True,
        )

    esendex = next(t for t in targets if t.key == ESENDEX)

    # Memory: RSS growth over many distinct notifications; the dedupe record is
    # capped, so growth must level off.
    rss_before = rss_bytes(pid)
    memory_load = await run_load(
        session,
        esendex.url,
        [notification_body(n) for n in fresh(args.memory_notifications)],
        30,
        pid,
    )
    rss_after = rss_bytes(pid)
    growth_mb = (rss_after - rss_before) / 2**20
    memory = {
        "notifications": args.memory_notifications,
        "non_2xx": memory_load.non_2xx,
        "rss_before_mb": round(rss_before / 2**20, 1),
        "rss_after_mb": round(rss_after / 2**20, 1),
        "rss_growth_mb": round(growth_mb, 1),
        "rss_growth_mb_per_100k": round(
            growth_mb * RSS_PER_NOTIFICATIONS / args.memory_notifications, 1
        ),
    }

    # Disk: writes of the dedupe record during a sustained load.
    store_file = config_dir / ".storage" / storage_key(entry_id)
    stop = asyncio.Event()
    counter = asyncio.create_task(count_file_writes(store_file, stop))
    deadline = time.monotonic() + args.disk_seconds
    sent = 0
    while time.monotonic() < deadline:
        batch = await run_load(
            session, esendex.url, [notification_body(n) for n in fresh(500)], 10, pid
        )
        sent += batch.requests
    stop.set()
    writes = await counter
    disk = {
        "seconds": args.disk_seconds,
        "notifications": sent,
        "store_writes": writes,
        "seconds_per_write": round(args.disk_seconds / writes, 1) if writes else None,
    }
    return {"checks": checks, "webhook": webhook, "memory": memory, "disk": disk}


# ------------------------------------------------------------------------ reporting


def _figure(values: dict[str, float], digits: int) -> str:
    low, middle, high = values["min"], values["median"], values["max"]
    return f"{middle:,.{digits}f} ({low:,.{digits}f}-{high:,.{digits}f})"


def format_tables(results: dict[str, Any]) -> list[str]:
    """Lay out the webhook rows of each concurrency, median (min-max) of rounds."""
    lines: list[str] = []
    for concurrency in (1, 30):
        section = results.get("webhook", {}).get(f"concurrency_{concurrency}")
        if not section:
            continue
        count = section["requests_per_row_and_round"]
        title = (
            f"Concurrency {concurrency}: {count:,} notifications per row and round, "
            f"{section['rounds_count']} rounds; median (min-max)"
        )
        header = (
            f"{'':<21} {'server CPU us/notif':<22} {'CPU vs floor':<22} "
            f"{'notifications/s':<24} {'p99 ms':<20}"
        )
        lines.extend(("", title, header))
        for row in section["rows"].values():
            failed = f"  ({row['non_2xx']} non-2xx!)" if row["non_2xx"] else ""
            lines.append(
                f"{row['label']:<21} {_figure(row['server_cpu_us'], 0):<22} "
                f"{_figure(row['cpu_ratio_to_floor'], 2):<22} "
                f"{_figure(row['per_second'], 0):<24} "
                f"{_figure(row['p99_ms'], 2):<20}{failed}"
            )
    for key, status in results.get("peers", {}).items():
        if status != "measured":
            lines.append(f"{key}: {status}")
    return lines


def check_targets(results: dict[str, Any]) -> list[str]:
    """Return one line per target: the figure, the target and whether it is met."""
    lines: list[str] = []

    def verdict(met: bool) -> str:
        return "met" if met else "MISSED"

    for concurrency in (1, 30):
        section = results.get("webhook", {}).get(f"concurrency_{concurrency}", {})
        row = section.get("rows", {}).get(ESENDEX)
        if row is None:
            continue
        ratio = row["cpu_ratio_to_floor"]
        lines.append(
            f"Esendex server CPU per notification at concurrency {concurrency}: "
            f"{ratio['median']}x the floor ({ratio['min']}-{ratio['max']} over "
            f"{section['rounds_count']} rounds), target <= {CPU_RATIO_TARGET}: "
            f"{verdict(ratio['median'] <= CPU_RATIO_TARGET)}"
        )
        if row["non_2xx"]:
            lines.append(
                f"  Esendex answered {row['non_2xx']} requests with a non-2xx status"
                " at this concurrency: its figures are not comparable"
            )
    if memory := results.get("memory"):
        per_100k = memory["rss_growth_mb_per_100k"]
        lines.append(
            f"RSS growth: {memory['rss_growth_mb']} MB over "
            f"{memory['notifications']:,} notifications ({per_100k} MB per "
            f"{RSS_PER_NOTIFICATIONS:,}), target < {RSS_GROWTH_TARGET_MB}: "
            f"{verdict(per_100k < RSS_GROWTH_TARGET_MB)}"
        )
    if disk := results.get("disk"):
        writes, every = disk["store_writes"], disk["seconds_per_write"]
        figure = (
            f"Store writes: {writes} in {disk['seconds']} s of load "
            f"({disk['notifications']:,} notifications)"
        )
        target = f"target at most one every {SECONDS_PER_WRITE_TARGET} s"
        if every is not None:
            met = every >= SECONDS_PER_WRITE_TARGET
            lines.append(f"{figure}, one every {every} s, {target}: {verdict(met)}")
        elif disk["seconds"] > 2 * SEEN_SAVE_DELAY_SECONDS:
            # The record must be written within its save delay: no write at all
            # means a wrong path here, or a save that never happens under load.
            lines.append(f"{figure}, {target}: NOT MEASURED (no write seen)")
        else:
            lines.append(f"{figure} (too short a load to tell), {target}")
    for kind, figures in results.get("parser", {}).items():
        ratio = figures["ratio_to_defusedxml"]
        lines.append(
            f"parser/{kind}: {ratio} of bare defusedxml's speed "
            f"({figures['ratio_to_stdlib']} of stdlib's), target >= 0.8: "
            f"{verdict(ratio >= 0.8)}"
        )
    return lines


def machine() -> dict[str, Any]:
    """Describe the machine and software the figures were measured on."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "home_assistant": ha_version,
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks and write bench/results.json."""
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description=__doc__.split("\n\n")[0],
        epilog="ESENDEX_BENCH_SECONDS, if set, is the default of --disk-seconds.",
    )
    parser.add_argument("--parser-rounds", type=int, default=200_000)
    parser.add_argument("--requests-c1", type=int, default=4_000)
    parser.add_argument("--requests-c30", type=int, default=6_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--memory-notifications", type=int, default=RSS_PER_NOTIFICATIONS
    )
    parser.add_argument(
        "--disk-seconds",
        type=float,
        default=float(os.environ.get("ESENDEX_BENCH_SECONDS") or 60.0),
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a short run (about a minute): 3 rounds of fewer requests",
    )
    parser.add_argument("--parser-only", action="store_true")
    parser.add_argument(
        "--output", type=Path, default=REPO_ROOT / "bench" / "results.json"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.parser_rounds = min(args.parser_rounds, 20_000)
        args.requests_c1 = min(args.requests_c1, 1_000)
        args.requests_c30 = min(args.requests_c30, 2_000)
        args.rounds = min(args.rounds, 3)
        args.memory_notifications = min(args.memory_notifications, 20_000)
        args.disk_seconds = min(args.disk_seconds, 15.0)

    results: dict[str, Any] = {
        "machine": machine(),
        "parser": bench_parser(args.parser_rounds),
    }
    if not args.parser_only:
        results |= asyncio.run(bench_webhook(args))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Results written to {args.output}")
    for line in format_tables(results):
        print(line)
    print()
    for line in check_targets(results):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
