"""The translation files: complete, consistent with en.json, and with the code.

Every language must have exactly en.json's keys, the same `{placeholders}` and the same
markdown code spans in each string. Every translation key, form error, abort reason,
step and menu option the code uses must exist in en.json, and the placeholders the
code passes must cover the ones the English text uses; the other way round, every
key of en.json must be used by the code. The code is read with `ast`: nothing is
imported or run.

A key the code builds with an f-string, such as `f"invalid_{err.kind}"`, is written
here as a template, `invalid_{}`, whose `{}` stands for any value of a StrEnum of
the integration: its uses are the keys of en.json that it matches.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
import json
from pathlib import Path
import re
from typing import Any

import pytest
import yaml

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "esendex"
TRANSLATIONS = INTEGRATION / "translations"
REQUIRED_LANGUAGES = {"de", "en", "es", "fr", "it", "nl"}
LANGUAGES = sorted(path.stem for path in TRANSLATIONS.glob("*.json"))
OTHER_LANGUAGES = [language for language in LANGUAGES if language != "en"]

PLACEHOLDER = re.compile(r"\{(\w+)\}")
CODE_SPAN = re.compile(r"`[^`]*`")

type KeyPath = tuple[str, ...]


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError(f"duplicate keys: {duplicates}")
    return dict(pairs)


def _load(language: str) -> dict[str, Any]:
    text = (TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8")
    data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    assert isinstance(data, dict)
    return data


def _flatten(node: dict[str, Any], path: KeyPath = ()) -> Iterator[tuple[KeyPath, Any]]:
    for key, value in node.items():
        if isinstance(value, dict) and value:
            yield from _flatten(value, (*path, key))
        else:
            yield (*path, key), value


def _strings(language: str) -> dict[KeyPath, Any]:
    return dict(_flatten(_load(language)))


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _show(path: KeyPath) -> str:
    return ".".join(path)


EN = _strings("en")


# --- The language files ---------------------------------------------------------------


def test_the_required_languages_exist() -> None:
    missing = REQUIRED_LANGUAGES - set(LANGUAGES)
    assert not missing, f"no translations/<language>.json for {sorted(missing)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_is_valid_json_of_non_empty_strings(language: str) -> None:
    strings = _strings(language)

    assert strings
    not_text = [_show(p) for p, v in strings.items() if not isinstance(v, str)]
    assert not not_text, f"{language}.json: values that are not text: {not_text}"
    empty = [_show(p) for p, v in strings.items() if not v.strip()]
    assert not empty, f"{language}.json: empty values: {empty}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_braces_are_only_placeholders(language: str) -> None:
    stray = [
        _show(path)
        for path, text in _strings(language).items()
        if "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text)
    ]
    assert not stray, f"{language}.json: a brace outside a {{placeholder}}: {stray}"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_has_exactly_the_english_keys(language: str) -> None:
    strings = _strings(language)

    missing = sorted(_show(path) for path in EN.keys() - strings.keys())
    extra = sorted(_show(path) for path in strings.keys() - EN.keys())
    assert not missing, f"{language}.json lacks keys that en.json has: {missing}"
    assert not extra, f"{language}.json has keys that en.json lacks: {extra}"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_keeps_the_english_placeholders(language: str) -> None:
    strings = _strings(language)

    differ = {
        _show(path): (sorted(_placeholders(text)), sorted(_placeholders(EN[path])))
        for path, text in strings.items()
        if path in EN and _placeholders(text) != _placeholders(EN[path])
    }
    assert not differ, f"{language}.json: placeholders (got, en.json): {differ}"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_keeps_the_english_markdown(language: str) -> None:
    """Code spans are copied verbatim, and paragraphs stay paragraphs."""
    strings = _strings(language)

    differ = [
        _show(path)
        for path, text in strings.items()
        if path in EN
        and (
            sorted(CODE_SPAN.findall(text)) != sorted(CODE_SPAN.findall(EN[path]))
            or text.count("\n\n") != EN[path].count("\n\n")
        )
    ]
    assert not differ, f"{language}.json: code spans or paragraphs differ: {differ}"


# --- What the code uses ---------------------------------------------------------------


@dataclass(frozen=True)
class Use:
    """A translation the code refers to."""

    where: str
    path: KeyPath
    # The placeholders the code passes; None when they cannot be read statically.
    passed: frozenset[str] | None = None
    # Whether the English text's placeholders must equal the passed ones; otherwise
    # they must be among them (flows share placeholder dicts between steps).
    exact: bool = False


def _modules() -> dict[Path, ast.Module]:
    return {
        path: ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for path in sorted(INTEGRATION.rglob("*.py"))
    }


MODULES = _modules()


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(INTEGRATION.parent.parent)}:{getattr(node, 'lineno', 0)}"


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def _text(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


HOLE = "{}"


def _templates(node: ast.expr | None) -> list[str | None]:
    """Return the keys an expression can be: literals and f-string templates.

    None stands for a literal None (such as "no description", meaning "default");
    an expression that is neither gives no keys at all.
    """
    if isinstance(node, ast.Constant) and (node.value is None or _text(node)):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [
            "".join(
                part.value if isinstance(part, ast.Constant) else HOLE
                for part in node.values
            )
        ]
    if isinstance(node, ast.IfExp):
        return [*_templates(node.body), *_templates(node.orelse)]
    return []


def _enum_values() -> list[str]:
    """Return the values of every StrEnum member the integration defines."""
    return sorted(
        {
            value
            for tree in MODULES.values()
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)
            and any(ast.unparse(base).endswith("StrEnum") for base in node.bases)
            for statement in node.body
            if isinstance(statement, ast.Assign)
            and (value := _text(statement.value)) is not None
        }
    )


def _pattern(part: str) -> re.Pattern[str]:
    """Return the regex for one part of a key path; a template's hole is a value."""
    alternatives = "|".join(re.escape(value) for value in ENUM_VALUES)
    return re.compile(
        f"(?:{alternatives})".join(re.escape(piece) for piece in part.split(HOLE))
    )


