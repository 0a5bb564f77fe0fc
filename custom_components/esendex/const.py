"""Constants for the Esendex SMS integration."""

from typing import Final

DOMAIN: Final = "esendex"
