"""The user's charger as Home Assistant shows it: a plug-state entity, a switch, a current number.

The adapter reads those entities, sends commands to them with a ``Context`` of its own (so that our
changes can be told from the user's), and checks a while later that each command took effect.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import StrEnum
import math
from typing import TYPE_CHECKING, Any, Final, Self

from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_call_later
import voluptuous as vol

from .const import (
    COMMAND_VERIFY_DELAY,
    CONF_CURRENT_ENTITY,
    CONF_PLUG_ENTITY,
    CONF_PLUGGED_STATES,
    CONF_SWITCH_ENTITY,
    LOGGER,
    PLUGGED_STATES,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from .storage import RestoreValue

# Plug entities whose own on/off state says whether a car is connected.
ON_OFF_PLUG_DOMAINS: Final = frozenset({"binary_sensor", "switch", "input_boolean"})
NO_STATE: Final = frozenset({STATE_UNAVAILABLE, STATE_UNKNOWN})
SERVICE_SET_VALUE: Final = "set_value"
ATTR_VALUE: Final = "value"
ATTR_MIN: Final = "min"
# Contexts of our recent commands; a state change carrying one of them is ours, not the user's.
OWN_CONTEXTS_KEPT: Final = 50
# Numbers read back from an entity may be rounded by its integration.
VALUE_TOLERANCE: Final = 1e-6


class ChangeKind(StrEnum):
    """What a state change of a charger entity means to the controller."""

    IGNORED = "ignored"  # attributes only, or a change to or from unavailable/unknown
    OWN = "own"  # our command took effect (or the charger caught up with it)
    USER = "user"  # somebody else changed the charger: an override
    AVAILABLE = "available"  # the entity is back after being unavailable or missing


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargerEntities:
    """The entities chosen in the entry's options."""

    plug: str
    switch: str | None
    current: str | None
    plugged_states: frozenset[str]

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Self:
        """Read the entity ids from the entry's options (empty strings mean not configured)."""
        extra = options.get(CONF_PLUGGED_STATES) or ()
        return cls(
            plug=str(options.get(CONF_PLUG_ENTITY) or ""),
            switch=options.get(CONF_SWITCH_ENTITY) or None,
            current=options.get(CONF_CURRENT_ENTITY) or None,
            plugged_states=PLUGGED_STATES | {str(state).strip().lower() for state in extra},
        )

    @property
    def controlled(self) -> tuple[str, ...]:
        """The entities the integration sends commands to."""
        return tuple(entity_id for entity_id in (self.switch, self.current) if entity_id)

    @property
    def all(self) -> tuple[str, ...]:
        """Every configured entity, the plug first."""
        return tuple(entity_id for entity_id in (self.plug, *self.controlled) if entity_id)


def _domain(entity_id: str) -> str:
    """Return the domain part of an entity id."""
    return entity_id.partition(".")[0]


def _as_number(raw: str) -> float | None:
    """Read a state as a finite number, or None."""
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def values_match(actual: RestoreValue | None, wanted: RestoreValue) -> bool:
    """Whether an entity's value is the wanted one (numbers within rounding)."""
    if isinstance(wanted, str) or isinstance(actual, str) or actual is None:
        return actual == wanted
    return abs(actual - wanted) <= VALUE_TOLERANCE


@dataclass(slots=True)
class _Pending:
    """A command waiting to be checked."""

    wanted: RestoreValue
    attempt: int
    cancel: CALLBACK_TYPE


