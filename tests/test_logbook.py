"""Logbook lines for the integration's events."""

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.core import Event, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.esendex.const import (
    DOMAIN,
    EVENT_INBOUND_MESSAGE,
    EVENT_MESSAGE_DELIVERED,
    EVENT_MESSAGE_FAILED,
    EVENT_OPTED_OUT,
)
from custom_components.esendex.logbook import async_describe_events, format_number

from .conftest import PostNotification, fixture_bytes

type Describer = Callable[[Event[Mapping[str, Any]]], dict[str, str]]


@pytest.fixture
def describers(hass: HomeAssistant) -> dict[str, Describer]:
    found: dict[str, Describer] = {}

    def describe(domain: str, event_type: str, describer: Describer) -> None:
        assert domain == DOMAIN
        found[event_type] = describer

    async_describe_events(hass, describe)
    return found


def line(describers: dict[str, Describer], event_type: str, **data: Any) -> str:
    entry = describers[event_type](Event(event_type, data))
    assert entry["name"] == "Esendex SMS"
    assert entry["icon"].startswith("mdi:message-")
    return entry["message"]


def test_inbound_line_names_the_sender_and_text(
    describers: dict[str, Describer],
) -> None:
    message = line(
        describers,
        EVENT_INBOUND_MESSAGE,
        **{"from": "447700900123", "text": "Gate code please"},
    )

    assert message == "SMS from +447700900123: Gate code please"


def test_inbound_line_shortens_long_texts(describers: dict[str, Describer]) -> None:
    message = line(
        describers, EVENT_INBOUND_MESSAGE, **{"from": "Alarm", "text": "y" * 500}
    )

    assert message == "SMS from Alarm: " + "y" * 99 + "…"


def test_delivered_line(describers: dict[str, Describer]) -> None:
    assert (
        line(describers, EVENT_MESSAGE_DELIVERED, message_id="m-1")
        == "Message m-1 delivered"
    )


def test_failed_lines_with_and_without_detail(
    describers: dict[str, Describer],
) -> None:
    assert line(describers, EVENT_MESSAGE_FAILED, message_id="m-2") == (
        "Message m-2 failed"
    )
    assert line(
        describers, EVENT_MESSAGE_FAILED, message_id="m-3", failure_detail="Expired"
    ) == ("Message m-3 failed: Expired")


def test_opted_out_line_names_the_number(describers: dict[str, Describer]) -> None:
    entry = describers[EVENT_OPTED_OUT](
        Event(EVENT_OPTED_OUT, {"from": "447700900123", "contact": None})
    )

    assert entry == {
        "name": "Esendex SMS",
        "message": "+447700900123 opted out of messages",
        "icon": "mdi:message-lock",
    }


def test_opted_out_line_names_the_contact(describers: dict[str, Describer]) -> None:
    message = line(
        describers, EVENT_OPTED_OUT, **{"from": "447700900123", "contact": "Alice"}
    )

    assert message == "Alice opted out of messages"


@pytest.mark.usefixtures("loaded_entry")
async def test_a_pushed_opt_out_gets_its_line(
    hass: HomeAssistant,
    describers: dict[str, Describer],
    post_notification: PostNotification,
) -> None:
    """The line is written from the event the receiver really fires."""
    events = async_capture_events(hass, EVENT_OPTED_OUT)

    await post_notification(fixture_bytes("opt_out.xml"))

    [event] = events
    assert describers[EVENT_OPTED_OUT](event)["message"] == (
        "+447700900123 opted out of messages"
    )


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("447700900123", "+447700900123"),
        ("+447700900123", "+447700900123"),
        ("Alarm", "Alarm"),
    ],
)
def test_numbers_are_shown_as_people_write_them(number: str, shown: str) -> None:
    assert format_number(number) == shown
