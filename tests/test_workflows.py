"""The GitHub workflows in .github/workflows/: what they run, when, and pinned how.

They cannot run here, so these tests read them as GitHub does (YAML) and check them
against the documentation of the actions they use: hassfest and the HACS action
validate the integration on every push and pull request and once a day, and the
tests workflow runs the README's test command on Python 3.14. A typo in a workflow
fails here instead of on GitHub, where a workflow that never triggers looks green.
"""

import json
from pathlib import Path
import re
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO / ".github" / "workflows"
EXPECTED_WORKFLOWS = ("hassfest.yml", "hacs.yml", "tests.yml")

# Every action the workflows use, at the tag or branch its documentation gives.
DOCUMENTED_REFS = {
    "actions/checkout": "v4",
    "actions/setup-python": "v5",
    "home-assistant/actions/hassfest": "master",
    "hacs/action": "main",
}
# `owner/repo[/path]@ref`: GitHub needs the ref; a tag or a branch name here.
USES = re.compile(r"(?P<action>[\w.-]+/[\w.-]+(?:/[\w.-]+)*)@(?P<ref>\w[\w./-]*)")
# hacs/action's documented inputs; it accepts these and nothing else.
HACS_ACTION_INPUTS = frozenset({"category", "ignore"})
# The keys HACS documents for hacs.json, and the manifest keys it requires.
HACS_JSON_KEYS = frozenset(
    {
        "name",
        "content_in_root",
        "zip_release",
        "filename",
        "hide_default_branch",
        "country",
        "homeassistant",
        "hacs",
        "persistent_directory",
        "render_readme",
    }
)
HACS_MANIFEST_KEYS = frozenset(
    {"domain", "documentation", "issue_tracker", "codeowners", "name", "version"}
)
# minute hour day-of-month month day-of-week
CRON = re.compile(r"[\d*/,-]+( [\d*/,-]+){4}")