class Charger:
    """Reads the charger's entities and drives its switch and current number."""

    def __init__(
        self,
        hass: HomeAssistant,
        entities: ChargerEntities,
        *,
        on_not_responding: Callable[[str, str, str], None],
        on_responding: Callable[[str], None],
    ) -> None:
        """Bind to the entities; the callbacks report commands that did or did not take effect.

        ``on_not_responding(entity_id, wanted, actual)`` is called when a command and its retry
        both left the entity elsewhere; ``on_responding(entity_id)`` when a command took effect.
        """
        self.hass = hass
        self.entities = entities
        self._on_not_responding = on_not_responding
        self._on_responding = on_responding
        self._own_contexts: deque[str] = deque(maxlen=OWN_CONTEXTS_KEPT)
        self._pending: dict[str, _Pending] = {}

    # Reading

    def plugged(self, state: State | None) -> bool | None:
        """Whether a plug-entity state means a car is connected; None when it cannot tell."""
        if state is None or state.state in NO_STATE:
            return None
        if _domain(state.entity_id) in ON_OFF_PLUG_DOMAINS:
            return state.state == STATE_ON
        return state.state.strip().lower() in self.entities.plugged_states

    @property
    def plug_state(self) -> bool | None:
        """Whether a car is connected now (None: the plug entity is missing or unavailable)."""
        return self.plugged(self.hass.states.get(self.entities.plug))

    def exists(self, entity_id: str) -> bool:
        """Whether the entity has a state at all (it may still be unavailable)."""
        return self.hass.states.get(entity_id) is not None

    def state_value(self, entity_id: str, state: State | None) -> RestoreValue | None:
        """Read a switch as ``"on"``/``"off"``, a number as a float; None when unavailable."""
        if state is None or state.state in NO_STATE:
            return None
        if entity_id == self.entities.switch:
            return state.state if state.state in (STATE_ON, STATE_OFF) else None
        return _as_number(state.state)

    def value(self, entity_id: str) -> RestoreValue | None:
        """Return the current value of a controlled entity (see ``state_value``)."""
        return self.state_value(entity_id, self.hass.states.get(entity_id))

    def minimum(self, entity_id: str) -> float:
        """Return the lowest value a number entity accepts (0 when it does not say)."""
        state = self.hass.states.get(entity_id)
        raw = state.attributes.get(ATTR_MIN) if state is not None else None
        if isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw):
            return float(raw)
        return 0.0

    @property
    def charging_allowed(self) -> bool | None:
        """Whether the charger is set to charge: switch on, or (without a switch) current above min.

        None when the deciding entity is unavailable.
        """
        if self.entities.switch:
            switch = self.value(self.entities.switch)
            return None if switch is None else switch == STATE_ON
        if self.entities.current:
            current = self.value(self.entities.current)
            if current is None or isinstance(current, str):
                return None
            return current > self.minimum(self.entities.current) + VALUE_TOLERANCE
        return None

    def classify(self, entity_id: str, old: State | None, new: State | None) -> ChangeKind:
        """Tell what a state change of a controlled entity means."""
        if new is None:
            return ChangeKind.IGNORED
        if old is None or old.state in NO_STATE:
            return ChangeKind.IGNORED if new.state in NO_STATE else ChangeKind.AVAILABLE
        if new.state in NO_STATE:
            return ChangeKind.IGNORED
        new_value = self.state_value(entity_id, new)
        old_value = self.state_value(entity_id, old)
        if new_value is None or old_value is None or values_match(new_value, old_value):
            return ChangeKind.IGNORED
        if new.context.id in self._own_contexts:
            return ChangeKind.OWN
        pending = self._pending.get(entity_id)
        if pending is not None and values_match(new_value, pending.wanted):
            # Chargers that poll their cloud report our command later, under their own context.
            return ChangeKind.OWN
        return ChangeKind.USER

    # Commanding

    async def async_ensure(
        self, entity_id: str, wanted: RestoreValue, *, verify: bool = True
    ) -> bool:
        """Bring the entity to ``wanted``; send nothing when it is there already.

        Returns False when the entity is missing or unavailable (nothing sent: the caller applies
        again when it is back). With ``verify`` the result is checked after
        ``COMMAND_VERIFY_DELAY``, with one retry.
        """
        current = self.value(entity_id)
        if current is None:
            LOGGER.info("%s is unavailable; its command waits until it is back", entity_id)
            return False
        pending = self._pending.get(entity_id)
        if values_match(current, wanted):
            if pending is not None and values_match(current, pending.wanted):
                self._cancel(entity_id)
                self._on_responding(entity_id)
            elif pending is not None:
                self._cancel(entity_id)
            return True
        await self._async_send(entity_id, wanted)
        self._cancel(entity_id)
        if verify:
            self._arm_verification(entity_id, wanted, attempt=1)
        return True

    def cancel_pending(self) -> None:
        """Forget every command waiting to be checked (the controller lets go of the charger)."""
        for entity_id in list(self._pending):
            self._cancel(entity_id)

    def _cancel(self, entity_id: str) -> None:
        """Stop checking the entity's last command."""
        if (pending := self._pending.pop(entity_id, None)) is not None:
            pending.cancel()

    async def _async_send(self, entity_id: str, wanted: RestoreValue) -> None:
        """Call the entity's own service, under a context that marks the change as ours."""
        domain = _domain(entity_id)
        data: dict[str, Any] = {ATTR_ENTITY_ID: entity_id}
        if isinstance(wanted, str):
            service = SERVICE_TURN_ON if wanted == STATE_ON else SERVICE_TURN_OFF
        else:
            service = SERVICE_SET_VALUE
            data[ATTR_VALUE] = wanted
        context = Context()
        self._own_contexts.append(context.id)
        LOGGER.debug("Calling %s.%s for %s", domain, service, entity_id)
        try:
            await self.hass.services.async_call(
                domain, service, data, blocking=True, context=context
            )
        except (HomeAssistantError, vol.Invalid) as err:
            # The check after COMMAND_VERIFY_DELAY retries and, if need be, raises the issue.
            LOGGER.warning("%s.%s for %s failed: %s", domain, service, entity_id, err)

    def _arm_verification(self, entity_id: str, wanted: RestoreValue, attempt: int) -> None:
        """Check the entity after ``COMMAND_VERIFY_DELAY``."""

        async def _async_check(_now: Any) -> None:
            await self._async_verify(entity_id, wanted, attempt)

        cancel = async_call_later(self.hass, COMMAND_VERIFY_DELAY, _async_check)
        self._pending[entity_id] = _Pending(wanted=wanted, attempt=attempt, cancel=cancel)

    async def _async_verify(self, entity_id: str, wanted: RestoreValue, attempt: int) -> None:
        """Did the command take effect? Retry once, then report the charger as not responding."""
        self._pending.pop(entity_id, None)
        actual = self.value(entity_id)
        if actual is None:
            # Unavailable: the controller applies again when the entity is back.
            return
        if values_match(actual, wanted):
            self._on_responding(entity_id)
            return
        if attempt == 1:
            LOGGER.info("%s is still %s instead of %s; retrying once", entity_id, actual, wanted)
            await self._async_send(entity_id, wanted)
            self._arm_verification(entity_id, wanted, attempt=2)
            return
        LOGGER.warning("%s stayed %s after being asked for %s twice", entity_id, actual, wanted)
        self._on_not_responding(entity_id, str(wanted), str(actual))
