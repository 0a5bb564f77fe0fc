"""The Esendex account over the REST API: the credits left, read every so often."""

from datetime import timedelta
import logging

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import (
    Account,
    EsendexAuthError,
    EsendexClient,
    EsendexConnectionError,
    EsendexError,
    EsendexServerError,
)
from .const import CREDITS_REFRESH_MINUTES, DOMAIN
from .models import EsendexConfigEntry

_LOGGER = logging.getLogger(__name__)


class EsendexAccountCoordinator(DataUpdateCoordinator[Account]):
    """Reads the account (credits left) every 30 minutes and after each send."""

    config_entry: EsendexConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EsendexConfigEntry,
        client: EsendexClient,
        account_reference: str,
    ) -> None:
        """Prepare the coordinator of one account."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {account_reference}",
            update_interval=timedelta(minutes=CREDITS_REFRESH_MINUTES),
        )
        self.client = client
        self.account_reference = account_reference

    async def _async_update_data(self) -> Account:
        try:
            return await self.client.async_get_account(self.account_reference)
        except EsendexAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except (EsendexConnectionError, EsendexServerError) as err:
            _LOGGER.debug("Cannot read the %s account: %s", self.account_reference, err)
            raise UpdateFailed(
                translation_domain=DOMAIN, translation_key="account_unavailable"
            ) from err
        except EsendexError as err:
            _LOGGER.debug("Cannot read the %s account: %s", self.account_reference, err)
            raise UpdateFailed(
                translation_domain=DOMAIN, translation_key="account_unexpected_response"
            ) from err