def _func_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {
        child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)
    }


def _enclosing(
    node: ast.AST, parents: dict[ast.AST, ast.AST], kind: type | tuple[type, ...]
) -> Any:
    while node in parents:
        node = parents[node]
        if isinstance(node, kind):
            return node
    return None


FUNCTION = (ast.FunctionDef, ast.AsyncFunctionDef)
type FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def _module_dicts(tree: ast.Module) -> dict[str, ast.Dict]:
    found: dict[str, ast.Dict] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            found.update(
                (t.id, node.value) for t in node.targets if isinstance(t, ast.Name)
            )
        elif (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(node.value, ast.Dict)
        ):
            found[node.target.id] = node.value
    return found


def _dict_keys(
    node: ast.expr | None, module_dicts: dict[str, ast.Dict]
) -> set[str] | None:
    """Return the keys of a dict literal (following `**NAME` and NAME), else None."""
    if node is None:
        return set()
    if isinstance(node, ast.Name) and node.id in module_dicts:
        return _dict_keys(module_dicts[node.id], module_dicts)
    if not isinstance(node, ast.Dict):
        return None
    keys: set[str] = set()
    for key, value in zip(node.keys, node.values, strict=True):
        if key is None:
            spread = _dict_keys(value, module_dicts)
            if spread is None:
                return None
            keys |= spread
        elif (text := _text(key)) is not None:
            keys.add(text)
        else:
            return None
    return keys


def _passed(call: ast.Call, keyword: str, tree: ast.Module) -> frozenset[str] | None:
    keys = _dict_keys(_keyword(call, keyword), _module_dicts(tree))
    return None if keys is None else frozenset(keys)


def _argument(call: ast.Call, function: FunctionNode, name: str) -> ast.expr | None:
    """Return the expression a call passes for a parameter of the function it calls."""
    if (value := _keyword(call, name)) is not None:
        return value
    positional = [arg.arg for arg in (*function.args.posonlyargs, *function.args.args)]
    if name in positional and positional.index(name) < len(call.args):
        return call.args[positional.index(name)]
    return None


