"""The repair issue that tells the user Axle no longer finds the home eligible."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.helpers import issue_registry as ir

from custom_components.axle_flex_lite.const import DOMAIN
from custom_components.axle_flex_lite.site_eligibility import site_issue_id
from tests.plugins.integration import MPAN

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.integration import Clock, SimulatedCharger
    from tools.axle_simulator import AxleSimulator


async def test_issue_follows_axles_verdict(
    hass: HomeAssistant,
    clock: Clock,
    charger: SimulatedCharger,
    config_entry: MockConfigEntry,
    axle_simulator: AxleSimulator,
) -> None:
    # The meter stopped being half-hourly settled and the charger has no model at Axle.
    axle_simulator.set_meter(MPAN, half_hourly_settled=False)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, site_issue_id(config_entry.entry_id))
    assert issue is not None
    assert issue.translation_key == "site_not_eligible"
    assert issue.translation_placeholders == {
        "title": config_entry.title,
        "reasons": "asset_model_not_set, asset_installation_date_not_set",
    }
    assert len(axle_simulator.requests_to("/eligibility")) == 1

    axle_simulator.set_meter(MPAN)
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert ir.async_get(hass).async_get_issue(DOMAIN, site_issue_id(config_entry.entry_id)) is None


async def test_axle_down_leaves_the_issue_alone(
    hass: HomeAssistant,
    clock: Clock,
    charger: SimulatedCharger,
    config_entry: MockConfigEntry,
    axle_simulator: AxleSimulator,
) -> None:
    ir.async_create_issue(
        hass,
        DOMAIN,
        site_issue_id(config_entry.entry_id),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="site_not_eligible",
        translation_placeholders={"title": "t", "reasons": "non_domestic_site"},
    )
    axle_simulator.fail_next("/eligibility", status=500)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, site_issue_id(config_entry.entry_id))
    # Read once, not retried: set-up does not wait for Axle.
    assert len(axle_simulator.requests_to("/eligibility")) == 1
