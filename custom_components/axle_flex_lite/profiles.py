"""Charger profiles: what we know about each charger integration, as data.

A profile says, for the devices of one integration (recognised by their entities' platform),
which entity gives the plug state and which of its states mean a car or no car, how a pause is
expressed (the control kind, its entity and options or actions), the current number, how long the
charger takes to report a command (its command latency, with some margin), the Axle asset model
name when one is known, and a limit the user must know about. The charger step pre-fills its form
from it; the user can change every field.

The profiles are data, in ``profiles.json`` next to this module: to add a charger, add an entry
there (its fields are those of ``ChargerProfile``). Each entry carries the facts it is built on in
its ``facts`` text (from the integration's own source and issue tracker, late 2026). Entities are
found by their domain and the end of their entity id, written ``sensor.*_status``, which the
integrations derive from fixed entity names. An entry without ``asset_model`` leaves the Axle
model name to the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from .const import (
    CONF_COMMAND_LATENCY,
    CONF_CONTROL_KIND,
    CONF_CURRENT_ENTITY,
    CONF_PAUSE_ACTION,
    CONF_PAUSE_ACTION_DATA,
    CONF_PAUSE_OPTION,
    CONF_PLUG_ENTITY,
    CONF_PLUGGED_STATES,
    CONF_PROFILE,
    CONF_RESUME_ACTION,
    CONF_RESUME_ACTION_DATA,
    CONF_RESUME_OPTION,
    CONF_UNPLUGGED_STATES,
    KIND_ENTITY,
    ControlKind,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

# In an action's data, stands for the id of the device picked in the charger step.
DEVICE_ID: Final = "{device_id}"


@dataclass(frozen=True, slots=True)
class Role:
    """An entity of the device: its domain and how its entity id ends."""

    domain: str
    suffix: str

    def matches(self, entity_id: str) -> bool:
        """Whether ``entity_id`` is this entity (numbered or not)."""
        domain, _, object_id = entity_id.partition(".")
        if domain != self.domain:
            return False
        # Home Assistant numbers an id already taken (``..._status_2``): a home's second charger
        # of the same make whose integration gives both devices the same name.
        unnumbered, _, number = object_id.rpartition("_")
        names = (object_id, unnumbered) if number.isdigit() and unnumbered else (object_id,)
        return any(name == self.suffix or name.endswith(f"_{self.suffix}") for name in names)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargerProfile:
    """What the charger step pre-fills for a device of one integration."""

    key: str  # also the translation key of its name and its limit (selector "charger_profile")
    platforms: tuple[str, ...]  # integration domains whose devices this profile reads
    plug: Role | None
    plugged_states: tuple[str, ...] = ()
    unplugged_states: tuple[str, ...] = ()
    control_kind: ControlKind | None = None  # None: Home Assistant cannot pause it
    control: Role | None = None
    pause_option: str | None = None
    resume_option: str | None = None  # None: the option it had before the pause
    pause_action: str | None = None
    pause_action_data: Mapping[str, Any] = field(default_factory=dict)
    resume_action: str | None = None
    resume_action_data: Mapping[str, Any] = field(default_factory=dict)
    current: Role | None = None
    command_latency: int = 30  # seconds, with margin over the charger's usual report delay
    asset_model: str | None = None  # Axle's model name, when known
    has_limit: bool = False  # the form shows this profile's limit text

    def prefill(self, entity_ids: Iterable[str], device_id: str) -> dict[str, Any]:
        """Return the charger options this profile suggests for a device with these entities."""
        entities = sorted(entity_ids)

        def find(role: Role | None) -> str | None:
            if role is None:
                return None
            return next((entity for entity in entities if role.matches(entity)), None)

        def with_device(data: Mapping[str, Any]) -> dict[str, Any]:
            return {k: device_id if v == DEVICE_ID else v for k, v in data.items()}

        options: dict[str, Any] = {
            CONF_PROFILE: self.key,
            CONF_COMMAND_LATENCY: self.command_latency,
        }
        if plug := find(self.plug):
            options[CONF_PLUG_ENTITY] = plug
            if self.plugged_states:
                options[CONF_PLUGGED_STATES] = list(self.plugged_states)
                options[CONF_UNPLUGGED_STATES] = list(self.unplugged_states)
        if current := find(self.current):
            options[CONF_CURRENT_ENTITY] = current
        kind = self.control_kind
        if kind is None:
            return options
        options[CONF_CONTROL_KIND] = kind.value
        if kind is ControlKind.ACTIONS:
            options[CONF_PAUSE_ACTION] = self.pause_action
            options[CONF_PAUSE_ACTION_DATA] = with_device(self.pause_action_data)
            options[CONF_RESUME_ACTION] = self.resume_action
            options[CONF_RESUME_ACTION_DATA] = with_device(self.resume_action_data)
            return options
        control = find(self.control)
        if control is None:
            return options
        options[KIND_ENTITY[kind]] = control
        if kind is ControlKind.SELECT:
            options[CONF_PAUSE_OPTION] = self.pause_option
            if self.resume_option is not None:
                options[CONF_RESUME_OPTION] = self.resume_option
        return options


def _role(pattern: str | None) -> Role | None:
    """Read a role written as ``domain.*_suffix`` (the end of the entity id after the domain)."""
    if pattern is None:
        return None
    domain, _, rest = pattern.partition(".")
    if not rest.startswith("*_"):
        msg = f"a role is written domain.*_suffix, not {pattern!r}"
        raise ValueError(msg)
    return Role(domain, rest.removeprefix("*_"))


def _profile(key: str, data: Mapping[str, Any]) -> ChargerProfile:
    """Build one profile from its entry in ``profiles.json`` (an unknown field is an error)."""
    fields = {name: value for name, value in data.items() if name != "facts"}
    for name in ("plug", "control", "current"):
        fields[name] = _role(fields.get(name))
    for name in ("platforms", "plugged_states", "unplugged_states"):
        fields[name] = tuple(fields.get(name, ()))
    if (kind := fields.get("control_kind")) is not None:
        fields["control_kind"] = ControlKind(kind)
    return ChargerProfile(key=key, **fields)


def load_profiles(text: str) -> tuple[ChargerProfile, ...]:
    """Read the profiles, in the order the file lists them (the first that fits a device wins)."""
    return tuple(_profile(key, data) for key, data in json.loads(text).items())


# Read once, when the module is imported (Home Assistant imports integrations off the event loop).
PROFILES: Final = load_profiles(
    Path(__file__).with_name("profiles.json").read_text(encoding="utf-8")
)

PROFILES_BY_KEY: Final[dict[str, ChargerProfile]] = {profile.key: profile for profile in PROFILES}


def profile_for_platforms(platforms: Iterable[str]) -> ChargerProfile | None:
    """Return the profile of a device whose entities come from these integrations, if any."""
    found = set(platforms)
    return next((profile for profile in PROFILES if found.intersection(profile.platforms)), None)
