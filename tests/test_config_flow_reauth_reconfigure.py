"""Tests of the flows on a home set up through the set-up flow: reauth (new credentials) and the
home's reconfigure (new details and consent, sent to Axle with an override), with their refusals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.config_flow import FIND_MPAN_URL
from custom_components.axle_flex_lite.subentries import charger_subentries
from tests.flows import (
    CONSENT_TIME,
    OTHER_MPAN,
    Refusal,
    create_entry,
    onboard_bodies,
    start_reauth,
    start_reconfigure,
    submit,
    suggested_values,
)
from tests.plugins.integration import MPAN

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from tools.axle_simulator import AxleSimulator

# The created entry is not set up: these tests are about the flow only.
pytestmark = pytest.mark.usefixtures("mock_setup_entry")


# Reauth


async def test_reauth(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """New credentials are checked, saved and the entry reloaded."""
    hass.states.async_set("sensor.charger_status", "Car Connected")
    hass.states.async_set("switch.charger", "on")
    hass.states.async_set("number.charger_current", "16")
    entry = await create_entry(hass, axle_base_url)
    await hass.async_block_till_done()
    axle_simulator.accounts.clear()
    axle_simulator.add_account("ha-partner-2", "new-password")

    result = await start_reauth(hass, entry)
    assert result["step_id"] == "reauth_confirm"
    username_marker = next(m for m in result["data_schema"].schema if str(m) == CONF_USERNAME)
    assert username_marker.description == {"suggested_value": "ha-partner"}

    result = await submit(hass, result, {CONF_USERNAME: "ha-partner", CONF_PASSWORD: "old"})
    assert result["errors"] == {"base": "invalid_auth"}

    axle_simulator.fail_next("/auth/token-form", status=500)
    result = await submit(
        hass, result, {CONF_USERNAME: "ha-partner-2", CONF_PASSWORD: "new-password"}
    )
    assert result["errors"] == {"base": "cannot_connect"}

    result = await submit(
        hass, result, {CONF_USERNAME: " ha-partner-2 ", CONF_PASSWORD: "new-password"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_USERNAME] == "ha-partner-2"
    assert entry.data[CONF_PASSWORD] == "new-password"
    assert entry.data[const.CONF_MPAN] == MPAN
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


# Reconfigure


@pytest.fixture
async def entry(
    hass: HomeAssistant,
    axle_simulator: AxleSimulator,
    axle_base_url: str,
    charger_entities: None,
    freezer: FrozenDateTimeFactory,
) -> AsyncGenerator[ConfigEntry]:
    """A home set up through the flow at CONSENT_TIME, with the simulator's traffic cleared."""
    freezer.move_to(CONSENT_TIME)
    created = await create_entry(hass, axle_base_url)
    await hass.async_block_till_done()
    axle_simulator.requests.clear()
    yield created
    # The reload a finished reconfigure started ends while the simulator serves and set-up is
    # mocked (the teardown closes and unpatches both before Home Assistant stops).
    await hass.async_block_till_done()


RECONFIGURE_INPUT = {
    const.CONF_MPAN: "19 0000 0000 013",
    const.CONF_STREET_ADDRESS: "7 Other Road",
    const.CONF_POSTCODE: "sw1a1aa",
    const.CONF_EMAIL: "new@example.org",
    const.CONF_CONSENT: True,
}


