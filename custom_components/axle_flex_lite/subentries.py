"""The chargers of a home (config subentries of type ``charger``), read the same way everywhere.

The flows write a charger's subentry and the runtime reads it; both go through these helpers so
that the rule for ``key_prefix`` (see const.py) lives in one place. ``entry.subentries`` is used
rather than ``get_subentries_of_type``, which Home Assistant 2025.4.4 lacks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .const import CONF_EXTERNAL_ID, CONF_KEY_PREFIX, SUBENTRY_TYPE_CHARGER

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.config_entries import ConfigEntry, ConfigSubentry


def charger_subentries(entry: ConfigEntry) -> list[ConfigSubentry]:
    """Return the home's chargers, in the order they were added."""
    return [
        subentry
        for subentry in entry.subentries.values()
        if subentry.subentry_type == SUBENTRY_TYPE_CHARGER
    ]


def charger_key_prefix(entry_id: str, data: Mapping[str, Any]) -> str:
    """Return the prefix of a charger's entity unique ids and store key.

    The home's first charger carries none when the config flow made it (the entry id was not
    known yet): it is the entry id then, as for a migrated home's charger.
    """
    return str(data.get(CONF_KEY_PREFIX) or entry_id)


def added_charger_key_prefix(entry_id: str, external_id: str) -> str:
    """Return the prefix stored for a charger added to a home ("Add charger")."""
    return f"{entry_id}_{external_id}"


def home_chargers(entry: ConfigEntry) -> dict[str, Mapping[str, Any]]:
    """Return the settings of each of the home's chargers by its Axle external id.

    An entry not migrated yet holds its one charger in its options (its ids in its data).
    """
    if chargers := charger_subentries(entry):
        return {str(subentry.data[CONF_EXTERNAL_ID]): subentry.data for subentry in chargers}
    return {str(entry.data[CONF_EXTERNAL_ID]): entry.options}
