"""Axle's calls on sites and assets in the simulator, with Axle's refusals (``ApiError``).

Onboarding, enrolment, offboarding, asset lookups, the plug-in schedule and rewards.
"""

from __future__ import annotations

import itertools
import secrets
from typing import TYPE_CHECKING, Any

from .assets import AssetRules
from .eligibility import ASSET_MODELS, AssetFacts, issues_for
from .errors import ApiError
from .meters import MeterRegistry
from .records import (
    LIMITED_PAUSE,
    WITHDRAWAL_URL_BASE,
    WITHDRAWAL_URL_LIFETIME,
    Asset,
    AssetInput,
    Balance,
    PauseMode,
    Site,
    SiteInput,
    iso,
    mpan_is_valid,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from datetime import datetime, timedelta

    from .schedule import Block


# What an onboard request may change on a site and on an asset that exist already.
SITE_DETAILS = ("postcode", "street_address", "email", "consent_at")
ASSET_DETAILS = ("power_kw", "capacity_kwh", "asset_model", "installation_date")


class SiteRules(AssetRules, MeterRegistry):
    """The base of ``AxleSimulator``: what Axle does with sites and assets (and meters)."""

    now: Callable[[], datetime]
    pause_mode: PauseMode
    soon_offset: timedelta
    soon_length: timedelta
    sites: dict[str, Site]
    balances: dict[str, Balance]
    ineligible: dict[str, str]

    if TYPE_CHECKING:

        def _new_id(self, kind: str) -> str: ...

    def site_by_id(self, site_id: str) -> Site | None:
        """Return the site with this Axle id, if any."""
        return next((site for site in self.sites.values() if site.site_id == site_id), None)

    def iter_assets(self) -> Iterator[Asset]:
        """Yield every asset on every site."""
        for site in self.sites.values():
            yield from site.assets.values()

    def _owned_site(self, owner: str, site_id: str) -> Site:
        site = self.site_by_id(site_id)
        if site is None or site.owner != owner:
            raise ApiError(404, "Site not found")
        return site

    def _issues(self, mpan: str, assets: Sequence[AssetFacts]) -> list[str]:
        meter = self.meter_of(mpan)
        return issues_for(meter.half_hourly_settled, meter.domestic, assets, need_date=True)

    def _check_eligible(self, mpan: str, proposition: str, assets: Sequence[AssetFacts]) -> None:
        if (reason := self.ineligible.get(mpan)) is not None:
            raise self.refusal(
                f"Site is not eligible for {proposition}: {reason}", "not_eligible", [reason]
            )
        if issues := self._issues(mpan, assets):
            raise self.refusal(
                f"Site is not eligible for {proposition}: {', '.join(issues)}",
                "not_eligible",
                issues,
            )

    def _check_not_withdrawn(self, site: Site | None, proposition: str, override: bool) -> None:
        if site is not None and proposition in site.withdrew and not override:
            raise self.refusal(
                f"Site previously withdrew from {proposition}; set override_withdrawal to re-enrol",
                "previously_withdrawn",
            )

    @staticmethod
    def _enrol(site: Site, proposition: str) -> str:
        site.withdrew.discard(proposition)
        if proposition in site.enrolled:
            return "already_enrolled"
        site.enrolled.add(proposition)
        return "enrolled"

    def onboard(
        self,
        owner: str,
        site_input: SiteInput,
        asset_inputs: Sequence[AssetInput],
        proposition: str,
        override_withdrawal: bool,
    ) -> dict[str, Any]:
        """Upsert a site and its assets and enrol it; all checks happen before any change."""
        if not mpan_is_valid(site_input.mpan):
            raise ApiError(400, "Invalid MPAN: expected 13 digits with a valid check digit")
        if site_input.consent_at is None:
            raise ApiError(
                400, "Boundary meter consent is required (gave_boundary_meter_consent_at)"
            )
        if site_input.email is not None and not _looks_like_email(site_input.email):
            raise ApiError(400, "Invalid email address")
        site = self.sites.get(site_input.mpan)
        if site is not None and site.owner != owner:
            raise ApiError(409, "Site is registered to another organisation")
        for asset_input in asset_inputs:
            for other in self.iter_assets():
                if other.external_id != asset_input.external_id:
                    continue
                if site is None or other.site_id != site.site_id:
                    raise ApiError(
                        409, f"Asset {asset_input.external_id} is registered to a different site"
                    )
                if other.type != asset_input.type:
                    raise ApiError(409, f"Asset {asset_input.external_id} type mismatch")
        for asset_input in asset_inputs:
            if asset_input.asset_model and asset_input.asset_model not in ASSET_MODELS:
                raise ApiError(404, "Asset model not found")
        self._check_not_withdrawn(site, proposition, override_withdrawal)
        self._check_eligible(
            site_input.mpan, proposition, [_facts(site, asset) for asset in asset_inputs]
        )

        site_created = site is None
        if site is None:
            site = Site(self._new_id("site"), site_input.mpan, site_input.postcode, owner)
            self.sites[site.mpan] = site
        site_updates = _merge(site, site_input, SITE_DETAILS, created=site_created)
        asset_results = [self._upsert_asset(site, asset_input) for asset_input in asset_inputs]
        status = self._enrol(site, proposition)
        return {
            "site": {
                "site_id": site.site_id,
                "site_created": site_created,
                "fields_updated": [
                    "gave_boundary_meter_consent_at" if name == "consent_at" else name
                    for name in site_updates
                ],
                "warnings": [] if site.email else ["No email: withdrawals will not use 2FA"],
            },
            "assets": asset_results,
            "enrolment": {"site_id": site.site_id, "status": status},
        }

    def _upsert_asset(self, site: Site, asset_input: AssetInput) -> dict[str, Any]:
        asset = site.assets.get(asset_input.external_id)
        created = asset is None
        if asset is None:
            asset = Asset(
                asset_id=self._new_id("asset"),
                external_id=asset_input.external_id,
                type=asset_input.type,
                site_id=site.site_id,
            )
            site.assets[asset.external_id] = asset
        updates = _merge(asset, asset_input, ASSET_DETAILS, created=created)
        return {
            "asset_id": asset.asset_id,
            "external_id": asset.external_id,
            "asset_created": created,
            "fields_updated": updates,
            "warnings": [],
        }

    def enrol(
        self,
        owner: str,
        site_id: str,
        proposition: str,
        override_withdrawal: bool,
        consent_at: datetime | None,
    ) -> dict[str, Any]:
        """Enrol a site in a proposition (idempotent)."""
        site = self._owned_site(owner, site_id)
        self._check_not_withdrawn(site, proposition, override_withdrawal)
        self._check_eligible(
            site.mpan, proposition, [_facts(site, a) for a in site.assets.values()]
        )
        if consent_at is not None:
            site.consent_at = consent_at
        return {"site_id": site.site_id, "status": self._enrol(site, proposition)}

    def unenrol(self, owner: str, site_id: str, proposition: str) -> dict[str, Any]:
        """Withdraw a site from a proposition (idempotent); re-enrolling then needs an override."""
        site = self._owned_site(owner, site_id)
        if proposition not in site.enrolled:
            return {"site_id": site.site_id, "status": "already_unenrolled"}
        site.enrolled.discard(proposition)
        site.withdrew.add(proposition)
        return {"site_id": site.site_id, "status": "unenrolled"}

    def offboard(self, owner: str, site_id: str) -> dict[str, Any]:
        """Delete a site and all its assets; answer with the site and its first asset.

        A site whose assets were all deleted one by one answers without ``asset`` (the document
        requires one; what Axle does then is not documented).
        """
        site = self._owned_site(owner, site_id)
        del self.sites[site.mpan]
        self.balances.pop(site.site_id, None)
        first_asset = next(iter(site.assets.values()), None)
        answer: dict[str, Any] = {"site": site.to_json()}
        if first_asset is not None:
            answer["asset"] = first_asset.to_json()
        return answer

    def asset_by_external_id(self, owner: str, external_id: str) -> dict[str, Any]:
        """Return an asset by the partner's own id."""
        for site in self.sites.values():
            asset = site.assets.get(external_id)
            if asset is not None and site.owner == owner:
                return asset.to_json()
        raise ApiError(404, "Asset not found")

    def plug_in_schedule(self, owner: str, asset_id: str, blocks: Sequence[Block]) -> list[Block]:
        """Return the submitted blocks, maybe with this charger's pause cut out (``assets.py``)."""
        asset = self.owned_asset(owner, asset_id, "Charger not found")
        site = self.site_by_id(asset.site_id)
        if site is None or LIMITED_PAUSE not in site.enrolled:
            raise ApiError(403, "Site has no limited_pause consent")
        ordered = sorted(blocks)
        for (_, previous_end), (next_start, _) in itertools.pairwise(ordered):
            if next_start < previous_end:
                raise ApiError(
                    422,
                    [
                        {
                            "loc": ["body", "charging_schedule"],
                            "msg": "Charging schedule blocks overlap",
                            "type": "value_error",
                        }
                    ],
                )
        return self.answer_schedule(asset, ordered)

    def balance_info(self, owner: str, site_id: str) -> dict[str, Any]:
        """Return a site's balance (zero unless set with ``set_balance``)."""
        site = self._owned_site(owner, site_id)
        return self.balances.get(site.site_id, Balance()).to_json()

    def withdrawal_url(self, owner: str, site_id: str) -> dict[str, Any]:
        """Return a fresh hosted withdrawal link valid for an hour."""
        self._owned_site(owner, site_id)
        return {
            "balance_withdrawal_url": f"{WITHDRAWAL_URL_BASE}{secrets.token_urlsafe(16)}",
            "url_expiry_timestamp": iso(self.now() + WITHDRAWAL_URL_LIFETIME),
        }


def _facts(site: Site | None, asset: AssetInput | Asset) -> AssetFacts:
    """Return an asset's model and date as saved after the request (new values win)."""
    stored = site.assets.get(asset.external_id) if site is not None else None
    return AssetFacts(
        asset_model=asset.asset_model or (stored.asset_model if stored else None),
        installation_date=asset.installation_date or (stored.installation_date if stored else None),
    )


def _looks_like_email(value: str) -> bool:
    local, at, domain = value.partition("@")
    return bool(local and at and "." in domain.strip(".")) and " " not in value


def _merge(target: object, source: object, names: Sequence[str], *, created: bool) -> list[str]:
    """Copy the named fields that ``source`` gives (not None) onto ``target``.

    Return the names that changed on an update.
    """
    changed: list[str] = []
    for name in names:
        value = getattr(source, name)
        if value is None or getattr(target, name) == value:
            continue
        setattr(target, name, value)
        if not created:
            changed.append(name)
    return changed
