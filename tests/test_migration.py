"""Config entry version 2: an older entry's charger becomes the home's first charger subentry.

The entry (version 1) holds the charger in its options and its asset in its data; Home Assistant
crashed in the middle of Axle's pause, so the store holds a running pause and the charger is off.
Nothing the user sees changes: the charger's entities stay on the home's device with their names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
)
import pytest

from custom_components.axle_flex_lite import async_migrate_entry, const
from custom_components.axle_flex_lite.controller import SessionStatus
from custom_components.axle_flex_lite.migration import async_move_charger_to_subentry
from custom_components.axle_flex_lite.services import SERVICE_SKIP_PAUSE
from tests.helpers import (
    OFF,
    ON,
    add_and_set_up_entry,
    charger_subentry,
    controller_of,
    registry_id,
    sent_schedules,
    set_up_entry,
    store_controller_state,
    utc,
)
from tests.plugins.home import SECOND_EXTERNAL_ID, SECOND_TITLE
from tests.plugins.integration import EXTERNAL_ID, SWITCH

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.home import NewHome, TwoChargerHome

# The entities an entry of version 1 had, all on the home's device, and the names version 1
# showed (the device's name, the entry title, then the entity's): (platform, key, entity id, name).
OLD_ENTITIES = (
    ("sensor", "status", "sensor.axle_flex_lite_ct1_status", "Axle Flex Lite CT1 Status"),
    (
        "sensor",
        "next_pause_end",
        "sensor.axle_flex_lite_ct1_next_pause_end",
        "Axle Flex Lite CT1 Next pause end",
    ),
    (
        "sensor",
        "balance",
        "sensor.axle_flex_lite_ct1_rewards_balance",
        "Axle Flex Lite CT1 Rewards balance",
    ),
    (
        "binary_sensor",
        "pause_active",
        "binary_sensor.axle_flex_lite_ct1_pause_active",
        "Axle Flex Lite CT1 Pause active",
    ),
    (
        "switch",
        "participation",
        "switch.axle_flex_lite_ct1_flex_lite_participation",
        "Axle Flex Lite CT1 Flex Lite participation",
    ),
    (
        "time",
        "window_start",
        "time.axle_flex_lite_ct1_charge_from",
        "Axle Flex Lite CT1 Charge from",
    ),
)

# The keys of the home's own entities (participation, rewards): not any charger's.
HOME_KEYS = frozenset({"participation", "balance", "total_earnings", "can_withdraw"})

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
    """Put the version 1 entities in the registry, on the home's device; return ids by key.

    The device is in an area, as a user may have put it.
    """
    registry = er.async_get(hass)
    devices = dr.async_get(hass)
    device = devices.async_get_or_create(
        config_entry_id=new_home.entry.entry_id,
        identifiers={(const.DOMAIN, new_home.entry.entry_id)},
        name=new_home.entry.title,
    )
    area = ar.async_get(hass).async_get_or_create("Driveway")
    devices.async_update_device(device.id, area_id=area.id)
    ids = {}
    for platform, key, entity_id, _ in OLD_ENTITIES:
        created = registry.async_get_or_create(
            platform,
            const.DOMAIN,
            f"{new_home.entry.entry_id}_{key}",
            suggested_object_id=entity_id.split(".", 1)[1],
            config_entry=new_home.entry,
            device_id=device.id,
        )
        assert created.entity_id == entity_id
        ids[key] = entity_id
    return ids


def friendly_name(hass: HomeAssistant, entity_id: str) -> str:
    """The name Home Assistant shows for the entity."""
    state = hass.states.get(entity_id)
    assert state is not None
    return str(state.attributes["friendly_name"])


def entity_devices(hass: HomeAssistant) -> dict[str, str | None]:
    """The device of each version 1 entity, by entity id."""
    registry = er.async_get(hass)
    return {
        entity_id: registry.async_get(entity_id).device_id  # type: ignore[union-attr]
        for _, _, entity_id, _ in OLD_ENTITIES
    }


def assert_as_before_migration(
    hass: HomeAssistant, entry: MockConfigEntry, devices_before: dict[str, str | None]
) -> None:
    """Every version 1 entity is where it was, as it was: id, device, area, shown name.

    The charger has no device of its own: the home's device is the only one of the entry.
    """
    registry = er.async_get(hass)
    for platform, key, entity_id, name in OLD_ENTITIES:
        unique_id = f"{entry.entry_id}_{key}"
        assert registry.async_get_entity_id(platform, const.DOMAIN, unique_id) == entity_id
        registered = registry.async_get(entity_id)
        assert registered is not None
        assert registered.config_subentry_id is None
        assert friendly_name(hass, entity_id) == name
    assert entity_devices(hass) == devices_before
    (device,) = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert device.identifiers == {(const.DOMAIN, entry.entry_id)}
    assert device.name == entry.title
    assert device.area_id == "driveway"


@pytest.mark.parametrize("start_time", [utc(26, 2, 10)])
async def test_mid_pause_entry_migrates_and_the_pause_ends_on_time(
    new_home: NewHome, hass_storage: dict[str, Any]
) -> None:
    """The stored pause runs on to 02:30 and the charger is put back; entity ids stay."""
    hass = new_home.hass
    assert new_home.entry.version == 1
    asset_id = new_home.entry.data[const.CONF_ASSET_ID]
    old_options = dict(new_home.entry.options)
    await new_home.charger.plug_in()
    new_home.entry.add_to_hass(hass)
    ids = register_old_entities(hass, new_home)
    devices_before = entity_devices(hass)
    # What the crash left: the charger off for the pause, and the pause in the entry's store.
    await new_home.charger.set_switch(False)
    store_controller_state(
        hass_storage, new_home.entry, {**MID_PAUSE, "restore": {registry_id(hass, SWITCH): "on"}}
    )
    new_home.charger.reset_calls()

    await add_and_set_up_entry(hass, new_home.entry)

    entry = new_home.entry
    subentry = charger_subentry(entry)
    assert subentry.subentry_type == const.SUBENTRY_TYPE_CHARGER
    assert subentry.unique_id == EXTERNAL_ID
    assert dict(subentry.data) == {
        **old_options,
        const.CONF_CONTROL_KIND: "switch",
        const.CONF_ASSET_ID: asset_id,
        const.CONF_EXTERNAL_ID: EXTERNAL_ID,
        const.CONF_KEY_PREFIX: entry.entry_id,
    }
    assert dict(entry.options) == {}
    assert const.CONF_ASSET_ID not in entry.data
    assert const.CONF_EXTERNAL_ID not in entry.data
    # No call to Axle about the charger: the stored answer stands.
    assert sent_schedules(new_home.axle) == []

    assert_as_before_migration(hass, entry, devices_before)

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
    assert_as_before_migration(hass, entry, devices_before)


@pytest.mark.parametrize(
    "entry_options", [{const.CONF_PLUG_ENTITY: "input_boolean.ev_plug", "switch_entity": SWITCH}]
)
async def test_version_migration(new_home: NewHome) -> None:
    """Home Assistant's migration step moves the charger once and sets version 2."""
    hass = new_home.hass
    entry = new_home.entry
    entry.add_to_hass(hass)
    assert await async_migrate_entry(hass, entry)
    assert entry.version == const.CONFIG_ENTRY_VERSION
    subentry = charger_subentry(entry)
    assert subentry.data[const.CONF_CONTROL_KIND] == "switch"
    assert const.CONF_WINDOW_START not in subentry.data
    assert await async_migrate_entry(hass, entry)
    assert list(entry.subentries) == [subentry.subentry_id]
    hass.config_entries.async_update_entry(entry, version=const.CONFIG_ENTRY_VERSION + 1)
    assert not await async_migrate_entry(hass, entry)


