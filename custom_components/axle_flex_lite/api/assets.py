"""Results of the calls that manage one charger (asset) on a site with several.

A household with two chargers is one Axle site with two assets: a charger is added by onboarding
the site again with the new asset, and removed with ``DELETE /entities/asset/{asset_id}``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AssetRemoval",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetRemoval:
    """What removing one charger at Axle came to.

    ``deleted`` is false when Axle did not know the asset (404): it was removed before (a repeat
    after a lost answer), or it belongs to another organisation. Either way nothing of ours is
    left at Axle, so the caller can carry on with the removal.
    """

    asset_id: str
    deleted: bool
