"""Several chargers on one site: asset look-up and deletion, and each charger's own pauses.

Onboard already upserts assets by external id on an existing site (``state.py``); this adds what
a household with two chargers needs on top: ``GET``/``DELETE /entities/asset/{asset_id}``, a pause
setting per charger (two chargers plugged in at once can be paused at different times) and a
record of each charger's plug-in schedules, so tests can tell the two apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import ApiError
from .schedule import Block, cut_pause, price_pause, soon_pause

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime, timedelta

    from .records import Asset, PauseMode, Site


@dataclass(slots=True, kw_only=True)
class AssetPause:
    """How one charger is paused, in place of the simulator-wide settings.

    ``None`` for an offset or a length means the simulator's own value.
    """

    mode: PauseMode
    soon_offset: timedelta | None = None
    soon_length: timedelta | None = None

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-friendly copy (seconds)."""
        return {
            "mode": self.mode,
            "soon_offset": None if self.soon_offset is None else self.soon_offset.total_seconds(),
            "soon_length": None if self.soon_length is None else self.soon_length.total_seconds(),
        }


@dataclass(frozen=True, slots=True)
class ScheduleExchange:
    """One plug-in schedule of one charger: when, the blocks sent and the blocks answered."""

    at: datetime
    sent: tuple[Block, ...]
    answered: tuple[Block, ...]

    @property
    def paused(self) -> bool:
        """Whether Axle cut anything out of what was sent."""
        return self.sent != self.answered


@dataclass(slots=True)
class _AssetMemory:
    """Per-charger settings and history, keyed by external id (it outlives a deletion)."""

    pauses: dict[str, AssetPause] = field(default_factory=dict)
    schedules: dict[str, list[ScheduleExchange]] = field(default_factory=dict)


class AssetRules:
    """Mixed into ``AxleSimulator``: the parts of Axle that act on one asset of a site."""

    now: Callable[[], datetime]
    pause_mode: PauseMode
    soon_offset: timedelta
    soon_length: timedelta
    sites: dict[str, Site]
    _asset_memory: _AssetMemory

    def reset_assets(self) -> None:
        """Forget every charger's pause setting and schedule history."""
        self._asset_memory = _AssetMemory()

    def set_asset_pause(
        self,
        external_id: str,
        mode: PauseMode,
        *,
        soon_offset: timedelta | None = None,
        soon_length: timedelta | None = None,
    ) -> AssetPause:
        """Pause one charger its own way (by our external id, so before it is even onboarded)."""
        setting = AssetPause(mode=mode, soon_offset=soon_offset, soon_length=soon_length)
        self._asset_memory.pauses[external_id] = setting
        return setting

    def asset_pauses(self) -> dict[str, AssetPause]:
        """Return every charger's own pause setting, by external id."""
        return dict(self._asset_memory.pauses)

    def schedules_of(self, external_id: str) -> list[ScheduleExchange]:
        """Return the plug-in schedules one charger sent, oldest first (kept after deletion)."""
        return list(self._asset_memory.schedules.get(external_id, ()))

    def owned_asset(self, owner: str, asset_id: str, missing: str = "Asset not found") -> Asset:
        """Return an asset of ``owner``'s by Axle's id, or answer 404 with ``missing``."""
        for site in self.sites.values():
            if site.owner != owner:
                continue
            for asset in site.assets.values():
                if asset.asset_id == asset_id:
                    return asset
        raise ApiError(404, missing)

    def asset_by_id(self, owner: str, asset_id: str) -> dict[str, Any]:
        """Return Axle's ``AssetResponse`` for an asset id."""
        return self.owned_asset(owner, asset_id).to_json()

    def delete_asset(self, owner: str, asset_id: str) -> None:
        """Remove one asset; its site, the enrolment and the site's other assets stay."""
        asset = self.owned_asset(owner, asset_id)
        for site in self.sites.values():
            if site.assets.get(asset.external_id) is asset:
                del site.assets[asset.external_id]

    def pause_for(self, asset: Asset, ordered: Sequence[Block], now: datetime) -> Block | None:
        """Where this charger's pause goes: its own setting if it has one, else the simulator's."""
        setting = self._asset_memory.pauses.get(asset.external_id)
        mode = self.pause_mode if setting is None else setting.mode
        if mode == "price":
            return price_pause(ordered, now)
        if mode == "soon":
            offset = setting.soon_offset if setting else None
            length = setting.soon_length if setting else None
            return soon_pause(
                ordered,
                now,
                self.soon_offset if offset is None else offset,
                self.soon_length if length is None else length,
            )
        return None

    def answer_schedule(self, asset: Asset, ordered: Sequence[Block]) -> list[Block]:
        """Cut this charger's pause out of its schedule and remember both."""
        now = self.now()
        pause = self.pause_for(asset, ordered, now)
        answered = list(ordered) if pause is None else cut_pause(ordered, pause)
        self._asset_memory.schedules.setdefault(asset.external_id, []).append(
            ScheduleExchange(at=now, sent=tuple(ordered), answered=tuple(answered))
        )
        return answered
