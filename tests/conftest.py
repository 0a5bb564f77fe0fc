"""Shared fixtures for the Esendex SMS tests."""

import pytest

# pytest-homeassistant-custom-component ships a `custom_components` package of its own
# for its fixtures; importing ours first keeps it from being shadowed.
import custom_components.esendex  # noqa: F401


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    enable_custom_integrations: None,
) -> None:
    """Let Home Assistant load the integration from custom_components/."""
