"""Config entry version 2: an older entry's charger becomes the home's first charger subentry.

The entry (version 1) holds the charger in its options and its asset in its data; Home Assistant
crashed in the middle of Axle's pause, so the store holds a running pause and the charger is off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest

from custom_components.axle_flex_lite import async_migrate_entry
from custom_components.axle_flex_lite.const import (
    CONF_ASSET_ID,
    CONF_CONTROL_KIND,
    CONF_EXTERNAL_ID,
    CONF_KEY_PREFIX,
    CONF_PLUG_ENTITY,
    CONF_WINDOW_START,
    CONFIG_ENTRY_VERSION,
    DOMAIN,
    SUBENTRY_TYPE_CHARGER,
)
from custom_components.axle_flex_lite.controller import SessionStatus
from tests.helpers import (
    OFF,
    ON,
    add_and_set_up_entry,
    charger_subentry,
    controller_of,
    registry_id,
    sent_schedules,
    store_controller_state,
    utc,
)
from tests.plugins.integration import EXTERNAL_ID, SWITCH

if TYPE_CHECKING:
    from tests.plugins.home import NewHome

# The entities an entry of version 1 had, all on the home's device: (platform, key, entity id).
OLD_ENTITIES = (
    ("sensor", "status", "sensor.axle_flex_lite_ct1_status"),
    ("sensor", "next_pause_end", "sensor.axle_flex_lite_ct1_next_pause_end"),
    ("sensor", "balance", "sensor.axle_flex_lite_ct1_rewards_balance"),
    ("binary_sensor", "pause_active", "binary_sensor.axle_flex_lite_ct1_pause_active"),
    ("switch", "participation", "switch.axle_flex_lite_ct1_flex_lite_participation"),
    ("time", "window_start", "time.axle_flex_lite_ct1_charge_from"),
)

MID_PAUSE = {
    "participating": True,
    "plugged": True,
    "session": {
        "session_id": "stored",
        "plugged_in_at": "2026-11-25T18:00:00+00:00",
        "submitted": [["2026-11-25T23:30:00+00:00", "2026-11-26T05:30:00+00:00"]],
        "plan": {
            "submitted": [["2026-11-25T23:30:00+00:00", "2026-11-26T05:30:00+00:00"]],
            "modified": [
                ["2026-11-25T23:30:00+00:00", "2026-11-26T02:00:00+00:00"],
                ["2026-11-26T02:30:00+00:00", "2026-11-26T05:30:00+00:00"],
            ],
            "pauses": [["2026-11-26T02:00:00+00:00", "2026-11-26T02:30:00+00:00"]],
        },
    },
}


def register_old_entities(hass: Any, new_home: NewHome) -> dict[str, str]:
    """Put the version 1 entities in the registry, on the home's device; return ids by key."""
    registry = er.async_get(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=new_home.entry.entry_id, identifiers={(DOMAIN, new_home.entry.entry_id)}
    )
    ids = {}
    for platform, key, entity_id in OLD_ENTITIES:
        created = registry.async_get_or_create(
            platform,
            DOMAIN,
            f"{new_home.entry.entry_id}_{key}",
            suggested_object_id=entity_id.split(".", 1)[1],
            config_entry=new_home.entry,
            device_id=device.id,
        )
        assert created.entity_id == entity_id
        ids[key] = entity_id
    return ids


@pytest.mark.parametrize("start_time", [utc(26, 2, 10)])
async def test_mid_pause_entry_migrates_and_the_pause_ends_on_time(
    new_home: NewHome, hass_storage: dict[str, Any]
) -> None:
    """The stored pause runs on to 02:30 and the charger is put back; entity ids stay."""
    hass = new_home.hass
    assert new_home.entry.version == 1
    asset_id = new_home.entry.data[CONF_ASSET_ID]
    old_options = dict(new_home.entry.options)
    await new_home.charger.plug_in()
    new_home.entry.add_to_hass(hass)
    ids = register_old_entities(hass, new_home)
    # What the crash left: the charger off for the pause, and the pause in the entry's store.
    await new_home.charger.set_switch(False)
    store_controller_state(
        hass_storage, new_home.entry, {**MID_PAUSE, "restore": {registry_id(hass, SWITCH): "on"}}
    )
    new_home.charger.reset_calls()

    await add_and_set_up_entry(hass, new_home.entry)

    entry = new_home.entry
    subentry = charger_subentry(entry)
    assert subentry.subentry_type == SUBENTRY_TYPE_CHARGER
    assert subentry.unique_id == EXTERNAL_ID
    assert dict(subentry.data) == {
        **old_options,
        CONF_CONTROL_KIND: "switch",
        CONF_ASSET_ID: asset_id,
        CONF_EXTERNAL_ID: EXTERNAL_ID,
        CONF_KEY_PREFIX: entry.entry_id,
    }
    assert dict(entry.options) == {}
    assert CONF_ASSET_ID not in entry.data
    assert CONF_EXTERNAL_ID not in entry.data
    # No call to Axle about the charger: the stored answer stands.
    assert sent_schedules(new_home.axle) == []

    registry = er.async_get(hass)
    for platform, key, entity_id in OLD_ENTITIES:
        assert registry.async_get_entity_id(platform, DOMAIN, f"{entry.entry_id}_{key}") == (
            entity_id
        )
        assert hass.states.get(entity_id) is not None
    # The charger's entities moved to the charger's device, the home's stayed.
    status = registry.async_get(ids["status"])
    balance = registry.async_get(ids["balance"])
    assert status is not None
    assert balance is not None
    assert status.config_subentry_id == subentry.subentry_id
    assert balance.config_subentry_id is None
    assert status.device_id != balance.device_id

    controller = controller_of(entry)
    assert controller.status is SessionStatus.PAUSED
    assert hass.states.get(ids["status"]).state == SessionStatus.PAUSED  # type: ignore[union-attr]
    assert not new_home.charger.switch_on
    await new_home.clock.move_to(utc(26, 2, 30))
    assert new_home.charger.switch_on
    assert new_home.charger.calls() == [ON]
    assert controller.status is SessionStatus.CHARGING
    # Set up again (a restart): nothing moves a second time.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert list(entry.subentries) == [subentry.subentry_id]
    assert OFF not in new_home.charger.calls()


@pytest.mark.parametrize(
    "entry_options", [{CONF_PLUG_ENTITY: "input_boolean.ev_plug", "switch_entity": SWITCH}]
)
async def test_version_migration(new_home: NewHome) -> None:
    """Home Assistant's migration step moves the charger once and sets version 2."""
    hass = new_home.hass
    entry = new_home.entry
    entry.add_to_hass(hass)
    assert await async_migrate_entry(hass, entry)
    assert entry.version == CONFIG_ENTRY_VERSION
    subentry = charger_subentry(entry)
    assert subentry.data[CONF_CONTROL_KIND] == "switch"
    assert CONF_WINDOW_START not in subentry.data
    assert await async_migrate_entry(hass, entry)
    assert list(entry.subentries) == [subentry.subentry_id]
    hass.config_entries.async_update_entry(entry, version=CONFIG_ENTRY_VERSION + 1)
    assert not await async_migrate_entry(hass, entry)
