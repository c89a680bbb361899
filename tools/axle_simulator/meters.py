"""The simulator's meter table in use: meter search, eligibility checks and refusals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from .eligibility import (
    ASSET_MODELS,
    PROPOSITIONS,
    AssetFacts,
    Meter,
    issues_for,
    matches_building,
    normalise_postcode,
    propositions_json,
)
from .errors import ApiError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .records import Site


class MeterRegistry:
    """Mixed into ``AxleSimulator``: the parts of Axle that read the meter table."""

    meters: dict[str, Meter]
    refusal_shape: Literal["string", "list", "object"]

    if TYPE_CHECKING:

        def _owned_site(self, owner: str, site_id: str) -> Site: ...

        def _issues(self, mpan: str, assets: Sequence[AssetFacts]) -> list[str]: ...

    def set_meter(
        self,
        mpan: str,
        *,
        half_hourly_settled: bool = True,
        domestic: bool = True,
        postcode: str = "CT1 2EH",
        building: str = "1",
        street: str = "Test Street",
    ) -> Meter:
        """Add or replace a meter in the table that eligibility and the meter search read."""
        meter = Meter(mpan=mpan, postcode=postcode, building=building, street=street)
        meter.half_hourly_settled = half_hourly_settled
        meter.domestic = domestic
        self.meters[mpan] = meter
        return meter

    def refusal(self, message: str, code: str, issues: Sequence[str] = ()) -> ApiError:
        """Build a 422 refusal in the chosen ``refusal_shape``."""
        if self.refusal_shape == "list":
            return ApiError(
                422,
                [{"loc": ["body"], "msg": message, "type": issue} for issue in issues or [code]],
            )
        if self.refusal_shape == "object":
            return ApiError(422, {"code": code, "message": message, "issues": list(issues)})
        return ApiError(422, message)

    def meter_of(self, mpan: str) -> Meter:
        """Return the meter of an MPAN; one missing from the table is settled and domestic."""
        return self.meters.get(mpan) or Meter(mpan=mpan, postcode="", building="", street="")

    def check_eligibility(self, mpan: str, asset_model: str | None) -> dict[str, Any]:
        """Axle's dry run: the meter with maybe a model; the date is not part of the check."""
        if asset_model is not None and asset_model not in ASSET_MODELS:
            raise ApiError(404, "Asset model not found")
        meter = self.meter_of(mpan)
        facts = [AssetFacts(asset_model=asset_model, installation_date=None)]
        issues = issues_for(meter.half_hourly_settled, meter.domestic, facts, need_date=False)
        return {
            "is_half_hourly_settled": meter.half_hourly_settled,
            "propositions": propositions_json(issues),
        }

    def site_eligibility(self, owner: str, site_id: str) -> dict[str, Any]:
        """``SiteEligibilityDetail``: the site's properties and each asset's verdicts."""
        site = self._owned_site(owner, site_id)
        meter = self.meter_of(site.mpan)
        assets = []
        eligible = False
        for asset in site.assets.values():
            facts = AssetFacts(
                asset_model=asset.asset_model, installation_date=asset.installation_date
            )
            issues = self._issues(site.mpan, [facts])
            eligible = eligible or not issues
            assets.append(
                {
                    "asset_id": asset.asset_id,
                    "external_id": asset.external_id,
                    "propositions": propositions_json(issues),
                }
            )
        return {
            "eligible_propositions": list(PROPOSITIONS) if eligible else [],
            "site_id": site.site_id,
            "site_properties": {
                "is_half_hourly_settled": meter.half_hourly_settled,
                "has_meter_consent": site.consent_at is not None,
            },
            "assets": assets,
        }

    def meter_search(self, postcode: str, building: str | None) -> list[dict[str, Any]]:
        """Addresses with a meter at a postcode; 422 when the postcode has none at all."""
        wanted = normalise_postcode(postcode)
        at_postcode = [meter for meter in self.meters.values() if meter.postcode == wanted]
        if not at_postcode:
            raise ApiError(422, "Invalid postcode or no meters found")
        return [
            {"ref": meter.ref, "address": meter.address}
            for meter in at_postcode
            if matches_building(meter, building)
        ]

    def meter_by_ref(self, ref: str) -> dict[str, Any]:
        """Return a meter's details from a search reference; 422 for an unknown one."""
        for meter in self.meters.values():
            if meter.ref == ref:
                return meter.to_json()
        raise ApiError(422, "Invalid meter reference")

    def meter_by_address(self, address: str) -> tuple[int, dict[str, Any]]:
        """Match a full address to one meter: (200, meter) or (202, why not)."""
        text = " ".join(address.upper().replace(",", " ").split())
        found = [
            meter
            for meter in self.meters.values()
            if meter.postcode
            and meter.postcode in text
            and text.startswith(" ".join(meter.building.upper().replace(",", " ").split()) + " ")
        ]
        if len(found) == 1:
            return 200, found[0].to_json()
        why = "No meter found for this address" if not found else "Address is ambiguous"
        return 202, {"detail": why}
