"""Set-up of a simulated charger: one config entry of its twin's domain is one charger.

The entry's data names the profile (``"profile"``) and may change its quirks (``"quirks"``:
a dict of ``Quirks`` fields). The same functions serve the tests (where the twins' domains are
mock integrations) and a real Home Assistant (see ``install.py``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import SOURCE_IMPORT, ConfigFlow
from homeassistant.core import HomeAssistant, ServiceCall, callback
import voluptuous as vol

from .entities import PLATFORMS
from .runtime import DATA, SimCharger, register_device
from .twins import TWINS

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry, ConfigFlowResult

CONF_PROFILE = "profile"
CONF_QUIRKS = "quirks"


class SimChargerFlow(ConfigFlow):
    """Makes an entry from YAML (a real Home Assistant) or from the tests' fixture.

    Registered per twin domain: ``class Flow(SimChargerFlow, domain="ohme")``.
    """

    VERSION = 1

    async def async_step_import(self, import_data: dict[str, Any]) -> ConfigFlowResult:
        """One charger per profile and name."""
        profile = import_data[CONF_PROFILE]
        await self.async_set_unique_id(f"{profile}_{import_data.get('name', '')}")
        self._abort_if_unique_id_configured(updates=import_data)
        return self.async_create_entry(title=TWINS[profile].device_name, data=import_data)


def platforms_of(profile: str) -> list[str]:
    """The entity platforms a twin uses."""
    return sorted({spec.platform for spec in TWINS[profile].entities})


def CHARGER_SCHEMA(domain: str) -> vol.Schema:  # noqa: N802 - reads like the constant it makes
    """The YAML of a real Home Assistant: ``<domain>: {profile: ..., quirks: {...}}``."""
    return vol.Schema(
        {
            vol.Optional(domain): vol.Schema(
                {vol.Required(CONF_PROFILE): str}, extra=vol.ALLOW_EXTRA
            )
        },
        extra=vol.ALLOW_EXTRA,
    )


async def async_setup_from_yaml(hass: HomeAssistant, domain: str, config: dict[str, Any]) -> bool:
    """A real Home Assistant: ``<domain>: {profile: ..., quirks: {...}}`` makes the charger."""
    if (settings := config.get(domain)) is not None:
        hass.async_create_task(
            hass.config_entries.flow.async_init(
                domain, context={"source": SOURCE_IMPORT}, data=dict(settings)
            )
        )
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Create the charger, its device and its actions, then its entities."""
    twin = TWINS[entry.data[CONF_PROFILE]]
    quirks = replace(twin.quirks, **entry.data.get(CONF_QUIRKS, {}))
    sim = SimCharger(hass, entry.entry_id, twin, quirks)
    hass.data.setdefault(DATA, {})[entry.entry_id] = sim
    register_device(hass, entry.entry_id, sim)
    for name in twin.actions:
        domain, _, service = name.partition(".")
        if not hass.services.has_service(domain, service):
            hass.services.async_register(domain, service, _action_handler(hass, name))
    _register_test_services(hass)
    await hass.config_entries.async_forward_entry_setups(entry, platforms_of(twin.profile))
    return True


# What a person or the car does to a charger in a real Home Assistant (scripts/develop, the
# end-to-end test): ``sim_charger.<name>`` with ``profile`` and, for app_set, the changes.
TEST_SERVICES = ("plug_in", "unplug", "car_full", "app_set")


def _register_test_services(hass: HomeAssistant) -> None:
    """Register the ``sim_charger`` actions once."""
    if hass.services.has_service(DATA, TEST_SERVICES[0]):
        return

    @callback
    def handle(call: ServiceCall) -> None:
        # No waiting here: Home Assistant runs the reports while the call returns.
        for sim in list(hass.data.get(DATA, {}).values()):
            if sim.twin.profile != call.data.get(CONF_PROFILE):
                continue
            if call.service == "app_set":
                sim.apply_app_changes({k: v for k, v in call.data.items() if k != CONF_PROFILE})
            elif call.service == "car_full":
                sim.set_car_full()
            else:
                sim.set_connected(call.service == "plug_in")

    for name in TEST_SERVICES:
        hass.services.async_register(DATA, name, handle)


async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Stop the reports on their way and remove the entities."""
    sim: SimCharger = hass.data[DATA].pop(entry.entry_id)
    sim.shutdown()
    return await hass.config_entries.async_unload_platforms(entry, platforms_of(sim.twin.profile))


def _action_handler(hass: HomeAssistant, name: str) -> Any:
    """Route an action to the charger its ``device_id`` names."""

    @callback
    def handle(call: ServiceCall) -> None:
        for sim in hass.data.get(DATA, {}).values():
            if sim.device_id == call.data.get("device_id") and name in sim.twin.actions:
                sim.action(name, dict(call.data), call.context)

    return handle


__all__ = [
    "CHARGER_SCHEMA",
    "PLATFORMS",
    "SimChargerFlow",
    "async_setup_entry",
    "async_setup_from_yaml",
    "async_unload_entry",
    "platforms_of",
]
