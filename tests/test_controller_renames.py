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

from custom_components.axle_flex_lite.const import (
    CONF_SWITCH_ENTITY,
    ISSUE_CHARGER_ENTITY_MISSING,
)
from custom_components.axle_flex_lite.controller import SessionStatus
from custom_components.axle_flex_lite.storage import storage_key
from tests.helpers import (
    change_options,
    controller_of,
    registry_id,
    repair_issue,
    sent_schedules,
    set_up_entry,
    store_controller_state,
    stored_state,
    unload_entry,
    utc,
)
from tests.plugins.integration import SWITCH

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.integration import Clock, SimulatedCharger
    from tools.axle_simulator import AxleSimulator

PAUSE_START = utc(26, 2)
PAUSE_END = utc(26, 2, 30)
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
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
    hass_storage: dict[str, Any],
) -> None:
    """Failure 5: renamed mid-pause, the switch is on again at the pause's end, under its new id."""
    controller = controller_of(init_integration)
    switch_id = registry_id(hass, SWITCH)
    await charger.plug_in()
    await clock.move_to(PAUSE_START + timedelta(minutes=10))
    await rename(hass, SWITCH, RENAMED)

    assert init_integration.options[CONF_SWITCH_ENTITY] == RENAMED
    assert controller_of(init_integration) is controller  # followed, not reloaded
    assert controller.status is SessionStatus.PAUSED
    assert state(hass, RENAMED) == STATE_OFF
    assert stored_state(hass_storage, init_integration)["restore"] == {switch_id: STATE_ON}
    assert repair_issue(hass, ISSUE_CHARGER_ENTITY_MISSING, init_integration, SWITCH) is None
    assert repair_issue(hass, ISSUE_CHARGER_ENTITY_MISSING, init_integration, RENAMED) is None

    await clock.move_to(PAUSE_END)
    assert state(hass, RENAMED) == STATE_ON
    assert charger.calls() == [(SWITCH, "turn_off", None), (RENAMED, "turn_on", None)]
    assert controller.values_to_restore == {}
    assert len(sent_schedules(axle_simulator)) == 1
    assert not ir.async_get(hass).issues


async def test_5_renamed_then_reloaded_mid_pause(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
) -> None:
    """Renamed, then the options saved with the new id and the entry reloaded: still on time."""
    await charger.plug_in()
    await clock.move_to(PAUSE_START + timedelta(minutes=10))
    await rename(hass, SWITCH, RENAMED)
    await change_options(hass, init_integration, {CONF_SWITCH_ENTITY: RENAMED})
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert controller_of(init_integration).status is SessionStatus.PAUSED
    assert state(hass, RENAMED) == STATE_OFF
    await clock.move_to(PAUSE_END)
    assert state(hass, RENAMED) == STATE_ON
    assert len(sent_schedules(axle_simulator)) == 1


async def test_5_renamed_while_stopped_and_options_pointed_at_the_new_id(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
) -> None:
    """Home Assistant stops mid-pause (the put-back stays stored), the switch is renamed and the
    options point at it before the start: the stored put-back is found under the new id."""
    await charger.plug_in()
    await clock.move_to(PAUSE_START + timedelta(minutes=10))
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    await unload_entry(hass, init_integration)
    # The put-back at the stop did not stick (the charger went down first).
    hass.states.async_set(SWITCH, STATE_OFF)
    await rename(hass, SWITCH, RENAMED)
    hass.config_entries.async_update_entry(
        init_integration, options={**init_integration.options, CONF_SWITCH_ENTITY: RENAMED}
    )
    await set_up_entry(hass, init_integration)
    assert controller_of(init_integration).values_to_restore == {RENAMED: STATE_ON}
    await clock.move_to(PAUSE_END)
    assert state(hass, RENAMED) == STATE_ON


async def test_a_version_1_store_is_migrated_to_registry_ids(
    hass: HomeAssistant,
    clock: Clock,
    charger: SimulatedCharger,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """An older store keyed the put-back by entity id: read as before, then kept by registry id
    (so a rename after the upgrade is followed too)."""
    await clock.move_to(PAUSE_START + timedelta(minutes=10))
    await charger.plug_in()
    await charger.set_switch(False)
    window = ["2026-11-25T23:30:00+00:00", "2026-11-26T05:30:00+00:00"]
    pause = [PAUSE_START.isoformat(), PAUSE_END.isoformat()]
    store_controller_state(
        hass_storage,
        config_entry,
        {
            "participating": True,
            "plugged": True,
            "restore": {SWITCH: STATE_ON},
            "session": {
                "session_id": "stored",
                "plugged_in_at": "2026-11-25T18:00:00+00:00",
                "submitted": [window],
                "plan": {
                    "submitted": [window],
                    "modified": [[window[0], pause[0]], [pause[1], window[1]]],
                    "pauses": [pause],
                },
            },
        },
    )
    config_entry.add_to_hass(hass)
    await set_up_entry(hass, config_entry)
    controller = controller_of(config_entry)
    assert controller.status is SessionStatus.PAUSED
    assert controller.values_to_restore == {SWITCH: STATE_ON}
    key = storage_key(config_entry.entry_id)
    assert hass_storage[key]["minor_version"] == 2
    assert stored_state(hass_storage, config_entry)["restore"] == {
        registry_id(hass, SWITCH): STATE_ON
    }
    await rename(hass, SWITCH, RENAMED)
    await clock.move_to(PAUSE_END)
    assert state(hass, RENAMED) == STATE_ON
    assert charger.calls() == [(RENAMED, "turn_on", None)]
