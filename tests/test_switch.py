"""Tests of the participation switch against the simulator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
)
from homeassistant.exceptions import HomeAssistantError
import pytest

from custom_components.axle_flex_lite.const import DOMAIN
from tests.helpers import entity_of
from tests.plugins.integration import FIRST_PAUSE_START
from tools.axle_simulator.state import LIMITED_PAUSE

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from tests.plugins.home import Home


async def switch(hass: HomeAssistant, target: str, on: bool) -> None:
    """Turn the participation switch on or off as the user would."""
    await hass.services.async_call(
        SWITCH_DOMAIN,
        SERVICE_TURN_ON if on else SERVICE_TURN_OFF,
        {ATTR_ENTITY_ID: target},
        blocking=True,
    )


async def test_switch_off_and_on(home: Home) -> None:
    """Off unenrols and stops the session; on enrols again (overriding the withdrawal)."""
    participation = entity_of(home.hass, home.entry, "switch", "participation")
    status = entity_of(home.hass, home.entry, "sensor", "status")
    site = next(iter(home.axle.sites.values()))
    assert home.hass.states.get(participation).state == STATE_ON

    await home.charger.plug_in()
    await home.clock.move_to(FIRST_PAUSE_START)
    assert not home.charger.switch_on

    await switch(home.hass, participation, on=False)
    assert home.hass.states.get(participation).state == STATE_OFF
    assert home.hass.states.get(status).state == "not_participating"
    assert LIMITED_PAUSE not in site.enrolled
    # The pause ends with participation: the charger is put back at once.
    assert home.charger.switch_on

    await switch(home.hass, participation, on=True)
    assert home.hass.states.get(participation).state == STATE_ON
    assert LIMITED_PAUSE in site.enrolled
    enrol = home.axle.requests_to("/enrol")[-1]
    assert enrol.body["override_withdrawal"] is True
    # The car is still plugged in: a new session starts and Axle is asked again.
    assert home.hass.states.get(status).state != "not_participating"


async def test_switch_on_refused(home: Home) -> None:
    """Axle refusing the enrolment is a translated error and the switch stays off."""
    participation = entity_of(home.hass, home.entry, "switch", "participation")
    await switch(home.hass, participation, on=False)
    home.axle.fail_next("/enrol", status=404)
    with pytest.raises(HomeAssistantError) as raised:
        await switch(home.hass, participation, on=True)
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "participation_failed"
    assert "404" in raised.value.translation_placeholders["error"]
    assert home.hass.states.get(participation).state == STATE_OFF


async def test_switch_off_refused_still_stops(home: Home) -> None:
    """Unenrolling failing at Axle is reported, but participation is off locally all the same."""
    participation = entity_of(home.hass, home.entry, "switch", "participation")
    home.axle.fail_next("/unenrol", status=404)
    with pytest.raises(HomeAssistantError) as raised:
        await switch(home.hass, participation, on=False)
    assert raised.value.translation_key == "participation_failed"
    assert home.hass.states.get(participation).state == STATE_OFF
