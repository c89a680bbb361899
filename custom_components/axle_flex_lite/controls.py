"""How a pause is expressed on a charger: the control kinds.

Chargers are paused in different ways: a switch that is on while charging, a switch that is on
while *locked*, a lock, a select with a "stop" option, a pair of actions, or the charging current
alone. Each kind below answers the same few questions, so the controller stays the same for all:

* ``value(state)``: what the control is set to now, as a value that can be stored and put back
  (``"on"``/``"off"``, ``"locked"``/``"unlocked"``, a select option, a number); None when it cannot
  tell (unavailable, or a state that is on its way somewhere).
* ``pause_value(state)``: the value that pauses charging.
* ``charge_value``: the value that makes the charger charge, when the kind has one (full schedule).
* ``allows_charging(value, state)``: whether a value lets the car charge.
* ``command(value)``: the service call that sets a value.

What is put back after a pause is whatever ``value`` read before it, so the charger gets exactly
what it had: the select's earlier mode, the number's earlier current.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import math
from typing import TYPE_CHECKING, Any, ClassVar, Final

from homeassistant.components.lock.const import LockState
from homeassistant.components.number.const import ATTR_MAX, ATTR_MIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_LOCK,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    SERVICE_UNLOCK,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)

from .const import (
    CONF_PAUSE_ACTION,
    CONF_PAUSE_ACTION_DATA,
    CONF_PAUSE_CURRENT,
    CONF_PAUSE_OPTION,
    CONF_RESUME_ACTION,
    CONF_RESUME_ACTION_DATA,
    CONF_RESUME_OPTION,
    KIND_ENTITY,
    ControlKind,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.core import State

NO_STATE: Final = frozenset({STATE_UNAVAILABLE, STATE_UNKNOWN})
# The actions kind cannot be read back: it remembers the last one it called.
ACTION_PAUSED: Final = "paused"
ACTION_RESUMED: Final = "resumed"
# The key under which the actions kind's value to put back is stored (it has no entity).
ACTIONS_KEY: Final = "actions"


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """A service call that sets a control."""

    domain: str
    service: str
    data: dict[str, Any] = field(default_factory=dict)


def domain_of(entity_id: str) -> str:
    """Return the domain part of an entity id."""
    return entity_id.partition(".")[0]


def as_number(raw: object) -> float | None:
    """Read a state or an attribute as a finite number, or None."""
    if isinstance(raw, bool):
        return None
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def number_range(state: State | None) -> tuple[float, float] | None:
    """Return the range a number entity accepts, from its attributes (None when it does not say)."""
    if state is None:
        return None
    low = as_number(state.attributes.get(ATTR_MIN))
    high = as_number(state.attributes.get(ATTR_MAX))
    if low is None or high is None:
        return None
    return low, high


@dataclass(frozen=True, slots=True, kw_only=True)
class Control:
    """One way of pausing a charger (see the module docstring); subclasses fill it in."""

    kind: ControlKind
    entity_id: str | None  # the entity it commands (None for actions)

    @property
    def key(self) -> str:
        """The name its value to put back is stored under: the entity id."""
        return self.entity_id or ACTIONS_KEY

    @property
    def readable(self) -> bool:
        """Whether the charger shows the control's value (actions do not)."""
        return self.entity_id is not None

    def value(self, state: State | None) -> str | float | None:
        """Return what the control is set to now; None when it cannot tell."""
        raise NotImplementedError

    def pause_value(self, state: State | None) -> str | float | None:
        """Return the value that pauses charging (None: it cannot be known now)."""
        raise NotImplementedError

    @property
    def charge_value(self) -> str | float | None:
        """The value that makes the charger charge, when the kind has a fixed one."""
        return None

    def allows_charging(self, value: str | float | None, state: State | None = None) -> bool | None:
        """Whether a value lets the car charge (None when the value is unknown)."""
        raise NotImplementedError

    def command(self, value: str | float) -> Command:
        """Return the service call that sets ``value``."""
        raise NotImplementedError

    def value_of_call(self, service: str, data: Mapping[str, Any]) -> str | float | None:
        """Return the value a service call on the entity sets; None when it does not say."""
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class TwoStateControl(Control):
    """A control with one value that pauses and one that charges; any other value tells nothing."""

    PAUSED: ClassVar[str]
    CHARGING: ClassVar[str]

    @property
    def charge_value(self) -> str:
        """The value that lets the car charge."""
        return self.CHARGING

    def value(self, state: State | None) -> str | None:
        """Return the entity's state when it is one of the two values."""
        if state is None or state.state not in (self.PAUSED, self.CHARGING):
            return None
        return state.state

    def pause_value(self, state: State | None) -> str:
        """Return the value that pauses."""
        return self.PAUSED

    def allows_charging(self, value: str | float | None, state: State | None = None) -> bool | None:
        """Only the charging value allows charging."""
        return None if value is None else value == self.CHARGING