async def test_reconfigure(
    hass: HomeAssistant,
    axle_simulator: AxleSimulator,
    entry: ConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """New home details and a fresh consent are sent to Axle with an override, then saved."""
    freezer.move_to("2026-12-01T08:00:00.250+00:00")
    old_data = dict(entry.data)
    result = await start_reconfigure(hass, entry)
    assert result["step_id"] == "reconfigure"
    assert result["description_placeholders"] == {"find_mpan_url": FIND_MPAN_URL}
    suggested = suggested_values(result)
    assert suggested == {
        const.CONF_MPAN: MPAN,
        const.CONF_STREET_ADDRESS: "4 Sample Lane",
        const.CONF_POSTCODE: "CT1 2EH",
        const.CONF_EMAIL: "user@example.net",
        const.CONF_CONSENT: None,
        const.CONF_INSTALLATION_DATE: None,
    }

    result = await submit(hass, result, {**RECONFIGURE_INPUT, const.CONF_CONSENT: False})
    assert result["errors"] == {const.CONF_CONSENT: "consent_required"}
    assert onboard_bodies(axle_simulator) == []

    result = await submit(hass, result, RECONFIGURE_INPUT)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert onboard_bodies(axle_simulator) == [
        {
            "site": {
                "mpan": MPAN,
                "postcode": "SW1A 1AA",
                "street_address": "7 Other Road",
                "email": "new@example.org",
                "gave_boundary_meter_consent_at": "2026-12-01T08:00:00+00:00",
            },
            "assets": [
                {
                    "external_id": charger_subentries(entry)[0].data[const.CONF_EXTERNAL_ID],
                    "type": "charger",
                    "properties": {"power_kw": 7.2},
                    "asset_model": "zappi",
                }
            ],
            "proposition": "limited_pause",
            "override_withdrawal": True,
        }
    ]
    assert entry.title == "Axle Flex Lite SW1A"
    assert dict(entry.data) == {
        **old_data,
        const.CONF_STREET_ADDRESS: "7 Other Road",
        const.CONF_POSTCODE: "SW1A 1AA",
        const.CONF_EMAIL: "new@example.org",
        const.CONF_CONSENT_AT: "2026-12-01T08:00:00+00:00",
    }
    site = axle_simulator.sites[MPAN]
    assert site.postcode == "SW1A 1AA"
    assert len(site.assets) == 1
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_reconfigure_rejoins_after_withdrawal(
    hass: HomeAssistant, axle_simulator: AxleSimulator, entry: ConfigEntry
) -> None:
    """Reconfigure is the way back in after leaving: the override re-enrols the home."""
    axle_simulator.unenrol("ha-partner", entry.data[const.CONF_SITE_ID], "limited_pause")
    result = await submit(hass, await start_reconfigure(hass, entry), RECONFIGURE_INPUT)
    assert result["reason"] == "reconfigure_successful"
    assert "limited_pause" in axle_simulator.sites[MPAN].enrolled


async def test_reconfigure_other_mpan_aborts(
    hass: HomeAssistant, axle_simulator: AxleSimulator, entry: ConfigEntry
) -> None:
    """Another meter is another entry: reconfigure refuses it and changes nothing."""
    result = await submit(
        hass,
        await start_reconfigure(hass, entry),
        {**RECONFIGURE_INPUT, const.CONF_MPAN: OTHER_MPAN},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unique_id_mismatch"
    assert onboard_bodies(axle_simulator) == []
    assert entry.data[const.CONF_MPAN] == MPAN


@pytest.mark.parametrize(
    "refusal",
    [
        Refusal({"status": 400}, "invalid_site_details"),
        Refusal({"status": 409}, "asset_conflict"),
        Refusal({"status": 500}, "cannot_connect"),
        Refusal({"status": 401, "count": 2}, "invalid_auth"),
        Refusal({"status": 403}, "forbidden"),
    ],
    ids=lambda refusal: refusal.error,
)
async def test_reconfigure_onboard_errors(
    hass: HomeAssistant,
    axle_simulator: AxleSimulator,
    entry: ConfigEntry,
    refusal: Refusal,
) -> None:
    """Axle's refusals keep the form open with what was typed; submitting again retries."""
    old_data = dict(entry.data)
    result = await start_reconfigure(hass, entry)
    refusal.arm(axle_simulator, "/entities/site/onboard")
    result = await submit(hass, result, RECONFIGURE_INPUT)
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": refusal.error}
    suggested = suggested_values(result)
    assert suggested == {**RECONFIGURE_INPUT, const.CONF_INSTALLATION_DATE: None}
    assert dict(entry.data) == old_data

    result = await submit(hass, result, RECONFIGURE_INPUT)
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[const.CONF_POSTCODE] == "SW1A 1AA"


@pytest.mark.parametrize(
    "detail",
    [
        "Site is not eligible for limited_pause: not half-hourly settled",
        "Site previously withdrew from limited_pause; contact Axle support",
    ],
)
async def test_reconfigure_not_eligible_aborts(
    hass: HomeAssistant, axle_simulator: AxleSimulator, entry: ConfigEntry, detail: str
) -> None:
    """A refusal of the site itself ends reconfigure with Axle's reason."""
    old_data = dict(entry.data)
    axle_simulator.fail_next("/entities/site/onboard", status=422, detail=detail)
    result = await submit(hass, await start_reconfigure(hass, entry), RECONFIGURE_INPUT)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_eligible"
    assert result["description_placeholders"] == {"reason": detail}
    assert dict(entry.data) == old_data


async def test_reconfigure_unusable_saved_address(
    hass: HomeAssistant, axle_simulator: AxleSimulator, entry: ConfigEntry
) -> None:
    """A saved server address the client refuses is reported, not sent credentials."""
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, const.CONF_BASE_URL: "http://axle.example.org"}
    )
    result = await submit(hass, await start_reconfigure(hass, entry), RECONFIGURE_INPUT)
    assert result["errors"] == {"base": "invalid_base_url"}
    assert axle_simulator.requests == []


async def test_reauth_unusable_saved_address(
    hass: HomeAssistant, axle_simulator: AxleSimulator, entry: ConfigEntry
) -> None:
    """Reauth reports a saved address the client refuses on the form itself."""
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, const.CONF_BASE_URL: "http://axle.example.org"}
    )
    result = await start_reauth(hass, entry)
    result = await submit(
        hass, result, {CONF_USERNAME: "ha-partner", CONF_PASSWORD: "sim-password"}
    )
    assert result["errors"] == {"base": "invalid_base_url"}
    assert axle_simulator.requests == []
