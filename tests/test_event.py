"""Tests of the schedule event entity and of the planned-pause notification blueprint."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
import shutil
from typing import TYPE_CHECKING

from homeassistant.components.event import ATTR_EVENT_TYPE, ATTR_EVENT_TYPES
from homeassistant.const import STATE_UNKNOWN
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service

from custom_components.axle_flex_lite.const import DOMAIN
from tests.plugins.home import SECOND_TITLE
from tests.plugins.integration import FIRST_PAUSE_END, FIRST_PAUSE_START

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant, ServiceCall, State
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.home import Home, TwoChargerHome

BLUEPRINT = (
    Path(__file__).parent.parent
    / "blueprints"
    / "automation"
    / DOMAIN
    / "notify_planned_pause.yaml"
)


def event_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Find the schedule event entity."""
    found = er.async_get(hass).async_get_entity_id("event", DOMAIN, f"{entry.entry_id}_schedule")
    assert found is not None
    return found


def current(hass: HomeAssistant, entry: MockConfigEntry) -> State:
    """The event entity's state."""
    shown = hass.states.get(event_id(hass, entry))
    assert shown is not None
    return shown


async def test_event_types(home: Home) -> None:
    """Each answer fires once, with the pause it brought."""
    shown = current(home.hass, home.entry)
    assert shown.state == STATE_UNKNOWN
    assert shown.attributes[ATTR_EVENT_TYPES] == ["modified", "unchanged", "override", "fallback"]

    await home.charger.plug_in()
    shown = current(home.hass, home.entry)
    assert shown.state == home.clock.now.isoformat(timespec="milliseconds")
    assert shown.attributes[ATTR_EVENT_TYPE] == "modified"
    assert shown.attributes["pause_start"] == FIRST_PAUSE_START.isoformat()
    assert shown.attributes["pause_end"] == FIRST_PAUSE_END.isoformat()
    assert shown.attributes["pause_minutes"] == 30

    # The user switching the charger off is an override.
    await home.clock.advance(timedelta(minutes=1))
    await home.charger.set_switch(on=False)
    shown = current(home.hass, home.entry)
    assert shown.attributes[ATTR_EVENT_TYPE] == "override"
    assert shown.state == home.clock.now.isoformat(timespec="milliseconds")

    await home.charger.unplug()
    home.axle.pause_mode = "none"
    await home.clock.advance(timedelta(minutes=1))
    await home.charger.plug_in()
    shown = current(home.hass, home.entry)
    assert shown.attributes[ATTR_EVENT_TYPE] == "unchanged"
    assert shown.attributes["pause_start"] is None
    assert shown.attributes["pause_end"] is None
    assert shown.attributes["pause_minutes"] == 0

    await home.charger.unplug()
    home.axle.fail_next("plug-in-schedule", status=404)
    await home.clock.advance(timedelta(minutes=1))
    await home.charger.plug_in()
    assert current(home.hass, home.entry).attributes[ATTR_EVENT_TYPE] == "fallback"


@pytest.fixture
def blueprint_installed(hass: HomeAssistant, tmp_path: Path) -> None:
    """Install the blueprint in a configuration folder of this test's own."""
    hass.config.config_dir = str(tmp_path)
    target = tmp_path / "blueprints" / "automation" / DOMAIN / BLUEPRINT.name
    target.parent.mkdir(parents=True)
    shutil.copy(BLUEPRINT, target)


async def notify_planned_pauses(
    hass: HomeAssistant, schedule_event: str | list[str | None]
) -> list[ServiceCall]:
    """Set up an automation from the blueprint telling ``notify.my_phone``; return its calls."""
    notifications = async_mock_service(hass, "notify", "my_phone")
    blueprint = {
        "path": f"{DOMAIN}/{BLUEPRINT.name}",
        "input": {"schedule_event": schedule_event, "notify_action": "notify.my_phone"},
    }
    assert await async_setup_component(
        hass, "automation", {"automation": {"use_blueprint": blueprint}}
    )
    await hass.async_block_till_done()
    return notifications


@pytest.mark.usefixtures("blueprint_installed")
async def test_blueprint_notifies_planned_pause(home: Home) -> None:
    """The blueprint sends the pause times for a planned pause, and nothing for the others."""
    notifications = await notify_planned_pauses(home.hass, event_id(home.hass, home.entry))

    await home.charger.plug_in()
    await home.hass.async_block_till_done()
    assert len(notifications) == 1
    assert notifications[0].data == {
        "title": "Car charging will pause",
        "message": (
            "Axle will pause charging at Axle Flex Lite CT1 from 02:00 to 02:30 (30 minutes)."
        ),
    }

    await home.charger.unplug()
    home.axle.pause_mode = "none"
    await home.clock.advance(timedelta(minutes=1))
    await home.charger.plug_in()
    await home.hass.async_block_till_done()
    assert current(home.hass, home.entry).attributes[ATTR_EVENT_TYPE] == "unchanged"
    assert len(notifications) == 1


@pytest.mark.usefixtures("blueprint_installed")
async def test_blueprint_names_the_charger(two_chargers: TwoChargerHome) -> None:
    """One automation for both chargers: each planned pause is told with its charger's name."""
    home = two_chargers
    registry = er.async_get(home.hass)
    second = registry.async_get_entity_id(
        "event", DOMAIN, f"{home.second_controller.key_prefix}_schedule"
    )
    notifications = await notify_planned_pauses(
        home.hass, [event_id(home.hass, home.entry), second]
    )
    await home.charger.plug_in()
    await home.second.plug_in()
    await home.hass.async_block_till_done()
    assert [call.data["message"] for call in notifications] == [
        "Axle will pause charging at Axle Flex Lite CT1 from 02:00 to 02:30 (30 minutes).",
        f"Axle will pause charging at {SECOND_TITLE} from 01:45 to 02:30 (45 minutes).",
    ]
