"""Reading the plug state the way each brand writes it.

A binary sensor, switch or input boolean says it with on/off. A sensor or select says it with
its own words ("EV Connected", "SuspendedEV", "connected_charging", "Ready" ...), so the user
picks which of them mean a car is connected and which mean none. Words are compared without
regard to case or separators ("SuspendedEV" = "suspended_ev"). A state in neither list, and
unknown or unavailable, says nothing: it never starts and never ends a session.
"""

from __future__ import annotations

from dataclasses import dataclass
import re
from typing import TYPE_CHECKING, Final

from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN

if TYPE_CHECKING:
    from collections.abc import Iterable

    from homeassistant.core import State

# Plug entities whose own on/off state says whether a car is connected.
ON_OFF_PLUG_DOMAINS: Final = frozenset({"binary_sensor", "switch", "input_boolean"})
_SEPARATORS: Final = re.compile(r"[\s_\-.,:;/]+")


def normalise_state(raw: str) -> str:
    """Fold a state word for comparison: lower case, separators and spaces dropped."""
    return _SEPARATORS.sub("", raw.strip().casefold())


def clean_states(raw: Iterable[object]) -> list[str]:
    """Keep the user's state words as written, without blanks and repeats (folded)."""
    kept: dict[str, str] = {}
    for item in raw:
        text = str(item).strip()
        if text and (folded := normalise_state(text)) not in kept:
            kept[folded] = text
    return list(kept.values())


def reads_on_off(entity_id: str) -> bool:
    """Whether the plug entity says it with on/off (no state lists needed)."""
    return entity_id.partition(".")[0] in ON_OFF_PLUG_DOMAINS


@dataclass(frozen=True, slots=True)
class PlugReader:
    """Tells from the plug entity's state whether a car is connected."""

    entity_id: str
    plugged: frozenset[str]  # folded
    unplugged: frozenset[str]  # folded

    @classmethod
    def create(
        cls, entity_id: str, plugged: Iterable[object], unplugged: Iterable[object]
    ) -> PlugReader:
        """Build a reader from the state words as the user picked them."""
        return cls(
            entity_id=entity_id,
            plugged=frozenset(normalise_state(word) for word in clean_states(plugged)),
            unplugged=frozenset(normalise_state(word) for word in clean_states(unplugged)),
        )

    def read(self, state: State | None) -> bool | None:
        """Return True when a car is connected, False when none is, None when it does not say."""
        if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            return None
        if reads_on_off(self.entity_id):
            if state.state in (STATE_ON, STATE_OFF):
                return state.state == STATE_ON
            return None
        folded = normalise_state(state.state)
        if folded in self.plugged:
            return True
        if folded in self.unplugged:
            return False
        return None
