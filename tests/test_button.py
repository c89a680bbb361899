"""Tests of the buttons: skip the pause, resend the schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNKNOWN, EntityCategory
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest

from custom_components.axle_flex_lite.const import DOMAIN
from tests.helpers import entity_of

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.home import Home
    from tests.plugins.integration import SimulatedCharger
    from tools.axle_simulator import AxleSimulator

WINDOW_END = datetime(2026, 11, 26, 5, 30, tzinfo=UTC)
SCHEDULE_PATH = "plug-in-schedule"

# The low-use entities start disabled (see test_init.py); these tests look at them too.
pytestmark = pytest.mark.usefixtures("all_entities_enabled")


async def press(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> None:
    """Press one of the entry's buttons."""
    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: entity_of(hass, entry, "button", key)},
        blocking=True,
    )


async def test_registry(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Skip pause is a primary control; resend schedule is diagnostic."""
    registry = er.async_get(hass)
    skip = registry.async_get(entity_of(hass, init_integration, "button", "skip_pause"))
    resend = registry.async_get(entity_of(hass, init_integration, "button", "resend_schedule"))
    assert skip is not None
    assert resend is not None
    assert skip.entity_category is None
    assert resend.entity_category is EntityCategory.DIAGNOSTIC


async def test_skip_running_pause(
    hass: HomeAssistant,
    in_pause: MockConfigEntry,
    charger: SimulatedCharger,
    axle_simulator: AxleSimulator,
) -> None:
    """Skipping in the middle of a pause charges at once and tells Axle the rest of the night."""
    sent_before = len(axle_simulator.requests_to(SCHEDULE_PATH))

    await press(hass, in_pause, "skip_pause")
    assert charger.switch_on
    status = entity_of(hass, in_pause, "sensor", "status")
    assert hass.states.get(status).state == "charging"
    next_start = entity_of(hass, in_pause, "sensor", "next_pause_start")
    assert hass.states.get(next_start).state == STATE_UNKNOWN
    requests = axle_simulator.requests_to(SCHEDULE_PATH)
    assert len(requests) == sent_before + 1
    assert requests[-1].body["charging_schedule"] == [
        {
            "start_timestamp": dt_util.utcnow().isoformat(),
            "end_timestamp": WINDOW_END.isoformat(),
        }
    ]


async def test_skip_without_pause(home: Home) -> None:
    """With nothing to skip the press is refused with a translated validation error."""
    with pytest.raises(ServiceValidationError) as raised:
        await press(home.hass, home.entry, "skip_pause")
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "no_pause_to_skip"

    home.axle.pause_mode = "none"
    await home.charger.plug_in()
    with pytest.raises(ServiceValidationError):
        await press(home.hass, home.entry, "skip_pause")


async def test_skip_when_axle_cannot_be_told(
    hass: HomeAssistant,
    plugged_in: MockConfigEntry,
    axle_simulator: AxleSimulator,
) -> None:
    """The pause is skipped even when Axle cannot be told; the user learns of the failure."""
    axle_simulator.fail_next(SCHEDULE_PATH, status=404)
    with pytest.raises(HomeAssistantError) as raised:
        await press(hass, plugged_in, "skip_pause")
    assert raised.value.translation_key == "skip_pause_failed"
    next_start = entity_of(hass, plugged_in, "sensor", "next_pause_start")
    assert hass.states.get(next_start).state == STATE_UNKNOWN


async def test_resend_schedule(home: Home) -> None:
    """Resending asks Axle again and follows the new answer."""
    home.axle.fail_next(SCHEDULE_PATH, status=400)
    await home.charger.plug_in()
    status = entity_of(home.hass, home.entry, "sensor", "status")
    assert home.hass.states.get(status).state == "fallback"

    await home.clock.advance(timedelta(minutes=5))
    await press(home.hass, home.entry, "resend_schedule")
    assert home.hass.states.get(status).state == "waiting"
    assert len(home.axle.requests_to(SCHEDULE_PATH)) == 2
    sync = entity_of(home.hass, home.entry, "sensor", "last_schedule_sync")
    assert home.hass.states.get(sync).state == home.clock.now.isoformat()


async def test_resend_schedule_refused(home: Home) -> None:
    """Unplugged there is nothing to send; Axle failing is a translated error and a fallback."""
    with pytest.raises(ServiceValidationError) as raised:
        await press(home.hass, home.entry, "resend_schedule")
    assert raised.value.translation_key == "not_plugged_in"
    assert home.axle.requests_to(SCHEDULE_PATH) == []

    await home.charger.plug_in()
    home.axle.fail_next(SCHEDULE_PATH, status=404)
    with pytest.raises(HomeAssistantError) as raised:
        await press(home.hass, home.entry, "resend_schedule")
    assert raised.value.translation_key == "resend_schedule_failed"
    status = entity_of(home.hass, home.entry, "sensor", "status")
    assert home.hass.states.get(status).state == "fallback"


async def test_resend_when_not_participating(home: Home) -> None:
    """Participation off: resending is refused, nothing is sent."""
    await home.hass.services.async_call(
        "switch",
        "turn_off",
        {ATTR_ENTITY_ID: entity_of(home.hass, home.entry, "switch", "participation")},
        blocking=True,
    )
    await home.charger.plug_in()
    with pytest.raises(ServiceValidationError) as raised:
        await press(home.hass, home.entry, "resend_schedule")
    assert raised.value.translation_key == "not_participating"
