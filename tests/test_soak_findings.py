"""What the soak found in the controller, each as a short test of its own.

(More that it found and is fixed is tested in ``test_controller_soak_findings.py``.)

The cases still open are strict expected failures: each passes (and so fails here) once the
controller handles it; then drop its mark, and the soak's tolerance of it (``OPEN_FINDINGS`` in
``soak_checks.py``).
Times are UTC in November 2026: the window is 23:30-05:30, Axle's pause 02:00-02:30.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
import pytest

from custom_components.axle_flex_lite.const import CONF_CONTROL_MODE
from tests.helpers import (
    controller_of,
    pause_only_options,
    sent_schedules,
    set_up_entry,
    unload_entry,
    utc,
)

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.chargers import ProfileCharger, SimChargers
    from tests.plugins.integration import Clock
    from tools.axle_simulator import AxleSimulator


async def set_up(
    sim_chargers: SimChargers, entry: MockConfigEntry, profile: str, mode: str, **options: Any
) -> ProfileCharger:
    """The twin of ``profile`` and ``entry`` set up to drive it in ``mode``, 23:30-05:30."""
    changes = {"power_kw": 7.4, **options}
    return await sim_chargers.set_up(
        profile, entry, {**pause_only_options(changes), CONF_CONTROL_MODE: mode}
    )


@pytest.mark.xfail(strict=True, reason="no value to resume a select to after the user's pause")
async def test_a_select_paused_by_the_user_charges_the_next_night(
    hass: HomeAssistant, clock: Clock, sim_chargers: SimChargers, config_entry: MockConfigEntry
) -> None:
    """Full schedule, a zappi (charge-mode select) left in for two nights.

    The user sets "Stopped" during the first night (an override). The second night is the
    integration's again: it charges in that night's window. Today the select resumes to "the
    mode it had before", which nobody kept, so the car is not charged that night.
    """
    charger = await set_up(sim_chargers, config_entry, "zappi", "full_schedule")
    zappi = charger.control
    await zappi.plug_in()
    await clock.move_to(utc(26, 0))
    assert zappi.charging
    await zappi.user_set("charge_mode", "Stopped")
    await clock.move_to(utc(27, 0))
    assert zappi.charging


async def test_an_action_charger_is_paused_again_after_a_clean_restart(
    hass: HomeAssistant, clock: Clock, sim_chargers: SimChargers, config_entry: MockConfigEntry
) -> None:
    """An Easee (pause and resume are actions; the charger shows neither) restarted mid-pause.

    Stopping puts the charger back (resume) and keeps the pause to hold again at start-up. The
    pause runs to 02:30, so the charger is paused again after the restart (taking the kept
    values as "still paused" would send nothing and let it charge through the rest of the pause).
    """
    charger = await set_up(sim_chargers, config_entry, "easee", "pause_only")
    easee = charger.control
    await easee.plug_in()
    await clock.move_to(utc(26, 2, 10))
    assert easee.device.paused
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    await unload_entry(hass, config_entry)
    await clock.move_to(utc(26, 2, 15))
    await set_up_entry(hass, config_entry)
    await clock.move_to(utc(26, 2, 20))
    assert easee.device.paused


async def test_flex_lite_on_with_a_locked_andersen_and_a_car_in(
    hass: HomeAssistant,
    clock: Clock,
    sim_chargers: SimChargers,
    config_entry: MockConfigEntry,
    axle_simulator: AxleSimulator,
) -> None:
    """An Andersen the user locked (charging disabled) with the car in; Flex Lite off and on.

    Its connector sensor reads "Disabled" while locked: the charger's state, in neither of the
    profile's lists, so it says nothing about the car. The last definite reading ("Charging")
    stands: turned on again, Flex Lite starts a session for the car that is in, and the user's
    lock stands through it (nothing to pause, nothing put back).
    """
    charger = await set_up(sim_chargers, config_entry, "andersen", "pause_only")
    andersen = charger.control
    await andersen.plug_in()
    await andersen.user_set("lock", True)
    await clock.advance(timedelta(minutes=2))
    assert andersen.state("connector") == "Disabled"
    controller = controller_of(config_entry)
    await controller.async_set_participation(False)
    await clock.advance(timedelta(minutes=5))
    await controller.async_set_participation(True)
    await hass.async_block_till_done()
    assert controller.session is not None
    assert len(sent_schedules(axle_simulator)) == 2
    await clock.move_to(utc(26, 3))
    assert controller.session is not None
    assert not andersen.device.enabled
    assert andersen.integration_commands() == []


async def test_a_locked_andersen_with_no_car_starts_no_session(
    hass: HomeAssistant,
    clock: Clock,
    sim_chargers: SimChargers,
    config_entry: MockConfigEntry,
    axle_simulator: AxleSimulator,
) -> None:
    """The car left ("Ready" last), then locked: Flex Lite on starts no session, sends nothing."""
    charger = await set_up(sim_chargers, config_entry, "andersen", "pause_only")
    andersen = charger.control
    controller = controller_of(config_entry)
    await andersen.plug_in()
    await controller.async_set_participation(False)
    await andersen.unplug()
    await clock.advance(timedelta(minutes=2))
    await andersen.user_set("lock", True)
    await clock.advance(timedelta(minutes=2))
    await controller.async_set_participation(True)
    await hass.async_block_till_done()
    assert controller.session is None
    assert len(sent_schedules(axle_simulator)) == 1  # the first plug-in's
