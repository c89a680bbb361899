"""Tests of the actions: skip_pause, resend_schedule, offboard and get_withdrawal_link."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import Context, SupportsResponse
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError, Unauthorized
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.service import async_get_all_descriptions
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.axle_flex_lite.const import CONF_SITE_ID, DOMAIN
from custom_components.axle_flex_lite.services import (
    SERVICE_GET_WITHDRAWAL_LINK,
    SERVICE_OFFBOARD,
    SERVICE_RESEND_SCHEDULE,
    SERVICE_SKIP_PAUSE,
)
from tests.plugins.integration import MPAN

if TYPE_CHECKING:
    from homeassistant.auth.models import User
    from homeassistant.core import HomeAssistant

    from tests.plugins.home import Home
    from tests.plugins.integration import SimulatedCharger
    from tools.axle_simulator import AxleSimulator

SCHEDULE_PATH = "plug-in-schedule"
OFFBOARD_PATH = "offboard-site-and-assets"
BALANCE_PATH = "/info"
WITHDRAWAL_PATH = "/url/balance"


async def call(
    hass: HomeAssistant, service: str, data: dict[str, Any], *, response: bool = False
) -> Any:
    """Call one of the integration's actions."""
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response
    )


def sensor_state(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    """The state of one of the entry's sensors."""
    found = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{entry.entry_id}_{key}")
    assert found is not None
    shown = hass.states.get(found)
    assert shown is not None
    return shown.state


async def test_actions_are_registered(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """All four actions exist and Home Assistant reads their descriptions."""
    services = hass.services.async_services_for_domain(DOMAIN)
    assert set(services) == {
        SERVICE_SKIP_PAUSE,
        SERVICE_RESEND_SCHEDULE,
        SERVICE_OFFBOARD,
        SERVICE_GET_WITHDRAWAL_LINK,
    }
    assert hass.services.supports_response(DOMAIN, SERVICE_GET_WITHDRAWAL_LINK) is (
        SupportsResponse.ONLY
    )
    assert hass.services.supports_response(DOMAIN, SERVICE_OFFBOARD) is SupportsResponse.NONE
    descriptions = (await async_get_all_descriptions(hass))[DOMAIN]
    assert set(descriptions[SERVICE_OFFBOARD]["fields"]) == {"config_entry_id", "confirm", "force"}
    assert descriptions[SERVICE_SKIP_PAUSE]["fields"]["config_entry_id"]["selector"] == {
        "config_entry": {"integration": DOMAIN}
    }


async def test_skip_pause(
    hass: HomeAssistant,
    in_pause: MockConfigEntry,
    charger: SimulatedCharger,
    axle_simulator: AxleSimulator,
) -> None:
    """The action skips the running pause like the button does."""
    await call(hass, SERVICE_SKIP_PAUSE, {"config_entry_id": in_pause.entry_id})
    assert charger.switch_on
    assert sensor_state(hass, in_pause, "next_pause_start") == STATE_UNKNOWN
    assert len(axle_simulator.requests_to(SCHEDULE_PATH)) == 2

    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, SERVICE_SKIP_PAUSE, {"config_entry_id": in_pause.entry_id})
    assert raised.value.translation_key == "no_pause_to_skip"


async def test_resend_schedule(
    hass: HomeAssistant,
    plugged_in: MockConfigEntry,
    axle_simulator: AxleSimulator,
) -> None:
    """The action asks Axle again; an Axle failure is a translated error."""
    await call(hass, SERVICE_RESEND_SCHEDULE, {"config_entry_id": plugged_in.entry_id})
    assert len(axle_simulator.requests_to(SCHEDULE_PATH)) == 2

    axle_simulator.fail_next(SCHEDULE_PATH, status=404)
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, SERVICE_RESEND_SCHEDULE, {"config_entry_id": plugged_in.entry_id})
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "resend_schedule_failed"


@pytest.mark.parametrize(
    "service", [SERVICE_SKIP_PAUSE, SERVICE_RESEND_SCHEDULE, SERVICE_GET_WITHDRAWAL_LINK]
)
async def test_entry_must_exist_and_be_loaded(
    hass: HomeAssistant, init_integration: MockConfigEntry, service: str
) -> None:
    """Unknown entries, other integrations' entries and unloaded entries are refused."""
    response = service == SERVICE_GET_WITHDRAWAL_LINK
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, service, {"config_entry_id": "not-an-entry"}, response=response)
    assert raised.value.translation_key == "entry_not_found"

    other = MockConfigEntry(domain="input_boolean")
    other.add_to_hass(hass)
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, service, {"config_entry_id": other.entry_id}, response=response)
    assert raised.value.translation_key == "entry_not_found"

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, service, {"config_entry_id": init_integration.entry_id}, response=response)
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "entry_not_loaded"


