"""The charger's entities renamed (a new entity id for the same registry entry), and the store.

The controller follows a renamed entity at once: the pause it holds ends on time on the entity
under its new id, the options are updated to it without a reload, and the values it keeps are
stored by registry id, so a reload or a restart finds them under the new id too. Stores written
before (minor version 1, keyed by entity id) are migrated at load.

Times are UTC in November 2026: plugged in at 18:00, window 23:30-05:30, Axle's pause 02:00-02:30.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.const import EVENT_HOMEASSISTANT_STOP, STATE_OFF, STATE_ON
from homeassistant.helpers import entity_registry as er, issue_registry as ir

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.controller import SessionStatus
from custom_components.axle_flex_lite.storage import storage_key
from tests.helpers import (
    change_options,
    charger_settings,
    controller_of,
    registry_id,
    repair_issue,
    sent_schedules,
    set_up_entry,
    store_plug_in,
    stored_state,
    unload_entry,
    update_charger,
)
from tests.plugins.integration import FIRST_PAUSE_END, FIRST_PAUSE_START, SWITCH

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from tests.plugins.home import Home, NewHome

RENAMED = "input_boolean.wallbox_charging"


def state(hass: HomeAssistant, entity_id: str) -> str | None:
    """An entity's state, None when it has none."""
    found = hass.states.get(entity_id)
    return None if found is None else found.state


async def rename(hass: HomeAssistant, old: str, new: str) -> None:
    """Rename an entity as the user does in the entity settings."""
    er.async_get(hass).async_update_entity(old, new_entity_id=new)
    await hass.async_block_till_done()


async def test_5_switch_renamed_mid_pause_is_put_back_on_time(
    home: Home, hass_storage: dict[str, Any]
) -> None:
    """Failure 5: renamed mid-pause, the switch is on again at the pause's end, under its new id."""
    controller = controller_of(home.entry)
    switch_id = registry_id(home.hass, SWITCH)
    await home.charger.plug_in()
    await home.clock.move_to(FIRST_PAUSE_START + timedelta(minutes=10))
    await rename(home.hass, SWITCH, RENAMED)

    assert charger_settings(home.entry)[const.CONF_SWITCH_ENTITY] == RENAMED
    assert controller_of(home.entry) is controller  # followed, not reloaded
    assert controller.status is SessionStatus.PAUSED
    assert state(home.hass, RENAMED) == STATE_OFF
    assert stored_state(hass_storage, home.entry)["restore"] == {switch_id: STATE_ON}
    assert repair_issue(home.hass, const.ISSUE_CHARGER_ENTITY_MISSING, home.entry, SWITCH) is None
    assert repair_issue(home.hass, const.ISSUE_CHARGER_ENTITY_MISSING, home.entry, RENAMED) is None

    await home.clock.move_to(FIRST_PAUSE_END)
    assert state(home.hass, RENAMED) == STATE_ON
    assert home.charger.calls() == [(SWITCH, "turn_off", None), (RENAMED, "turn_on", None)]
    assert controller.values_to_restore == {}
    assert len(sent_schedules(home.axle)) == 1
    assert not ir.async_get(home.hass).issues


async def test_5_renamed_then_reloaded_mid_pause(home: Home) -> None:
    """Renamed, then the options saved with the new id and the entry reloaded: still on time."""
    await home.charger.plug_in()
    await home.clock.move_to(FIRST_PAUSE_START + timedelta(minutes=10))
    await rename(home.hass, SWITCH, RENAMED)
    await change_options(home.hass, home.entry, {const.CONF_SWITCH_ENTITY: RENAMED})
    assert await home.hass.config_entries.async_reload(home.entry.entry_id)
    await home.hass.async_block_till_done()
    assert controller_of(home.entry).status is SessionStatus.PAUSED
    assert state(home.hass, RENAMED) == STATE_OFF
    await home.clock.move_to(FIRST_PAUSE_END)
    assert state(home.hass, RENAMED) == STATE_ON
    assert len(sent_schedules(home.axle)) == 1


async def test_5_renamed_while_stopped_and_options_pointed_at_the_new_id(home: Home) -> None:
    """Home Assistant stops mid-pause (the put-back stays stored), the switch is renamed and the
    options point at it before the start: the stored put-back is found under the new id."""
    await home.charger.plug_in()
    await home.clock.move_to(FIRST_PAUSE_START + timedelta(minutes=10))
    home.hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await home.hass.async_block_till_done()
    await unload_entry(home.hass, home.entry)
    # The put-back at the stop did not stick (the charger went down first).
    home.hass.states.async_set(SWITCH, STATE_OFF)
    await rename(home.hass, SWITCH, RENAMED)
    update_charger(
        home.hass, home.entry, {**charger_settings(home.entry), const.CONF_SWITCH_ENTITY: RENAMED}
    )
    await set_up_entry(home.hass, home.entry)
    assert controller_of(home.entry).values_to_restore == {RENAMED: STATE_ON}
    await home.clock.move_to(FIRST_PAUSE_END)
    assert state(home.hass, RENAMED) == STATE_ON


async def test_a_version_1_store_is_migrated_to_registry_ids(
    new_home: NewHome, hass_storage: dict[str, Any]
) -> None:
    """An older store keyed the put-back by entity id: read as before, then kept by registry id
    (so a rename after the upgrade is followed too)."""
    await new_home.clock.move_to(FIRST_PAUSE_START + timedelta(minutes=10))
    await new_home.charger.plug_in()
    await new_home.charger.set_switch(False)
    store_plug_in(
        hass_storage,
        new_home.entry,
        (FIRST_PAUSE_START, FIRST_PAUSE_END),
        restore={SWITCH: STATE_ON},
    )
    new_home.entry.add_to_hass(new_home.hass)
    await set_up_entry(new_home.hass, new_home.entry)
    controller = controller_of(new_home.entry)
    assert controller.status is SessionStatus.PAUSED
    assert controller.values_to_restore == {SWITCH: STATE_ON}
    key = storage_key(new_home.entry.entry_id)
    assert hass_storage[key]["minor_version"] == 2
    assert stored_state(hass_storage, new_home.entry)["restore"] == {
        registry_id(new_home.hass, SWITCH): STATE_ON
    }
    await rename(new_home.hass, SWITCH, RENAMED)
    await new_home.clock.move_to(FIRST_PAUSE_END)
    assert state(new_home.hass, RENAMED) == STATE_ON
    assert new_home.charger.calls() == [(RENAMED, "turn_on", None)]