@pytest.mark.usefixtures("socket_enabled")
async def test_a_charger_added_after_migration_gets_its_own_device(
    two_chargers: TwoChargerHome,
) -> None:
    """The migrated charger stays on the home's device; the added one has its own under it.

    An action aimed at the home's device acts on the charger shown there, one aimed at the added
    charger's device on that one. Removing the migrated charger removes its entities only: the
    home's device and entities stay, and the home's device then names the charger left.
    """
    home = two_chargers
    hass = home.hass
    entry = home.entry
    registry = er.async_get(hass)
    devices = dr.async_get(hass)
    (home_device,) = (
        device
        for device in dr.async_entries_for_config_entry(devices, entry.entry_id)
        if device.identifiers == {(const.DOMAIN, entry.entry_id)}
    )
    second_key = f"{entry.entry_id}_{SECOND_EXTERNAL_ID}"
    first_status = registry.async_get_entity_id("sensor", const.DOMAIN, f"{entry.entry_id}_status")
    second_status = registry.async_get_entity_id("sensor", const.DOMAIN, f"{second_key}_status")
    assert first_status is not None
    assert second_status is not None
    assert registry.async_get(first_status).device_id == home_device.id  # type: ignore[union-attr]
    second_device_id = registry.async_get(second_status).device_id  # type: ignore[union-attr]
    second_device = devices.async_get(second_device_id)  # type: ignore[arg-type]
    assert second_device is not None
    assert second_device.identifiers == {
        (const.DOMAIN, f"{entry.entry_id}_{home.second_controller.subentry_id}")
    }
    assert second_device.via_device_id == home_device.id
    assert home_device.via_device_id is None
    assert len(dr.async_entries_for_config_entry(devices, entry.entry_id)) == 2
    assert friendly_name(hass, first_status) == "Axle Flex Lite CT1 Status"
    assert friendly_name(hass, second_status) == f"{SECOND_TITLE} Status"

    await home.charger.plug_in()
    await home.second.plug_in()
    await home.clock.move_to(utc(26, 2, 10))
    assert (home.charger.switch_on, home.second.switch_on) == (False, False)
    await hass.services.async_call(
        const.DOMAIN, SERVICE_SKIP_PAUSE, {"device_id": home_device.id}, blocking=True
    )
    assert (home.charger.switch_on, home.second.switch_on) == (True, False)
    await hass.services.async_call(
        const.DOMAIN, SERVICE_SKIP_PAUSE, {"device_id": second_device.id}, blocking=True
    )
    assert (home.charger.switch_on, home.second.switch_on) == (True, True)

    home_entities = {
        registered.entity_id
        for registered in er.async_entries_for_config_entry(registry, entry.entry_id)
        if registered.device_id == home_device.id
        and registered.unique_id.removeprefix(f"{entry.entry_id}_") in HOME_KEYS
    }
    assert len(home_entities) == len(HOME_KEYS)
    assert hass.config_entries.async_remove_subentry(entry, home.first_subentry_id)
    await hass.async_block_till_done()
    assert registry.async_get(first_status) is None
    assert hass.states.get(first_status) is None
    left = {
        registered.entity_id
        for registered in er.async_entries_for_config_entry(registry, entry.entry_id)
        if registered.device_id == home_device.id
    }
    assert left == home_entities
    for entity_id in home_entities:
        assert hass.states.get(entity_id) is not None
    assert devices.async_get(home_device.id) is not None
    assert registry.async_get(second_status).device_id == second_device.id  # type: ignore[union-attr]
    # The home's device now stands for the one charger left (its pause skipped above).
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            const.DOMAIN, SERVICE_SKIP_PAUSE, {"device_id": home_device.id}, blocking=True
        )
    assert err.value.translation_key == "no_pause_to_skip"


