"""Tests of the texts: the English translation, and a text for every key the code uses."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import TYPE_CHECKING, Any

from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
import yaml

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.const import DOMAIN

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

PACKAGE = Path(__file__).parent.parent / "custom_components" / DOMAIN
STRINGS: dict[str, Any] = json.loads((PACKAGE / "strings.json").read_text(encoding="utf-8"))
ICONS: dict[str, Any] = json.loads((PACKAGE / "icons.json").read_text(encoding="utf-8"))
SERVICES: dict[str, Any] = yaml.safe_load((PACKAGE / "services.yaml").read_text(encoding="utf-8"))
# Calls that name an exception text: raise ...(translation_key="x"), and our two helpers.
EXCEPTION_KEY = re.compile(
    r'(?:translation_key=|validation_error\(|translate_axle_errors\()\s*"(\w+)"'
)
ENTITY_MODULES = frozenset(
    {"sensor", "binary_sensor", "switch", "button", "time", "select", "calendar", "event"}
)

# The low-use entities start disabled (see test_init.py); these tests look at them too.
pytestmark = pytest.mark.usefixtures("all_entities_enabled")


def test_english_is_a_copy_of_strings() -> None:
    """translations/en.json is strings.json, byte for byte."""
    assert (PACKAGE / "translations" / "en.json").read_text(encoding="utf-8") == (
        PACKAGE / "strings.json"
    ).read_text(encoding="utf-8")


async def test_every_entity_has_its_texts(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Every entity's translation key has a name; every state it can take has a text."""
    registry = er.async_get(hass)
    entries = er.async_entries_for_config_entry(registry, init_integration.entry_id)
    assert {entry.domain for entry in entries} == {str(platform) for platform in const.PLATFORMS}
    for entry in entries:
        texts = STRINGS["entity"][entry.domain][entry.translation_key]
        assert texts["name"], entry.entity_id
        shown = hass.states.get(entry.entity_id)
        assert shown is not None
        if entry.domain in {"sensor", "select"} and "options" in shown.attributes:
            assert set(texts["state"]) == set(shown.attributes["options"]), entry.entity_id
        if entry.domain == "event":
            event_texts = texts["state_attributes"]["event_type"]["state"]
            assert set(event_texts) == set(shown.attributes["event_types"])
        # The friendly name is built from the translated name.
        assert shown.name.endswith(texts["name"]), entry.entity_id


def test_icons_match_entities_and_actions() -> None:
    """Icons exist only for entities and actions that exist, and every action has one."""
    for platform, keys in ICONS["entity"].items():
        for key in keys:
            assert key in STRINGS["entity"][platform], f"{platform}.{key}"
    assert set(ICONS["services"]) == set(SERVICES)
    status_states = set(STRINGS["entity"]["sensor"]["status"]["state"])
    assert set(ICONS["entity"]["sensor"]["status"]["state"]) == status_states


def test_every_action_has_its_texts() -> None:
    """Each action and each of its fields has a name and a description."""
    assert set(STRINGS["services"]) == set(SERVICES)
    for service, spec in SERVICES.items():
        texts = STRINGS["services"][service]
        assert texts["name"]
        assert texts["description"]
        assert set(texts["fields"]) == set(spec["fields"])
        for field in texts["fields"].values():
            assert field["name"]
            assert field["description"]
        assert spec["fields"]["config_entry_id"]["selector"] == {
            "config_entry": {"integration": DOMAIN}
        }


def test_every_exception_key_has_a_message() -> None:
    """Every translation key raised anywhere in the integration has a message."""
    used: set[str] = set()
    for module in PACKAGE.glob("*.py"):
        keys = set(EXCEPTION_KEY.findall(module.read_text(encoding="utf-8")))
        if module.stem in ENTITY_MODULES:
            # Entity descriptions name translation keys too: those are entity texts.
            keys -= set(STRINGS["entity"].get(module.stem, {}))
        used |= keys
    assert used
    missing = used - set(STRINGS["exceptions"])
    assert not missing
    for key in used:
        assert STRINGS["exceptions"][key]["message"]


def test_every_issue_has_its_texts() -> None:
    """Each repair issue has a title; the fixable one has its fix flow's texts."""
    issue_keys = {value for name, value in vars(const).items() if name.startswith("ISSUE_")}
    assert issue_keys == set(STRINGS["issues"])
    for key, texts in STRINGS["issues"].items():
        assert texts["title"], key
        assert ("description" in texts) != ("fix_flow" in texts), key
    fix_flow = STRINGS["issues"][const.ISSUE_CONSENT_MISSING]["fix_flow"]
    assert fix_flow["step"]["confirm"]["description"]
    assert fix_flow["error"]["enrol_failed"]
    assert fix_flow["abort"]["entry_not_loaded"]


async def test_errors_reach_the_user_translated(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A refused action reads as its English message, placeholders filled in."""
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN, "skip_pause", {"config_entry_id": init_integration.entry_id}, blocking=True
        )
    assert str(raised.value) == STRINGS["exceptions"]["no_pause_to_skip"]["message"]

    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN, "skip_pause", {"config_entry_id": "missing"}, blocking=True
        )
    assert str(raised.value) == "There is no Axle Flex Lite entry with the ID missing"