def _code_uses() -> Iterator[Use]:
    """Exceptions, issues and entities: every `translation_key=` in the code."""
    for path, tree in MODULES.items():
        parents = _parents(tree)
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
        for call in calls:
            key_node = _keyword(call, "translation_key")
            if key_node is None:
                continue
            if (domain := _keyword(call, "translation_domain")) is not None:
                # An exception; one of another domain ("homeassistant") is not ours.
                if not (
                    (isinstance(domain, ast.Name) and domain.id == "DOMAIN")
                    or _text(domain) == "esendex"
                ):
                    continue
                passed = _passed(call, "translation_placeholders", tree)
                keys: list[tuple[str | None, ast.AST]] = [
                    (key, call) for key in _templates(key_node)
                ]
                if isinstance(key_node, ast.Name):
                    # Passed through a helper: read the key at each of its call sites.
                    helper = _enclosing(call, parents, FUNCTION)
                    assert helper is not None, _where(path, call)
                    keys = [
                        (_text(_argument(site, helper, key_node.id)), site)
                        for site in calls
                        if isinstance(site.func, ast.Name)
                        and site.func.id == helper.name
                    ]
                    assert keys, f"{_where(path, call)}: no call of {helper.name}()"
                assert keys, f"{_where(path, call)}: translation_key is not a literal"
                for key, site in keys:
                    assert key is not None, (
                        f"{_where(path, site)}: translation_key is not a literal"
                    )
                    yield Use(
                        _where(path, site),
                        ("exceptions", key, "message"),
                        passed,
                        exact=True,
                    )
            elif _func_name(call) == "async_create_issue":
                [key] = _templates(key_node)
                assert key is not None, _where(path, call)
                yield Use(
                    _where(path, call),
                    ("issues", key),
                    _passed(call, "translation_placeholders", tree),
                    exact=True,
                )
            elif _func_name(call).endswith("EntityDescription"):
                key = _text(key_node)
                assert key is not None, _where(path, call)
                yield Use(_where(path, call), ("entity", path.stem, key, "name"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name | ast.Attribute)
                and getattr(target, "id", getattr(target, "attr", None))
                == "_attr_translation_key"
                for target in node.targets
            ):
                key = _text(node.value)
                assert key is not None, _where(path, node)
                yield Use(_where(path, node), ("entity", path.stem, key, "name"))


def _error_codes(
    function: FunctionNode,
    name: str,
    module_functions: dict[str, FunctionNode],
) -> Iterator[tuple[str, ast.AST]]:
    """Yield the form error codes a flow step puts into its `errors` variable."""

    def dict_values(node: ast.expr | None) -> Iterator[tuple[str, ast.AST]]:
        if isinstance(node, ast.IfExp):
            yield from dict_values(node.body)
            yield from dict_values(node.orelse)
        if isinstance(node, ast.Dict):
            for value in node.values:
                for text in _templates(value):
                    if text is not None:
                        yield text, value

    def returned(call: ast.expr, index: int | None) -> Iterator[tuple[str, ast.AST]]:
        if isinstance(call, ast.Await):
            call = call.value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
            return
        helper = module_functions.get(call.func.id)
        if helper is None:
            return
        for node in ast.walk(helper):
            if isinstance(node, ast.Return) and node.value is not None:
                value = node.value
                if index is not None:
                    if not isinstance(value, ast.Tuple) or len(value.elts) <= index:
                        continue
                    value = value.elts[index]
                yield from dict_values(value)

    for node in ast.walk(function):
        if not isinstance(node, ast.Assign | ast.AnnAssign):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Name)
                and target.value.id == name
            ):
                for text in _templates(node.value):
                    if text is not None:
                        yield text, node
            elif isinstance(target, ast.Name) and target.id == name and node.value:
                yield from dict_values(node.value)
                yield from returned(node.value, None)
            elif isinstance(target, ast.Tuple) and node.value:
                for index, element in enumerate(target.elts):
                    if isinstance(element, ast.Name) and element.id == name:
                        yield from returned(node.value, index)


FLOW = INTEGRATION / "config_flow.py"


def _flow_calls() -> Iterator[tuple[str, FunctionNode, ast.Call]]:
    """Yield (section, method, call) for each call in a config or options flow."""
    for flow in (node for node in MODULES[FLOW].body if isinstance(node, ast.ClassDef)):
        bases = " ".join(ast.unparse(base) for base in flow.bases)
        if "OptionsFlow" in bases:
            section = "options"
        elif "ConfigFlow" in bases:
            section = "config"
        else:
            continue
        for method in (node for node in flow.body if isinstance(node, FUNCTION)):
            for call in ast.walk(method):
                if isinstance(call, ast.Call):
                    yield section, method, call


def _step_uses(section: str, method: FunctionNode, call: ast.Call) -> Iterator[Use]:
    """A form or menu: its step, menu options and form errors."""
    tree = MODULES[FLOW]
    where = _where(FLOW, call)
    name = _func_name(call)
    step = _text(_keyword(call, "step_id"))
    if name not in {"async_show_form", "async_show_menu"} or step is None:
        return
    passed = _passed(call, "description_placeholders", tree)
    yield Use(where, (section, "step", step), passed)
    options = _keyword(call, "menu_options")
    if isinstance(options, ast.List | ast.Tuple):
        for option in options.elts:
            text = _text(option)
            assert text is not None, where
            yield Use(where, (section, "step", step, "menu_options", text))
    errors = _keyword(call, "errors")
    if isinstance(errors, ast.Name):
        module_functions = {
            node.name: node for node in tree.body if isinstance(node, FUNCTION)
        }
        for code, node in _error_codes(method, errors.id, module_functions):
            # Errors are shown on the form, with the form's placeholders.
            yield Use(_where(FLOW, node), (section, "error", code), passed)


