"""The repair issue that tells the user Axle no longer finds the home eligible."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.helpers import issue_registry as ir

from custom_components.axle_flex_lite.const import DOMAIN
from custom_components.axle_flex_lite.site_eligibility import site_issue_id
from tests.plugins.integration import MPAN

if TYPE_CHECKING:
    from tests.plugins.home import NewHome


async def test_issue_follows_axles_verdict(new_home: NewHome) -> None:
    # The meter stopped being half-hourly settled and the charger has no model at Axle.
    new_home.axle.set_meter(MPAN, half_hourly_settled=False)
    new_home.entry.add_to_hass(new_home.hass)
    assert await new_home.hass.config_entries.async_setup(new_home.entry.entry_id)
    await new_home.hass.async_block_till_done(wait_background_tasks=True)
    issue = ir.async_get(new_home.hass).async_get_issue(
        DOMAIN, site_issue_id(new_home.entry.entry_id)
    )
    assert issue is not None
    assert issue.translation_key == "site_not_eligible"
    assert issue.translation_placeholders == {
        "title": new_home.entry.title,
        "reasons": "asset_model_not_set, asset_installation_date_not_set",
    }
    assert len(new_home.axle.requests_to("/eligibility")) == 1

    new_home.axle.set_meter(MPAN)
    assert await new_home.hass.config_entries.async_reload(new_home.entry.entry_id)
    await new_home.hass.async_block_till_done(wait_background_tasks=True)
    assert (
        ir.async_get(new_home.hass).async_get_issue(DOMAIN, site_issue_id(new_home.entry.entry_id))
        is None
    )


async def test_axle_down_leaves_the_issue_alone(new_home: NewHome) -> None:
    ir.async_create_issue(
        new_home.hass,
        DOMAIN,
        site_issue_id(new_home.entry.entry_id),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="site_not_eligible",
        translation_placeholders={"title": "t", "reasons": "non_domestic_site"},
    )
    new_home.axle.fail_next("/eligibility", status=500)
    new_home.entry.add_to_hass(new_home.hass)
    assert await new_home.hass.config_entries.async_setup(new_home.entry.entry_id)
    await new_home.hass.async_block_till_done()
    assert ir.async_get(new_home.hass).async_get_issue(
        DOMAIN, site_issue_id(new_home.entry.entry_id)
    )
    # Read once, not retried: set-up does not wait for Axle.
    assert len(new_home.axle.requests_to("/eligibility")) == 1
