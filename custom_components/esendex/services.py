"""The `esendex.send_sms` action, and the sending shared with the notify entity."""

from collections.abc import Callable, Sequence
from functools import partial

from homeassistant.core import (
    Context,
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, service
from homeassistant.util import dt as dt_util
import probatio

from .api import (
    MAX_VALIDITY_HOURS,
    EsendexAuthError,
    EsendexConnectionError,
    EsendexCreditsError,
    EsendexRequestError,
    EsendexResponseError,
    EsendexServerError,
    InvalidAddressError,
    OutboundMessage,
    SentMessage,
    validate_originator,
)
from .const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_MESSAGE,
    ATTR_MESSAGE_ID,
    ATTR_MESSAGES,
    ATTR_ORIGINATOR,
    ATTR_TO,
    ATTR_VALIDITY,
    DOMAIN,
    SERVICE_SEND_SMS,
)
from .contacts import resolve_recipient
from .models import EsendexConfigEntry
from .receipts import SentRecord
from .receiver import opted_out_key

SEND_SMS_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Required(ATTR_TO): probatio.All(
            cv.ensure_list, [cv.string], probatio.Length(min=1)
        ),
        probatio.Required(ATTR_MESSAGE): probatio.All(
            cv.string, probatio.Length(min=1)
        ),
        probatio.Optional(ATTR_ORIGINATOR): cv.string,
        probatio.Optional(ATTR_VALIDITY): probatio.All(
            probatio.Coerce(int), probatio.Range(min=1, max=MAX_VALIDITY_HOURS)
        ),
    }
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions (once, whatever the entries)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_SEND_SMS,
        _async_handle_send_sms,
        schema=SEND_SMS_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )


async def _async_handle_send_sms(call: ServiceCall) -> ServiceResponse:
    entry = _sending_entry(call.hass, call.data[ATTR_CONFIG_ENTRY_ID])
    sent = await async_send_sms(
        entry,
        call.data[ATTR_TO],
        call.data[ATTR_MESSAGE],
        # Blank means the account's default sender, as the field says.
        originator=call.data.get(ATTR_ORIGINATOR) or None,
        validity_hours=call.data.get(ATTR_VALIDITY),
        context=call.context,
    )
    return {
        ATTR_MESSAGES: [
            {ATTR_TO: message.to, ATTR_MESSAGE_ID: message.message_id}
            for message in sent
        ]
    }


def _sending_entry(hass: HomeAssistant, entry_id: str) -> EsendexConfigEntry:
    # HA's helper answers an unknown, foreign or unloaded entry with its own
    # translated errors.
    entry: EsendexConfigEntry = service.async_get_config_entry(hass, DOMAIN, entry_id)
    if entry.runtime_data.coordinator is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_credentials",
            translation_placeholders={"title": entry.title},
        )
    return entry


async def async_send_sms(
    entry: EsendexConfigEntry,
    recipients: Sequence[str],
    text: str,
    *,
    originator: str | None = None,
    validity_hours: int | None = None,
    context: Context | None = None,
    assist: bool = False,
) -> list[SentMessage]:
    """Send one SMS to each recipient and remember them; return once Esendex accepts.

    `assist` marks an answer of Assist's, in the receipts ledger and the history.

    The credits are read again afterwards, in the background: a slow account read
    must not hold up the caller, and the coordinator's debouncer folds the reads
    of concurrent sends into one.
    """
    coordinator = entry.runtime_data.coordinator
    if coordinator is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_credentials",
            translation_placeholders={"title": entry.title},
        )
    # A contact's name stands for its number.
    numbers = [_valid(partial(resolve_recipient, entry), to) for to in recipients]
    opted_out = entry.runtime_data.receiver.opted_out
    # Refused before anything is sent: Esendex would charge and not deliver.
    # Compared as Esendex writes numbers (447700900123, for +44 7700 900123).
    if refused := next(
        (key for key in map(opted_out_key, numbers) if key in opted_out), None
    ):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="recipient_opted_out",
            translation_placeholders={"number": f"+{refused}"},
        )
    if originator is not None:
        originator = _valid(validate_originator, originator)
    try:
        sent = await coordinator.client.async_send(
            coordinator.account_reference,
            [OutboundMessage(to=number, body=text) for number in numbers],
            originator=originator,
            validity_hours=validity_hours,
        )
    except EsendexCreditsError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="no_credits"
        ) from err
    except EsendexAuthError as err:
        entry.async_start_reauth(coordinator.hass)
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="auth_failed"
        ) from err
    except (EsendexServerError, EsendexConnectionError) as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="service_unavailable"
        ) from err
    except EsendexRequestError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="request_refused",
            translation_placeholders={"error": str(err)},
        ) from err
    except EsendexResponseError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="unexpected_response"
        ) from err
    sent_at = dt_util.utcnow().isoformat()
    receiver = entry.runtime_data.receiver
    for message in sent:
        receiver.async_record_sent(
            message.message_id,
            SentRecord(
                recipient=message.to,
                text=text,
                sent_at=sent_at,
                context_id=context.id if context else None,
                user_id=context.user_id if context else None,
                assist=assist,
            ),
        )
        entry.runtime_data.history.async_record_sent(
            message.message_id, message.to, text, assist=assist
        )
    entry.async_create_background_task(
        coordinator.hass,
        coordinator.async_request_refresh(),
        f"{DOMAIN} credits refresh after sending",
    )
    return sent


def _valid(check: Callable[[str], str], value: str) -> str:
    """Return the checked value; refuse it with a message of its own per problem."""
    try:
        return check(value)
    except InvalidAddressError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=f"invalid_{err.kind}",
            translation_placeholders={"value": err.value.strip()},
        ) from err
