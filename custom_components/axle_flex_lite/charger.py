"""The user's charger as Home Assistant shows it: a plug-state entity, a control, a current number.

The adapter reads those entities, sends commands through the entry's control kind (see
``controls.py``) with a ``Context`` of its own (so that our changes can be told from the user's),
and checks a while later (the charger's command latency) that each command took effect.

A check never trusts a report that may be old: shortly before it, the entity is read afresh
(``homeassistant.update_entity``: a poll, not a command). For a polled charger the report lag is
its poll interval, so the fresh read shows whether the charger acted, however late it would have
reported by itself; only a value that still contradicts the command is sent again (once), so a
command the charger silently ignored is repeated and one it carried out is not.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.number.const import ATTR_MIN
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_component import async_update_entity
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .charger_options import ChargerSettings
from .const import (
    COMMAND_VERIFY_DELAY,
    CONF_COMMAND_LATENCY,
    LOGGER,
    UNSET_COMMAND_LATENCY,
)
from .controls import ACTION_PAUSED, NO_STATE, Command, as_number, domain_of

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    from .controls import Control
    from .storage import RestoreValue

SERVICE_SET_VALUE: Final = "set_value"
ATTR_VALUE: Final = "value"
# Contexts of our recent commands; a state change carrying one of them is ours, not the user's.
OWN_CONTEXTS_KEPT: Final = 50
# Numbers read back from an entity may be rounded by its integration.
VALUE_TOLERANCE: Final = 1e-6
# The fresh read comes this long before a command's check (the latency window is at least 30 s):
# time for a cloud integration to fetch and write the entity's state.
REFRESH_LEAD: Final = timedelta(seconds=15)


class ChangeKind(StrEnum):
    """What a state change of a charger entity means to the controller."""

    IGNORED = "ignored"  # attributes only, or a change to or from unavailable/unknown
    OWN = "own"  # our command took effect (or the charger caught up with it)
    USER = "user"  # a person, or an automation or script not ours, changed it: an override
    STALE = "stale"  # another value while our command is on its way (a stale poll, a bounce)
    SELF = "self"  # the charger changed by itself (a poll, the car, its schedule, its app)
    AVAILABLE = "available"  # the entity is back after being unavailable or missing


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargerEntities:
    """The charger chosen in the entry's options: plug, control, current number, latency."""

    settings: ChargerSettings

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ChargerEntities:
        """Read the charger from the entry's options (older entries' options too)."""
        return cls(
            settings=ChargerSettings.from_options(options),
            latency_set=options.get(CONF_COMMAND_LATENCY) is not None,
        )

    @property
    def plug(self) -> str:
        """The plug-state entity."""
        return self.settings.plug.entity_id

    @property
    def control(self) -> Control | None:
        """How a pause is expressed on this charger (None: not configured)."""
        return self.settings.control

    @property
    def current(self) -> str | None:
        """The charging-current number, if any."""
        return self.settings.current

    latency_set: bool = True

    @property
    def command_latency(self) -> timedelta:
        """How long the charger takes to report a command (ten minutes when nobody said)."""
        if not self.latency_set:
            return UNSET_COMMAND_LATENCY
        return timedelta(seconds=self.settings.command_latency)

    @property
    def controlled(self) -> tuple[str, ...]:
        """The entities whose changes are ours or the user's: the control's and the current's."""
        control = self.control.entity_id if self.control else None
        return tuple(dict.fromkeys(entity for entity in (control, self.current) if entity))

    @property
    def all(self) -> tuple[str, ...]:
        """Every configured entity, the plug first."""
        return tuple(dict.fromkeys(entity for entity in (self.plug, *self.controlled) if entity))


def values_match(actual: RestoreValue | None, wanted: RestoreValue) -> bool:
    """Whether an entity's value is the wanted one (numbers within rounding)."""
    if isinstance(wanted, str) or isinstance(actual, str) or actual is None:
        return actual == wanted
    return abs(actual - wanted) <= VALUE_TOLERANCE


@dataclass(frozen=True, slots=True)
class SentCommand:
    """A command we sent: its value shows up as ours until ``sent_at`` plus the latency window."""

    wanted: RestoreValue
    sent_at: datetime


@dataclass(slots=True)
class _Pending:
    """A command waiting to be checked."""

    wanted: RestoreValue
    attempt: int
    cancel: CALLBACK_TYPE
    # The entity showed the wanted value since the command (the charger took it).
    seen: bool = False


