"""Two chargers, one home: each its own controller, Axle asset, pauses, entities and removal.

The first charger is paused 02:00-02:30 UTC, the second 01:45-02:30 UTC for a plug-in at 18:00
(``two_chargers`` in tests/plugins/home.py), so each test can tell whose pause the charger follows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest

from custom_components.axle_flex_lite.const import CONF_POWER_KW, CONF_WINDOW_END, DOMAIN
from custom_components.axle_flex_lite.controller import SessionStatus
from custom_components.axle_flex_lite.services import SERVICE_RESEND_SCHEDULE, SERVICE_SKIP_PAUSE
from custom_components.axle_flex_lite.storage import storage_key
from tests.helpers import (
    charger_settings,
    follow_notifications,
    update_charger,
    utc,
)
from tests.plugins.home import SECOND_EXTERNAL_ID, SECOND_TITLE
from tests.plugins.integration import EXTERNAL_ID

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from tests.plugins.home import TwoChargerHome

pytestmark = pytest.mark.usefixtures("socket_enabled")


def sent_by(home: TwoChargerHome, external_id: str) -> list[tuple[Any, ...]]:
    """The schedules one charger sent to Axle (by its external id), as sent."""
    return [exchange.sent for exchange in home.axle.schedules_of(external_id)]


def switches(home: TwoChargerHome) -> tuple[bool, bool]:
    """Whether each charger's switch is on: (first, second)."""
    return home.charger.switch_on, home.second.switch_on


def device_of(home: TwoChargerHome, identifier: str) -> dr.DeviceEntry:
    """The entry's device with the identifier ``(DOMAIN, identifier)``."""
    devices = dr.async_entries_for_config_entry(dr.async_get(home.hass), home.entry.entry_id)
    (device,) = (device for device in devices if (DOMAIN, identifier) in device.identifiers)
    return device


def second_key(home: TwoChargerHome) -> str:
    """The second charger's key prefix (an added charger's: entry id and external id)."""
    return f"{home.entry.entry_id}_{SECOND_EXTERNAL_ID}"


async def plug_in_both(home: TwoChargerHome) -> None:
    """Plug a car into each charger at 18:00."""
    await home.charger.plug_in()
    await home.second.plug_in()


async def test_second_charger_joins_without_a_reload(
    two_chargers: TwoChargerHome, entity_registry: er.EntityRegistry
) -> None:
    """The new charger gets a device under the home's and its own entities; the first runs on."""
    home = two_chargers
    assert home.entry.state is ConfigEntryState.LOADED
    controllers = home.entry.runtime_data.controllers
    assert controllers[home.first_subentry_id] is home.controller
    assert set(controllers) == {home.first_subentry_id, home.second_controller.subentry_id}
    home_device = device_of(home, home.entry.entry_id)
    second_device = device_of(home, f"{home.entry.entry_id}_{home.second_controller.subentry_id}")
    assert second_device.via_device_id == home_device.id
    assert second_device.name == SECOND_TITLE
    status = entity_registry.async_get_entity_id("sensor", DOMAIN, f"{second_key(home)}_status")
    assert status is not None
    registry_entry = entity_registry.async_get(status)
    assert registry_entry is not None
    assert registry_entry.config_subentry_id == home.second_controller.subentry_id
    assert registry_entry.device_id == second_device.id
    state = home.hass.states.get(status)
    assert state is not None
    assert state.state == SessionStatus.UNPLUGGED
    # The home's entities are not repeated per charger.
    assert (
        entity_registry.async_get_entity_id("sensor", DOMAIN, f"{second_key(home)}_balance") is None
    )


async def test_two_plugged_in_get_independent_pauses(two_chargers: TwoChargerHome) -> None:
    """Each charger sends its own schedule and follows its own pause."""
    home = two_chargers
    await plug_in_both(home)
    assert len(sent_by(home, EXTERNAL_ID)) == 1
    assert len(sent_by(home, SECOND_EXTERNAL_ID)) == 1
    assert home.controller.next_pause == (utc(26, 2), utc(26, 2, 30))
    assert home.second_controller.next_pause == (utc(26, 1, 45), utc(26, 2, 30))
    await home.clock.move_to(utc(26, 1, 50))
    assert switches(home) == (True, False)
    assert home.controller.status is SessionStatus.CHARGING
    assert home.second_controller.status is SessionStatus.PAUSED
    await home.clock.move_to(utc(26, 2, 10))
    assert switches(home) == (False, False)
    await home.clock.move_to(utc(26, 2, 31))
    assert switches(home) == (True, True)
    assert home.controller.status is SessionStatus.CHARGING
    assert home.second_controller.status is SessionStatus.CHARGING


