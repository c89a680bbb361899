"""Tests of how a home's charger subentries and their key prefixes are read."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.subentries import (
    added_charger_key_prefix,
    charger_key_prefix,
    charger_subentries,
)

ENTRY_ID = "01JAXLEF1EXL1TEENTRY0000000"


def test_charger_subentries_in_order_and_only_chargers() -> None:
    """Chargers come in the order they were added; another kind of subentry is left out."""
    entry = MockConfigEntry(
        domain=const.DOMAIN,
        entry_id=ENTRY_ID,
        version=2,
        subentries_data=[
            {
                "data": {const.CONF_EXTERNAL_ID: "ha-first"},
                "subentry_type": const.SUBENTRY_TYPE_CHARGER,
                "title": "First",
                "unique_id": "ha-first",
            },
            {"data": {}, "subentry_type": "other", "title": "Other", "unique_id": None},
            {
                "data": {const.CONF_EXTERNAL_ID: "ha-second"},
                "subentry_type": const.SUBENTRY_TYPE_CHARGER,
                "title": "Second",
                "unique_id": "ha-second",
            },
        ],
    )
    assert [sub.unique_id for sub in charger_subentries(entry)] == ["ha-first", "ha-second"]


def test_key_prefix_rule() -> None:
    """Stored prefixes are used as they are; the config flow's first charger has the entry id."""
    assert charger_key_prefix(ENTRY_ID, {}) == ENTRY_ID
    assert charger_key_prefix(ENTRY_ID, {const.CONF_KEY_PREFIX: ENTRY_ID}) == ENTRY_ID
    added = added_charger_key_prefix(ENTRY_ID, "ha-0123")
    assert added == f"{ENTRY_ID}_ha-0123"
    assert charger_key_prefix(ENTRY_ID, {const.CONF_KEY_PREFIX: added}) == added