@dataclass(frozen=True, slots=True, kw_only=True)
class SwitchControl(TwoStateControl):
    """A switch or input boolean: on = charging."""

    PAUSED = STATE_OFF
    CHARGING = STATE_ON

    entity_id: str

    def command(self, value: str | float) -> Command:
        """``turn_on`` or ``turn_off`` in the entity's own domain."""
        service = SERVICE_TURN_ON if value == STATE_ON else SERVICE_TURN_OFF
        return Command(
            domain=domain_of(self.entity_id), service=service, data={ATTR_ENTITY_ID: self.entity_id}
        )

    def value_of_call(self, service: str, data: Mapping[str, Any]) -> str | None:
        """``turn_on`` sets "on", ``turn_off`` "off"."""
        return {SERVICE_TURN_ON: STATE_ON, SERVICE_TURN_OFF: STATE_OFF}.get(service)


@dataclass(frozen=True, slots=True, kw_only=True)
class InvertedSwitchControl(SwitchControl):
    """A switch that is on while charging is locked (a "lock charger" switch)."""

    PAUSED = STATE_ON
    CHARGING = STATE_OFF


@dataclass(frozen=True, slots=True, kw_only=True)
class LockControl(TwoStateControl):
    """A lock: locked = charging disabled. Locking, unlocking or jammed tell nothing yet."""

    PAUSED = LockState.LOCKED.value
    CHARGING = LockState.UNLOCKED.value

    entity_id: str

    def command(self, value: str | float) -> Command:
        """``lock.lock`` or ``lock.unlock``."""
        service = SERVICE_LOCK if value == self.PAUSED else SERVICE_UNLOCK
        return Command(domain="lock", service=service, data={ATTR_ENTITY_ID: self.entity_id})

    def value_of_call(self, service: str, data: Mapping[str, Any]) -> str | None:
        """``lock`` sets "locked", ``unlock`` "unlocked"."""
        return {SERVICE_LOCK: self.PAUSED, SERVICE_UNLOCK: self.CHARGING}.get(service)


@dataclass(frozen=True, slots=True, kw_only=True)
class SelectControl(Control):
    """A select (or input select): a pause option; resume to a fixed option or the earlier one."""

    entity_id: str

    pause_option: str
    resume_option: str | None = None  # None: the option it had before the pause

    def value(self, state: State | None) -> str | None:
        """Return the current option."""
        if state is None or state.state in NO_STATE:
            return None
        return state.state

    def pause_value(self, state: State | None) -> str:
        """Return the pause option."""
        return self.pause_option

    @property
    def charge_value(self) -> str | None:
        """The fixed resume option, if there is one."""
        return self.resume_option

    def allows_charging(self, value: str | float | None, state: State | None = None) -> bool | None:
        """Any option but the pause option allows charging."""
        return None if value is None else value != self.pause_option

    def command(self, value: str | float) -> Command:
        """``select_option`` in the entity's own domain."""
        return Command(
            domain=domain_of(self.entity_id),
            service="select_option",
            data={ATTR_ENTITY_ID: self.entity_id, "option": str(value)},
        )

    def value_of_call(self, service: str, data: Mapping[str, Any]) -> str | None:
        """``select_option`` sets its option."""
        option = data.get("option") if service == "select_option" else None
        return option if isinstance(option, str) else None