async def test_one_overridden_while_the_other_is_paused(two_chargers: TwoChargerHome) -> None:
    """A user's change at one charger is its override only: the other's pause goes on."""
    home = two_chargers
    await plug_in_both(home)
    await home.clock.move_to(utc(26, 1, 50))
    await home.charger.set_switch(False)
    assert home.controller.status is SessionStatus.OVERRIDDEN
    assert home.second_controller.status is SessionStatus.PAUSED
    # Switched off, the first has no plan to tell Axle; the second's schedule stands.
    await home.clock.move_to(utc(26, 1, 52))
    assert len(sent_by(home, EXTERNAL_ID)) == 1
    assert len(sent_by(home, SECOND_EXTERNAL_ID)) == 1
    assert home.second_controller.next_pause == (utc(26, 1, 45), utc(26, 2, 30))
    await home.clock.move_to(utc(26, 2, 31))
    # The second is put back at its pause's end; the first stays as its user left it.
    assert switches(home) == (False, True)
    assert home.controller.status is SessionStatus.OVERRIDDEN


async def test_one_unplugged_mid_pause_the_other_pauses_on(two_chargers: TwoChargerHome) -> None:
    """Unplugging one charger mid-pause puts it back; the other's pause runs to its end."""
    home = two_chargers
    await plug_in_both(home)
    await home.clock.move_to(utc(26, 2, 10))
    assert switches(home) == (False, False)
    await home.charger.unplug()
    assert switches(home) == (True, False)
    assert home.controller.status is SessionStatus.UNPLUGGED
    assert home.second_controller.status is SessionStatus.PAUSED
    await home.clock.move_to(utc(26, 2, 31))
    assert switches(home) == (True, True)


async def test_removing_one_mid_pause(
    two_chargers: TwoChargerHome,
    hass_storage: dict[str, Any],
    entity_registry: er.EntityRegistry,
) -> None:
    """The removed charger is put back, deleted at Axle and forgotten; the other pauses on."""
    home = two_chargers
    subentry_id = home.second_controller.subentry_id
    await plug_in_both(home)
    await home.clock.move_to(utc(26, 2, 10))
    assert storage_key(second_key(home)) in hass_storage
    assert home.hass.config_entries.async_remove_subentry(home.entry, subentry_id)
    await home.hass.async_block_till_done()
    assert switches(home) == (False, True)
    assert home.second_controller.closed
    assert set(home.entry.runtime_data.controllers) == {home.first_subentry_id}
    assert home.entry.runtime_data.controller is home.controller
    assert SECOND_EXTERNAL_ID not in {asset.external_id for asset in home.axle.iter_assets()}
    assert EXTERNAL_ID in {asset.external_id for asset in home.axle.iter_assets()}
    assert storage_key(second_key(home)) not in hass_storage
    assert storage_key(home.entry.entry_id) in hass_storage
    assert not [
        entry
        for entry in er.async_entries_for_config_entry(entity_registry, home.entry.entry_id)
        if entry.unique_id.startswith(second_key(home))
    ]
    assert home.controller.status is SessionStatus.PAUSED
    await home.clock.move_to(utc(26, 2, 31))
    assert switches(home) == (True, True)


async def test_removal_at_axle_fails(two_chargers: TwoChargerHome) -> None:
    """Axle not taking the removal leaves a notification naming the charger; HA forgets it."""
    home = two_chargers
    shown = follow_notifications(home.hass)
    # Refused (not retried): a 5xx would be retried after a delay the frozen clock never reaches.
    home.axle.fail_next("entities/asset/", status=403)
    home.hass.config_entries.async_remove_subentry(home.entry, home.second_controller.subentry_id)
    await home.hass.async_block_till_done()
    assert SECOND_EXTERNAL_ID in {asset.external_id for asset in home.axle.iter_assets()}
    (notification,) = (
        value
        for key, value in shown.items()
        if key.endswith(f"asset_not_deleted_{second_key(home)}")
    )
    assert SECOND_TITLE in notification["message"]
    assert set(home.entry.runtime_data.controllers) == {home.first_subentry_id}


