"""The home's reconfigure on a home of entry version 2: every charger is sent to Axle again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.subentries import charger_subentries
from tests.flows import FIRST_EXTERNAL_ID, onboard_bodies, start_reconfigure, submit
from tests.plugins.flows import SCHEDULE_INPUT, reach_schedule

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from tools.axle_simulator import AxleSimulator

pytestmark = pytest.mark.usefixtures("home_charger_entities", "mock_setup_entry")


RECONFIGURE_INPUT = {
    const.CONF_MPAN: "1900000000013",
    const.CONF_STREET_ADDRESS: "7 Other Road",
    const.CONF_POSTCODE: "SW1A 1AA",
    const.CONF_EMAIL: "new@example.org",
    const.CONF_CONSENT: True,
}


async def test_one_charger_gets_its_installation_date(
    hass: HomeAssistant, house: ConfigEntry, axle_simulator: AxleSimulator
) -> None:
    """With one charger the date is asked, sent with it, and saved in its subentry."""
    (charger,) = charger_subentries(house)
    before = dict(charger.data)
    result = await start_reconfigure(hass, house)
    assert const.CONF_INSTALLATION_DATE in result["data_schema"].schema
    result = await submit(
        hass, result, {**RECONFIGURE_INPUT, const.CONF_INSTALLATION_DATE: "2025-02-01"}
    )
    assert result["reason"] == "reconfigure_successful"
    (body,) = onboard_bodies(axle_simulator)
    assert [asset["external_id"] for asset in body["assets"]] == [FIRST_EXTERNAL_ID]
    assert body["assets"][0]["installation_date"] == "2025-02-01"
    assert dict(charger_subentries(house)[0].data) == {
        **before,
        const.CONF_INSTALLATION_DATE: "2025-02-01",
    }
    assert house.data[const.CONF_POSTCODE] == "SW1A 1AA"
    assert const.CONF_EXTERNAL_ID not in house.data
    assert dict(house.options) == {}


async def test_two_chargers_are_both_sent_and_left_as_they_are(
    hass: HomeAssistant, house: ConfigEntry, axle_simulator: AxleSimulator
) -> None:
    """With several chargers no date is asked; each is sent as saved and stays unchanged."""
    result = await submit(hass, await reach_schedule(hass, house), SCHEDULE_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    chargers_before = [dict(sub.data) for sub in charger_subentries(house)]
    site_id = house.data[const.CONF_SITE_ID]

    result = await start_reconfigure(hass, house)
    assert const.CONF_INSTALLATION_DATE not in result["data_schema"].schema
    result = await submit(hass, result, RECONFIGURE_INPUT)
    assert result["reason"] == "reconfigure_successful"
    body = onboard_bodies(axle_simulator)[-1]
    assert body["override_withdrawal"] is True
    assert [asset["external_id"] for asset in body["assets"]] == [
        data[const.CONF_EXTERNAL_ID] for data in chargers_before
    ]
    assert [dict(sub.data) for sub in charger_subentries(house)] == chargers_before
    assert house.data[const.CONF_SITE_ID] == site_id
    assert house.data[const.CONF_STREET_ADDRESS] == "7 Other Road"
    assert len(axle_simulator.sites["1900000000013"].assets) == 2
