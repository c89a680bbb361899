"""Config entry version 2: the entry is the home, each charger a config subentry.

An older entry holds its one charger in ``entry.options`` (and its Axle asset in ``entry.data``).
It becomes a home with one ``charger`` subentry whose ``key_prefix`` is the entry id: the charger's
entity unique ids, its store and its repair issues keep their keys, so entity ids, history and a
stored session (even one in the middle of a pause) stay as they were, and its entities stay on the
home's device (entity.py), so their names do too. Axle is not called: the asset is the same.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .charger_options import migrate_charger_options
from .const import (
    CONF_ASSET_ID,
    CONF_CHARGER_DEVICE,
    CONF_EXTERNAL_ID,
    CONF_KEY_PREFIX,
    CONFIG_ENTRY_VERSION,
    LOGGER,
    SUBENTRY_TYPE_CHARGER,
)
from .subentries import charger_subentries

if TYPE_CHECKING:
    from collections.abc import Mapping

# The name of a migrated charger whose device is not known.
DEFAULT_CHARGER_TITLE: Final = "EV charger"


def _charger_title(hass: HomeAssistant, settings: Mapping[str, Any]) -> str:
    """Name the migrated charger after the device picked for it, if it still exists."""
    device_id = settings.get(CONF_CHARGER_DEVICE)
    device = dr.async_get(hass).async_get(device_id) if isinstance(device_id, str) else None
    if device is not None and (name := device.name_by_user or device.name):
        return name
    return DEFAULT_CHARGER_TITLE


@callback
def async_move_charger_to_subentry(hass: HomeAssistant, entry: ConfigEntry[Any]) -> bool:
    """Move the charger of an older entry into a charger subentry; return whether there was one.

    Nothing happens to an entry that has a charger subentry already, or no charger in its
    options and data.
    Options of very old forms are brought to today's form on the way.
    """
    if charger_subentries(entry) or (not entry.options and CONF_ASSET_ID not in entry.data):
        return False
    data = dict(entry.data)
    options = dict(entry.options)
    settings: dict[str, Any] = migrate_charger_options(options) or options
    for key in (CONF_ASSET_ID, CONF_EXTERNAL_ID):
        if key in data:
            settings[key] = data.pop(key)
    external_id = settings.get(CONF_EXTERNAL_ID)
    settings[CONF_KEY_PREFIX] = entry.entry_id
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data=MappingProxyType(settings),
            subentry_type=SUBENTRY_TYPE_CHARGER,
            title=_charger_title(hass, settings),
            unique_id=str(external_id) if external_id else None,
        ),
    )
    hass.config_entries.async_update_entry(entry, data=data, options={})
    LOGGER.info("Moved the charger of %s into a charger of its own", entry.entry_id)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: ConfigEntry[Any]) -> bool:
    """Bring an entry of version 1 to version 2; refuse a newer entry than this code knows."""
    if entry.version > CONFIG_ENTRY_VERSION:
        return False
    if entry.version < CONFIG_ENTRY_VERSION:
        async_move_charger_to_subentry(hass, entry)
        hass.config_entries.async_update_entry(entry, version=CONFIG_ENTRY_VERSION)
    return True