async def test_changing_one_reloads_only_it(two_chargers: TwoChargerHome) -> None:
    """A new setting reloads that charger alone; the other's running pause is not touched."""
    home = two_chargers
    await plug_in_both(home)
    await home.clock.move_to(utc(26, 2, 10))
    first_calls = len(home.charger.calls())
    subentry_id = home.second_controller.subentry_id
    settings = charger_settings(home.entry) | {}
    second_settings = dict(home.entry.subentries[subentry_id].data)
    update_charger(home.hass, home.entry, {**second_settings, CONF_POWER_KW: 3.6}, subentry_id)
    await home.hass.async_block_till_done()
    controllers = home.entry.runtime_data.controllers
    assert controllers[home.first_subentry_id] is home.controller
    assert controllers[subentry_id] is not home.second_controller
    assert home.second_controller.closed
    # The new controller takes the stored session and holds the pause again; its entities are back.
    assert controllers[subentry_id].status is SessionStatus.PAUSED
    status = er.async_get(home.hass).async_get_entity_id(
        "sensor", DOMAIN, f"{second_key(home)}_status"
    )
    assert status is not None
    shown = home.hass.states.get(status)
    assert shown is not None
    assert shown.state == SessionStatus.PAUSED
    assert switches(home) == (False, False)
    assert len(home.charger.calls()) == first_calls
    assert charger_settings(home.entry) == settings
    # A window change only re-plans (no new controller).
    update_charger(
        home.hass, home.entry, {**second_settings, CONF_WINDOW_END: "06:00:00"}, subentry_id
    )
    await home.hass.async_block_till_done()
    assert home.entry.runtime_data.controllers[subentry_id] is controllers[subentry_id]


async def test_actions_name_a_charger(hass: HomeAssistant, two_chargers: TwoChargerHome) -> None:
    """Skip pause acts on the charger named (its device or its subentry); the entry alone is
    not enough in a home with two."""
    home = two_chargers
    await plug_in_both(home)
    await home.clock.move_to(utc(26, 2, 10))
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, SERVICE_SKIP_PAUSE, {"config_entry_id": home.entry.entry_id}, blocking=True
        )
    assert err.value.translation_key == "charger_required"
    device = device_of(home, f"{home.entry.entry_id}_{home.second_controller.subentry_id}")
    await hass.services.async_call(
        DOMAIN, SERVICE_SKIP_PAUSE, {"device_id": device.id}, blocking=True
    )
    assert switches(home) == (False, True)
    await hass.services.async_call(
        DOMAIN,
        SERVICE_SKIP_PAUSE,
        {"config_entry_id": home.entry.entry_id, "subentry_id": home.first_subentry_id},
        blocking=True,
    )
    assert switches(home) == (True, True)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            SERVICE_RESEND_SCHEDULE,
            {"config_entry_id": home.entry.entry_id, "subentry_id": "nope"},
            blocking=True,
        )
    assert err.value.translation_key == "charger_not_found"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, SERVICE_RESEND_SCHEDULE, {"device_id": "nope"}, blocking=True
        )
    assert err.value.translation_key == "charger_not_found"


async def test_participation_is_the_homes(two_chargers: TwoChargerHome) -> None:
    """Switching participation off unenrols once and puts both chargers back; on re-enrols."""
    home = two_chargers
    await plug_in_both(home)
    await home.clock.move_to(utc(26, 2, 10))
    chargers = home.entry.runtime_data.chargers
    await chargers.async_set_participation(False)
    assert switches(home) == (True, True)
    assert home.controller.status is SessionStatus.NOT_PARTICIPATING
    assert home.second_controller.status is SessionStatus.NOT_PARTICIPATING
    assert len(home.axle.requests_to("unenrol")) == 1
    await chargers.async_set_participation(True)
    assert chargers.participating
    assert home.controller.participating
    assert home.second_controller.participating


async def test_a_charger_added_while_out_stays_out(home: Any) -> None:
    """A charger added to a home that left Flex Lite does not take part either."""
    from tests.plugins.home import add_second_charger

    chargers = home.entry.runtime_data.chargers
    # Out as Home Assistant sees it (Axle, told so, would not onboard the new charger here).
    await home.controller.async_set_participation(False, tell_axle=False)
    subentry_id = add_second_charger(home)
    await home.hass.async_block_till_done()
    assert not home.entry.runtime_data.controllers[subentry_id].participating
    assert not chargers.participating