class Charger:
    """Reads the charger's entities and drives its control (and, without one, nothing)."""

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
        # The last command sent to each entity (kept and stored: a reload must still know it).
        self.sent: dict[str, SentCommand] = {}
        # The actions kind cannot be read back: the last action called (None: not known).
        self._action_value: RestoreValue | None = None
        # Told of a command its check could not confirm: unavailable, or hidden by the car
        # leaving (see ``_async_verify``); the driver keeps it owed.
        self.on_unconfirmed: Callable[[str, RestoreValue], Awaitable[None]] | None = None

    # Reading

    def assume_last_action(self, put_back: RestoreValue | None) -> None:
        """Take what an actions-kind charger was last told: the put-back, else the stored pause."""
        self._action_value = ACTION_PAUSED if put_back is None else put_back

    def plugged(self, state: State | None) -> bool | None:
        """Whether a plug-entity state means a car is connected; None when it cannot tell."""
        return self.entities.settings.plug.read(state)

    @property
    def plug_state(self) -> bool | None:
        """Whether a car is connected now (None: the plug entity is missing or unavailable)."""
        return self.plugged(self.hass.states.get(self.entities.plug))

    def exists(self, entity_id: str) -> bool:
        """Whether the entity has a state at all (it may still be unavailable)."""
        return self.hass.states.get(entity_id) is not None

    def state_value(self, entity_id: str, state: State | None) -> RestoreValue | None:
        """Read the control's entity as its kind does, the current as a number; None if unknown."""
        if state is None or state.state in NO_STATE:
            return None
        control = self.entities.control
        if control is not None and entity_id == control.entity_id:
            return control.value(state)
        return as_number(state.state)

    def value(self, key: str) -> RestoreValue | None:
        """Return the current value of a controlled entity, or the actions kind's last action."""
        control = self.entities.control
        if control is not None and not control.readable and key == control.key:
            return self._action_value
        return self.state_value(key, self.hass.states.get(key))

    def minimum(self, entity_id: str) -> float:
        """Return the lowest value a number entity accepts (0 when it does not say)."""
        state = self.hass.states.get(entity_id)
        raw = as_number(state.attributes.get(ATTR_MIN)) if state is not None else None
        return 0.0 if raw is None else raw

    def pause_value(self) -> RestoreValue | None:
        """Return the value that pauses the charger now (None: not configured or not known)."""
        control = self.entities.control
        if control is None:
            return None
        state = self.hass.states.get(control.entity_id) if control.entity_id else None
        return control.pause_value(state)

    @property
    def charging_allowed(self) -> bool | None:
        """Whether the charger is set to charge, as its control says; None when it cannot tell."""
        control = self.entities.control
        if control is None:
            return None
        state = self.hass.states.get(control.entity_id) if control.entity_id else None
        return control.allows_charging(self.value(control.key), state)

    def dump_sent(self) -> dict[str, list[Any]]:
        """Our last command to each entity, as stored: entity id -> [value, sent at].

        Kept past its latency window: after a restart, whether the pause a control shows is one
        we sent depends on it (a put-back sent at shutdown may have landed under a reading that
        only follows the charger's status). ``awaiting`` still tells which are on their way.
        """
        return {
            entity_id: [sent.wanted, sent.sent_at.isoformat()]
            for entity_id, sent in self.sent.items()
        }

    def load_sent(self, stored: Mapping[str, list[Any]]) -> None:
        """Take over our stored last commands (damaged ones are dropped)."""
        for entity_id, (wanted, sent_at) in stored.items():
            moment = dt_util.parse_datetime(str(sent_at))
            if isinstance(wanted, str | int | float) and not isinstance(wanted, bool) and moment:
                value: RestoreValue = wanted if isinstance(wanted, str) else float(wanted)
                self.sent[entity_id] = SentCommand(wanted=value, sent_at=dt_util.as_utc(moment))

    def is_ours(self, context: Context) -> bool:
        """Whether a context is one of our commands' (or was set off by one)."""
        return context.id in self._own_contexts or context.parent_id in self._own_contexts

    @property
    def latency_window(self) -> timedelta:
        """How long a command of ours may take to show up (at least ``COMMAND_VERIFY_DELAY``)."""
        return max(COMMAND_VERIFY_DELAY, self.entities.command_latency)

    def awaiting(self, entity_id: str) -> SentCommand | None:
        """Return our command to that entity still within its latency window, if any.

        A person or an automation that set the entity since has the last word: nothing is awaited.
        """
        sent = self.sent.get(entity_id)
        if sent is None or dt_util.utcnow() >= sent.sent_at + self.latency_window:
            return None
        return None if self.set_by_someone(entity_id, sent.sent_at) else sent

    def set_by_someone(self, entity_id: str, since: datetime) -> bool:
        """Whether a person or an automation not ours last changed the entity, after ``since``."""
        state = self.hass.states.get(entity_id)
        if state is None or state.last_changed < since:
            return False
        context = state.context
        return not self.is_ours(context) and (
            context.user_id is not None or context.parent_id is not None
        )

    def follow_rename(self, old: str, new: str, entities: ChargerEntities) -> None:
        """One of the entities was renamed: ``entities`` name it now; our commands move with it."""
        self.entities = entities
        if (sent := self.sent.pop(old, None)) is not None:
            self.sent[new] = sent
        if (pending := self._pending.pop(old, None)) is not None:
            pending.cancel()
            self._arm_verification(new, pending.wanted, pending.attempt)

    def drop_command(self, entity_id: str) -> None:
        """Someone else set the entity: our last command to it is neither awaited nor retried."""
        self._cancel(entity_id)
        self.sent.pop(entity_id, None)

    def classify(self, entity_id: str, old: State | None, new: State | None) -> ChangeKind:
        """Tell what a state change of a controlled entity means.

        Ours: our own context, or our value within the latency window whatever the context (a
        poll reports it later, under its own). A person (``user_id``) or an automation or script
        (a ``parent_id`` we did not create) is an override. Anything else is the charger itself:
        a stale value while our command is on its way, or a change of its own.
        """
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
        if (pending := self._pending.get(entity_id)) is not None and values_match(
            new_value, pending.wanted
        ):
            pending.seen = True
        context = new.context
        if self.is_ours(context):
            return ChangeKind.OWN
        if context.user_id is not None or context.parent_id is not None:
            return ChangeKind.USER
        if (sent := self.awaiting(entity_id)) is not None:
            return ChangeKind.OWN if values_match(new_value, sent.wanted) else ChangeKind.STALE
        return ChangeKind.SELF

    # Commanding

    async def async_ensure(
        self, entity_id: str, wanted: RestoreValue, *, verify: bool = True
    ) -> bool:
        """Bring the entity to ``wanted``; send nothing when it is there already.

        Returns False when the entity is missing or unavailable (nothing sent: the caller applies
        again when it is back). With ``verify`` the result is checked after
        the charger's command latency (at least ``COMMAND_VERIFY_DELAY``), with one retry.
        """
        current = self.value(entity_id)
        control = self.entities.control
        if control is not None and not control.readable and entity_id == control.key:
            # Actions cannot be read back: call one unless it was the last one called.
            if current is None or not values_match(current, wanted):
                await self._async_send(entity_id, wanted)
                self._action_value = wanted
            return True
        if current is None:
            LOGGER.info("%s is unavailable; its command waits until it is back", entity_id)
            return False
        pending = self._pending.get(entity_id)
        sent = self.awaiting(entity_id)
        if values_match(current, wanted) and (sent is None or values_match(sent.wanted, wanted)):
            if pending is not None and values_match(current, pending.wanted):
                self._cancel(entity_id)
                self._on_responding(entity_id)
            elif pending is not None:
                self._cancel(entity_id)
            return True
        if sent is not None and values_match(sent.wanted, wanted):
            # Sent already and on its way: one command per change, however slow the charger.
            return True
        self._cancel(entity_id)
        if verify:
            # Armed before the call: a charger that pushes its new state while the call runs
            # reports it under its own context, and must find the command waiting.
            self._arm_verification(entity_id, wanted, attempt=1)
        # Unchecked (letting go for good), a refused call is a value not put back.
        return await self._async_send(entity_id, wanted) or verify

    def check_later(self, entity_id: str, wanted: RestoreValue) -> None:
        """Check once the latency window is over that the entity shows ``wanted``; else send it.

        For a value sent earlier that the charger could not show then (the car was gone).
        """
        self._cancel(entity_id)
        self._arm_verification(entity_id, wanted, attempt=1)

    def checking(self, entity_id: str) -> RestoreValue | None:
        """Return the value the entity is being checked for, if a check is pending."""
        pending = self._pending.get(entity_id)
        return None if pending is None else pending.wanted

    def cancel_pending(self) -> None:
        """Stop checking our commands (the controller lets go); they are still recognised."""
        for entity_id in list(self._pending):
            self._cancel(entity_id)

    def _cancel(self, entity_id: str) -> None:
        """Stop checking the entity's last command."""
        if (pending := self._pending.pop(entity_id, None)) is not None:
            pending.cancel()

    async def _async_send(self, entity_id: str, wanted: RestoreValue) -> bool:
        """Call the control's service (or the number's) under a context that marks it as ours.

        Returns whether the call went through.
        """
        command = self._command(entity_id, wanted)
        context = Context()
        self._own_contexts.append(context.id)
        self.sent[entity_id] = SentCommand(wanted=wanted, sent_at=dt_util.utcnow())
        LOGGER.debug("Calling %s.%s for %s", command.domain, command.service, entity_id)
        try:
            await self.hass.services.async_call(
                command.domain, command.service, command.data, blocking=True, context=context
            )
        except (HomeAssistantError, vol.Invalid) as err:
            # The check after the command latency retries and, if need be, raises the issue.
            LOGGER.warning(
                "%s.%s for %s failed: %s", command.domain, command.service, entity_id, err
            )
            return False
        return True

    def _command(self, entity_id: str, wanted: RestoreValue) -> Command:
        """Return the service call that sets ``wanted``: the control's, or a number's set_value."""
        control = self.entities.control
        if control is not None and entity_id == control.key:
            return control.command(wanted)
        return Command(
            domain=domain_of(entity_id),
            service=SERVICE_SET_VALUE,
            data={ATTR_ENTITY_ID: entity_id, ATTR_VALUE: wanted},
        )

    async def async_refresh(self, entity_id: str) -> None:
        """Ask Home Assistant to read the entity afresh: a poll of the charger, not a command.

        Not while it is unavailable: its return is handled when it comes (and checks nothing).
        """
        state = self.hass.states.get(entity_id)
        if state is None or state.state in NO_STATE:
            return
        try:
            await async_update_entity(self.hass, entity_id)
        except Exception:  # noqa: BLE001 - a failed read must not stop the check that follows
            LOGGER.debug("Reading %s afresh failed", entity_id, exc_info=True)

    def _arm_verification(self, entity_id: str, wanted: RestoreValue, attempt: int) -> None:
        """Read the entity afresh near the end of the latency window, then check it."""

        async def _async_refresh(_now: Any) -> None:
            await self.async_refresh(entity_id)

        async def _async_check(_now: Any) -> None:
            await self._async_verify(entity_id, wanted, attempt)

        window = self.latency_window
        timers = (
            async_call_later(self.hass, window - REFRESH_LEAD, _async_refresh),
            async_call_later(self.hass, window, _async_check),
        )

        def cancel() -> None:
            for timer in timers:
                timer()

        self._pending[entity_id] = _Pending(wanted=wanted, attempt=attempt, cancel=cancel)

    async def _async_verify(self, entity_id: str, wanted: RestoreValue, attempt: int) -> None:
        """Did the command take effect? Retry once, then report the charger as not responding."""
        pending = self._pending.pop(entity_id, None)
        unconfirmed = self.on_unconfirmed
        actual = self.value(entity_id)
        if actual is None:
            # Unavailable (a charger whose controls go without a car): whether it took is not
            # known; owed, and checked when it is back (the controller applies then).
            if unconfirmed is not None:
                await unconfirmed(entity_id, wanted)
            return
        if values_match(actual, wanted):
            self._on_responding(entity_id)
            return
        seen = pending is not None and pending.seen
        if unconfirmed is not None and self.plug_state is False and (seen or attempt == 2):
            # The car left. A control that showed the command and then went back by itself
            # follows the charger's status (a Tesla's charge switch: off without a car), and
            # one that ignored it twice cannot be helped now: either way it is owed, checked
            # (and sent only if still needed) when the car is back.
            LOGGER.info(
                "%s does not show %s without a car: checked when one is back", entity_id, wanted
            )
            await unconfirmed(entity_id, wanted)
            if attempt == 1:
                return
        if attempt == 1:
            LOGGER.info("%s is still %s instead of %s; retrying once", entity_id, actual, wanted)
            self._arm_verification(entity_id, wanted, attempt=2)
            await self._async_send(entity_id, wanted)
            return
        LOGGER.warning("%s stayed %s after being asked for %s twice", entity_id, actual, wanted)
        self._on_not_responding(entity_id, str(wanted), str(actual))
