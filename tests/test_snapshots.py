"""Snapshots of every platform's entities (registry entry and state) and of the diagnostics.

Each is taken during Axle's pause of a night's session, with a rewards balance, so that every entity
shows a value rather than "unknown". Review a changed snapshot like code: it is what users see.
"""

from __future__ import annotations

from datetime import UTC, datetime
import json
from pathlib import Path
from typing import TYPE_CHECKING
from unittest.mock import patch

from homeassistant.const import MAJOR_VERSION, MINOR_VERSION
from homeassistant.helpers.json import json_dumps
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.filters import props

from custom_components.axle_flex_lite.const import CONF_SITE_ID, PLATFORMS
from custom_components.axle_flex_lite.diagnostics import async_get_config_entry_diagnostics

if TYPE_CHECKING:
    from homeassistant.const import Platform
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import entity_registry as er
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from syrupy.assertion import SnapshotAssertion
    from syrupy.location import PyTestLocation

    from tests.plugins.home import NewHome
    from tests.plugins.integration import Clock, SimulatedCharger
    from tools.axle_simulator import AxleSimulator

# Ten minutes into the simulator's pause (02:00-02:30 UTC for a plug-in at 18:00).
DURING_PAUSE = datetime(2026, 11, 26, 2, 10, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("all_entities_enabled")


# One snapshot set per Home Assistant release (major.minor) we test: the registry entries differ
# between them in fields that are none of ours (see snapshots/README.md).
SNAPSHOT_SET = f"ha-{MAJOR_VERSION}.{MINOR_VERSION}"


class VersionedSnapshotExtension(HomeAssistantSnapshotExtension):
    """Home Assistant's snapshot form, kept in a folder per Home Assistant release."""

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        """snapshots/<set>/ next to this file."""
        return str(Path(super().dirname(test_location=test_location)) / SNAPSHOT_SET)


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots in Home Assistant's form: registry entries and states without their random ids.

    The test plugin defines a fixture of this name too, but syrupy's own one wins over a plugin's.
    """
    return snapshot.use_extension(VersionedSnapshotExtension)


async def start_session(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
) -> None:
    """Set the entry up with a balance, plug in, and move into Axle's pause."""
    axle_simulator.set_balance(config_entry.data[CONF_SITE_ID], 412, 1650, True)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await charger.plug_in()
    await clock.move_to(DURING_PAUSE)


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_platform(
    new_home: NewHome,
    platform: Platform,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """One platform's entities, as the registry and the state machine hold them."""
    with patch("custom_components.axle_flex_lite.PLATFORMS", [platform]):
        await start_session(
            new_home.hass, new_home.entry, new_home.charger, new_home.clock, new_home.axle
        )
        await snapshot_platform(new_home.hass, entity_registry, snapshot, new_home.entry.entry_id)
        # Unload while only this platform is patched in, as it was set up.
        assert await new_home.hass.config_entries.async_unload(new_home.entry.entry_id)


async def test_diagnostics(new_home: NewHome, snapshot: SnapshotAssertion) -> None:
    """The diagnostics download, through Home Assistant's JSON encoder as the download does.

    Left out: how long each call to the simulator took, its address (a free port of the run) and
    the random session id.
    """
    await start_session(
        new_home.hass, new_home.entry, new_home.charger, new_home.clock, new_home.axle
    )
    diagnostics = json.loads(
        json_dumps(await async_get_config_entry_diagnostics(new_home.hass, new_home.entry))
    )
    assert diagnostics == snapshot(exclude=props("elapsed_ms", "base_url", "session_id"))
