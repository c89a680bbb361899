"""The charger as the entry's options describe it, and the migration of older entries' options.

Entries made before the control kinds and the per-brand plug states have only a switch (or only
a current number) and a list of extra plugged states added to a built-in list. At load they get
the kind that matches (``switch``, or ``current`` without a switch) and explicit plug-state lists
that read their plug exactly as before, plus a list of the usual unplugged words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .const import (
    CONF_COMMAND_LATENCY,
    CONF_CONTROL_KIND,
    CONF_CURRENT_ENTITY,
    CONF_PLUG_ENTITY,
    CONF_PLUGGED_STATES,
    CONF_SWITCH_ENTITY,
    CONF_UNPLUGGED_STATES,
    DEFAULT_COMMAND_LATENCY,
    LEGACY_PLUGGED_STATES,
    ControlKind,
)
from .controls import Control, as_number, control_from_options
from .plug import PlugReader, clean_states, reads_on_off

if TYPE_CHECKING:
    from collections.abc import Mapping

# What older entries' sensor plugs said when no car was there (they counted any other state as
# unplugged; now only listed states do).
LEGACY_UNPLUGGED_STATES: Final = (
    "disconnected",
    "unplugged",
    "available",
    "not_connected",
    "no_vehicle",
    "idle",
    "off",
)


def control_kind_of(options: Mapping[str, Any]) -> ControlKind:
    """Return the entry's control kind (older entries: switch, or current without a switch)."""
    try:
        return ControlKind(options[CONF_CONTROL_KIND])
    except (KeyError, ValueError):
        if options.get(CONF_SWITCH_ENTITY) or not options.get(CONF_CURRENT_ENTITY):
            return ControlKind.SWITCH
        return ControlKind.CURRENT


def migrate_charger_options(options: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return older options in today's form, or None when they are today's already."""
    if CONF_CONTROL_KIND in options:
        return None
    migrated = dict(options)
    migrated[CONF_CONTROL_KIND] = control_kind_of(options).value
    plug = str(options.get(CONF_PLUG_ENTITY) or "")
    extra = options.get(CONF_PLUGGED_STATES) or []
    if plug and not reads_on_off(plug):
        migrated[CONF_PLUGGED_STATES] = clean_states([*sorted(LEGACY_PLUGGED_STATES), *extra])
        migrated[CONF_UNPLUGGED_STATES] = list(LEGACY_UNPLUGGED_STATES)
    return migrated


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargerSettings:
    """The plug reader, the control, the optional current number and the command latency."""

    plug: PlugReader
    control: Control | None
    current: str | None
    command_latency: float

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ChargerSettings:
        """Read the charger from the entry's options (today's form or an older one)."""
        options = migrate_charger_options(options) or options
        plug = str(options.get(CONF_PLUG_ENTITY) or "")
        latency = as_number(options.get(CONF_COMMAND_LATENCY))
        return cls(
            plug=PlugReader.create(
                plug,
                options.get(CONF_PLUGGED_STATES) or (),
                options.get(CONF_UNPLUGGED_STATES) or (),
            ),
            control=control_from_options(control_kind_of(options), options),
            current=options.get(CONF_CURRENT_ENTITY) or None,
            command_latency=DEFAULT_COMMAND_LATENCY if latency is None else max(latency, 0.0),
        )
