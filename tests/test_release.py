"""The version numbers that must move together do."""

import json
from pathlib import Path
import re
import tomllib

from homeassistant.const import __version__ as HA_VERSION  # noqa: N812
from packaging.requirements import Requirement
from packaging.version import Version

REPO = Path(__file__).resolve().parent.parent


def _manifest() -> dict[str, object]:
    return json.loads((REPO / "custom_components/esendex/manifest.json").read_text())


def _pin(package: str) -> str:
    text = (REPO / "requirements.txt").read_text()
    match = re.search(rf"^{re.escape(package)}==(\S+)$", text, re.MULTILINE)
    assert match, f"{package} is not pinned in requirements.txt"
    return match.group(1)


def test_manifest_and_pyproject_versions_agree() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert _manifest()["version"] == pyproject["project"]["version"]


def test_changelog_describes_the_current_version() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text()
    first = re.search(r"^## (\S+)", changelog, re.MULTILINE)
    assert first is not None
    assert first.group(1) == _manifest()["version"]


def test_hacs_minimum_is_the_tested_home_assistant() -> None:
    hacs = json.loads((REPO / "hacs.json").read_text())
    assert hacs["homeassistant"] == _pin("homeassistant") == HA_VERSION


def test_manifest_requirements_admit_the_pinned_versions() -> None:
    # The manifest gives a range, so that Home Assistant can install a later
    # compatible release alongside other integrations; the tests run the pin.
    requirements = [
        Requirement(text)
        for text in _manifest()["requirements"]  # type: ignore[attr-defined]
    ]
    assert requirements
    for requirement in requirements:
        pinned = Version(_pin(requirement.name))
        assert pinned in requirement.specifier, (requirement, pinned)
        next_micro = Version(f"{pinned.major}.{pinned.minor}.{pinned.micro + 1}")
        assert next_micro in requirement.specifier, (requirement, next_micro)


def test_readme_badge_names_the_minimum_home_assistant() -> None:
    hacs = json.loads((REPO / "hacs.json").read_text())
    readme = (REPO / "README.md").read_text()
    assert f"Home%20Assistant-{hacs['homeassistant']}%2B" in readme
    assert (REPO / "LICENSE").read_text().startswith("MIT License")