def _load(name: str) -> dict[Any, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(document, dict), f"{name} is not a YAML mapping"
    return document


def _triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    """Return the `on:` events as a mapping, whichever of its three forms is used."""
    # YAML 1.1 reads an unquoted `on` key as the boolean True.
    on = workflow[True] if True in workflow else workflow["on"]
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    assert isinstance(on, dict), on
    return on


def _steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _uses(workflow: dict[Any, Any]) -> list[str]:
    return [step["uses"] for step in _steps(workflow) if "uses" in step]


def _step_using(workflow: dict[Any, Any], action: str) -> tuple[int, dict[str, Any]]:
    """Return the index and the step that uses `action` (exactly one must)."""
    found = [
        (index, step)
        for index, step in enumerate(_steps(workflow))
        if str(step.get("uses", "")).split("@")[0] == action
    ]
    assert len(found) == 1, f"{action} is used {len(found)} times"
    return found[0]


def _all_workflows() -> list[str]:
    return sorted(
        path.name for pattern in ("*.yml", "*.yaml") for path in WORKFLOWS.glob(pattern)
    )


def test_the_three_workflows_exist() -> None:
    assert set(EXPECTED_WORKFLOWS) <= set(_all_workflows())


@pytest.mark.parametrize("name", _all_workflows())
def test_workflow_is_well_formed(name: str) -> None:
    workflow = _load(name)
    assert isinstance(workflow.get("name"), str)
    assert _triggers(workflow), f"{name} never runs"
    assert workflow["jobs"], f"{name} has no jobs"
    for job_id, job in workflow["jobs"].items():
        assert job.get("runs-on"), f"{name}: job {job_id} has no runs-on"
        assert job.get("steps"), f"{name}: job {job_id} has no steps"
        for step in job["steps"]:
            # A step either uses an action or runs a command, never both.
            assert ("uses" in step) != ("run" in step), step


@pytest.mark.parametrize("name", _all_workflows())
def test_every_action_is_pinned_to_its_documented_tag_or_branch(name: str) -> None:
    uses = _uses(_load(name))
    assert uses
    for reference in uses:
        match = USES.fullmatch(reference)
        assert match, f"{name}: {reference!r} is not pinned to a tag or branch"
        action, ref = match["action"], match["ref"]
        assert action in DOCUMENTED_REFS, f"{name}: unexpected action {action}"
        assert ref == DOCUMENTED_REFS[action], f"{name}: {reference}"


@pytest.mark.parametrize("name", ["hassfest.yml", "hacs.yml"])
def test_validation_runs_on_push_pull_request_and_daily(name: str) -> None:
    triggers = _triggers(_load(name))
    assert {"push", "pull_request", "schedule"} <= set(triggers)
    # On every branch: no filter narrows push or pull_request.
    assert triggers["push"] is None
    assert triggers["pull_request"] is None
    schedule = triggers["schedule"]
    assert isinstance(schedule, list)
    assert schedule
    for entry in schedule:
        assert set(entry) == {"cron"}
        assert CRON.fullmatch(entry["cron"]), entry


def test_hassfest_validates_the_checked_out_repository() -> None:
    workflow = _load("hassfest.yml")
    # hassfest validates the workspace, so the checkout comes first.
    assert _uses(workflow) == [
        "actions/checkout@v4",
        "home-assistant/actions/hassfest@master",
    ]
    _, hassfest = _step_using(workflow, "home-assistant/actions/hassfest")
    assert "with" not in hassfest, "hassfest takes no inputs"


def test_hacs_action_validates_an_integration_with_every_check() -> None:
    _, step = _step_using(_load("hacs.yml"), "hacs/action")
    inputs = step.get("with") or {}
    assert set(inputs) <= HACS_ACTION_INPUTS
    assert inputs.get("category") == "integration"
    # The brand check passes: HACS accepts brand images inside the integration.
    assert "ignore" not in inputs
    assert (REPO / "custom_components/esendex/brand/icon.png").is_file()


def test_hacs_json_and_manifest_have_what_the_hacs_action_checks() -> None:
    hacs = json.loads((REPO / "hacs.json").read_text(encoding="utf-8"))
    assert set(hacs) <= HACS_JSON_KEYS
    assert isinstance(hacs["name"], str)
    assert hacs["name"]
    assert not hacs.get("content_in_root", False)
    # A zipped release needs the asset's name: the one scripts/release builds.
    if hacs.get("zip_release"):
        assert hacs["filename"].endswith(".zip")
        assert f"dist/{hacs['filename']}" in (REPO / "scripts/release").read_text()
    if hacs.get("render_readme"):
        assert (REPO / "README.md").is_file()
    # One integration per repository, its manifest with the keys HACS requires.
    integrations = [
        path
        for path in (REPO / "custom_components").iterdir()
        if path.is_dir() and path.name != "__pycache__"
    ]
    assert [path.name for path in integrations] == ["esendex"]
    manifest = json.loads((integrations[0] / "manifest.json").read_text())
    assert set(manifest) >= HACS_MANIFEST_KEYS
    assert manifest["domain"] == integrations[0].name


def test_tests_workflow_runs_the_readme_test_command_on_python_3_14() -> None:
    workflow = _load("tests.yml")
    assert {"push", "pull_request"} <= set(_triggers(workflow))
    (job,) = workflow["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"
    checkout, _ = _step_using(workflow, "actions/checkout")
    setup, python = _step_using(workflow, "actions/setup-python")
    # A string: unquoted, YAML would read 3.14 as a number, and 3.1 from 3.10.
    assert python["with"]["python-version"] == "3.14"
    runs = [
        (index, step) for index, step in enumerate(_steps(workflow)) if "run" in step
    ]
    assert [step["run"].strip() for _, step in runs] == ["scripts/test"]
    run_index, run = runs[0]
    assert checkout < setup < run_index
    # scripts/lib/env.sh takes the interpreter setup-python installed, which is
    # new enough for it: it builds no Debian root then.
    assert run["env"]["ESENDEX_PYTHON"] == (
        f"${{{{ steps.{python['id']}.outputs.python-path }}}}"
    )
    env_sh = (REPO / "scripts/lib/env.sh").read_text()
    minimum = re.search(r'^MIN_PYTHON="(\d+)\.(\d+)\.\d+"$', env_sh, re.MULTILINE)
    assert minimum, "MIN_PYTHON not found in scripts/lib/env.sh"
    assert python["with"]["python-version"] == f"{minimum[1]}.{minimum[2]}"
    # The command the README (or the development guide it links) gives for
    # every check.
    guides = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    assert any(
        re.search(r"^scripts/test +# every check", path.read_text(), re.MULTILINE)
        for path in guides
    )