def _result_uses(section: str, method: FunctionNode, call: ast.Call) -> Iterator[Use]:
    """An abort reason, or the message of a created entry."""
    tree = MODULES[FLOW]
    where = _where(FLOW, call)
    name = _func_name(call)
    passed = _passed(call, "description_placeholders", tree)
    reasons: list[str | None]
    if name == "async_abort":
        if _keyword(call, "translation_domain") is not None:
            return  # Home Assistant's own reason, such as cloud_not_connected
        reasons = _templates(_keyword(call, "reason"))
    elif name == "_abort_if_unique_id_configured":
        reasons = [_text(_keyword(call, "error")) or "already_configured"]
    elif name == "_abort_if_unique_id_mismatch":
        reasons = [_text(_keyword(call, "reason")) or "unique_id_mismatch"]
    elif name == "async_update_reload_and_abort":
        # Without a reason, Home Assistant picks one from the flow's source.
        reason = _text(_keyword(call, "reason"))
        if reason is None and "reauth" in method.name:
            reason = "reauth_successful"
        elif reason is None and "reconfigure" in method.name:
            reason = "reconfigure_successful"
        reasons = [reason]
        passed = None
    elif name == "async_create_entry" and section == "config" and passed:
        description = _keyword(call, "description")
        for key in _templates(description) if description else [None]:
            yield Use(where, (section, "create_entry", key or "default"), passed)
        return
    else:
        return
    assert reasons, f"{where}: the abort reason is not a literal"
    for reason in reasons:
        assert reason is not None, f"{where}: the abort reason is not a literal"
        yield Use(where, (section, "abort", reason), passed)


def _flow_uses() -> Iterator[Use]:
    """Steps, menu options, form errors and abort reasons of config_flow.py."""
    for section, method, call in _flow_calls():
        yield from _step_uses(section, method, call)
        yield from _result_uses(section, method, call)


def _en_nodes(path: KeyPath) -> dict[KeyPath, Any]:
    """Return the nodes of en.json at a key path, whose parts may be templates."""
    found: dict[KeyPath, Any] = {(): _load("en")}
    for part in path:
        found = {
            (*at, key): child
            for at, node in found.items()
            if isinstance(node, dict)
            for key, child in node.items()
            if (_pattern(part).fullmatch(key) if HOLE in part else key == part)
        }
    return found


def _en_placeholders(node: Any) -> set[str]:
    if isinstance(node, str):
        return _placeholders(node)
    if isinstance(node, dict):
        return set().union(*(_en_placeholders(value) for value in node.values()))
    return set()


ENUM_VALUES = _enum_values()
CODE_USES = [*_code_uses(), *_flow_uses()]


def test_the_code_uses_translations() -> None:
    """The parsing above finds what it is meant to (a guard against it rotting)."""
    sections = {use.path[:2] for use in CODE_USES}
    assert ("config", "step") in sections
    assert ("config", "error") in sections
    assert ("config", "abort") in sections
    assert ("options", "error") in sections
    assert any(use.path[0] == "exceptions" for use in CODE_USES)
    assert any(use.path[0] == "entity" for use in CODE_USES)
    paths = {use.path for use in CODE_USES}
    # f-strings: the `_valid()` helper of services.py, the unreachable URL's issue,
    # the flow's messages for it, and the options flow's recipient errors.
    assert ("exceptions", "invalid_{}", "message") in paths
    assert ("issues", "unreachable_url_{}") in paths
    assert ("config", "create_entry", "unreachable_{}") in paths
    assert ("config", "create_entry", "default") in paths
    assert ("config", "abort", "url_unchanged_{}") in paths
    assert ("config", "error", "unreachable_{}") in paths
    assert ("options", "error", "invalid_{}") in paths
    assert ("config", "abort", "wrong_account") in paths
    assert {"no_url", "plain_http", "recipient_too_short"} <= set(ENUM_VALUES)