@dataclass(frozen=True, slots=True, kw_only=True)
class CurrentControl(Control):
    """The charging current alone: paused at a low current (default the number's minimum)."""

    entity_id: str

    pause_current: float | None = None

    def value(self, state: State | None) -> float | None:
        """Return the current, in the number's unit."""
        if state is None or state.state in NO_STATE:
            return None
        return as_number(state.state)

    def pause_value(self, state: State | None) -> float | None:
        """Return the chosen pause current, else the number's minimum (None if it does not say)."""
        if self.pause_current is not None:
            return self.pause_current
        return as_number(state.attributes.get(ATTR_MIN)) if state is not None else None

    def allows_charging(self, value: str | float | None, state: State | None = None) -> bool | None:
        """Above the pause current (by default the number's minimum) allows charging."""
        floor = self.pause_value(state)
        if not isinstance(value, int | float) or floor is None:
            return None
        return value > floor + 1e-6

    def command(self, value: str | float) -> Command:
        """``set_value`` in the entity's own domain."""
        return Command(
            domain=domain_of(self.entity_id),
            service="set_value",
            data={ATTR_ENTITY_ID: self.entity_id, "value": value},
        )

    def value_of_call(self, service: str, data: Mapping[str, Any]) -> float | None:
        """``set_value`` sets its value."""
        return as_number(data.get("value")) if service == "set_value" else None


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionsControl(TwoStateControl):
    """A pause action and a resume action with their data (Easee, or the user's own scripts)."""

    PAUSED = ACTION_PAUSED
    CHARGING = ACTION_RESUMED

    entity_id: None = None
    pause_action: str
    resume_action: str
    pause_data: Mapping[str, Any] = field(default_factory=dict)
    resume_data: Mapping[str, Any] = field(default_factory=dict)

    def value(self, state: State | None) -> str | None:
        """Nothing to read: the charger adapter remembers the last action it called."""
        return None

    def command(self, value: str | float) -> Command:
        """Return the pause or the resume action, with its data."""
        action, data = (
            (self.pause_action, self.pause_data)
            if value == ACTION_PAUSED
            else (self.resume_action, self.resume_data)
        )
        domain, _, service = action.partition(".")
        return Command(domain=domain, service=service, data=dict(data))


def _text(options: Mapping[str, Any], key: str) -> str | None:
    value = options.get(key)
    return str(value) if value not in (None, "") else None


def control_from_options(kind: ControlKind, options: Mapping[str, Any]) -> Control | None:
    """Build the entry's control; None when the options lack what the kind needs."""
    if kind is ControlKind.ACTIONS:
        pause_action = _text(options, CONF_PAUSE_ACTION)
        resume_action = _text(options, CONF_RESUME_ACTION)
        if pause_action is None or resume_action is None:
            return None
        return ActionsControl(
            kind=kind,
            entity_id=None,
            pause_action=pause_action,
            resume_action=resume_action,
            pause_data=dict(options.get(CONF_PAUSE_ACTION_DATA) or {}),
            resume_data=dict(options.get(CONF_RESUME_ACTION_DATA) or {}),
        )
    entity_id = _text(options, KIND_ENTITY[kind])
    if entity_id is None:
        return None
    if kind is ControlKind.SWITCH:
        return SwitchControl(kind=kind, entity_id=entity_id)
    if kind is ControlKind.INVERTED_SWITCH:
        return InvertedSwitchControl(kind=kind, entity_id=entity_id)
    if kind is ControlKind.LOCK:
        return LockControl(kind=kind, entity_id=entity_id)
    if kind is ControlKind.SELECT:
        pause_option = _text(options, CONF_PAUSE_OPTION)
        if pause_option is None:
            return None
        return SelectControl(
            kind=kind,
            entity_id=entity_id,
            pause_option=pause_option,
            resume_option=_text(options, CONF_RESUME_OPTION),
        )
    return CurrentControl(
        kind=kind, entity_id=entity_id, pause_current=as_number(options.get(CONF_PAUSE_CURRENT))
    )