async def test_the_charger_device_of_an_earlier_version_is_retired(new_home: NewHome) -> None:
    """A home set up by the version that gave the migrated charger a device of its own: its
    entities (a disabled one too) come back to the home's device and that device is removed."""
    hass = new_home.hass
    entry = new_home.entry
    entry.add_to_hass(hass)
    assert async_move_charger_to_subentry(hass, entry)
    subentry = charger_subentry(entry)
    devices = dr.async_get(hass)
    registry = er.async_get(hass)
    own = devices.async_get_or_create(
        config_entry_id=entry.entry_id,
        config_subentry_id=subentry.subentry_id,
        identifiers={(const.DOMAIN, f"{entry.entry_id}_{subentry.subentry_id}")},
        name="EV charger",
    )
    for platform, key, object_id, disabled_by in (
        ("sensor", "status", "ev_charger_status", None),
        ("sensor", "last_schedule_sync", "ev_charger_last_sync", er.RegistryEntryDisabler.USER),
    ):
        registry.async_get_or_create(
            platform,
            const.DOMAIN,
            f"{entry.entry_id}_{key}",
            suggested_object_id=object_id,
            config_entry=entry,
            config_subentry_id=subentry.subentry_id,
            device_id=own.id,
            disabled_by=disabled_by,
        )

    await set_up_entry(hass, entry)

    assert devices.async_get(own.id) is None
    (home_device,) = dr.async_entries_for_config_entry(devices, entry.entry_id)
    assert home_device.identifiers == {(const.DOMAIN, entry.entry_id)}
    for entity_id in ("sensor.ev_charger_status", "sensor.ev_charger_last_sync"):
        registered = registry.async_get(entity_id)
        assert registered is not None
        assert registered.device_id == home_device.id
        assert registered.config_subentry_id is None
    assert friendly_name(hass, "sensor.ev_charger_status") == "Axle Flex Lite CT1 Status"
    assert registry.async_get("sensor.ev_charger_last_sync").disabled  # type: ignore[union-attr]