@pytest.mark.parametrize("use", CODE_USES, ids=lambda use: _show(use.path))
def test_what_the_code_uses_is_in_english(use: Use) -> None:
    nodes = _en_nodes(use.path)

    assert nodes, f"{use.where}: en.json has no {_show(use.path)}"
    if use.passed is None:
        return
    template = any(HOLE in part for part in use.path)
    for path, node in nodes.items():
        needed = _en_placeholders(node)
        # The keys of one template share the placeholders passed, not all use them.
        if use.exact and not template:
            assert needed == use.passed, (
                f"{use.where}: passes {sorted(use.passed)} for {_show(path)}, "
                f"whose English text uses {sorted(needed)}"
            )
        else:
            assert needed <= use.passed, (
                f"{use.where}: {_show(path)} uses {sorted(needed - use.passed)}, "
                "which the code does not pass"
            )


def _en_units() -> Iterator[KeyPath]:
    """Yield what en.json translates, at the depth at which the code names it."""
    english = _load("en")
    for section in ("config", "options"):
        for part, node in english.get(section, {}).items():
            for key, value in node.items():
                yield section, part, key
                if part == "step":
                    for option in value.get("menu_options", {}):
                        yield section, part, key, "menu_options", option
    for platform, keys in english.get("entity", {}).items():
        for key in keys:
            yield "entity", platform, key
    for part in ("issues", "exceptions"):
        for key in english.get(part, {}):
            yield part, key


def _used(unit: KeyPath) -> bool:
    return any(
        len(use.path) >= len(unit)
        and all(
            _pattern(part).fullmatch(key) if HOLE in part else part == key
            for part, key in zip(use.path, unit, strict=False)
        )
        for use in CODE_USES
    )


def test_every_english_key_is_used() -> None:
    """No leftovers: each step, menu option, error, abort reason, message of a created
    entry, entity, issue and exception of en.json is one the code uses.

    The action's texts are checked against services.yaml below, and each form's
    fields against its schema in test_config_flow.py. Home Assistant translates
    `already_in_progress` itself, in its own domain: it is not one of ours.
    """
    unused = [_show(unit) for unit in _en_units() if not _used(unit)]

    assert not unused, f"en.json has keys the code never uses: {unused}"


def test_every_form_field_is_described() -> None:
    """Each field with a label has a data_description, and the other way round."""
    english = _load("en")
    steps = {
        f"{section}.step.{step}": text
        for section in ("config", "options")
        for step, text in english.get(section, {}).get("step", {}).items()
    } | {
        f"config_subentries.{kind}.step.{step}": text
        for kind, subentry in english.get("config_subentries", {}).items()
        for step, text in subentry.get("step", {}).items()
    }
    differ = {
        where: (sorted(text.get("data", {})), sorted(described))
        for where, text in steps.items()
        if set(text.get("data", {}))
        != set(described := text.get("data_description", {}))
    }

    assert not differ, f"fields (data, data_description) differ: {differ}"


def test_every_action_field_is_translated() -> None:
    """services.yaml and the "services" section of en.json describe the same fields."""
    actions = yaml.safe_load((INTEGRATION / "services.yaml").read_text("utf-8"))
    english = _load("en").get("services", {})

    assert set(english) == set(actions)
    for action, spec in actions.items():
        assert english[action].get("name"), action
        assert english[action].get("description"), action
        fields = english[action].get("fields", {})
        assert set(fields) == set((spec or {}).get("fields", {})), action
        for field, text in fields.items():
            assert text.get("name"), f"{action}.{field}"
            assert text.get("description"), f"{action}.{field}"


def test_every_trigger_field_and_option_is_translated() -> None:
    """triggers.yaml and the "triggers" and "selector" sections of en.json agree."""
    triggers = {
        name: spec
        for name, spec in yaml.safe_load(
            (INTEGRATION / "triggers.yaml").read_text("utf-8")
        ).items()
        if not name.startswith(".")  # YAML anchors shared by the triggers
    }
    english = _load("en")

    assert set(english.get("triggers", {})) == set(triggers)
    for name, spec in triggers.items():
        text = english["triggers"][name]
        assert text.get("name"), name
        assert text.get("description"), name
        assert set(text.get("fields", {})) == set(spec.get("fields", {})), name
        for field, field_text in text["fields"].items():
            assert field_text.get("name"), f"{name}.{field}"
            assert field_text.get("description"), f"{name}.{field}"
            select = spec["fields"][field].get("selector", {}).get("select")
            if select is not None:
                options = english["selector"][select["translation_key"]]["options"]
                assert set(options) == set(select["options"]), f"{name}.{field}"
