"""Tests of the participation switch against the simulator."""

from __future__ import annotations

from datetime import UTC, datetime
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
from tools.axle_simulator.state import LIMITED_PAUSE

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.integration import Clock, SimulatedCharger
    from tools.axle_simulator import AxleSimulator

PAUSE_START = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


async def switch(hass: HomeAssistant, target: str, on: bool) -> None:
    """Turn the participation switch on or off as the user would."""
    await hass.services.async_call(
        SWITCH_DOMAIN,
        SERVICE_TURN_ON if on else SERVICE_TURN_OFF,
        {ATTR_ENTITY_ID: target},
        blocking=True,
    )


async def test_switch_off_and_on(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
) -> None:
    """Off unenrols and stops the session; on enrols again (overriding the withdrawal)."""
    participation = entity_of(hass, init_integration, "switch", "participation")
    status = entity_of(hass, init_integration, "sensor", "status")
    site = next(iter(axle_simulator.sites.values()))
    assert hass.states.get(participation).state == STATE_ON

    await charger.plug_in()
    await clock.move_to(PAUSE_START)
    assert not charger.switch_on

    await switch(hass, participation, on=False)
    assert hass.states.get(participation).state == STATE_OFF
    assert hass.states.get(status).state == "not_participating"
    assert LIMITED_PAUSE not in site.enrolled
    # The pause ends with participation: the charger is put back at once.
    assert charger.switch_on

    await switch(hass, participation, on=True)
    assert hass.states.get(participation).state == STATE_ON
    assert LIMITED_PAUSE in site.enrolled
    enrol = axle_simulator.requests_to("/enrol")[-1]
    assert enrol.body["override_withdrawal"] is True
    # The car is still plugged in: a new session starts and Axle is asked again.
    assert hass.states.get(status).state != "not_participating"


async def test_switch_on_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    axle_simulator: AxleSimulator,
) -> None:
    """Axle refusing the enrolment is a translated error and the switch stays off."""
    participation = entity_of(hass, init_integration, "switch", "participation")
    await switch(hass, participation, on=False)
    axle_simulator.fail_next("/enrol", status=404)
    with pytest.raises(HomeAssistantError) as raised:
        await switch(hass, participation, on=True)
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "participation_failed"
    assert "404" in raised.value.translation_placeholders["error"]
    assert hass.states.get(participation).state == STATE_OFF


async def test_switch_off_refused_still_stops(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    axle_simulator: AxleSimulator,
) -> None:
    """Unenrolling failing at Axle is reported, but participation is off locally all the same."""
    participation = entity_of(hass, init_integration, "switch", "participation")
    axle_simulator.fail_next("/unenrol", status=404)
    with pytest.raises(HomeAssistantError) as raised:
        await switch(hass, participation, on=False)
    assert raised.value.translation_key == "participation_failed"
    assert hass.states.get(participation).state == STATE_OFF
