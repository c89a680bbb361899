"""Set-up, unload, options updates and removal of the integration; the rewards coordinator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_PASSWORD
from homeassistant.helpers import entity_registry as er, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.controller import SessionStatus
from custom_components.axle_flex_lite.services import SERVICE_SKIP_PAUSE
from custom_components.axle_flex_lite.storage import storage_key
from tests.api_helpers import closed_port_url
from tests.helpers import (
    OFF,
    ON,
    add_and_set_up_entry,
    change_data,
    change_options,
    charger_settings,
    controller_of,
    flow_sources,
    remove_state,
    repair_issue,
    sent_schedules,
    store_controller_state,
    unload_entry,
    update_charger,
    utc,
)
from tests.plugins.integration import CURRENT, SWITCH

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from tests.plugins.home import Home, NewHome
    from tests.plugins.integration import SimulatedCharger
    from tools.axle_simulator import AxleSimulator


def copy_entry(entry: MockConfigEntry, **data: Any) -> MockConfigEntry:
    """The same entry with some data changed."""
    return MockConfigEntry(
        domain=const.DOMAIN,
        title=entry.title,
        unique_id=entry.unique_id,
        data={**entry.data, **data},
        options=dict(entry.options),
    )


async def set_up_fails(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add the entry; its set-up fails with a set-up error once everything has settled."""
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR


async def test_setup_and_unload(new_home: NewHome) -> None:
    """Set-up reads the balance and follows the charger; unloading stops following it."""
    new_home.axle.set_balance(new_home.entry.data[const.CONF_SITE_ID], 412, 1650, False)
    await add_and_set_up_entry(new_home.hass, new_home.entry)
    assert new_home.entry.state is ConfigEntryState.LOADED
    assert new_home.hass.services.has_service(const.DOMAIN, SERVICE_SKIP_PAUSE)
    rewards = new_home.entry.runtime_data.rewards
    assert rewards.data.current_balance_pence == 412
    assert rewards.data.total_earnings_pence == 1650

    await unload_entry(new_home.hass, new_home.entry)
    assert new_home.entry.state is ConfigEntryState.NOT_LOADED
    await new_home.charger.plug_in()
    assert sent_schedules(new_home.axle) == []


async def test_bad_credentials_start_reauth(new_home: NewHome) -> None:
    """Refused credentials: set-up error and a re-authentication flow."""
    await set_up_fails(new_home.hass, copy_entry(new_home.entry, **{CONF_PASSWORD: "wrong"}))
    assert flow_sources(new_home.hass) == [SOURCE_REAUTH]


async def test_bad_configuration(new_home: NewHome) -> None:
    """An environment that does not exist: a set-up error, no re-authentication."""
    await set_up_fails(
        new_home.hass, copy_entry(new_home.entry, **{const.CONF_ENVIRONMENT: "staging"})
    )
    assert flow_sources(new_home.hass) == []


@pytest.mark.parametrize("control_mode", ["full_schedule"])
async def test_axle_down_still_protects(new_home: NewHome, hass_storage: dict[str, Any]) -> None:
    """Axle unreachable at set-up: the entry loads, puts back a stored pause, falls back."""
    entry = copy_entry(new_home.entry, **{const.CONF_BASE_URL: closed_port_url()})
    # A crash left the charger paused by us.
    store_controller_state(hass_storage, entry, {"plugged": False, "restore": {SWITCH: "on"}})
    await new_home.charger.set_switch(False)
    entry.add_to_hass(new_home.hass)

    assert await new_home.clock.drive(new_home.hass.config_entries.async_setup(entry.entry_id))
    await new_home.clock.drive(new_home.hass.async_block_till_done())
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.rewards.data is None
    assert not entry.runtime_data.rewards.last_update_success
    assert new_home.charger.calls() == [ON]

    # A plug-in without Axle follows the user's own window (full schedule: off until 23:30).
    await new_home.charger.plug_in(wait=False)
    await new_home.clock.drive(new_home.hass.async_block_till_done())
    controller = controller_of(entry)
    assert controller.status is SessionStatus.FALLBACK
    assert controller.last_api_error is not None
    assert controller.last_api_error.startswith("AxleConnectionError")
    assert new_home.charger.calls() == [ON, OFF]
    # The one retry (its login waits between attempts) and the window's start.
    await new_home.clock.drive(new_home.clock.move_to(utc(25, 23, 30)))
    assert controller.status is SessionStatus.FALLBACK
    assert new_home.charger.calls() == [ON, OFF, ON]


