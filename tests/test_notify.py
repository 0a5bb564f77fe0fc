"""The notify entity: only with credentials, texting the default recipient."""

from http import HTTPStatus

from homeassistant.components.notify import (
    ATTR_MESSAGE,
    ATTR_TITLE,
    DOMAIN as NOTIFY_DOMAIN,
    SERVICE_SEND_MESSAGE,
    NotifyEntityFeature,
)
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_FRIENDLY_NAME,
    ATTR_SUPPORTED_FEATURES,
    STATE_UNKNOWN,
)
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)

from custom_components.esendex.const import (
    CONF_DEFAULT_RECIPIENT,
    DOMAIN,
    EVENT_MESSAGE_DELIVERED,
)

from .api_support import (
    ACCOUNT_REFERENCE,
    ACCOUNTS,
    DISPATCH,
    FakeEsendex,
    add_api_entry,
    async_settle,
    receipt_push,
)
from .conftest import PostNotification
from .test_services import returns_while_held

# The device's main feature: named after the device alone.
NOTIFY_ENTITY = "notify.esendex_sms"
CREDITS_SENSOR = "sensor.esendex_sms_credits_remaining"


@pytest.fixture
def esendex(aioclient_mock: AiohttpClientMocker) -> FakeEsendex:
    """Esendex's REST API, as the entry's client reaches it."""
    return FakeEsendex(aioclient_mock)


async def setup_api_entry(
    hass: HomeAssistant, default_recipient: str | None
) -> MockConfigEntry:
    options = (
        {} if default_recipient is None else {CONF_DEFAULT_RECIPIENT: default_recipient}
    )
    entry = add_api_entry(hass, options=options)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await async_settle(hass)
    return entry


async def notify(
    hass: HomeAssistant, message: str, title: str | None = None, **kwargs: object
) -> None:
    data = {ATTR_ENTITY_ID: NOTIFY_ENTITY, ATTR_MESSAGE: message}
    if title is not None:
        data[ATTR_TITLE] = title
    await hass.services.async_call(
        NOTIFY_DOMAIN, SERVICE_SEND_MESSAGE, data, blocking=True, **kwargs
    )


async def test_no_notify_entity_without_credentials(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    entities = er.async_entries_for_config_entry(entity_registry, loaded_entry.entry_id)

    assert entities  # the receiving entities are there
    assert [e.entity_id for e in entities if e.domain == NOTIFY_DOMAIN] == []
    assert hass.states.async_entity_ids(NOTIFY_DOMAIN) == []


@pytest.mark.usefixtures("esendex")
async def test_notify_entity_with_credentials(
    hass: HomeAssistant, entity_registry: er.EntityRegistry
) -> None:
    entry = await setup_api_entry(hass, "+447700900123")

    entity = entity_registry.async_get(NOTIFY_ENTITY)
    assert entity is not None
    assert entity.config_entry_id == entry.entry_id
    assert entity.unique_id == f"{entry.entry_id}_sms"
    assert entity.original_name is None
    state = hass.states.get(NOTIFY_ENTITY)
    assert state.state == STATE_UNKNOWN
    assert state.attributes[ATTR_FRIENDLY_NAME] == "Esendex SMS"
    # The title is taken (it becomes the first line), not dropped.
    assert state.attributes[ATTR_SUPPORTED_FEATURES] == NotifyEntityFeature.TITLE
    assert entity.supported_features & NotifyEntityFeature.TITLE


async def test_send_message_texts_the_default_recipient(
    hass: HomeAssistant, esendex: FakeEsendex
) -> None:
    await setup_api_entry(hass, "+44 (0)7700 900123")

    await notify(hass, "The washing machine has finished.")

    [dispatch] = esendex.dispatches
    assert dispatch.account_reference == ACCOUNT_REFERENCE
    assert dispatch.messages == [
        {"to": "+447700900123", "body": "The washing machine has finished."}
    ]
    # The entity's state is the time of its last message.
    assert hass.states.get(NOTIFY_ENTITY).state != STATE_UNKNOWN


async def test_title_goes_first_on_its_own_line(
    hass: HomeAssistant, esendex: FakeEsendex
) -> None:
    await setup_api_entry(hass, "447700900123")

    await notify(hass, "Water detected under the sink.", title="Leak!")

    assert esendex.dispatches[0].messages == [
        {"to": "447700900123", "body": "Leak!\nWater detected under the sink."}
    ]


async def test_empty_title_adds_no_line(
    hass: HomeAssistant, esendex: FakeEsendex
) -> None:
    await setup_api_entry(hass, "447700900123")

    await notify(hass, "Water detected under the sink.", title="")

    assert esendex.dispatches[0].messages == [
        {"to": "447700900123", "body": "Water detected under the sink."}
    ]


async def test_send_message_returns_while_the_credits_read_is_slow(
    hass: HomeAssistant, esendex: FakeEsendex
) -> None:
    await setup_api_entry(hass, "447700900123")
    account_read = esendex.hold(ACCOUNTS)

    await returns_while_held(account_read, notify(hass, "Leak!", title="Kitchen"))

    assert esendex.dispatches[0].messages == [
        {"to": "447700900123", "body": "Kitchen\nLeak!"}
    ]
    assert hass.states.get(CREDITS_SENSOR).state == "19"
    account_read.release()
    await async_settle(hass)
    assert hass.states.get(CREDITS_SENSOR).state == "18"


async def test_without_default_recipient(
    hass: HomeAssistant, esendex: FakeEsendex
) -> None:
    await setup_api_entry(hass, None)

    with pytest.raises(ServiceValidationError) as raised:
        await notify(hass, "Hello")

    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "no_default_recipient"
    assert raised.value.translation_placeholders == {"title": "Esendex SMS"}
    assert esendex.dispatches == []


async def test_empty_default_recipient_counts_as_none(
    hass: HomeAssistant, esendex: FakeEsendex
) -> None:
    await setup_api_entry(hass, "")

    with pytest.raises(ServiceValidationError) as raised:
        await notify(hass, "Hello")

    assert raised.value.translation_key == "no_default_recipient"
    assert esendex.dispatches == []


async def test_send_errors_reach_the_caller(
    hass: HomeAssistant, esendex: FakeEsendex
) -> None:
    await setup_api_entry(hass, "447700900123")
    esendex.fail(DISPATCH, HTTPStatus.PAYMENT_REQUIRED, "Insufficient credits")

    with pytest.raises(HomeAssistantError) as raised:
        await notify(hass, "Hello")

    assert raised.value.translation_key == "no_credits"


async def test_receipt_of_a_notify_message_is_matched(
    hass: HomeAssistant, esendex: FakeEsendex, post_notification: PostNotification
) -> None:
    await setup_api_entry(hass, "447700900123")
    events = async_capture_events(hass, EVENT_MESSAGE_DELIVERED)
    context = Context()
    await notify(hass, "Hello", title="Door", context=context)

    await post_notification(receipt_push("1183C73D-2E62-4F60-B610-000000000001"))

    [event] = events
    assert event.data["recipient"] == "447700900123"
    assert event.data["text"] == "Door\nHello"
    assert event.context.parent_id == context.id
