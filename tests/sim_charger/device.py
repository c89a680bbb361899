"""What a simulated charger really is, as opposed to what Home Assistant shows of it.

``Device`` is the charger's own truth: is a car connected, is it full, has the charger's own
schedule stopped charging, and what its controls are set to. Entities never read it directly:
they show what the charger last *reported* (see ``runtime.py``), which is how the lag, the
stale values and the polls of real chargers come about.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Device:
    """The charger's own state (what its cloud or its firmware knows)."""

    connected: bool = False
    car_full: bool = False
    # The charger's own schedule (set in the vendor's app) is holding charging off.
    own_schedule: bool = False
    # Controls, as set on the charger: a switch or lock that allows charging, a mode, a current.
    enabled: bool = True
    mode: str = ""
    current: float = 16.0
    # Easee-like chargers: paused by an action, resumed by another.
    paused: bool = False
    # Anything else a twin needs to remember.
    extra: dict[str, str] = field(default_factory=dict)
