"""A reload of the entry in the middle of a burst, against a real `hass` process.

A client that retries every answer but 200, as Esendex does, sends 300 distinct
notifications (and some of them again), 10 at a time, flat out. Once a third are
answered, the entry is reloaded over the REST API, again and again until the burst
ends. While the entry is unloading and setting up again its webhook answers 503,
never Home Assistant's anonymous 200, so the client retries; afterwards every
notification has fired its bus event exactly once: none lost, none doubled.

With the webhook unregistered at unload (as up to 0.3.0), this test fails: about
20 requests a run meet no handler and get Home Assistant's empty 200.
"""

import asyncio
from collections import Counter
from pathlib import Path
import sys
import time

import aiohttp
import pytest

from tools.esendex_simulator import (
    HTTP_OK,
    Attempt,
    Delivery,
    make_session,
    plan_load,
    post_with_retry,
)

from .e2e_support import (
    HassClient,
    HassProcess,
    add_integration,
    free_loopback_port,
    write_config_dir,
)
from .test_restart_under_load import Listener, diagnostics_on_failure

pytest.importorskip(
    "homeassistant.__main__", reason="the end-to-end test runs the `hass` package"
)

# Normally about 10 s (one hass start, a burst, one reload).
IN_LOOP_TIMEOUT = 150
pytestmark = pytest.mark.timeout(210)

COUNT = 300
DUPLICATE_SHARE = 0.1
CONCURRENCY = 10
SEED = 20261201
BACKOFF = 0.01
MAX_BACKOFF = 0.2
MAX_ATTEMPTS = 100  # the simulator's limit
REQUEST_TIMEOUT = 10.0
LOAD_DEADLINE = 90.0
RELOAD_AFTER_SHARE = 1 / 3
SETTLE = 1.0  # after the burst, for events still on their way to the websocket
HTTP_SERVICE_UNAVAILABLE = 503
ANSWER_UNREGISTERED = ""  # HA's own 200 for a webhook id it does not know


@pytest.fixture
def hass_process(
    tmp_path: Path,
    socket_enabled: None,  # the HA test plugin blocks sockets; loopback is fine here
) -> HassProcess:
    """A running hass on a fresh config dir, stopped in any case."""
    hass = HassProcess(tmp_path, free_loopback_port())
    write_config_dir(hass.config_dir, hass.port)
    hass.start()
    try:
        yield hass  # type: ignore[misc]
    finally:
        hass.stop()


async def test_a_reload_in_the_middle_of_a_burst_loses_and_doubles_nothing(
    hass_process: HassProcess,
) -> None:
    notifications, schedule = plan_load(
        COUNT, duplicate_share=DUPLICATE_SHARE, seed=SEED
    )
    attempts: list[Attempt] = []
    reload_due = asyncio.Event()
    reload_after = int(len(schedule) * RELOAD_AFTER_SHARE)

    def record(attempt: Attempt, _delay: float | None) -> None:
        attempts.append(attempt)
        if sum(a.status is not None for a in attempts) >= reload_after:
            reload_due.set()

    with diagnostics_on_failure(hass_process):
        async with (
            asyncio.timeout(IN_LOOP_TIMEOUT),
            aiohttp.ClientSession() as session,
            make_session(concurrency=CONCURRENCY) as esendex,
        ):
            client = HassClient(session, hass_process)
            await hass_process.async_wait_until_serving(session)
            await client.async_onboard()
            await client.async_wait_until_running()
            entry_id, webhook_url = await add_integration(client)
            listener = Listener(client)
            await listener.async_subscribe()
            try:
                deadline_at = time.monotonic() + LOAD_DEADLINE
                queue = iter(schedule)

                async def worker() -> list[Delivery]:
                    return [
                        await post_with_retry(
                            esendex,
                            webhook_url,
                            note.body,
                            max_attempts=MAX_ATTEMPTS,
                            backoff=BACKOFF,
                            max_backoff=MAX_BACKOFF,
                            request_timeout=REQUEST_TIMEOUT,
                            deadline_at=deadline_at,
                            on_attempt=record,
                            notification=note,
                            duplicate=repeat,
                        )
                        for note, repeat in queue
                    ]

                workers = [asyncio.create_task(worker()) for _ in range(CONCURRENCY)]
                due = asyncio.create_task(reload_due.wait())
                done, _ = await asyncio.wait(
                    [due, *workers], return_when=asyncio.FIRST_COMPLETED
                )
                for task in done - {due}:
                    task.result()  # a worker's error, if any
                assert due.done(), "the burst ended before the reload was due"
                answered_before_reload = len(attempts)
                reloads: list[object] = []
                # Reloaded again and again until the burst ends: each reload is a
                # few milliseconds in which a push could meet no handler at all.
                while not all(worker.done() for worker in workers):
                    reloads.append(
                        await client.async_post(
                            f"/api/config/config_entries/entry/{entry_id}/reload", {}
                        )
                    )
                answered_after_reload = len(attempts)
                deliveries = [d for w in await asyncio.gather(*workers) for d in w]
                await asyncio.sleep(SETTLE)
            finally:
                await listener.async_close()

    assert reloads
    assert all(reloaded == {"require_restart": False} for reloaded in reloads)
    # The reloads happened while the burst was going on.
    assert 0 < answered_before_reload < answered_after_reload
    statuses = Counter(attempt.status for attempt in attempts)
    sys.stdout.write(
        f"\nreload under load: {len(reloads)} reloads, {len(attempts)} requests,"
        f" {statuses}\n"
    )
    assert all(delivery.acknowledged for delivery in deliveries), statuses
    # Every 200 came from the integration (its answers have a body), none from
    # Home Assistant's view for an unknown webhook id.
    anonymous = [
        a for a in attempts if a.status == HTTP_OK and a.response == ANSWER_UNREGISTERED
    ]
    assert not anonymous, f"{len(anonymous)} anonymous 200s; {statuses}"
    # The window was hit: some requests were answered 503 and retried.
    assert statuses[HTTP_SERVICE_UNAVAILABLE] > 0, statuses
    planned = Counter(note.notification_id for note in notifications)
    assert listener.ids == planned, (
        f"lost: {len(set(planned) - set(listener.ids))}, doubled: "
        f"{sum(1 for n in listener.ids.values() if n > 1)}; answers {statuses}"
    )
