"""Fixture for the simulated chargers of ``tests/sim_charger``: ``sim_chargers.add(profile)``.

Each twin's domain (``ohme``, ``wallbox``, ...) is registered as a mock integration whose entity
platforms are the simulated ones, so its entities have the real integration's platform and ids.
``sim_chargers.add_profile(profile)`` also gives the charger options the charger step fills in
for that twin's device.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant import config_entries
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    mock_integration,
    mock_platform,
)

from custom_components.axle_flex_lite.profiles import PROFILES_BY_KEY
from tests.helpers import controller_of
from tests.sim_charger.entities import setup_entry_for
from tests.sim_charger.integration import (
    CONF_PROFILE,
    CONF_QUIRKS,
    SimChargerFlow,
    async_setup_entry,
    async_unload_entry,
    platforms_of,
)
from tests.sim_charger.runtime import DATA, SimCharger
from tests.sim_charger.twins import TWINS

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from custom_components.axle_flex_lite.controller import SessionController


@dataclass(frozen=True, slots=True)
class ProfileCharger:
    """A profile's twin, and the charger options set up from its device."""

    plug: SimCharger  # the twin whose entity gives the plug state
    control: SimCharger  # the twin that is paused (the car, for a Tesla Wall Connector)
    options: dict[str, Any]  # the charger step's options (no window, mode or power)

    @property
    def twins(self) -> tuple[SimCharger, ...]:
        """The twins involved (one, or the wall connector and the car)."""
        return (self.plug,) if self.control is self.plug else (self.plug, self.control)


@dataclass(frozen=True, slots=True)
class EntryCharger:
    """A profile's charger that an entry drives, and the entry's controller of the moment."""

    charger: ProfileCharger
    entry: MockConfigEntry

    @property
    def twin(self) -> SimCharger:
        """The twin that is paused (the car, for a Tesla Wall Connector)."""
        return self.charger.control

    @property
    def controller(self) -> SessionController:
        """The controller now running: a reload starts a new one."""
        return controller_of(self.entry)


class SimChargers:
    """Adds simulated chargers to Home Assistant."""

    def __init__(self, hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch) -> None:
        """Nothing is registered before the first ``add``."""
        self.hass = hass
        self._monkeypatch = monkeypatch
        self._domains: set[str] = set()
        self._user_id: str | None = None

    def _register(self, profile: str) -> None:
        twin = TWINS[profile]
        if twin.domain in self._domains:
            return
        self._domains.add(twin.domain)
        mock_integration(
            self.hass,
            MockModule(
                twin.domain,
                async_setup_entry=async_setup_entry,
                async_unload_entry=async_unload_entry,
            ),
        )
        # Set-up looks the config flow up (an entry's version is checked against it).
        mock_platform(self.hass, f"{twin.domain}.config_flow")
        self._monkeypatch.setitem(config_entries.HANDLERS, twin.domain, SimChargerFlow)
        for platform in ("binary_sensor", "lock", "number", "select", "sensor", "switch"):
            mock_platform(
                self.hass,
                f"{twin.domain}.{platform}",
                MockPlatform(async_setup_entry=setup_entry_for(platform)),
            )

    async def add(self, profile: str, **quirks: Any) -> SimCharger:
        """Set up the twin of ``profile`` (quirks changed by keyword) and return it."""
        self._register(profile)
        twin = TWINS[profile]
        entry = MockConfigEntry(
            domain=twin.domain,
            title=twin.device_name,
            data={CONF_PROFILE: profile, CONF_QUIRKS: quirks},
        )
        entry.add_to_hass(self.hass)
        assert await self.hass.config_entries.async_setup(entry.entry_id)
        await self.hass.async_block_till_done()
        sim: SimCharger = self.hass.data[DATA][entry.entry_id]
        if self._user_id is None:
            user = await self.hass.auth.async_create_user("Charger owner")
            self._user_id = user.id
        sim.user_id = self._user_id
        assert platforms_of(profile)
        return sim

    async def set_up(
        self, profile: str, entry: MockConfigEntry, options: dict[str, Any]
    ) -> ProfileCharger:
        """Add the twin of ``profile`` and set ``entry`` up to drive it (with ``options`` too)."""
        charger = await self.add_profile(profile)
        entry.add_to_hass(self.hass)
        self.hass.config_entries.async_update_entry(entry, options={**charger.options, **options})
        assert await self.hass.config_entries.async_setup(entry.entry_id)
        await self.hass.async_block_till_done()
        return charger

    async def add_profile(self, profile: str, **quirks: Any) -> ProfileCharger:
        """Add the twin of ``profile`` and fill in the charger options from its device.

        As the charger step does: the profile's pre-filled options. The simple relay (no profile)
        and the Tesla Wall Connector (read only: the pause goes through the car, a second twin)
        are picked by hand.
        """
        plug = await self.add(profile, **quirks)
        if profile == "simple":
            options: dict[str, Any] = {
                "plug_entity": plug.entity_id("plugged_in"),
                "control_kind": "switch",
                "switch_entity": plug.entity_id("charging"),
                "current_entity": plug.entity_id("current"),
                "command_latency": 30,
            }
            return ProfileCharger(plug=plug, control=plug, options=options)
        registry = er.async_get(self.hass)
        entity_ids = [
            entry.entity_id for entry in er.async_entries_for_device(registry, str(plug.device_id))
        ]
        options = PROFILES_BY_KEY[profile].prefill(entity_ids, str(plug.device_id))
        if profile != "tesla_wall_connector":
            return ProfileCharger(plug=plug, control=plug, options=options)
        car = await self.add("tesla_car", **quirks)
        options |= {
            "control_kind": "switch",
            "switch_entity": car.entity_id("charge"),
            "current_entity": car.entity_id("charge_current"),
        }
        return ProfileCharger(plug=plug, control=car, options=options)


@pytest.fixture
def sim_chargers(hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch) -> SimChargers:
    """Add simulated chargers with ``await sim_chargers.add("ohme")``."""
    return SimChargers(hass, monkeypatch)