async def test_option_changes(home: Home) -> None:
    """Window and mode re-plan in place; charger entities reload; the title changes nothing."""
    controller = controller_of(home.entry)
    home.hass.config_entries.async_update_entry(home.entry, title="Renamed")
    await home.hass.async_block_till_done()
    assert controller_of(home.entry) is controller

    await change_options(home.hass, home.entry, {const.CONF_CONTROL_MODE: "full_schedule"})
    assert controller_of(home.entry) is controller
    assert controller.control_mode.value == "full_schedule"

    await change_options(home.hass, home.entry, {const.CONF_SWITCH_ENTITY: CURRENT})
    assert home.entry.state is ConfigEntryState.LOADED
    assert controller_of(home.entry) is not controller
    control = controller_of(home.entry).charger.entities.control
    assert control is not None
    assert control.entity_id == CURRENT


async def test_data_change_reloads(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """New credentials (re-authentication) reload the entry."""
    controller = controller_of(init_integration)
    await change_data(hass, init_integration, {CONF_PASSWORD: "sim-password"})
    assert controller_of(init_integration) is controller
    await change_data(hass, init_integration, {const.CONF_EMAIL: "new@example.net"})
    assert controller_of(init_integration) is not controller


async def test_removal_unenrols_and_forgets(
    hass: HomeAssistant,
    *,
    hass_storage: dict[str, Any],
    in_pause: MockConfigEntry,
    charger: SimulatedCharger,
    axle_simulator: AxleSimulator,
) -> None:
    """Removing the entry leaves Flex Lite, deletes the store and the entry's repair issues."""
    await remove_state(hass, CURRENT)
    assert ir.async_get(hass).issues
    key = storage_key(in_pause.entry_id)
    assert key in hass_storage

    await hass.config_entries.async_remove(in_pause.entry_id)
    await hass.async_block_till_done()

    assert charger.calls() == [OFF, ON]
    assert "limited_pause" not in axle_simulator.sites["1900000000013"].enrolled
    assert axle_simulator.requests_to("unenrol")
    assert key not in hass_storage
    assert not ir.async_get(hass).issues


@pytest.mark.parametrize("fault", [{"status": 404}, {"kind": "timeout"}])
async def test_removal_never_fails(
    home: Home, *, hass_storage: dict[str, Any], fault: dict[str, Any]
) -> None:
    """Axle refusing or not answering does not stop (or hold up) the removal."""
    home.axle.fail_next("unenrol", **fault)
    await home.clock.drive(home.hass.config_entries.async_remove(home.entry.entry_id))
    await home.clock.drive(home.hass.async_block_till_done())
    assert home.hass.config_entries.async_get_entry(home.entry.entry_id) is None
    assert storage_key(home.entry.entry_id) not in hass_storage
    assert "limited_pause" in home.axle.sites["1900000000013"].enrolled


async def test_rewards_failures(home: Home) -> None:
    """A refused login asks to sign in again; other failures keep the last balance."""
    rewards = home.entry.runtime_data.rewards
    balance = rewards.data
    home.axle.fail_next("rewards", status=404)
    await rewards.async_refresh()
    assert not rewards.last_update_success
    assert rewards.data == balance

    home.axle.fail_next("rewards", status=401, count=2)
    await rewards.async_refresh()
    await home.hass.async_block_till_done()
    assert flow_sources(home.hass) == [SOURCE_REAUTH]


async def test_missing_entity_issue_goes_with_the_entity(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An entity no longer configured takes its missing-entity issue with it at reload."""
    await remove_state(hass, CURRENT)
    assert repair_issue(hass, "charger_entity_missing", init_integration, CURRENT) is not None
    settings = charger_settings(init_integration)
    del settings["current_entity"]
    update_charger(hass, init_integration, settings)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.LOADED
    assert repair_issue(hass, "charger_entity_missing", init_integration, CURRENT) is None


# Entities a household rarely looks at: they start disabled and can be enabled on the device page.
DISABLED_BY_DEFAULT = {
    ("sensor", "last_schedule_sync"),
    ("button", "resend_schedule"),
    ("binary_sensor", "plugged_in"),
}


async def test_low_use_entities_start_disabled(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The diagnostic entities nobody needs day to day are in the registry but disabled."""
    registry = er.async_get(hass)
    entries = er.async_entries_for_config_entry(registry, init_integration.entry_id)
    disabled = {
        (entry.domain, entry.translation_key)
        for entry in entries
        if entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    }
    assert disabled == DISABLED_BY_DEFAULT
    for entry in entries:
        shown = hass.states.get(entry.entity_id)
        assert (shown is None) is ((entry.domain, entry.translation_key) in disabled)


async def test_disabled_entity_can_be_enabled(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Enabling one on the device page brings it back after the reload Home Assistant does."""
    registry = er.async_get(hass)
    entity_id = registry.async_get_entity_id(
        "sensor", const.DOMAIN, f"{init_integration.entry_id}_last_schedule_sync"
    )
    assert entity_id is not None
    registry.async_update_entity(entity_id, disabled_by=None)
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    shown = hass.states.get(entity_id)
    assert shown is not None
    assert shown.state == "unknown"