async def test_entry_id_is_required(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The schema asks for the entry."""
    with pytest.raises(vol.Invalid):
        await call(hass, SERVICE_SKIP_PAUSE, {})


async def test_offboard_needs_confirmation(home: Home) -> None:
    """Without confirm: true nothing reaches Axle."""
    with pytest.raises(ServiceValidationError) as raised:
        await call(
            home.hass, SERVICE_OFFBOARD, {"config_entry_id": home.entry.entry_id, "confirm": False}
        )
    assert raised.value.translation_key == "offboard_not_confirmed"
    with pytest.raises(vol.Invalid):
        await call(home.hass, SERVICE_OFFBOARD, {"config_entry_id": home.entry.entry_id})
    assert home.axle.requests_to(OFFBOARD_PATH) == []
    assert MPAN in home.axle.sites


async def test_offboard_is_for_administrators(
    home: Home, hass_read_only_user: User, hass_admin_user: User
) -> None:
    """Only an administrator may delete the home at Axle; the others are refused before anything."""
    data = {"config_entry_id": home.entry.entry_id, "confirm": False}

    async def offboard_as(user: User) -> None:
        await home.hass.services.async_call(
            DOMAIN, SERVICE_OFFBOARD, data, blocking=True, context=Context(user_id=user.id)
        )

    with pytest.raises(Unauthorized):
        await offboard_as(hass_read_only_user)
    # An administrator gets past the check and on to the confirmation.
    with pytest.raises(ServiceValidationError) as raised:
        await offboard_as(hass_admin_user)
    assert raised.value.translation_key == "offboard_not_confirmed"
    assert home.axle.requests_to(OFFBOARD_PATH) == []
    assert home.entry.state is ConfigEntryState.LOADED


async def test_offboard_refused_while_balance_remains(home: Home) -> None:
    """A balance left stops the offboarding unless forced."""
    home.axle.set_balance(home.entry.data[CONF_SITE_ID], 412, 1650, False)
    with pytest.raises(ServiceValidationError) as raised:
        await call(
            home.hass, SERVICE_OFFBOARD, {"config_entry_id": home.entry.entry_id, "confirm": True}
        )
    assert raised.value.translation_key == "balance_remaining"
    assert raised.value.translation_placeholders == {"balance": "£4.12"}
    assert home.axle.requests_to(OFFBOARD_PATH) == []
    assert home.entry.state is ConfigEntryState.LOADED


async def test_offboard_forced(home: Home) -> None:
    """Forcing gives the balance up: the site leaves Axle and the entry is removed."""
    home.axle.set_balance(home.entry.data[CONF_SITE_ID], 412, 1650, False)
    balance_reads = len(home.axle.requests_to(BALANCE_PATH))
    await call(
        home.hass,
        SERVICE_OFFBOARD,
        {"config_entry_id": home.entry.entry_id, "confirm": True, "force": True},
    )
    await home.hass.async_block_till_done()
    assert len(home.axle.requests_to(OFFBOARD_PATH)) == 1
    assert len(home.axle.requests_to(BALANCE_PATH)) == balance_reads
    assert MPAN not in home.axle.sites
    assert home.hass.config_entries.async_get_entry(home.entry.entry_id) is None


async def test_offboard_with_empty_balance(home: Home) -> None:
    """With nothing left to withdraw the balance is checked and the site leaves Axle."""
    balance_reads = len(home.axle.requests_to(BALANCE_PATH))
    await call(
        home.hass, SERVICE_OFFBOARD, {"config_entry_id": home.entry.entry_id, "confirm": True}
    )
    await home.hass.async_block_till_done()
    assert len(home.axle.requests_to(BALANCE_PATH)) == balance_reads + 1
    assert MPAN not in home.axle.sites
    assert home.hass.config_entries.async_get_entry(home.entry.entry_id) is None


async def test_offboard_axle_errors(home: Home) -> None:
    """An unreadable balance or a refused offboarding keeps everything in place."""
    data = {"config_entry_id": home.entry.entry_id, "confirm": True}
    home.axle.fail_next(BALANCE_PATH, status=404)
    with pytest.raises(HomeAssistantError) as raised:
        await call(home.hass, SERVICE_OFFBOARD, data)
    assert raised.value.translation_key == "balance_unavailable"
    assert home.axle.requests_to(OFFBOARD_PATH) == []

    home.axle.fail_next(OFFBOARD_PATH, status=500)
    with pytest.raises(HomeAssistantError) as raised:
        await call(home.hass, SERVICE_OFFBOARD, data)
    assert raised.value.translation_key == "offboard_failed"
    assert "500" in raised.value.translation_placeholders["error"]
    assert MPAN in home.axle.sites
    assert home.entry.state is ConfigEntryState.LOADED


async def test_withdrawal_link(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    """The link comes back with its expiry; Axle is told where to send the user back."""
    # A Home Assistant without any URL of its own (no HTTP server, none configured).
    monkeypatch.setattr(home.hass.config, "api", None)
    balance_reads = len(home.axle.requests_to(BALANCE_PATH))
    result = await call(
        home.hass,
        SERVICE_GET_WITHDRAWAL_LINK,
        {"config_entry_id": home.entry.entry_id},
        response=True,
    )
    assert result["url"].startswith("https://")
    assert result["expires_at"] == (home.clock.now + timedelta(hours=1)).isoformat()
    request = home.axle.requests_to(WITHDRAWAL_PATH)[-1]
    # No URL of its own: the companion app's scheme.
    assert request.query["redirect_uri"] == "homeassistant://"
    # The balance is read again for whoever is about to withdraw.
    assert len(home.axle.requests_to(BALANCE_PATH)) == balance_reads + 1

    await async_process_ha_core_config(home.hass, {"external_url": "https://home.example.org"})
    await call(
        home.hass,
        SERVICE_GET_WITHDRAWAL_LINK,
        {"config_entry_id": home.entry.entry_id},
        response=True,
    )
    request = home.axle.requests_to(WITHDRAWAL_PATH)[-1]
    assert request.query["redirect_uri"] == "https://home.example.org"


async def test_withdrawal_link_error(home: Home) -> None:
    """Axle refusing the link is a translated error."""
    home.axle.fail_next(WITHDRAWAL_PATH, status=404)
    with pytest.raises(HomeAssistantError) as raised:
        await call(
            home.hass,
            SERVICE_GET_WITHDRAWAL_LINK,
            {"config_entry_id": home.entry.entry_id},
            response=True,
        )
    assert raised.value.translation_key == "withdrawal_link_failed"
